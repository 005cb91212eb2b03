"""Every non-secret config key from the environment, as containers expect.

`CALLBOT_` + the key path in capitals, sections joined by `__`: `CALLBOT_INDEX_DIR`,
`CALLBOT_STORAGE__DATABASE_URL`, `CALLBOT_METRICS__HOST`, `CALLBOT_DISCORD__SHARD_IDS=[0,1]`.
Values are JSON when they parse as JSON (numbers, booleans, lists, null), else the text itself;
a text key always takes the text. The environment wins over the file. Secrets never go through
here: the config only names the variables that hold them.
"""

from __future__ import annotations

import json
import os
import types
from collections.abc import Mapping
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

PREFIX = "CALLBOT_"


def _is_text(annotation: Any) -> bool:
    """True for `str` and `str | None`: such a key takes the variable's text as it is."""
    if annotation is str:
        return True
    if get_origin(annotation) in (Union, types.UnionType):
        kinds = [a for a in get_args(annotation) if a is not type(None)]
        return kinds == [str]
    return False


def _parse(raw: str, annotation: Any) -> Any:
    if _is_text(annotation):
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def env_overrides(model: type[BaseModel], environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The nested mapping of the keys of `model` set in the environment."""
    env = os.environ if environ is None else environ
    found: dict[str, Any] = {}

    def walk(cls: type[BaseModel], path: list[str], into: dict[str, Any]) -> None:
        for name, field in cls.model_fields.items():
            annotation = field.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                inner: dict[str, Any] = {}
                walk(annotation, [*path, name], inner)
                if inner:
                    into[name] = inner
                continue
            var = PREFIX + "__".join([*path, name]).upper()
            if var in env:
                into[name] = _parse(env[var], annotation)

    walk(model, [], found)
    return found


def merge(base: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """`base` with `overrides` laid over it, section by section."""
    out = dict(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out
