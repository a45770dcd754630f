"""The secret scan over what readers show, not only over the bytes on disk.

On disk a key may be split across stream events, `\\u`-escaped inside a JSON body, or escaped once more
inside a tool call's arguments; `inspect`, `score`, `report` and `--samples` decode and join all of that and
would print the key whole. So each attempt is also scanned as readers see it: its body parsed as JSON
(strings and keys), its stream's fields joined across events, and its normalized outcome (text, calls with
their parsed arguments, error message) — exactly what `inspect` prints.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from typing import Any

import orjson

from replaykit.cassettes.limits import LARGE_JSON, MAX_NODES, json_values
from replaykit.cassettes.model import Cassette
from replaykit.inspection import attempt_lines
from replaykit.redaction.streams import joined_strings
from replaykit.share.secrets import Finding, scan_value


def shown_findings(cassette: Cassette, file: str, known: AbstractSet[str] = frozenset()) -> list[Finding]:
    """Findings in the decoded views of each attempt whose kind `known` (the raw scan's) does not hold."""
    found: list[tuple[str, str]] = []
    for i, line in enumerate(attempt_lines(cassette, redact=False)):
        base = f"replaykit.attempts[{i}]"
        found += scan_value(line, f"{base} (as shown)")
        body = cassette.attempts[i].body
        if body:
            found += scan_value(_parsed(body), f"{base}.body (parsed)")
            if len(body) <= LARGE_JSON or json_values(body) <= MAX_NODES:  # as the normalizer reads it
                found += scan_value(joined_strings(body), f"{base}.body (stream joined)")
    unique = {(field, kind) for field, kind in found if kind not in known}
    return [Finding(file, field, kind) for field, kind in sorted(unique)]


def _parsed(body: str) -> Any:
    if len(body) > LARGE_JSON and json_values(body) > MAX_NODES:  # gigabytes once parsed: no reader parses it
        return None
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
