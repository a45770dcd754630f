"""Server-sent events: a recorded stream body (text) → its data payloads.

Only the SSE framing is judged here; the payloads stay text (the stream assembler parses the JSON). The
parser is lenient where real servers are sloppy: CRLF or CR line ends, whitespace before a field name, a
`[DONE]` in any case, a last event not closed by a blank line. It runs over every recorded attempt, so the
common shape — one `data:` line per event — takes a fast path with no per-line work.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice


@dataclass(slots=True)
class SSEBody:
    """What a stream body holds.

    `events`: the data of each event closed by a blank line, in order, up to `[DONE]` (empty data — a
    keep-alive — is dropped). `tail`: the data of a last event the body did not close, None when it closed
    them all; the body may have been cut inside it, which only the payload's parse can tell. `types`: the
    `event:` name of the events that had one, by position in `events` (`len(events)` for the tail).
    """

    events: list[str] = field(default_factory=list)
    tail: str | None = None
    done: bool = False
    comments: int = 0
    types: dict[int, str] = field(default_factory=dict)

    @property
    def partial(self) -> bool:
        """The body ended with an event not closed by a blank line."""
        return self.tail is not None


_DONE_ENDS = frozenset({"[DONE]\n\n", "[DONE]\n", "[DONE]"})
_NEXT = "\n\ndata: "  # a blank line, then the next event's data: splitting on it leaves bare payloads


def parse_sse(text: str) -> SSEBody:
    out = SSEBody()
    if "\r" in text:  # SSE allows CRLF and lone CR; JSON payloads never hold a raw CR, so this is safe
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    pieces = text.split(_NEXT)
    last = len(pieces) - 1
    first = pieces[0]
    if last > 0 and "\n" not in first and first.startswith(("data: {", ":")):  # one event or one comment
        if first[0] == ":":
            out.comments += 1
        else:
            out.events.append(first[6:])
    else:
        _parse_text(out, first, closed=last > 0)
        if out.done:
            return out  # anything after [DONE] is not part of the answer
    append = out.events.append
    for piece in islice(pieces, 1, last):
        if piece[:1] == "{" and "\n" not in piece:
            append(piece)  # the common shape: one JSON line, closed by a blank line
        else:
            _parse_text(out, "data: " + piece, closed=True)
            if out.done:
                return out
    if last > 0:
        if pieces[last] in _DONE_ENDS:
            out.done = True
        else:
            _parse_text(out, "data: " + pieces[last], closed=False)
    return out


def _parse_text(out: SSEBody, text: str, *, closed: bool) -> None:
    """Events in `text`, which a blank line follows when `closed`; else its unclosed end is the tail."""
    blocks = text.split("\n\n")
    last = "" if closed else blocks.pop()  # after the final blank line: "" when the last event was closed
    for block in blocks if len(blocks) < _SKIM_FROM else _skim(out, blocks):
        if block:
            _parse_block(out, block)
            if out.done:
                return
    if last.strip():
        _parse_tail(out, last)


def _skim(out: SSEBody, blocks: list[str]) -> Iterator[str]:
    """The blocks that name a `data` or `event` field, in order; the comment lines of the others are counted at
    C speed as they are passed (21 MB of junk blocks — a hostile cassette — took 4 s one block at a time)."""
    after = 0
    for i in [i for i, block in enumerate(blocks) if "data" in block or "event" in block]:
        out.comments += _comments(blocks, after, i)
        yield blocks[i]
        after = i + 1
    out.comments += _comments(blocks, after, len(blocks))


_SKIM_FROM = 16  # blocks: fewer are read one by one (the parser's usual call is one block)
_COMMENT = re.compile(r"^[^\S\n]*:", re.MULTILINE)  # a line whose first character past whitespace is `:`


def _comments(blocks: list[str], start: int, end: int) -> int:
    """The comment lines of blocks that hold no field (nothing else in them counts)."""
    if start >= end:
        return 0
    text = "\n".join(blocks[start:end]) if end - start > 1 else blocks[start]
    return len(_COMMENT.findall(text)) if ":" in text else 0


def _add(out: SSEBody, data: str, kind: str | None) -> None:
    if not data or data.isspace():
        return
    if len(data) < 16 and data.strip().upper() == "[DONE]":
        out.done = True
        return
    if kind is not None:
        out.types[len(out.events)] = kind
    out.events.append(data)


def _fields(block: str, out: SSEBody) -> list[tuple[list[str], str | None]]:
    """The events of a block read line by line (a block may hold several when blank lines carry spaces)."""
    found: list[tuple[list[str], str | None]] = []
    data: list[str] = []
    kind: str | None = None
    for raw in block.split("\n"):
        line = raw.lstrip()
        if not line:
            if data or kind:
                found.append((data, kind))
            data, kind = [], None
            continue
        if line[0] == ":":
            out.comments += 1
            continue
        name, _, value = line.partition(":")
        if value[:1] == " ":
            value = value[1:]
        if name == "data":
            data.append(value)
        elif name == "event":
            kind = value.strip() or None
    if data or kind:
        found.append((data, kind))
    return found


def _parse_block(out: SSEBody, block: str) -> None:
    for data, kind in _fields(block, out):
        if out.done:
            return
        _add(out, "\n".join(data), kind)


def _parse_tail(out: SSEBody, last: str) -> None:
    if "data" not in last and "event" not in last:  # no field: its comment lines are all it holds
        out.comments += _comments([last], 0, 1)
        return
    events = _fields(last, out)
    for data, kind in events[:-1]:  # closed by a whitespace-only line: whole events
        _add(out, "\n".join(data), kind)
    if events and not out.done:
        data, kind = events[-1]
        joined = "\n".join(data)
        if joined.strip().upper() == "[DONE]":
            out.done = True
        elif joined and not joined.isspace():
            if kind is not None:
                out.types[len(out.events)] = kind
            out.tail = joined
