"""`pip install replaykit` is enough: the wheel, installed into a fresh venv and run from an empty folder, has
the scenario library, the simulator profiles and the example provider files (issue 14 §1). `.ci/run` runs it
with the rest of the suite."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
_TOP_LEVEL_SKIPPED = {".git", ".venv", ".ci-venv", "build", "dist", "tests", "cassettes", "runs", "replaykit-demo"}


def _not_source(folder: str, names: list[str]) -> set[str]:
    """Checkout-only folders (at the top), and caches anywhere."""
    skipped = _TOP_LEVEL_SKIPPED if Path(folder) == REPO else set()
    return {n for n in names if n in skipped or n == "__pycache__" or n.endswith((".egg-info", "_cache"))}


def test_the_wheel_alone_runs_the_demo_the_simulator_and_a_recording(tmp_path: Path) -> None:
    # one test, so that pytest-xdist builds and installs the wheel once
    installed = _install_the_wheel(tmp_path / "build")
    empty = tmp_path / "empty"
    empty.mkdir()
    _demo_from_an_empty_folder(installed, empty)
    _serve_and_record(installed, empty)


def _install_the_wheel(root: Path) -> Path:
    """The bin folder of a fresh venv with only the wheel built from this source (and its dependencies)."""
    root.mkdir()
    source = root / "src"  # a copy, so no stale build/ of the checkout can slip into the wheel
    shutil.copytree(REPO, source, ignore=_not_source)
    _run([sys.executable, "-m", "build", "--wheel", "--outdir", str(root / "dist"), str(source)], root, 600)
    (wheel,) = (root / "dist").glob("replaykit-*.whl")
    venv.create(root / "venv", with_pip=True)
    bin_dir = root / "venv" / "bin"
    _run([str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)], root, 600)
    return bin_dir


def _run(command: list[str], cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=_env())
    assert proc.returncode == 0, f"{command}: exit {proc.returncode}\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
    return proc


def _env() -> dict[str, str]:
    # PYTHONPATH or a checkout on the path would let the test pass without the wheel's own files
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return {**env, "PYTHONUNBUFFERED": "1"}


def _demo_from_an_empty_folder(installed: Path, tmp_path: Path) -> None:
    where = _run([str(installed / "python"), "-c", "import replaykit; print(replaykit.__file__)"], tmp_path, 60)
    assert str(REPO) not in where.stdout  # the installed copy, not this checkout
    demo = _run([str(installed / "replaykit"), "demo", "--plain", "--repeat", "1", "--time-scale", "0.02"],
                tmp_path, 600)
    assert "sim-fastcloud" in demo.stdout and "sim-flaky" in demo.stdout
    assert "using the one shipped with replaykit" in demo.stderr
    assert demo.stdout.rstrip().splitlines()[-1].endswith("report.html")
    assert (tmp_path / "replaykit-demo" / "run" / "run.json").is_file()
    listed = _run([str(installed / "replaykit"), "scenarios", "list", "--category", "single",
                   "--category", "parallel"], tmp_path, 60)
    assert {line.split()[1] for line in listed.stdout.splitlines()} == {"single", "parallel"}
    exported = _run([str(installed / "replaykit"), "providers", "export", "my-providers"], tmp_path, 60)
    assert (tmp_path / "my-providers" / "sim.toml").is_file(), exported.stdout


def _serve_and_record(installed: Path, tmp_path: Path) -> None:
    serve = subprocess.Popen([str(installed / "replaykit"), "sim", "serve", "--port", "0", "--time-scale", "0"],
                             cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
    try:
        assert serve.stdout is not None
        first = serve.stdout.readline()
        assert first.startswith("replaykit simulator on http://127.0.0.1:"), first + serve.stderr.read()
        assert "0 scenarios" not in first
        base_url = first.split()[3]
        hint = serve.stdout.readline()
        assert f"--base-url {base_url}" in hint  # port 0 is not sim.toml's 8377: it says how to record
        record = _run([str(installed / "replaykit"), "record", "--providers", "providers/sim.toml", "--base-url",
                       base_url, "--only", "sim-fastcloud,sim-steady", "--filter", "math.*", "--out", "run",
                       "--plain"], tmp_path, 300)
        assert "run written to run" in record.stdout
        assert "providers/sim.toml" in record.stderr and "shipped with replaykit" in record.stderr
        score = _run([str(installed / "replaykit"), "score", "run", "--plain"], tmp_path, 120)
        assert "sim-fastcloud" in score.stdout and "sim-steady" in score.stdout
    finally:
        serve.terminate()
        serve.wait(30)
