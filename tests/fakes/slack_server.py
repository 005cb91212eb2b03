"""Where tests import the fake Slack from; it lives in `tests/fakes/slack_fake/`."""

from .slack_fake import *  # noqa: F401,F403
from .slack_fake import __all__  # noqa: F401
