"""`replaykit inspect CASSETTE`: every attempt normalized, one JSON object a line."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import orjson

from replaykit.cassettes import decode
from replaykit.cassettes.persist import read_bounded
from replaykit.inspection import attempt_lines


@click.command()
@click.argument("cassette", type=click.Path())
def inspect(cassette: str) -> None:
    """Print each attempt of a cassette (replaykit's or any vcrpy cassette, YAML or JSON) as a JSON line:
    status, error class, faults, tool calls, text, finish reason, provider, usage, timing."""
    path = Path(cassette)
    parsed = decode(read_bounded(path), str(path))
    for line in attempt_lines(parsed):
        sys.stdout.buffer.write(orjson.dumps(line, option=orjson.OPT_SORT_KEYS) + b"\n")
