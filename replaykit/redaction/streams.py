"""Secrets split across the events of a stream.

A streamed answer reaches the reader as deltas: `"sk-or-"` in one event, `"v1-abc…"` in the next. On disk
no event holds the key, but every reader joins the deltas and shows it whole. So the strings of all `data:`
events are joined per field (`choices[0].delta.content`, each tool call's `function.arguments`, ...) the way
readers join them, known secrets are looked for in the joined text, and the pieces that make them up are
rewritten: the first becomes `<redacted>`, the others lose their part of the secret.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import orjson

from replaykit.cassettes.limits import MAX_DEPTH
from replaykit.redaction.forms import PLACEHOLDER

Path = tuple[Any, ...]
Fields = dict[Path, list[tuple[int, Path, str]]]
Spans = Callable[[str], list[tuple[int, int]]]


def _collect(value: Any, join: Path, where: Path, depth: int, n: int, fields: Fields) -> None:
    """Adds each string inside `value` to `fields` under its join key, as (event number, path inside the event,
    string); a list item with an integer `index` (a tool call delta) is keyed by that index, as readers join
    it. Strings deeper than limits.MAX_DEPTH are left out: no reader shows them, and an event may nest a
    thousand levels. (A plain recursion: generators nested as deep as the event cost 3x on long streams.)"""
    if type(value) is str:
        fields.setdefault(join, []).append((n, where, value))
    elif depth > MAX_DEPTH:
        return
    elif type(value) is dict:
        for key, item in value.items():
            _collect(item, (*join, key), (*where, key), depth + 1, n, fields)
    elif type(value) is list:
        for i, item in enumerate(value):
            index = item.get("index") if type(item) is dict else None
            tag = ("index", index) if type(index) is int else i
            _collect(item, (*join, tag), (*where, i), depth + 1, n, fields)


def _set(value: Any, where: Path, text: str) -> None:
    for step in where[:-1]:
        value = value[step]
    value[where[-1]] = text


def redact_stream(body: str, spans: Spans, clean: Callable[[str], bool] | None = None) -> str:
    """`body` with every secret that only the joined events reveal rewritten; other bodies unchanged. `spans`
    finds secrets in a text: a Redactor's known keys while recording, the scan's rules in what readers show.
    `clean`, when given, answers for all the joined fields at once (one per line) that none holds a secret:
    the common case, then decided in one pass."""
    if "data:" not in body:
        return body
    lines = body.splitlines(keepends=True)
    if clean is not None and clean("\n".join(joined_texts(lines))):
        return body
    events, fields = _events(lines)
    joined = [pieces for pieces in fields.values() if len(pieces) > 1]
    changed: set[int] = set()
    for pieces in joined:
        changed |= _redact_field(pieces, events, spans)
    for n in changed:
        end = lines[n][len(lines[n].rstrip("\r\n")):]
        lines[n] = "data: " + orjson.dumps(events[n]).decode() + end
    return "".join(lines)


def _events(lines: list[str]) -> tuple[dict[int, Any], Fields]:
    """Each `data:` line's JSON by line number, and each field's pieces in order, by join key."""
    events: dict[int, Any] = {}
    fields: Fields = {}
    for n, event in _parsed(lines):
        events[n] = event
        _collect(event, (), (), 1, n, fields)
    return events, fields


def _parsed(lines: list[str]) -> Iterator[tuple[int, Any]]:
    """(line number, JSON) of each `data:` line that parses."""
    for n, line in enumerate(lines):
        if line.startswith("data:"):
            try:
                yield n, orjson.loads(line[5:])
            except orjson.JSONDecodeError:
                continue


def joined_texts(lines: list[str]) -> list[str]:
    """The text of each field that more than one event holds, its pieces joined: what `_events` finds, without
    the path of each piece (needed only to rewrite one) — the common case, where none holds a secret, at half
    the cost."""
    fields: dict[Path, list[str]] = {}
    for _, event in _parsed(lines):
        if type(event) is str:
            fields.setdefault((), []).append(event)
        elif type(event) is dict or type(event) is list:
            _gather(event, (), 1, fields)
    return ["".join(pieces) for pieces in fields.values() if len(pieces) > 1]


def _gather(value: Any, join: Path, depth: int, fields: dict[Path, list[str]]) -> None:
    """`_collect` without the paths inside events, a child's type tested before the call (most are scalars)."""
    if depth > MAX_DEPTH:
        return
    if type(value) is dict:
        items: Any = value.items()
    else:  # a list: an item with an integer `index` (a tool call delta) is keyed by it, as in `_collect`
        items = [(("index", item["index"]) if type(item) is dict and type(item.get("index")) is int else n, item)
                 for n, item in enumerate(value)]
    for key, item in items:
        kind = type(item)
        if kind is str:
            fields.setdefault((*join, key), []).append(item)
        elif kind is dict or kind is list:
            _gather(item, (*join, key), depth + 1, fields)


def joined_strings(body: str) -> dict[str, str]:
    """Each field of a stream's events joined across events, as readers join them; by field path."""
    if "data:" not in body:
        return {}
    _, fields = _events(body.splitlines(keepends=True))
    return {".".join(map(str, join)): "".join(text for _, _, text in pieces)
            for join, pieces in fields.items() if len(pieces) > 1}


def _redact_field(pieces: list[tuple[int, Path, str]], events: dict[int, Any], find: Spans) -> set[int]:
    joined = "".join(text for _, _, text in pieces)
    spans = find(joined)
    if not spans:
        return set()
    changed = set()
    start = 0
    for n, where, text in pieces:
        end = start + len(text)
        new = _cut(text, start, spans)
        if new != text:
            _set(events[n], where, new)
            changed.add(n)
        start = end
    return changed


def _cut(text: str, offset: int, spans: list[tuple[int, int]]) -> str:
    """This piece (starting at `offset` of the joined text) without the parts of it inside `spans`; the piece
    where a span begins gets the placeholder."""
    out, at = [], 0
    for s, e in spans:
        lo, hi = max(s - offset, 0), min(e - offset, len(text))
        if lo >= hi:
            continue
        out.append(text[at:lo])
        if s >= offset:
            out.append(PLACEHOLDER)
        at = hi
    out.append(text[at:])
    return "".join(out)
