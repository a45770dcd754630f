"""The shipped example run: scoring it gives the committed expected JSON, and it verifies (replay included)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson

from replaykit import score_runs
from replaykit.report.files import to_json
from replaykit.share.verify import verify_run

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "cassettes" / "example"
EXPECTED = REPO / "tests" / "fixtures" / "example-score.json"


def test_scoring_the_example_gives_the_committed_json() -> None:
    assert to_json(score_runs([EXAMPLE]).data) == EXPECTED.read_bytes()


def test_the_cli_prints_the_same_bytes() -> None:
    result = subprocess.run([sys.executable, "-m", "replaykit", "score", str(EXAMPLE), "--json"],
                            capture_output=True, timeout=120, cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert result.stdout == EXPECTED.read_bytes()


def test_the_example_shows_real_differences() -> None:
    providers = orjson.loads(EXPECTED.read_bytes())["providers"]
    assert len(providers) == 7
    assert providers["sim-textcalls"]["faults"].get("text_tool_call", 0) > 0
    recall = {name: providers[name]["tool_recall"]["value"] for name in ("sim-textcalls", "sim-textcalls-prompt")}
    assert recall["sim-textcalls-prompt"] > recall["sim-textcalls"]
    assert providers["sim-steady"]["ttft_ms"]["p50"] > 3 * providers["sim-fastcloud"]["ttft_ms"]["p50"]


def test_the_example_verifies_with_replay() -> None:
    report = verify_run(EXAMPLE, replay=True)
    assert report.ok, report.problems + report.secrets
    assert report.files == report.replayed == 168
