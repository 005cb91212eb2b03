"""Block Kit limits, as Slack enforces them, and the text a message displays.

A message or response payload Slack would refuse (`invalid_blocks`, `msg_too_long`) is a
problem in the fake, so a reply that would fail in production fails the test.
"""

from __future__ import annotations

from typing import Any

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_TEXT = 40_000


def _text_object(obj: Any, where: str, limit: int, kinds: tuple[str, ...] = ("mrkdwn", "plain_text")) -> list[str]:
    if not isinstance(obj, dict) or obj.get("type") not in kinds:
        return [f"{where}: not a {'/'.join(kinds)} text object"]
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        return [f"{where}: empty text"]
    if len(text) > limit:
        return [f"{where}: {len(text)} characters > {limit}"]
    return []


def validate_blocks(blocks: Any) -> list[str]:
    """Why Slack would refuse these blocks (empty list: it would accept them)."""
    if not isinstance(blocks, list) or not blocks:
        return ["blocks must be a non-empty list"]
    errors = [f"{len(blocks)} blocks > {MAX_BLOCKS}"] if len(blocks) > MAX_BLOCKS else []
    for i, block in enumerate(blocks):
        where = f"blocks[{i}]"
        kind = block.get("type") if isinstance(block, dict) else None
        if kind == "section":
            if "text" not in block and "fields" not in block:
                errors.append(f"{where}: section without text")
            if "text" in block:
                errors += _text_object(block["text"], where + ".text", MAX_SECTION_TEXT)
            for j, fld in enumerate(block.get("fields", [])):
                errors += _text_object(fld, f"{where}.fields[{j}]", 2000)
        elif kind == "header":
            errors += _text_object(block.get("text"), where + ".text", 150, ("plain_text",))
        elif kind == "context":
            elements = block.get("elements") or []
            if not 1 <= len(elements) <= 10:
                errors.append(f"{where}: context needs 1..10 elements, has {len(elements)}")
            for j, el in enumerate(elements):
                errors += _text_object(el, f"{where}.elements[{j}]", MAX_SECTION_TEXT)
        elif kind == "actions":
            elements = block.get("elements") or []
            if not 1 <= len(elements) <= 25:
                errors.append(f"{where}: actions needs 1..25 elements")
            for j, el in enumerate(elements):
                errors += _button(el, f"{where}.elements[{j}]")
            ids = [el.get("action_id") for el in elements if isinstance(el, dict)]
            if len(ids) != len(set(ids)):
                errors.append(f"{where}: action_ids must be unique within a block")
        elif kind != "divider":
            errors.append(f"{where}: unsupported block type {kind!r}")
        block_id = block.get("block_id") if isinstance(block, dict) else None
        if block_id is not None and len(block_id) > 255:
            errors.append(f"{where}: block_id too long")
    return errors


def _button(el: Any, where: str) -> list[str]:
    if not isinstance(el, dict) or el.get("type") != "button":
        return [f"{where}: only buttons are expected"]
    errors = _text_object(el.get("text"), where + ".text", 75, ("plain_text",))
    if not el.get("action_id") or len(el["action_id"]) > 255:
        errors.append(f"{where}: action_id missing or too long")
    if len(el.get("value", "")) > 2000:
        errors.append(f"{where}: value longer than 2000 characters")
    if el.get("style") not in (None, "primary", "danger"):
        errors.append(f"{where}: style must be primary or danger")
    return errors


def validate_message(text: Any, blocks: Any) -> list[str]:
    """Slack needs text or blocks; text is capped, blocks are checked as above."""
    errors: list[str] = []
    if blocks is None and not text:
        errors.append("no text and no blocks")
    if text is not None and len(str(text)) > MAX_TEXT:
        errors.append(f"text {len(str(text))} characters > {MAX_TEXT}")
    if blocks is not None:
        errors += validate_blocks(blocks)
    return errors


def all_text(payload: dict[str, Any]) -> str:
    """Every piece of text Slack would display for a message (the `text` fields, at any depth).

    Button values, action ids and URLs are not displayed, so they are left out.
    """
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    out.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk({k: v for k, v in payload.items() if k in ("text", "blocks")})
    return "\n".join(out)
