"""Issue 12: a bounded, deterministic fuzz of the readers of shared runs. Seeded mutations of cassettes (hostile
values in the file and inside the body's events, deep nesting, flipped and cut bytes, YAML-only values) go
through verify, score, inspect and report, and now and then merge and pack; mutated and hostile packs go
through unpack. Every command must exit 0, 1 or 2 with no traceback, in seconds. Hypothesis adds shrinking
fuzz of the cassette decoder and of unpack. `scripts/fuzz_hostile.py` runs the same for longer."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hostile import fuzz_packs, fuzz_runs, small_run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from replaykit.cassettes.codec import decode
from replaykit.errors import BadInputError
from replaykit.inspection import attempt_lines
from replaykit.share.pack import pack_run, unpack

SECONDS = 30  # the slowest single command allowed (each takes well under one on an idle machine)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small_run(tmp_path_factory.mktemp("rec") / "run")


@pytest.fixture(scope="module")
def packed(recorded: Path, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    out = tmp_path_factory.mktemp("pack") / "run.tar.gz"
    pack_run(recorded, out)
    return out.read_bytes()


@pytest.mark.parametrize("seed", [1, 2])
def test_mutated_runs_never_crash_or_hang_a_reader(recorded: Path, tmp_path: Path, seed: int) -> None:
    tally = fuzz_runs(recorded, tmp_path, 60, seed)
    assert tally.failures == [], tally.failures
    assert tally.inputs == 60 and tally.commands >= 240
    assert tally.slowest < SECONDS


def test_mutated_packs_never_crash_or_hang_unpack(packed: bytes, tmp_path: Path) -> None:
    tally = fuzz_packs(packed, tmp_path, 200, seed=3)
    assert tally.failures == [], tally.failures
    assert tally.slowest < SECONDS


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_cassette_decoder_raises_only_its_own_error(recorded: Path, data: st.DataObject) -> None:
    original = (recorded / "cassettes" / "alpha" / "fx.weather--r0.json").read_bytes()
    start = data.draw(st.integers(0, len(original) - 1))
    patch = data.draw(st.binary(max_size=16) | st.sampled_from([b"1e308", b"-1", b"[[[[", b"18446744073709551616",
                                                                 b'"\\n"', b"true", b"null", b"{}"]))
    cut = data.draw(st.integers(0, 24))
    mutated = original[:start] + patch + original[start + cut:]
    try:
        cassette = decode(mutated, "c.json")
    except BadInputError:
        return
    attempt_lines(cassette)  # the normalizer never raises; its output is what inspect prints


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_unpack_raises_only_its_own_error(packed: bytes, tmp_path_factory: pytest.TempPathFactory,
                                          data: st.DataObject) -> None:
    work = tmp_path_factory.mktemp("unpack")
    start = data.draw(st.integers(0, len(packed) - 1))
    patch = data.draw(st.binary(min_size=1, max_size=8))
    pack = work / "p.tar.gz"
    pack.write_bytes(packed[:start] + patch + packed[start + len(patch):])
    try:
        unpack(pack, work / "out")
    except BadInputError:
        assert not (work / "out").exists()
    shutil.rmtree(work)
