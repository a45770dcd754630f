"""What the dialect readers share: usage in chat-completions' terms, a body's JSON, a stream's verdict."""

from __future__ import annotations

from itertools import repeat
from operator import itemgetter
from typing import Any, NamedTuple

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


class Events(NamedTuple):
    """A stream body's whole events: `names[i]` (the `event:` field, None without one) and `data[i]` (its
    data parsed as JSON; data that is not JSON stays a string), and whether the body ended inside an event."""

    names: list[str | None]
    data: list[Any]
    cut_inside: bool


def stream_events(text: str) -> Events:
    """Every whole event of a stream body. The common shapes — each event one `event:` line (or none at all)
    and one `data:` line, a blank line after each — are split at C speed; anything else goes through the
    general SSE parser."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    fast = _uniform_events(text)
    if fast is None:
        fast = _simple_events(text)
    if fast is not None:
        return Events(fast[0], fast[1], False)
    sse = parse_sse(text)
    parsed = events(sse)
    return Events([name for name, _ in parsed], [data for _, data in parsed], cut_tail(sse))


_DATA = itemgetter(slice(6, None))  # a `data: ` line's payload
_NAME = itemgetter(slice(7, None))  # an `event: ` line's name


def _uniform_events(text: str) -> tuple[list[str | None], list[Any]] | None:
    """Every block `event: NAME` + `data: JSON` (or every block `data: JSON`), each closed by a blank line:
    the lines fall in fixed strides, so the shape is checked and the payloads parsed with no per-event
    Python code. None for any other shape, or data that is not JSON."""
    named = text.startswith("event: ")
    if not text.endswith("\n\n") or (len(text) > _COUNT_FIRST and not _counts_fit(text, named)):
        return None
    lines = text.split("\n")
    lines.pop()
    starts_with = str.startswith
    if named:
        heads, payloads, blanks = lines[0::3], lines[1::3], lines[2::3]
        if len(heads) != len(blanks) or not all(map(starts_with, heads, repeat("event: "))):
            return None
        names: list[str | None] = list(map(_NAME, heads))
    else:
        payloads, blanks = lines[0::2], lines[1::2]
        names = [None] * len(payloads)
    if len(payloads) != len(blanks) or any(blanks) or not all(map(starts_with, payloads, repeat("data: "))):
        return None
    try:
        return names, list(map(orjson.loads, map(_DATA, payloads)))
    except orjson.JSONDecodeError:
        return None


_COUNT_FIRST = 1 << 20  # past this size, a body's lines are counted before it is split into them


def _counts_fit(text: str, named: bool) -> bool:
    """The counts of newlines, blank lines and data fields a uniform body has: a large body of another
    shape (64 MB of blank lines) is not split into millions of lines only to be split again."""
    events = text.count("\n\n")
    return text.count("\n") == (3 if named else 2) * events and text.count("data: ") >= events


def _simple_events(text: str) -> tuple[list[str | None], list[Any]] | None:
    """Blocks of an optional `event:` line and one `data:` line, mixed, with extra blank lines between."""
    blocks = text.split("\n\n")
    if blocks.pop().strip():  # a last event not closed by a blank line: the general parser judges it
        return None
    names: list[str | None] = []
    data: list[Any] = []
    loads = orjson.loads
    for block in blocks:
        if not block:
            continue
        name: str | None = None
        payload = block
        if block.startswith("event: "):
            newline = block.find("\n")
            if newline < 0:
                return None
            name, payload = block[7:newline], block[newline + 1:]
        if not payload.startswith("data: ") or "\n" in payload:
            return None
        try:
            data.append(loads(payload[6:]))
        except orjson.JSONDecodeError:
            return None
        names.append(name)
    return names, data


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
