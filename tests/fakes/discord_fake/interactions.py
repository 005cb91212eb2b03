"""Interactions a test injects: slash commands, autocomplete and button clicks.

Each one is checked against what the bot registered (or sent) first, the way Discord would
only ever deliver it: an unknown option, a missing required one, a button the message does
not have or someone else's ephemeral message fails the test.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from .base import FakeInteraction
from .gateway import GatewayMixin
from .limits import BUTTON

_OPTION_TYPES = {3: str, 4: int, 5: bool, 10: float}


class InteractionsMixin(GatewayMixin):
    """Sends INTERACTION_CREATE and keeps each `FakeInteraction` by token for the REST side."""

    def command(self, name: str) -> dict:
        """A command as the bot registered it (guild registration first, then global)."""
        found = self.commands.get((self.GUILD_ID, name)) or self.commands.get((None, name))
        assert found is not None, f"/{name} was never registered (commands: {sorted(n for _, n in self.commands)})"
        return found

    def _options(self, command: dict, values: dict[str, Any], focused: str | None, resolved: dict) -> list[dict]:
        specs = {o["name"]: o for o in command.get("options", [])}
        out = []
        for name, value in values.items():
            assert name in specs, f"/{command['name']} has no option {name!r}"
            kind = specs[name]["type"]
            if kind == 11:
                filename, data, content_type = value
                att_id = next(self._ids)
                url = f"{self.base}/attachments/{att_id}/{filename}"
                self.attachments[f"/attachments/{att_id}/{filename}"] = (data, content_type)
                resolved.setdefault("attachments", {})[str(att_id)] = {
                    "id": str(att_id),
                    "filename": filename,
                    "size": len(data),
                    "url": url,
                    "proxy_url": url,
                    "content_type": content_type,
                }
                value = str(att_id)
            elif name != focused:
                assert isinstance(value, _OPTION_TYPES[kind]), f"option {name!r} must be {_OPTION_TYPES[kind]}"
            option = {"name": name, "type": kind, "value": value}
            if name == focused:
                option["focused"] = True
            out.append(option)
        if focused is None:
            missing = [n for n, o in specs.items() if o.get("required") and n not in values]
            assert not missing, f"/{command['name']} needs {missing}"
        return out

    async def invoke(
        self,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        user_id: int | None = None,
        channel_id: int | None = None,
        focused: str | None = None,
    ) -> FakeInteraction:
        """A user runs a registered slash command (or types in an autocompleted option)."""
        await asyncio.wait_for(self.ready.wait(), 10)
        user_id = self.ALICE if user_id is None else user_id
        channel_id = self.GENERAL if channel_id is None else channel_id
        command = self.command(name)
        resolved: dict = {}
        data = {
            "id": command["id"],
            "name": name,
            "type": 1,
            "options": self._options(command, options or {}, focused, resolved),
        }
        if resolved:
            data["resolved"] = resolved
        return await self._interact(4 if focused else 2, data, user_id, channel_id)

    async def click(self, message: dict, custom_id: str, *, user_id: int | None = None) -> FakeInteraction:
        """A user clicks a button on a message the bot sent (a MESSAGE_COMPONENT interaction)."""
        await asyncio.wait_for(self.ready.wait(), 10)
        user_id = self.ALICE if user_id is None else user_id
        stored = self.bot_messages.get(str(message["id"]))
        assert stored is not None, f"message {message['id']} was not sent by the bot"
        buttons = [b for row in stored["components"] for b in row["components"]]
        assert any(b.get("custom_id") == custom_id for b in buttons), (
            f"message {message['id']} has no button {custom_id!r} (it has {[b.get('custom_id') for b in buttons]})"
        )
        owner = self._ephemeral_owner.get(stored["id"])
        assert owner in (None, user_id), f"user {user_id} cannot see user {owner}'s ephemeral message"
        data = {"custom_id": custom_id, "component_type": BUTTON}
        return await self._interact(3, data, user_id, int(stored["channel_id"]), message=stored)

    async def _interact(
        self, kind: int, data: dict, user_id: int, channel_id: int, message: dict | None = None
    ) -> FakeInteraction:
        """Dispatch an INTERACTION_CREATE from `user_id` in `channel_id`, as Discord shapes it."""
        iid, token = next(self._ids), f"itoken-{next(self._ids)}"
        payload = self._interaction(iid, token, kind, data, user_id, channel_id, message)
        interaction = FakeInteraction(iid, token, time.monotonic(), channel_id, kind=kind, user_id=user_id)
        self.interactions[token] = interaction
        await self.dispatch("INTERACTION_CREATE", payload)
        return interaction

    async def wait_answered(self, interaction: FakeInteraction, count: int = 1, timeout: float = 10) -> FakeInteraction:
        """Wait until the bot sent the callback and `count` follow-ups (0: callback only)."""

        async def done() -> None:
            while interaction.callback is None or len(interaction.followups) < count:
                interaction.answered.clear()
                await interaction.answered.wait()

        await asyncio.wait_for(done(), timeout)
        return interaction
