"""Builders for what Slack sends the bot: events, slash commands and button clicks.

They go out either as Socket Mode envelopes (`send_envelope`) or as signed HTTP-mode
requests (`post_event`, `post_command`, `post_interaction`), so they are built once here.
"""

from __future__ import annotations

import time
from typing import Any

from .base import APP_ID, BOT_ID, BOT_USER_ID, TEAM_ID, ApiCall, SlackBase


class PayloadsMixin(SlackBase):
    """Payloads as Slack shapes them, with fresh ids, timestamps and response_urls."""

    def event_body(
        self, event: dict[str, Any], *, event_id: str | None = None, team_id: str = TEAM_ID
    ) -> dict[str, Any]:
        """An Events API `event_callback` body around `event` (a message is remembered, for
        `conversations.replies` and `conversations.history`)."""
        self.remember(event)
        return {
            "token": "legacy-verification-token",
            "team_id": team_id,
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(self._ids):08d}",
            "event_time": int(time.time()),
            "is_ext_shared_channel": False,
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": team_id,
                    "user_id": BOT_USER_ID,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
        }

    def remember(self, event: dict[str, Any]) -> None:
        """Keep a message people posted (delivered to the bot or not), as Slack would."""
        known = any(m["ts"] == event.get("ts") and m["channel"] == event.get("channel") for m in self.messages)
        if event.get("type") in ("message", "app_mention") and event.get("ts") and event.get("channel") and not known:
            self.messages.append(dict(event))

    def mention(
        self,
        text: str,
        *,
        user: str = "U0ALICE",
        channel: str = "C0POLICY",
        ts: str | None = None,
        thread_ts: str | None = None,
        files: list[dict[str, Any]] | None = None,
        bot_user_id: str = BOT_USER_ID,
    ) -> dict[str, Any]:
        event: dict[str, Any] = {
            "type": "app_mention",
            "user": user,
            "text": f"<@{bot_user_id}> {text}",
            "ts": ts or self.next_ts(),
            "channel": channel,
            "event_ts": ts or "0",
        }
        event["event_ts"] = event["ts"]
        if thread_ts:
            event["thread_ts"] = thread_ts
        if files:
            event["files"] = files
        return event

    def dm(
        self,
        text: str,
        *,
        user: str = "U0ALICE",
        channel: str = "D0ALICE",
        ts: str | None = None,
        files: list[dict[str, Any]] | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        event: dict[str, Any] = {
            "type": "message",
            "channel_type": "im",
            "user": user,
            "text": text,
            "ts": ts or self.next_ts(),
            "channel": channel,
        }
        event["event_ts"] = event["ts"]
        if files:
            event["subtype"] = "file_share"
            event["files"] = files
        event.update(extra)
        return event

    def command_payload(
        self, text: str, *, command: str = "/paris-call", user: str = "U0ALICE", channel: str = "C0POLICY"
    ) -> dict[str, str]:
        return {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
            "team_domain": "fake",
            "channel_id": channel,
            "channel_name": "policy",
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": self.new_response_url(),
            "trigger_id": f"trig-{next(self._ids)}",
        }

    def block_action_payload(
        self,
        action: dict[str, Any],
        *,
        user: str = "U0ALICE",
        channel: str = "C0POLICY",
        message: ApiCall | None = None,
    ) -> dict[str, Any]:
        """A click on a button: of an ephemeral message, or of `message` (a recorded post)."""
        container: dict[str, Any] = {"type": "message", "is_ephemeral": True, "channel_id": channel}
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "team_id": TEAM_ID},
            "api_app_id": APP_ID,
            "token": "legacy-verification-token",
            "container": container,
            "trigger_id": f"trig-{next(self._ids)}",
            "team": {"id": TEAM_ID, "domain": "fake"},
            "channel": {"id": channel, "name": "policy"},
            "response_url": self.new_response_url(),
            "actions": [
                {**action, "type": "button", "block_id": action.get("block_id", "b"), "action_ts": str(time.time())}
            ],
        }
        if message is not None:
            if not self._has_button(message.params.get("blocks"), action):
                raise AssertionError(f"that message has no button {action}")
            channel = message.params["channel"]
            ts = (message.response or {}).get("ts", "")
            container.update(is_ephemeral=False, channel_id=channel, message_ts=ts)
            payload["channel"] = {"id": channel, "name": channel.lower()}
            payload["message"] = {
                "type": "message",
                "user": BOT_USER_ID,
                "bot_id": BOT_ID,
                "ts": ts,
                "text": message.params.get("text"),
                "blocks": message.params.get("blocks"),
            }
        return payload

    @staticmethod
    def _has_button(blocks: Any, action: dict[str, Any]) -> bool:
        return any(
            el.get("action_id") == action.get("action_id") and el.get("value") == action.get("value")
            for b in blocks or []
            if b.get("type") == "actions"
            for el in b.get("elements", [])
        )
