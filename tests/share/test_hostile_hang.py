"""Issue 12 §5: no hang. A FIFO (or a link to one) in a run, and a regular expression that backtracks
catastrophically (in a scenario matcher or a tool's JSON schema), made commands block or run for hours. Every
command runs here as a real process that must end, without a traceback, well within its time limit."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hostile import WEATHER, change_scenario, edited, set_body, small_run, sse
from share_helpers import copy_run

from replaykit.scenarios.linear_regex import compile_linear

LIMIT = 120  # seconds a command may take here (each takes about one on an idle machine; CI may be loaded)
COMMANDS = ("verify", "score", "report", "merge", "pack", "redact")


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small_run(tmp_path_factory.mktemp("rec") / "run")


@pytest.fixture()
def run(recorded: Path, tmp_path: Path) -> Path:
    return copy_run(recorded, tmp_path / "run")


def _cli(command: str, run: Path, scratch: Path) -> subprocess.CompletedProcess[str]:
    args = {"verify": [str(run)], "score": [str(run)], "report": [str(run), "-o", str(scratch / "r.md")],
            "merge": [str(run), "-o", str(scratch / f"merged-{time.monotonic_ns()}")],
            "pack": [str(run), "-o", str(scratch / "p.tar.gz")], "redact": [str(run)]}[command]
    return subprocess.run([sys.executable, "-m", "replaykit", command, *args], capture_output=True, text=True,
                          timeout=LIMIT, stdin=subprocess.DEVNULL)


def _ends_cleanly(run: Path, scratch: Path) -> dict[str, subprocess.CompletedProcess[str]]:
    results = {}
    for command in COMMANDS:
        result = _cli(command, run, scratch)  # a hang is subprocess.TimeoutExpired
        assert "Traceback" not in result.stderr, (command, result.stderr)
        assert result.returncode in (0, 1, 2), (command, result.returncode, result.stderr)
        results[command] = result
    return results


def _fifo(path: Path, *, link: bool = False) -> None:
    path.unlink()
    if link:
        os.mkfifo(path.parent / ".fifo")
        path.symlink_to(path.parent / ".fifo")
    else:
        os.mkfifo(path)


@pytest.mark.parametrize("rel", [WEATHER, "run.json", "scenarios.json"])
@pytest.mark.parametrize("link", [False, True])
def test_a_fifo_in_a_run_never_blocks_a_command(run: Path, tmp_path: Path, rel: str, link: bool) -> None:
    _fifo(run / rel, link=link)
    results = _ends_cleanly(run, tmp_path)
    named = "a symbolic link" if link else "a FIFO"
    if rel == "run.json":  # the run cannot be opened at all: one line, exit 2
        assert results["score"].returncode == 2 and named in results["score"].stderr
    else:
        assert named in results["verify"].stdout + results["score"].stderr
    assert results["pack"].returncode != 0  # never packed


@pytest.fixture(autouse=True)
def _fresh_give_ups() -> Any:
    """A pattern that once ran out of time fails at once for the rest of the process (linear_regex.py): each
    test starts with none given up, whatever ran before it in this worker."""
    from replaykit.scenarios import linear_regex

    linear_regex._GAVE_UP.clear()
    yield
    linear_regex._GAVE_UP.clear()


_CATASTROPHIC = [
    ("^(a+)+$", "a" * 40 + "b"),  # RE2 takes it: linear
    ("^(a|aa)+$", "a" * 60 + "b"),  # RE2 takes it: linear
    ("^(?=(a|aa)+$)", "a" * 60 + "b"),  # lookaround: backtracking engine, time-limited
]


@pytest.mark.parametrize(("pattern", "text"), _CATASTROPHIC)
def test_a_catastrophic_pattern_matches_in_bounded_time(pattern: str, text: str) -> None:
    compiled = compile_linear(pattern)
    start = time.monotonic()
    assert compiled.search(text) is None
    assert time.monotonic() - start < 10


@pytest.mark.parametrize(("pattern", "text"), _CATASTROPHIC)
def test_a_catastrophic_matcher_in_a_shared_run_ends_every_command(run: Path, tmp_path: Path, pattern: str,
                                                                 text: str) -> None:
    def change(raw: dict[str, Any]) -> None:
        raw["expect"]["calls"][0]["args"]["city"] = {"regex": pattern, "example": "a" * 40}

    # the example is matched when the scenario loads (verify, merge, pack), the recorded argument when scored
    change_scenario(run, "fx.weather", change)
    edited(run, lambda raw: set_body(raw, sse(f'{{"city":"{text}","days":3}}')))
    started = time.monotonic()
    results = _ends_cleanly(run, tmp_path)
    assert time.monotonic() - started < LIMIT * len(COMMANDS)
    assert results["verify"].returncode in (0, 1)


def test_a_catastrophic_schema_pattern_in_a_shared_run_ends_every_command(run: Path, tmp_path: Path) -> None:
    def change(raw: dict[str, Any]) -> None:
        raw["tools"][0]["function"]["parameters"]["properties"]["city"]["pattern"] = "^(a|aa)+$"
        raw["expect"]["calls"][0]["args"]["city"] = "aa"

    change_scenario(run, "fx.weather", change)
    edited(run, lambda raw: set_body(raw, sse(f'{{"city":"{"a" * 60 + "b"}","days":3}}')))
    _ends_cleanly(run, tmp_path)


def test_a_pattern_neither_engine_takes_is_refused_with_a_clear_message(run: Path, tmp_path: Path) -> None:
    def change(raw: dict[str, Any]) -> None:
        raw["expect"]["calls"][0]["args"]["city"] = {"regex": "(unclosed", "example": "x"}

    with pytest.raises(Exception, match="invalid regular expression"):
        change_scenario(run, "fx.weather", change)
