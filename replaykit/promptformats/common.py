"""What several prompt formats share: tools as OpenAI `function` objects, arguments as received."""

from __future__ import annotations

import re
from typing import Any

import orjson

BROKEN = object()  # arguments whose text is not JSON (invalid_json_args): written as they came


def function(tool: dict[str, Any]) -> dict[str, Any]:
    """The `function` object of an OpenAI tool object (or the object itself when it already is one)."""
    fn = tool.get("function")
    return fn if isinstance(fn, dict) else tool


def parsed(raw: str) -> Any:
    """A call's argument text decoded, or BROKEN."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return BROKEN


def json_lines(text: str, pattern: re.Pattern[str]) -> list[dict[str, Any]] | None:
    """The JSON objects, one per line, in the first group of `pattern`'s match in `text`; None when it does not
    match or a line is not JSON."""
    found = pattern.search(text)
    if found is None:
        return None
    try:
        items = [orjson.loads(line) for line in found.group(1).splitlines() if line.strip()]
    except orjson.JSONDecodeError:
        return None
    return [i for i in items if isinstance(i, dict)]


def raw_value(value: Any) -> str:
    """A parameter value as XML-style formats write it: strings as they are, anything else as JSON."""
    return value if isinstance(value, str) else orjson.dumps(value).decode()


def between(text: str, start: str, end: str) -> str | None:
    """The text between a prefix and a suffix, or None when `text` is not so wrapped."""
    if text.startswith(start) and text.endswith(end) and len(text) >= len(start) + len(end):
        return text[len(start) : len(text) - len(end)]
    return None


def parameters(fn: dict[str, Any]) -> dict[str, Any]:
    """A function's parameters schema ({} when it has none)."""
    params = fn.get("parameters")
    return params if isinstance(params, dict) else {}
