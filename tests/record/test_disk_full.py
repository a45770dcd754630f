"""A disk that fills up while recording (a real, small tmpfs): one line naming the file and the space, exit 2,
nothing recorded lost, run.json listing exactly what is on disk (so `verify` passes), and `--resume` finishing
the run once there is space again."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from record_helpers import FIXTURES, fixture_scenarios, profiles, provider_file

from replaykit import load_run
from replaykit.recorder.diskspace import RESERVE_NAME
from replaykit.sim import SimServer


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "replaykit", *args], capture_output=True, text=True, timeout=180,
                          env=dict(os.environ))


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    disk = tmp_path / "disk"
    disk.mkdir()
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def test_a_full_disk_keeps_what_was_recorded_and_resume_finishes(tmp_path: Path, small_disk: Path) -> None:
    n = len(fixture_scenarios())
    with SimServer(profiles=profiles(p={}), scenarios=fixture_scenarios(), time_scale=0) as sim:
        providers = provider_file(tmp_path / "providers.toml", sim.base_url, "max_concurrency = 4")
        out = small_disk / "run"
        result = _run("record", "--providers", str(providers), "--scenarios", str(FIXTURES), "--repeat", "40",
                      "--plain", "--out", str(out))
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert len(errors) == 1, result.stderr
        assert "disk full: could not write" in errors[0] and str(out / "cassettes" / "p") in errors[0]
        assert "kB" in errors[0] or "MB" in errors[0]
        assert f"replaykit record --resume {out}" in errors[0]

        run = load_run(out)
        assert run.manifest["status"] == "interrupted"
        on_disk = {p.relative_to(out).as_posix() for p in run.cassette_files()}
        assert 0 < len(on_disk) < 40 * n
        assert set(run.manifest["cassettes"]) == on_disk  # run.json lists exactly what is on disk
        assert not (out / RESERVE_NAME).exists()
        assert not [p for p in out.rglob("*.tmp")]
        verified = _run("verify", str(out))
        assert verified.returncode == 0, verified.stdout + verified.stderr
        kept = {p: p.read_bytes() for p in run.cassette_files()}

        subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True)
        resumed = _run("record", "--resume", str(out), "--plain")
        assert resumed.returncode == 0, resumed.stderr
    run = load_run(out)
    assert run.manifest["status"] == "complete" and len(run.cassette_files()) == 40 * n
    assert all(path.read_bytes() == data for path, data in kept.items())
    assert _run("verify", str(out)).returncode == 0


def test_other_commands_on_a_full_disk_say_one_line(tmp_path: Path, small_disk: Path) -> None:
    with SimServer(profiles=profiles(p={}), scenarios=fixture_scenarios(), time_scale=0) as sim:
        providers = provider_file(tmp_path / "providers.toml", sim.base_url)
        run = tmp_path / "run"
        recorded = _run("record", "--providers", str(providers), "--scenarios", str(FIXTURES), "--repeat", "30",
                        "--plain", "--out", str(run))
        assert recorded.returncode == 0, recorded.stderr
    packed = _run("pack", str(run), "-o", str(tmp_path / "run.tar.gz"))
    assert packed.returncode == 0, packed.stderr
    for args in (("unpack", str(tmp_path / "run.tar.gz"), "-o", str(small_disk / "unpacked")),
                 ("merge", str(run), "-o", str(small_disk / "merged"))):
        result = _run(*args)
        assert result.returncode == 2, (args, result.stderr)
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and "Traceback" not in result.stderr, (args, result.stderr)
        assert "disk full" in lines[0] or "No space left" in lines[0], lines[0]
