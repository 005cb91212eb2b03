"""Where tests import the fake Discord from; it lives in `tests/fakes/discord_fake/`."""

from .discord_fake import *  # noqa: F401,F403
from .discord_fake import __all__  # noqa: F401
