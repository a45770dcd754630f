"""What the dialect readers share: usage in chat-completions' terms, a body's JSON, a stream's verdict."""

from __future__ import annotations

from typing import Any

import orjson

from replaykit.normalize.classify import clip
from replaykit.normalize.outcome import Outcome
from replaykit.normalize.sse import SSEBody, parse_sse


def count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def set_usage(out: Outcome, usage: dict[str, Any], prompt: int, completion: int) -> None:
    """The dialect's usage as given, plus the chat-completions fields the scorer reads for cost and TPS."""
    out.usage = {**usage, "prompt_tokens": prompt, "completion_tokens": completion,
                 "total_tokens": prompt + completion}


def load(text: str, out: Outcome) -> Any:
    """The body's JSON, or None with `malformed_body` set."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        out.error_class, out.error_message = "malformed_body", "the body is not valid JSON"
        return None


def stream_events(text: str) -> tuple[list[tuple[str | None, Any]], bool]:
    """(event name, parsed data) of every whole event of a stream body, and whether the body ended inside an
    event. The common shape — `event:` and one `data:` line per event, blank lines between — is split at C
    speed; anything else goes through the general SSE parser."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    fast = _simple_events(text)
    if fast is not None:
        return fast, False
    sse = parse_sse(text)
    return events(sse), cut_tail(sse)


def _simple_events(text: str) -> list[tuple[str | None, Any]] | None:
    blocks = text.split("\n\n")
    if blocks.pop().strip():  # a last event not closed by a blank line: the general parser judges it
        return None
    out: list[tuple[str | None, Any]] = []
    loads = orjson.loads
    for block in blocks:
        if not block:
            continue
        name: str | None = None
        data = block
        if block.startswith("event: "):
            newline = block.find("\n")
            if newline < 0:
                return None
            name, data = block[7:newline], block[newline + 1:]
        if not data.startswith("data: ") or "\n" in data:
            return None
        try:
            out.append((name, loads(data[6:])))
        except orjson.JSONDecodeError:
            return None
    return out


def events(sse: SSEBody) -> list[tuple[str | None, Any]]:
    """(event name, parsed data) of each whole event; data that is not JSON stays a string."""
    parsed: list[tuple[str | None, Any]] = []
    for position, data in enumerate(sse.events):
        try:
            value: Any = orjson.loads(data)
        except orjson.JSONDecodeError:
            value = data
        parsed.append((sse.types.get(position), value))
    if sse.tail is not None and not cut_tail(sse):  # a last event not closed by a blank line, but whole
        parsed.append((sse.types.get(len(sse.events)), orjson.loads(sse.tail)))
    return parsed


def cut_tail(sse: SSEBody) -> bool:
    """The body ended inside an event (its data does not parse)."""
    if sse.tail is None:
        return False
    try:
        orjson.loads(sse.tail)
    except orjson.JSONDecodeError:
        return True
    return False


class EventFolder:
    """What a named-event stream reader notes besides the answer: the first error event, the first bad one."""

    def __init__(self) -> None:
        self.error: str | None = None
        self.bad: str | None = None

    def not_object(self, name: str | None, data: Any, position: int) -> bool:
        """True (and noted) when the event's data is no JSON object: plain error text, or a bad event."""
        if isinstance(data, dict):
            return False
        if name == "error":
            self.error = self.error or clip(str(data))
        else:
            self.bad = self.bad or f"event {position + 1} is not a JSON object"
        return True


def stream_verdict(error: str | None, bad: str | None, cut_inside: bool, started: bool, ended: bool,
                   start_event: str, end_event: str) -> tuple[str, str] | None:
    """The class of a named-event stream that is no whole answer, in the order chat streams are judged."""
    if error is not None:
        return "stream_error", error
    if bad is not None:
        return "malformed_body", bad
    if cut_inside:
        return "stream_cut", "the stream ended inside an event"
    if not started:
        return "malformed_body", f"no {start_event} event in the stream"
    if not ended:
        return "stream_cut", f"the stream ended without {end_event}"
    return None
