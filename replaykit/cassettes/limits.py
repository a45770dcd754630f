"""Shape limits for parsed untrusted files (cassettes, run.json, scenarios.json, pack manifests).

Every reader walks parsed data recursively (the secret scan, the normalizer, orjson on the way out), so a file
nested a thousand levels deep would end in a RecursionError, and a YAML "billion laughs" (aliases of aliases)
parses in microseconds into a structure with 10^9 nodes. Both are refused right after parsing, by one
iterative walk that counts aliased nodes every time they are reached.
"""

from __future__ import annotations

from typing import Any

from replaykit.errors import CassetteError

MAX_DEPTH = 64  # real cassettes nest ~8 levels, scenario snapshots with nested JSON schemas ~20
MAX_NODES = 2_000_000  # a 64 MB cassette of real traffic has a few thousand; bodies are strings, not nodes


def check_shape(value: Any, source: str, *, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES) -> None:
    """Raise CassetteError when `value` nests deeper than `max_depth` or holds more than `max_nodes` items."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    nodes = 1
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = list(item.values())
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > max_depth:
            raise CassetteError(f"nested deeper than {max_depth} levels", source=source)
        nodes += len(children)
        if nodes > max_nodes:
            raise CassetteError(f"more than {max_nodes} values (a YAML alias bomb?)", source=source)
        stack.extend((child, depth + 1) for child in children)
