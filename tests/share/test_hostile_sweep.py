"""Issue 12 §4, swept rather than sampled: every field of a cassette — and every field of every event of its
stream body — holding the deepest list or object nesting orjson parses (past Python's recursion limit, where
`str()` and every recursive reader give up), through every reader of a shared run. The random fuzz reaches
each field now and then; a status message nested so was a RecursionError in `score` and `report` until this
sweep found it, a token count that is an object a TypeError, and another tool's cassette (bodies stored
parsed) nested so a TypeError from orjson."""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile import SHAPES, WEATHER, deep_everywhere, deep_in_events, foreign, invoke, plant, small_run
from share_helpers import copy_run


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small_run(tmp_path_factory.mktemp("rec") / "run")


def _failures(run: Path, scratch: Path, label: str, *, every: bool) -> list[str]:
    commands = [("score", str(run), "--json"), ("report", str(run), "-o", str(scratch / "r.html"),
                                                 "-o", str(scratch / "r.md")),
                ("inspect", str(run / WEATHER))]
    if every:
        commands += [("verify", str(run)), ("replay", str(run / WEATHER))]
    return [f"{label}: {args[0]} -> {outcome.crash or outcome.exit_code}"
            for args in commands if not (outcome := invoke(*args)).held]


# (sweep, all readers?, fields at least): the file's fields go through every reader; the events'
# fields through the three that parse bodies (score, report, inspect), as the events are many
SWEEPS = {"file": (deep_everywhere, True, 50), "stream events": (deep_in_events, False, 10),
          "another tool's file": (lambda data, shape: deep_everywhere(foreign(data), shape), True, 20)}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("part", SWEEPS)
def test_every_field_nested_past_the_recursion_limit_holds_in_every_reader(recorded: Path, tmp_path: Path,
                                                                          part: str, shape: str) -> None:
    sweep, every, at_least = SWEEPS[part]
    run = copy_run(recorded, tmp_path / "run")
    failures, fields = [], 0
    for where, data in sweep((run / WEATHER).read_bytes(), shape):
        plant(run, WEATHER, data)
        failures += _failures(run, tmp_path, str(where), every=every)
        fields += 1
    assert fields > at_least  # the whole part was swept (the file: request, response, replaykit's record)
    assert failures == []
