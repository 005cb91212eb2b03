"""The fake Discord, split by job; `FakeDiscord` is the one tests use (see `server.py`).

Named `discord_fake`, not `discord`, so it can never shadow discord.py itself.
"""

from .base import CALLBACK_LIMIT_SECONDS, EPHEMERAL, MESSAGE_CONTENT_INTENT, TIMESTAMP, FakeInteraction, Recorded
from .limits import (
    ACTION_ROW,
    ACTION_ROWS,
    BUTTON,
    CONTENT_LIMIT,
    CUSTOM_ID_LIMIT,
    EMBED_LIMITS,
    EMBED_TOTAL,
    EMBEDS_PER_MESSAGE,
    LABEL_LIMIT,
    LINK_STYLE,
    ROW_BUTTONS,
    component_problems,
    embed_problems,
)
from .server import FakeDiscord

__all__ = [
    "ACTION_ROW",
    "ACTION_ROWS",
    "BUTTON",
    "CALLBACK_LIMIT_SECONDS",
    "CONTENT_LIMIT",
    "CUSTOM_ID_LIMIT",
    "EMBED_LIMITS",
    "EMBED_TOTAL",
    "EMBEDS_PER_MESSAGE",
    "EPHEMERAL",
    "LABEL_LIMIT",
    "LINK_STYLE",
    "MESSAGE_CONTENT_INTENT",
    "ROW_BUTTONS",
    "TIMESTAMP",
    "FakeDiscord",
    "FakeInteraction",
    "Recorded",
    "component_problems",
    "embed_problems",
]
