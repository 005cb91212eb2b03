"""Multi-workspace installs (HTTP mode): Bolt's OAuth flow with slack_sdk's installation stores.

One process keeps installations and OAuth states in one SQLite file; with
`storage.database_url` they go to slack_sdk's SQLAlchemy stores on the shared database, so an
install completed on one replica serves events on every replica, and a state issued by one is
accepted (once) by another. The stores are synchronous (their `async_*` methods would block
the loop), so each call is moved to a worker thread here.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.installation_store import InstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlite3 import SQLite3InstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.oauth.state_store.sqlite3 import SQLite3OAuthStateStore
from slack_sdk.oauth.state_store.state_store import OAuthStateStore

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

    def __init__(self, database: str, client_id: str, sync: InstallationStore | None = None) -> None:
        if sync is None:
            sqlite = SQLite3InstallationStore(database=database, client_id=client_id, logger=log)
            sqlite.init()  # create the tables once, before worker threads race to
            sync = sqlite
        self._sync = sync

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

    def __init__(self, database: str, sync: OAuthStateStore | None = None) -> None:
        if sync is None:
            sqlite = SQLite3OAuthStateStore(database=database, expiration_seconds=STATE_SECONDS, logger=log)
            sqlite.init()
            sync = sqlite
        self._sync = sync

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


def _stores(settings: Settings, client_id: str) -> tuple[ThreadedInstallationStore, ThreadedStateStore]:
    """SQLite beside the index, or slack_sdk's SQLAlchemy stores on `storage.database_url`
    (their tables are created by the storage migrations, once, whichever replica starts first)."""
    from bot.storage.stores import database_engine

    engine = database_engine(settings)
    if engine is None:
        db = installation_db(settings)
        db.parent.mkdir(parents=True, exist_ok=True)
        return ThreadedInstallationStore(str(db), client_id), ThreadedStateStore(str(db))
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

    where = str(engine.url.render_as_string(hide_password=True))
    return (
        ThreadedInstallationStore(where, client_id, SQLAlchemyInstallationStore(client_id, engine, logger=log)),
        ThreadedStateStore(where, SQLAlchemyOAuthStateStore(STATE_SECONDS, engine, logger=log)),
    )


def authorization_url(api_base_url: str) -> str:
    """Slack's consent page on the same host as the API (slack.com, slack-gov.com...)."""
    parts = urlsplit(api_base_url)
    return f"{parts.scheme}://{parts.netloc}/oauth/v2/authorize"


def oauth_settings(settings: Settings, client_id: str, client_secret: str) -> AsyncOAuthSettings:
    """Bolt's OAuth settings: `/slack/install` and `/slack/oauth_redirect` on the HTTP server."""
    installations, states = _stores(settings, client_id)
    return AsyncOAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=list(BOT_SCOPES),
        user_scopes=[],
        installation_store=installations,
        installation_store_bot_only=True,
        state_store=states,
        state_expiration_seconds=STATE_SECONDS,
        authorization_url=authorization_url(settings.slack.api_base_url),
        logger=log,
    )
