"""Every bound replaykit puts on untrusted files (cassettes, run.json, scenarios.json, pack manifests), in one
place; docs/sharing.md ("Limits") lists them.

A shared run is hostile input. Every reader walks parsed data recursively (the secret scan, the normalizer,
orjson on the way out), so a file nested a thousand levels deep would end in a RecursionError; a YAML "billion
laughs" (aliases of aliases) parses in microseconds into 10^9 nodes; 60 MB of `[[],[],...]` or of YAML takes
gigabytes to parse; a status code of 1e308 or a token count of 2^64 overflows the arithmetic of a report.
So: sizes are checked before parsing, value counts before (large JSON, YAML) or while parsing, depth and
scalar types right after, by one iterative walk that counts aliased nodes every time they are reached; and
the numbers a reader computes with are checked against the ranges below where they are read.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any, TypeGuard

from replaykit.errors import CassetteError

# --- sizes, before parsing
MAX_CASSETTE_BYTES = 64 * 1024 * 1024  # any cassette file (and any other file of a run that is read)
MAX_MANIFEST_BYTES = 32 * 1024 * 1024  # run.json, scenarios.json
MAX_YAML_BYTES = 16 * 1024 * 1024  # YAML costs ~400 bytes of memory per value while it is parsed
LARGE_JSON = 4 * 1024 * 1024  # a JSON text past this has its values counted before it is parsed

# --- shape, while or right after parsing
MAX_DEPTH = 64  # real cassettes nest ~8 levels, scenario snapshots with nested JSON schemas ~20
MAX_NODES = 2_000_000  # a 64 MB cassette of real traffic has a few thousand; bodies are strings, not nodes
MAX_YAML_NODES = 400_000  # ~300 MB while composing; a real vcrpy cassette has a few hundred

# --- numbers a reader computes with
MIN_STATUS, MAX_STATUS = 100, 599  # an HTTP status code
MAX_COUNT = 10**9  # tokens of one answer, a step or retry number, a repetition
MAX_MS = 1e9  # any duration in milliseconds (11.6 days)
MAX_EPOCH = 1e11  # a Unix time in seconds (year 5138)
MAX_COST = 1e6  # USD of one answer, a price per million tokens
MAX_INT = 2**64 - 1  # the widest integer JSON tools (orjson) read; YAML integers past it are refused


def check_shape(value: Any, source: str, *, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES,
                scalars: bool = False) -> None:
    """Raise CassetteError when `value` nests deeper than `max_depth` or holds more than `max_nodes` items.

    `scalars`: also refuse what JSON cannot hold (YAML's dates, sets, non-string keys, integers past 64 bits,
    infinities), naming the first such field; JSON parsed by orjson holds none of them."""
    if not isinstance(value, dict | list):
        if scalars and not plain_scalar(value):
            _refuse(value, source, lambda v: True, "a value JSON cannot hold")
        return
    stack: list[tuple[Any, int]] = [(value, 1)]
    nodes = 1
    while stack:  # only containers are pushed: scalars are checked where they are met
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = list(item.values())
            if scalars and not all(type(k) is str for k in item):
                _refuse(value, source, lambda v: isinstance(v, dict) and not all(type(k) is str for k in v),
                        "a mapping key that is not a string")
        else:
            children = item
        if depth > max_depth:
            raise CassetteError(f"nested deeper than {max_depth} levels", source=source)
        nodes += len(children)
        if nodes > max_nodes:
            raise CassetteError(f"more than {max_nodes} values (a YAML alias bomb?)", source=source)
        for child in children:
            if isinstance(child, dict | list):
                stack.append((child, depth + 1))
            elif scalars and type(child) is not str and not plain_scalar(child):
                _refuse(value, source, lambda v: not isinstance(v, dict | list) and not plain_scalar(v),
                        "a value JSON cannot hold")


def plain_scalar(value: Any) -> bool:
    """A JSON scalar within range (bytes too: vcrpy's YAML stores binary bodies)."""
    if value is None or type(value) in (str, bool, bytes):
        return True
    if type(value) is int:
        return -MAX_INT <= value <= MAX_INT
    return type(value) is float and math.isfinite(value)


def _refuse(root: Any, source: str, bad: Callable[[Any], bool], what: str) -> None:
    """Name the first field where `bad` holds (a second walk, on the refusal path only)."""
    stack: list[tuple[Any, str]] = [(root, "")]
    while stack:
        item, where = stack.pop()
        if bad(item):
            raise CassetteError(f"{what}: {_described(item)}", source=source, field=where or "(root)")
        if isinstance(item, dict):
            stack.extend((v, f"{where}.{k}" if where else str(k)) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((v, f"{where}[{i}]") for i, v in enumerate(item))
    raise CassetteError(what, source=source)  # not reached: the caller saw a bad value


def _described(item: Any) -> str:
    if isinstance(item, dict):
        return "key " + next(repr(k)[:40] for k in item if type(k) is not str)
    if type(item) is int:
        return f"an integer of {item.bit_length()} bits"
    if type(item) is float:
        return "NaN" if math.isnan(item) else "an infinity"
    return f"a {type(item).__name__} ({repr(item)[:40]})"


# --- counting values before parsing

_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
_STRING_BYTES = re.compile(rb'"(?:[^"\\]++|\\.)*+"', re.DOTALL)


def json_values(text: str | bytes) -> int:
    """An upper bound of the number of values in a JSON text (or a stream of JSON texts): separators and
    openings outside strings, plus one. Costs ~20 ms per MB: callers use it past LARGE_JSON only."""
    if isinstance(text, str):
        bare = _STRING.sub("", text)
        return bare.count(",") + bare.count("[") + bare.count("{") + bare.count(":") + 1
    raw = _STRING_BYTES.sub(b"", text)
    return raw.count(b",") + raw.count(b"[") + raw.count(b"{") + raw.count(b":") + 1


def check_json_size(data: str | bytes, source: str, *, max_nodes: int = MAX_NODES) -> None:
    """Refuse a large JSON text that would parse into more than `max_nodes` values (gigabytes of memory)."""
    if len(data) > LARGE_JSON and json_values(data) > max_nodes:
        raise CassetteError(f"more than {max_nodes} values", source=source)


def depth_within(value: Any, max_depth: int = MAX_DEPTH) -> bool:
    """Whether `value` nests at most `max_depth` levels (for small values: tool-call arguments, usage)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > max_depth:
                return False
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return True


# --- numbers


def number_in(value: Any, low: float, high: float) -> TypeGuard[float]:
    """A finite int or float (not a bool) within [low, high]."""
    kind = type(value)
    if kind is int:
        return low <= value <= high
    return kind is float and low <= value <= high  # NaN compares false


def count_in(value: Any, high: int = MAX_COUNT) -> TypeGuard[int]:
    """A whole number (not a bool) within [0, high]."""
    return type(value) is int and 0 <= value <= high


def status_ok(value: Any) -> TypeGuard[int]:
    return type(value) is int and MIN_STATUS <= value <= MAX_STATUS
