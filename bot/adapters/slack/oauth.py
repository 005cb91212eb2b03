"""Multi-workspace installs (HTTP mode): Bolt's OAuth flow with a SQLite installation store.

slack_sdk's SQLite stores are synchronous (their `async_*` methods block the loop), so each
call is moved to a worker thread here. One database file holds installations and states.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlite3 import SQLite3InstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.oauth.state_store.sqlite3 import SQLite3OAuthStateStore

from bot.config import Settings

log = logging.getLogger(__name__)
# The same scopes as slack-manifest.yaml (a test keeps them equal).
BOT_SCOPES = (
    "app_mentions:read",
    "chat:write",
    "commands",
    "files:read",
    "im:history",
    "channels:history",  # follow-ups: a thread's earlier messages (docs/conversations.md)
    "groups:history",
    "mpim:history",
    "users:read",
)
STATE_SECONDS = 600


class ThreadedInstallationStore(AsyncInstallationStore):
    """The SQLite installation store with every call in a worker thread."""

    def __init__(self, database: str, client_id: str) -> None:
        self._sync = SQLite3InstallationStore(database=database, client_id=client_id, logger=log)
        self._sync.init()  # create the tables once, before worker threads race to

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_save(self, installation: Installation) -> None:
        await asyncio.to_thread(self._sync.save, installation)

    async def async_save_bot(self, bot: Bot) -> None:
        await asyncio.to_thread(self._sync.save_bot, bot)

    async def async_find_bot(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
    ) -> Bot | None:
        return await asyncio.to_thread(
            self._sync.find_bot,
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        return await asyncio.to_thread(
            self._sync.find_installation,
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
            is_enterprise_install=is_enterprise_install,
        )

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await asyncio.to_thread(self._sync.delete_bot, enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        await asyncio.to_thread(
            self._sync.delete_installation, enterprise_id=enterprise_id, team_id=team_id, user_id=user_id
        )


class ThreadedStateStore(AsyncOAuthStateStore):
    """The SQLite OAuth state store (CSRF protection for the redirect) off the event loop."""

    def __init__(self, database: str) -> None:
        self._sync = SQLite3OAuthStateStore(database=database, expiration_seconds=STATE_SECONDS, logger=log)
        self._sync.init()

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        return await asyncio.to_thread(self._sync.issue, *args, **kwargs)

    async def async_consume(self, state: str) -> bool:
        return await asyncio.to_thread(self._sync.consume, state)


def installation_db(settings: Settings) -> Path:
    """`slack.installation_db`, else next to the index (which already keeps the audit log)."""
    configured = settings.slack.installation_db
    return Path(configured) if configured else settings.index_path / "slack_installations.sqlite3"


def authorization_url(api_base_url: str) -> str:
    """Slack's consent page on the same host as the API (slack.com, slack-gov.com...)."""
    parts = urlsplit(api_base_url)
    return f"{parts.scheme}://{parts.netloc}/oauth/v2/authorize"


def oauth_settings(settings: Settings, client_id: str, client_secret: str) -> AsyncOAuthSettings:
    """Bolt's OAuth settings: `/slack/install` and `/slack/oauth_redirect` on the HTTP server."""
    db = installation_db(settings)
    db.parent.mkdir(parents=True, exist_ok=True)
    return AsyncOAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=list(BOT_SCOPES),
        user_scopes=[],
        installation_store=ThreadedInstallationStore(str(db), client_id),
        installation_store_bot_only=True,
        state_store=ThreadedStateStore(str(db)),
        state_expiration_seconds=STATE_SECONDS,
        authorization_url=authorization_url(settings.slack.api_base_url),
        logger=log,
    )
