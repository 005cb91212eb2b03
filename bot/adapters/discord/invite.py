"""The OAuth2 URL a server admin opens to add the bot, with exactly the permissions it uses."""

from __future__ import annotations

import discord

SCOPES = ("bot", "applications.commands")


def bot_permissions() -> discord.Permissions:
    """Read and answer in channels and threads, with embeds, as replies. Nothing more."""
    return discord.Permissions(
        view_channel=True,
        send_messages=True,
        send_messages_in_threads=True,
        embed_links=True,
        read_message_history=True,  # a reply references the question's message
    )


def invite_url(application_id: int) -> str:
    """`https://discord.com/oauth2/authorize?client_id=...&scope=bot+applications.commands&permissions=...`."""
    return discord.utils.oauth_url(application_id, permissions=bot_permissions(), scopes=SCOPES)
