"""Discord's documented size limits for a message, its embeds and its buttons.

The fake refuses (400, and an entry in `errors`) whatever Discord would refuse, so a reply
that would fail in production fails the test.
"""

from __future__ import annotations

CONTENT_LIMIT, EMBEDS_PER_MESSAGE, EMBED_TOTAL = 2000, 10, 6000
EMBED_LIMITS = {
    "title": 256,
    "description": 4096,
    "footer": 2048,
    "author": 256,
    "field_name": 256,
    "field_value": 1024,
}
ACTION_ROWS, ROW_BUTTONS, CUSTOM_ID_LIMIT, LABEL_LIMIT = 5, 5, 100, 80
BUTTON, ACTION_ROW, LINK_STYLE = 2, 1, 5  # component types, and the button style that is a link


def embed_problems(payload: dict) -> list[str]:
    """What Discord would refuse in a message payload (content and embed limits)."""
    problems: list[str] = []
    content = payload.get("content") or ""
    embeds = payload.get("embeds") or []
    if len(content) > CONTENT_LIMIT:
        problems.append(f"content is {len(content)} characters (limit {CONTENT_LIMIT})")
    if len(embeds) > EMBEDS_PER_MESSAGE:
        problems.append(f"{len(embeds)} embeds (limit {EMBEDS_PER_MESSAGE})")
    total = 0
    for embed in embeds:
        sizes = {
            "title": len(embed.get("title") or ""),
            "description": len(embed.get("description") or ""),
            "footer": len((embed.get("footer") or {}).get("text") or ""),
            "author": len((embed.get("author") or {}).get("name") or ""),
        }
        for f in embed.get("fields") or []:
            sizes["field_name"] = max(sizes.get("field_name", 0), len(f.get("name", "")))
            sizes["field_value"] = max(sizes.get("field_value", 0), len(f.get("value", "")))
            total += len(f.get("name", "")) + len(f.get("value", ""))
        if len(embed.get("fields") or []) > 25:
            problems.append("more than 25 embed fields")
        for key, size in sizes.items():
            if size > EMBED_LIMITS[key]:
                problems.append(f"embed {key} is {size} characters (limit {EMBED_LIMITS[key]})")
        total += sizes["title"] + sizes["description"] + sizes["footer"] + sizes["author"]
    if total > EMBED_TOTAL:
        problems.append(f"embeds total {total} characters (limit {EMBED_TOTAL})")
    if not content.strip() and not embeds and not payload.get("attachments"):
        problems.append("empty message")
    return problems + component_problems(payload)


def component_problems(payload: dict) -> list[str]:
    """What Discord would refuse in a message's components (action rows of buttons only)."""
    rows = payload.get("components") or []
    problems: list[str] = []
    if len(rows) > ACTION_ROWS:
        problems.append(f"{len(rows)} action rows (limit {ACTION_ROWS})")
    seen: set[str] = set()
    for row in rows:
        children = row.get("components") or []
        if row.get("type") != ACTION_ROW or not 1 <= len(children) <= ROW_BUTTONS:
            problems.append(f"an action row must hold 1 to {ROW_BUTTONS} components: {row}")
            continue
        for button in children:
            custom_id, style = button.get("custom_id"), button.get("style")
            if button.get("type") != BUTTON or style not in (1, 2, 3, 4, LINK_STYLE):
                problems.append(f"not a valid button: {button}")
            elif (style == LINK_STYLE) != (custom_id is None) or (style == LINK_STYLE) != bool(button.get("url")):
                problems.append(f"a link button has a url and no custom_id, any other a custom_id: {button}")
            if custom_id is not None and not 1 <= len(custom_id) <= CUSTOM_ID_LIMIT:
                problems.append(f"custom_id of {len(custom_id)} characters (limit {CUSTOM_ID_LIMIT})")
            if custom_id is not None and custom_id in seen:
                problems.append(f"custom_id {custom_id!r} twice in one message")
            seen.add(custom_id or "")
            if len(button.get("label") or "") > LABEL_LIMIT:
                problems.append(f"button label over {LABEL_LIMIT} characters")
            if not button.get("label") and not button.get("emoji"):
                problems.append(f"a button needs a label or an emoji: {button}")
    return problems
