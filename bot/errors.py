"""Errors whose message is meant for a person: CLI and adapters show `str(err)` as is."""

from __future__ import annotations


class CallbotError(Exception):
    """Base class: the message is one clear, polite sentence, safe to show to a user."""


class ConfigError(CallbotError):
    """The configuration file or environment is invalid."""


class DocumentError(CallbotError):
    """A document could not be loaded: wrong type, empty, undecodable, too large..."""


class QuestionError(CallbotError):
    """A question was refused before retrieval (empty, too long)."""


class IndexCorruptError(CallbotError):
    """An index version on disk cannot be read; the caller rebuilds or keeps the old one."""


class KnowledgeError(CallbotError):
    """An admin knowledge operation was refused; nothing was changed."""


class BuildInProgressError(KnowledgeError):
    """Another build holds the build lock."""


class NotAuthorizedError(CallbotError):
    """The user may not run an admin command."""
