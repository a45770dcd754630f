"""`replaykit record` on bad input: one clear line, exit 2, nothing already recorded lost."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from record_helpers import FIXTURES, fixture_scenarios, profiles

from replaykit import load_run
from replaykit.sim import SimServer


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "replaykit", *args], capture_output=True, text=True,
                          timeout=120, env={**os.environ, **(env or {})})


def _providers(tmp: Path, base_url: str, extra: str = "") -> Path:
    path = tmp / "providers.toml"
    path.write_text(f'[defaults]\nbase_url = "{base_url}"\nmodel = "m"\n{extra}\n'
                    '[providers.p]\nrouting = { only = ["p"] }\n')
    return path


def _one_clean_line(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_unknown_provider_name(tmp_path: Path) -> None:
    providers = _providers(tmp_path, "http://127.0.0.1:9")
    result = _run("record", "--providers", str(providers), "--only", "nope", "--scenarios", str(FIXTURES))
    _one_clean_line(result, "nope", str(providers))


def test_missing_key_variable_is_named(tmp_path: Path) -> None:
    providers = _providers(tmp_path, "http://127.0.0.1:9", 'api_key_env = "RK_TEST_MISSING_KEY"')
    env = {k: v for k, v in os.environ.items() if k != "RK_TEST_MISSING_KEY"}
    result = subprocess.run([sys.executable, "-m", "replaykit", "record", "--providers", str(providers),
                             "--scenarios", str(FIXTURES), "--out", str(tmp_path / "run")],
                            capture_output=True, text=True, timeout=60, env=env)
    _one_clean_line(result, "RK_TEST_MISSING_KEY")
    assert not (tmp_path / "run").exists()


def test_unwritable_output_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    providers = _providers(tmp_path, "http://127.0.0.1:9")
    result = _run("record", "--providers", str(providers), "--scenarios", str(FIXTURES),
                  "--out", str(blocker / "run"))
    _one_clean_line(result, str(blocker / "run"))


def test_existing_run_is_not_overwritten_and_resume_keeps_it(tmp_path: Path) -> None:
    scenarios = fixture_scenarios()
    with SimServer(profiles=profiles(p={}), scenarios=scenarios, time_scale=0) as sim:
        providers = _providers(tmp_path, sim.base_url)
        out = tmp_path / "run"
        first = _run("record", "--providers", str(providers), "--scenarios", str(FIXTURES), "--plain",
                     "--out", str(out))
        assert first.returncode == 0, first.stderr
        before = {p: p.read_bytes() for p in load_run(out).cassette_files()}
        again = _run("record", "--providers", str(providers), "--scenarios", str(FIXTURES), "--out", str(out))
        _one_clean_line(again, "--resume")
        resumed = _run("record", "--resume", str(out), "--plain")
        assert resumed.returncode == 0
    assert {p: p.read_bytes() for p in load_run(out).cassette_files()} == before


def test_bad_scenario_file_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\ncategory: single\ntools: []\nmessages: [{role: user, content: hi}]\n"
                   "expect: {calls: [{name: nope}]}\n")
    providers = _providers(tmp_path, "http://127.0.0.1:9")
    result = _run("record", "--providers", str(providers), "--scenarios", str(bad))
    _one_clean_line(result, str(bad), "expect.calls[0].name")


def test_dry_run_sends_nothing_and_prices_the_plan(tmp_path: Path) -> None:
    with SimServer(profiles=profiles(p={}), scenarios=fixture_scenarios(), time_scale=0) as sim:
        providers = _providers(tmp_path, sim.base_url, "price = { input_per_mtok = 1.0, output_per_mtok = 2.0 }")
        result = _run("record", "--providers", str(providers), "--scenarios", str(FIXTURES), "--repeat", "3",
                      "--dry-run", "--out", str(tmp_path / "run"))
        assert sim.counts().get("p", 0) == 0
    assert result.returncode == 0, result.stderr
    assert "estimated total: $" in result.stdout
    n = len(fixture_scenarios())
    assert f"p {3 * n:>8}".replace(" ", "") in result.stdout.replace(" ", "")
    assert not (tmp_path / "run").exists()


def test_ctrl_c_keeps_finished_samples_and_resume_completes(tmp_path: Path) -> None:
    import signal
    import time

    slow = {"ttft_ms": {"median": 100, "sigma": 0.0}}
    with SimServer(profiles=profiles(p=slow), scenarios=fixture_scenarios(), time_scale=1.0) as sim:
        providers = _providers(tmp_path, sim.base_url, "max_concurrency = 2")
        out = tmp_path / "run"
        proc = subprocess.Popen([sys.executable, "-m", "replaykit", "record", "--providers", str(providers),
                                 "--scenarios", str(FIXTURES), "--repeat", "10", "--plain", "--out", str(out)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        deadline = time.monotonic() + 30
        while not (out / "run.json").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.5)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
        assert proc.returncode == 130, stderr
        assert f"replaykit record --resume {out}" in stderr and "Traceback" not in stderr
        assert load_run(out).manifest["status"] == "interrupted"
        kept = {p: p.read_bytes() for p in load_run(out).cassette_files()}
        assert 0 < len(kept) < 10 * len(fixture_scenarios())
        resumed = _run("record", "--resume", str(out), "--plain")
        assert resumed.returncode == 0, resumed.stderr
    run = load_run(out)
    assert run.manifest["status"] == "complete"
    assert len(run.cassette_files()) == 10 * len(fixture_scenarios())
    assert all(path.read_bytes() == data for path, data in kept.items())
