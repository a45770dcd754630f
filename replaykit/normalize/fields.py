"""Fields shared by JSON bodies and stream chunks: who answered, usage and cost, content, finish reasons."""

from __future__ import annotations

from typing import Any

from replaykit.normalize.calls import Malformed
from replaykit.normalize.outcome import Outcome


def read_meta(data: dict[str, Any], out: Outcome) -> None:
    """`provider` (OpenRouter names the upstream) and `model`: the first one given; `usage`: the last one
    given (streams send it in a final chunk), with OpenRouter's `usage.cost` lifted to `Outcome.cost`."""
    if out.provider is None:
        provider = data.get("provider")
        if isinstance(provider, str) and provider:
            out.provider = provider
    if out.model is None:
        model = data.get("model")
        if isinstance(model, str) and model:
            out.model = model
    usage = data.get("usage")
    if isinstance(usage, dict):
        out.usage = usage
        cost = usage.get("cost")
        if isinstance(cost, int | float) and not isinstance(cost, bool):
            out.cost = float(cost)


def text_of(content: object) -> str:
    """Message content as text: a string, null, or a list of content parts (`{"type": "text", "text"}`)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(_part_text(part) for part in content)
    raise Malformed("content is neither text nor a list of parts")


def _part_text(part: object) -> str:
    if isinstance(part, str):
        return part
    if isinstance(part, dict) and isinstance(part.get("text"), str):
        return str(part["text"])
    return ""


def reason(value: object) -> str | None:
    """A finish reason: a non-empty string, else nothing (some servers send "" before the last chunk)."""
    return value if isinstance(value, str) and value else None
