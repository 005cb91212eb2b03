"""The Slack side of a load run: the fake Slack in Socket Mode, the real adapter, mentions,
direct messages and the slash command."""

from __future__ import annotations

import re
import time

from bot.adapters.slack.mrkdwn import escape as slack_escape
from bot.adapters.slack.run import SlackSecrets, SlackService
from bot.app import App
from tests.fakes.slack_server import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, FakeSlack, all_text
from tests.support.load.results import ANSWERED, DECLINED, NOTICE, Asked, Reply
from tests.support.load.sides import Side

SLACK_CHANNEL = "C0LOAD"
_SLACK_VERSION = re.compile(r"Index version `([^`]+)`")
_SLACK_ECHO = ":speech_balloon: "


class SlackSide(Side):
    name = "slack"
    ROUTES = ("mention", "dm", "command")

    def __init__(self, users: int) -> None:
        super().__init__()
        self.fake = FakeSlack()
        self.users = users
        self.service: SlackService | None = None
        self.envelopes: list[str] = []
        self._calls = 0
        self._responses = 0

    @staticmethod
    def user_id(user: int) -> str:
        return f"U0LOAD{user:04d}"

    async def start_fake(self) -> dict:
        await self.fake.start()
        for i in range(self.users):
            self.fake.add_user(self.user_id(i))
        return {"mode": "socket", "api_base_url": self.fake.api_url, "host": "127.0.0.1", "port": 0}

    async def start_adapter(self, app: App) -> None:
        secrets = SlackSecrets(BOT_TOKEN, APP_TOKEN, SIGNING_SECRET, None, None)
        self.service = SlackService(app, secrets, app.ops)
        await self.service.start()
        await self.fake.wait_connected(10)

    @staticmethod
    def dm_key(channel: str, question: str) -> str:
        return f"dm:{channel}:{slack_escape(' '.join(question.split()))}"

    async def ask(self, user: int, j: int, text: str) -> Asked:
        uid = self.user_id(user)
        route = self.ROUTES[j % 3]
        asked = Asked(self.name, uid, route, text, 0.0)
        if route == "command":
            payload = self.fake.command_payload(f"ask {text}", user=uid, channel=SLACK_CHANNEL)
            self.register(f"resp:{payload['response_url'].rsplit('/', 1)[-1]}", asked)
            kind, body = "slash_commands", payload
        else:
            if route == "mention":
                event = self.fake.mention(text, user=uid, channel=SLACK_CHANNEL)
                self.register(f"thread:{SLACK_CHANNEL}:{event['ts']}", asked)
            else:
                channel = f"D{uid[1:]}"
                event = self.fake.dm(text, user=uid, channel=channel)
                self.register(self.dm_key(channel, text), asked)
            kind, body = "events_api", self.fake.event_body(event)
        asked.sent_at = time.monotonic()
        self.envelopes.append(await self.fake.send_envelope(kind, body))
        return asked

    @staticmethod
    def classify(payload: dict) -> tuple[str, str | None]:
        text = all_text(payload)
        if m := _SLACK_VERSION.search(text):
            contexts = [b for b in payload.get("blocks") or [] if b.get("type") == "context"]
            cited = any((el.get("text") or "").startswith("— ") for b in contexts for el in b.get("elements") or [])
            return (ANSWERED if cited else DECLINED), m.group(1)  # an answer's citation line
        return NOTICE, None

    @staticmethod
    def echoed(payload: dict) -> str | None:
        for block in payload.get("blocks") or []:
            for element in block.get("elements") or [] if block.get("type") == "context" else []:
                text = element.get("text") or ""
                if text.startswith(_SLACK_ECHO):
                    return text[len(_SLACK_ECHO) :]
        return None

    def collect(self) -> None:
        calls = self.fake.calls
        new, self._calls = calls[self._calls :], len(calls)
        for call in new:
            if call.params.get("_rate_limited"):
                continue  # the 429'd attempt: the client retries it
            if call.method == "chat.postMessage":
                kind, version = self.classify(call.params)
                channel = str(call.params.get("channel", ""))
                if channel.startswith("D"):
                    echo = self.echoed(call.params)
                    if echo is None:  # a notice (rate limit, error): DMs get them as plain messages
                        shown = all_text(call.params)[:120]
                        self.errors.append(f"slack: a DM to {channel} that echoes no question: {shown!r}")
                        continue
                    key = f"dm:{channel}:{echo}"
                else:
                    key = f"thread:{channel}:{call.params.get('thread_ts')}"
                self.reply(key, Reply(call.at, kind, version, "chat.postMessage", all_text(call.params)[:120]))
            elif call.method == "chat.postEphemeral":
                shown = all_text(call.params)[:120]
                self.errors.append(f"slack: private notice to {call.params.get('user')}: {shown!r}")
        responses = self.fake.responses
        new_responses, self._responses = responses[self._responses :], len(responses)
        for response in new_responses:
            kind, version = self.classify(response.body)
            self.reply(
                f"resp:{response.rid}", Reply(response.at, kind, version, "response_url", all_text(response.body)[:120])
            )
        self.retry_unmatched()

    def final_errors(self) -> list[str]:
        errors = [f"slack fake: {p}" for p in self.fake.problems]
        unacked = [e for e in self.envelopes if e not in self.fake.acks]
        if unacked:
            errors.append(f"slack: {len(unacked)} Socket Mode envelope(s) never acknowledged")
        late = [a for a in self.fake.acks.values() if a.elapsed > 3.0]
        if late:  # Slack would have retried these (and shown the user an error for a command)
            errors.append(f"slack: {len(late)} envelope(s) acknowledged after more than 3 s")
        return errors

    def ack_latencies(self) -> list[float]:
        return [a.elapsed for a in self.fake.acks.values()]

    async def stop(self) -> None:
        if self.service is not None:
            await self.service.stop()
        await self.fake.stop()
