"""Issue 12 §4, swept rather than sampled: every field of a cassette — and every field of every event of its
stream body — holding the deepest list or object nesting orjson parses (past Python's recursion limit, where
`str()` and every recursive reader give up), through every reader of a shared run. The random fuzz reaches
each field now and then; a status message nested so was a RecursionError in `score` and `report` until this
sweep found it, and a token count that is an object a TypeError."""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile import SHAPES, WEATHER, deep_everywhere, deep_in_events, invoke, plant, small_run
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


@pytest.mark.parametrize("shape", SHAPES)
def test_every_field_of_a_cassette_nested_past_the_recursion_limit_holds_in_every_reader(
        recorded: Path, tmp_path: Path, shape: str) -> None:
    run = copy_run(recorded, tmp_path / "run")
    original = (run / WEATHER).read_bytes()
    failures, fields = [], 0
    for where, data in deep_everywhere(original, shape):
        plant(run, WEATHER, data)
        failures += _failures(run, tmp_path, str(where), every=True)
        fields += 1
    assert fields > 50  # the whole file was swept: request, response, replaykit's record
    assert failures == []


@pytest.mark.parametrize("shape", SHAPES)
def test_every_field_of_every_stream_event_nested_past_the_recursion_limit_holds(
        recorded: Path, tmp_path: Path, shape: str) -> None:
    run = copy_run(recorded, tmp_path / "run")
    original = (run / WEATHER).read_bytes()
    failures, fields = [], 0
    for where, data in deep_in_events(original, shape):
        plant(run, WEATHER, data)
        failures += _failures(run, tmp_path, where, every=False)
        fields += 1
    assert fields > 10
    assert failures == []
