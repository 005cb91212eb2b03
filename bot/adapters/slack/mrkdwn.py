"""Slack text in both directions: markup to plain words for the core, plain text to safe mrkdwn.

Slack sends `<@U123>`, `<#C1|name>`, `<!here>`, `<url|label>` and `&lt; &gt; &amp;` in event
text; the core wants the words the user typed. On the way out, anything not written by us
(questions, passages, file names) is escaped so it can never mention or notify anyone.
"""

from __future__ import annotations

import re

from bot.render.common import truncate

_TOKEN = re.compile(r"<([^<>]*)>")
_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
_SAFE_URL = re.compile(r"^https?://[^\s<>|\"]+$")
_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,4}$")


def plain_text(text: str, bot_user_id: str | None = None) -> str:
    """The user's words: our own mention dropped, other markup reduced to what it shows."""

    def replace(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            if bot_user_id and target[1:] == bot_user_id:
                return " "
            return "@" + (label or target[1:])
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!"):
            word = target[1:].split("^", 1)[0]
            return label or "@" + word
        return label or target

    text = _TOKEN.sub(replace, text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(text.split())


def escape(text: str) -> str:
    """Plain text to mrkdwn that shows the same characters and never notifies anyone.

    `&`, `<` and `>` are escaped as Slack requires, so `<!channel>` or `<@U…>` stay literal;
    a bare `@channel`/`@here`/`@everyone` gets a zero-width space so no client links it.
    """
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub("@\u200b\\1", text)


def link(url: str, label: str) -> str:
    """`<url|label>` for a safe http(s) URL, else just the escaped label."""
    if not _SAFE_URL.match(url):
        return escape(label)
    return f"<{url.replace('&', '&amp;')}|{escape(label).replace('|', '¦')}>"


def bold(text: str) -> str:
    """`*text*` that renders as bold: no inner asterisks or line breaks, no edge spaces."""
    inner = " ".join(text.replace("*", "∗").split())
    return f"*{inner}*" if inner else ""


def clip(mrkdwn: str, limit: int, ellipsis: str = "…") -> str:
    """Cut escaped text to `limit` characters at a word boundary, never inside an entity."""
    if len(mrkdwn) <= limit:
        return mrkdwn
    cut = _PARTIAL_ENTITY.sub("", truncate(mrkdwn, max(0, limit - len(ellipsis)), ellipsis=""))
    if cut.count("*") % 2:  # a bold run cut in half would show a stray asterisk
        cut = cut.replace("*", "")
    return cut.rstrip() + ellipsis
