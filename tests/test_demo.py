"""`replaykit demo`: the README's main command, end to end on the embedded simulator."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_demo_records_scores_and_reports(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = subprocess.run([sys.executable, "-m", "replaykit", "demo", "--out", str(out), "--repeat", "1",
                             "--time-scale", "0.02", "--plain"], capture_output=True, text=True, timeout=300,
                            cwd=REPO)
    assert result.returncode == 0, result.stderr[-2000:]
    for name in ("sim-fastcloud", "sim-steady", "sim-textcalls", "sim-quantized", "sim-flaky"):
        assert name in result.stdout
    assert (out / "run" / "run.json").exists()
    reports = list(out.glob("report.*"))
    assert reports and reports[0].stat().st_size > 1000
    rescored = subprocess.run([sys.executable, "-m", "replaykit", "score", str(out / "run"), "--plain"],
                              capture_output=True, text=True, timeout=120)
    assert rescored.returncode == 0 and "sim-steady" in rescored.stdout
