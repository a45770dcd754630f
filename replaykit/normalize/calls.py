"""Tool calls as received → `Call`s: argument text and its parse, and the joining of streamed call deltas.

Streams split a call over many deltas, and providers disagree on how to say which call a delta continues
(NOTES.md, "OpenAI-compatible tool-call traffic"). The joiner follows `index` when there is one, then `id`,
then position; a repeated function name tells a new call from a continued one where the keys are missing.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from replaykit.cassettes.limits import MAX_DEPTH, depth_within
from replaykit.normalize.outcome import Call

TOO_DEEP = f"<arguments nested deeper than {MAX_DEPTH} levels>"  # stands for arguments no reader can walk


class Malformed(Exception):
    """A body part of the wrong shape (a call that is not an object...): the body is `malformed_body`."""


def args_text(value: object) -> str:
    """Arguments as wire text: a string as is, null or missing as "", an object (TGI, llama.cpp) as JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if not depth_within(value):
        return TOO_DEEP
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # what orjson refuses (lone surrogates...) the standard library escapes
        return json.dumps(value, ensure_ascii=True, default=str)


def parse_arguments(raw: str) -> dict[str, Any] | None:
    """The arguments object; `{}` for empty text (a call without parameters); None when not a JSON object, or
    one nested deeper than limits.MAX_DEPTH (the checker, jsonschema and the reports all recurse into it)."""
    if not raw or raw.isspace():
        return {}
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    return value if isinstance(value, dict) and shallow(value, raw) else None


def shallow(value: Any, raw: str) -> bool:
    """Whether parsed arguments nest at most MAX_DEPTH levels; the walk runs only when the text has more
    openings than that (real arguments have a handful)."""
    if raw == TOO_DEEP:
        return False
    return raw.count("{") + raw.count("[") <= MAX_DEPTH or depth_within(value)


def make_call(name: str, raw: str, call_id: str | None = None) -> Call:
    return Call(name=name, raw_arguments=raw, arguments=parse_arguments(raw), id=call_id)


def entry_parts(entry: object) -> tuple[dict[str, Any], dict[str, Any]]:
    """A tool-call entry and its `function` object; Malformed when either is not an object."""
    if not isinstance(entry, dict):
        raise Malformed("a tool call is not an object")
    fn = entry.get("function")
    if fn is None:
        return entry, {}
    if not isinstance(fn, dict):
        raise Malformed("a tool call's `function` is not an object")
    return entry, fn


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


class _Pending:
    __slots__ = ("call_id", "name", "parts")

    def __init__(self, call_id: str | None) -> None:
        self.call_id = call_id
        self.name = ""
        self.parts: list[str] = []

    def has_whole_arguments(self) -> bool:
        raw = "".join(self.parts)
        return bool(raw.strip()) and parse_arguments(raw) is not None


class CallJoiner:
    """Joins the tool-call deltas of one stream into calls, in order of first appearance."""

    def __init__(self) -> None:
        self._pending: list[_Pending] = []
        self._by_index: dict[int, _Pending] = {}
        self._by_id: dict[str, _Pending] = {}

    def add(self, entry: object) -> None:
        # the common delta, an `arguments` fragment for a known index and nothing else, is appended at once
        if type(entry) is dict and "id" not in entry:
            fn = entry.get("function")
            index = entry.get("index")
            if type(fn) is dict and type(index) is int and "name" not in fn:
                target = self._by_index.get(index)
                fragment = fn.get("arguments")
                if target is not None and type(fragment) is str:
                    target.parts.append(fragment)
                    return
        self._add(entry)

    def _add(self, entry: object) -> None:
        entry, fn = entry_parts(entry)
        name = _str(fn.get("name"))
        call_id = _str(entry.get("id")) or None  # Gemini sends "": no id at all
        index = entry.get("index")
        if not isinstance(index, int) or isinstance(index, bool):
            index = None
        target = self._find(index, call_id, name)
        resent = target is not None and bool(name) and name == target.name
        if target is None:
            target = _Pending(call_id)
            self._pending.append(target)
        if index is not None:
            self._by_index[index] = target
        if call_id is not None:
            self._by_id[call_id] = target
            target.call_id = target.call_id or call_id
        if name and not target.name:
            target.name = name
        if "arguments" in fn:
            fragment = args_text(fn["arguments"])
            # Novita re-sends a whole call under the same id; appending it again would double the JSON
            if not (resent and fragment and fragment == "".join(target.parts)):
                target.parts.append(fragment)

    def _find(self, index: int | None, call_id: str | None, name: str) -> _Pending | None:
        if index is not None:
            target = self._by_index.get(index)
            if target is None and call_id is not None:
                target = self._by_id.get(call_id)
        elif call_id is not None:
            return self._by_id.get(call_id)
        else:
            target = self._pending[-1] if self._pending else None  # no key at all: continues the last call
        if target is not None and _starts_new(target, call_id, name):
            return None
        return target

    def calls(self) -> list[Call]:
        out = []
        for p in self._pending:
            raw = "".join(p.parts)
            if p.name or raw or p.call_id:  # an index-only delta with nothing in it is no call
                out.append(make_call(p.name, raw, p.call_id))
        return out


def _starts_new(target: _Pending, call_id: str | None, name: str) -> bool:
    """Whether a delta that maps to `target` by its keys is in fact the start of another call: a different id
    or name (providers that give every call index 0), or the same name again once the call is whole
    (Gemini sends each parallel call whole, with neither index nor id)."""
    if call_id is not None and target.call_id is not None and call_id != target.call_id:
        return True
    if not name or not target.name:
        return False
    if name != target.name:
        return True
    if call_id is not None and call_id == target.call_id:
        return False  # the same call's header re-sent
    return target.has_whole_arguments()
