"""The fake Slack, split by job; `FakeSlack` is the one tests use (see `server.py`).

Named `slack_fake`, not `slack`, so it can never shadow the `slack` package slack-sdk installs.
"""

from .base import (
    APP_ID,
    APP_TOKEN,
    BOT_ID,
    BOT_TOKEN,
    BOT_USER_ID,
    CLIENT_ID,
    CLIENT_SECRET,
    SIGNING_SECRET,
    TEAM_ID,
    Ack,
    ApiCall,
    Response,
)
from .blocks import MAX_BLOCKS, MAX_SECTION_TEXT, MAX_TEXT, all_text, validate_blocks, validate_message
from .server import FakeSlack
from .web_api import BOT_TOKEN_METHODS, KNOWN_METHODS, RESPONSE_URL_USES

__all__ = [
    "APP_ID",
    "APP_TOKEN",
    "BOT_ID",
    "BOT_TOKEN",
    "BOT_TOKEN_METHODS",
    "BOT_USER_ID",
    "CLIENT_ID",
    "CLIENT_SECRET",
    "KNOWN_METHODS",
    "MAX_BLOCKS",
    "MAX_SECTION_TEXT",
    "MAX_TEXT",
    "RESPONSE_URL_USES",
    "SIGNING_SECRET",
    "TEAM_ID",
    "Ack",
    "ApiCall",
    "FakeSlack",
    "Response",
    "all_text",
    "validate_blocks",
    "validate_message",
]
