"""Crash safety: kill -9 the recorder at random moments; every file stays whole and --resume finishes the run
without re-requesting finished samples, ending where an uninterrupted run ends."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import orjson
from record_helpers import FIXTURES, fixture_scenarios, profiles

from replaykit import load_run, normalize
from replaykit.sim import SimServer

TABLE = {"effects": {"server_error": 0.1, "wrong_type": 0.2, "text_tool_call_xml": 0.1}}


def _providers_file(tmp: Path, base_url: str) -> Path:
    path = tmp / "providers.toml"
    path.write_text(f'[defaults]\nbase_url = "{base_url}"\nmodel = "qwen/qwen3-coder"\nmax_concurrency = 4\n'
                    '[providers.p]\nrouting = { only = ["p"], allow_fallbacks = false }\n')
    return path


def _record_cmd(providers: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "replaykit", "record", "--providers", str(providers), "--scenarios",
            str(FIXTURES), "--repeat", "8", "--seed", "7", "--backoff", "0", "--plain", "--out", str(out)]


def _outcomes(root: Path) -> dict[tuple[str, str, int], list[Any]]:
    out = {}
    for cassette in load_run(root).iter_cassettes():
        assert not isinstance(cassette, Exception), cassette
        seen = []
        for attempt in cassette.attempts:
            o = normalize(attempt)
            seen.append((attempt.step, attempt.retry, o.error_class, [(c.name, c.raw_arguments) for c in o.calls],
                         o.text, o.finish_reason))
        out[cassette.sample.key] = seen
    return out


def _assert_all_files_whole(root: Path) -> None:
    for path in root.rglob("*"):
        if path.is_file():
            assert not path.name.endswith(".tmp") or path.name.startswith("."), path
            if path.suffix == ".json" and not path.name.startswith("."):
                orjson.loads(path.read_bytes())  # raises on a half-written file


def test_kill_nine_then_resume(tmp_path: Path) -> None:
    rng = random.Random(11)
    with SimServer(profiles=profiles(p={**TABLE, "ttft_ms": {"median": 15, "sigma": 0}}),
                   scenarios=fixture_scenarios(), seed=1, time_scale=1.0) as sim:
        providers = _providers_file(tmp_path, sim.base_url)
        reference = tmp_path / "reference"
        subprocess.run(_record_cmd(providers, reference), check=True, capture_output=True, timeout=120)
        want = _outcomes(reference)
        for i in range(10):
            out = tmp_path / f"killed-{i}"
            proc = subprocess.Popen(_record_cmd(providers, out), stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 30
            while not (out / "run.json").exists() and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(rng.uniform(0.0, 1.2))
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            _assert_all_files_whole(out)
            finished = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in load_run(out).cassette_files()}
            done = subprocess.run([sys.executable, "-m", "replaykit", "record", "--resume", str(out), "--plain"],
                                  capture_output=True, timeout=120)
            assert done.returncode == 0, done.stderr.decode()
            for path, (data, mtime) in finished.items():  # not requested again: not rewritten
                assert path.read_bytes() == data and path.stat().st_mtime_ns == mtime, path
            assert load_run(out).manifest["status"] == "complete"
            assert _outcomes(out) == want, f"kill {i}: the resumed run differs from the uninterrupted one"
