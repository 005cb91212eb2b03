"""Builders for the JSON Discord sends: users, members, channels, the guild, messages, interactions.

They are shaped the way discord.py parses them, which is what the fake exists to check:
`mentions` derived from `<@id>` tokens, `guild_id` and `member` only outside DMs, and so on.
"""

from __future__ import annotations

import re
from typing import Any

from .base import TIMESTAMP, DiscordBase

_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")


class PayloadsMixin(DiscordBase):
    """The fixture guild's objects, as Discord serializes them."""

    @staticmethod
    def _user(uid: int, name: str, *, bot: bool = False) -> dict:
        return {
            "id": str(uid),
            "username": name,
            "discriminator": "0",
            "global_name": name.title(),
            "avatar": None,
            "bot": bot,
            "public_flags": 0,
        }

    def _member(self, uid: int) -> dict:
        return {
            "user": self.users[uid],
            "roles": [str(r) for r in self.member_roles.get(uid, [])],
            "joined_at": TIMESTAMP,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "nick": None,
        }

    def _partial_member(self, uid: int) -> dict:
        """A message's `member`: the member without its user (that is the `author`)."""
        return {k: v for k, v in self._member(uid).items() if k != "user"}

    def _channel(self, cid: int, name: str, *, kind: int = 0, parent: int | None = None) -> dict:
        data = {
            "id": str(cid),
            "type": kind,
            "name": name,
            "guild_id": str(self.GUILD_ID),
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": str(parent) if parent else None,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
        }
        if kind == 11:
            data.update(
                owner_id=str(self.ALICE),
                message_count=1,
                member_count=1,
                total_message_sent=1,
                thread_metadata={
                    "archived": False,
                    "auto_archive_duration": 1440,
                    "archive_timestamp": TIMESTAMP,
                    "locked": False,
                },
            )
        return data

    def _channel_kind(self, cid: int) -> int:
        if cid in self.dm_channels.values():
            return 1
        return 11 if cid == self.THREAD else 0

    def dm_channel(self, user_id: int) -> int:
        """The DM channel between the bot and a user (created on first use)."""
        if user_id not in self.dm_channels:
            self.dm_channels[user_id] = next(self._ids)
        return self.dm_channels[user_id]

    def guild_payload(self) -> dict:
        role = lambda rid, name, perms, managed=False: {  # noqa: E731
            "id": str(rid),
            "name": name,
            "permissions": str(perms),
            "position": 0 if rid == self.GUILD_ID else 1,
            "color": 0,
            "hoist": False,
            "managed": managed,
            "mentionable": True,
            "flags": 0,
        }
        return {
            "id": str(self.GUILD_ID),
            "name": "Cyber Policy",
            "icon": None,
            "owner_id": str(self.ADMIN),
            "unavailable": False,
            "large": False,
            "member_count": len(self.users),
            "features": [],
            "roles": [
                role(self.GUILD_ID, "@everyone", 0x400 | 0x800 | 0x10000),
                role(self.ADMIN_ROLE, "admins", 0x20),
                role(self.BOT_ROLE, "callbot", 0x4C00, managed=True),
            ],
            "channels": [self._channel(self.GENERAL, "general"), self._channel(self.AUTO_CHANNEL, "ask-the-call")],
            "threads": [self._channel(self.THREAD, "principles-thread", kind=11, parent=self.GENERAL)],
            "members": [self._member(uid) for uid in self.users],
            "emojis": [],
            "stickers": [],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "system_channel_id": None,
            "afk_channel_id": None,
            "afk_timeout": 300,
            "joined_at": TIMESTAMP,
        }

    def _message(
        self,
        *,
        channel_id: int,
        author: dict,
        content: str,
        member: dict | None = None,
        embeds: list | None = None,
        flags: int = 0,
        webhook_id: int | None = None,
        reference: dict | None = None,
        attachments: list | None = None,
        components: list | None = None,
    ) -> dict:
        mentioned = [self.users[int(u)] for u in _USER_MENTION.findall(content) if int(u) in self.users]
        data = {
            "id": str(next(self._ids)),
            "channel_id": str(channel_id),
            "author": author,
            "content": content,
            "timestamp": TIMESTAMP,
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": "@everyone" in content or "@here" in content,
            "mentions": mentioned,
            "mention_roles": _ROLE_MENTION.findall(content),
            "attachments": attachments or [],
            "embeds": embeds or [],
            "pinned": False,
            "type": 19 if reference else 0,
            "flags": flags,
            "components": components or [],
        }
        if self._channel_kind(channel_id) != 1:
            data["guild_id"] = str(self.GUILD_ID)
            if member is not None:
                data["member"] = member
        if webhook_id is not None:
            data["webhook_id"] = str(webhook_id)
        if reference:
            data["message_reference"] = reference
        return data

    def _interaction(
        self, iid: int, token: str, kind: int, data: dict, user_id: int, channel_id: int, message: dict | None = None
    ) -> dict:
        """An INTERACTION_CREATE's data: a DM one carries the `user`, a guild one the `member`."""
        payload: dict[str, Any] = {
            "id": str(iid),
            "application_id": str(self.APP_ID),
            "type": kind,
            "token": token,
            "version": 1,
            "data": data,
            "locale": getattr(self, "locale", "en-US"),  # a test may set the user's locale
            "attachment_size_limit": 10_000_000,
            "app_permissions": "0",
            "entitlements": [],
            "authorizing_integration_owners": {},
        }
        if message is not None:
            payload["message"] = message
        channel_kind = self._channel_kind(channel_id)
        if channel_kind == 1:
            payload.update(
                user=self.users[user_id],
                context=1,
                channel={"id": str(channel_id), "type": 1},
                channel_id=str(channel_id),
            )
        else:
            member = self._member(user_id)
            member["permissions"] = str(0x20 if self.ADMIN_ROLE in self.member_roles.get(user_id, []) else 0x800)
            parent = self.GENERAL if channel_kind == 11 else None
            payload.update(
                guild_id=str(self.GUILD_ID),
                member=member,
                context=0,
                channel_id=str(channel_id),
                channel=self._channel(channel_id, "channel", kind=channel_kind, parent=parent),
                guild_locale="en-US",
                guild={"id": str(self.GUILD_ID), "features": [], "locale": "en-US"},
            )
        return payload
