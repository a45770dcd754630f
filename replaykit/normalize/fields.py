"""Fields shared by JSON bodies and stream chunks: who answered, usage and cost, content, finish reasons."""

from __future__ import annotations

from typing import Any

from replaykit.cassettes.limits import MAX_COST, MAX_COUNT, count_in, number_in
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
        out.usage = clean_usage(usage)
        cost = usage.get("cost")
        if number_in(cost, 0, MAX_COST):
            out.cost = float(cost)


def clean_usage(usage: dict[str, Any], depth: int = 1) -> dict[str, Any]:
    """The usage object with only what a report can compute with: counts (`*_tokens` whole numbers) and other
    numbers within limits.py's ranges, short strings, flags, and nested detail objects a few levels deep. A
    value out of range (a token count of 1e308 or 2^64) is dropped: the answer counts as unmetered."""
    out: dict[str, Any] = {}
    for key, value in usage.items():
        kind = type(value)
        if key.endswith("tokens"):  # a count, whatever it is nested in: readers divide by it
            if count_in(value):
                out[key] = value
        elif key.endswith("cost"):
            if number_in(value, 0, MAX_COST):
                out[key] = value
        elif kind is dict:
            if depth < 3:
                out[key] = clean_usage(value, depth + 1)
        elif kind is int or kind is float:
            if number_in(value, 0, MAX_COUNT):
                out[key] = value
        elif value is None or kind is bool or (kind is str and len(value) <= 200):
            out[key] = value
    return out


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
