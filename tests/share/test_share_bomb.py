"""10 GB decompression bombs: `replaykit unpack` refuses each within a second or so, in a subprocess whose
peak memory (getrusage's maxrss) stays under 200 MB, and writes nothing outside a temporary folder."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import orjson
import pytest
from bombs import GiB, zero_bomb

MAX_RSS_MB = 200

# Runs the real command line in a fresh interpreter and reports its own peak memory and time.
_PROBE = """
import resource, sys, time
import orjson
from replaykit.cli import main

started = time.monotonic()
try:
    main(sys.argv[1:], standalone_mode=False)
    code = 0
except SystemExit as stop:
    code = stop.code
seconds = time.monotonic() - started
# VmHWM is this process image's own peak; getrusage's maxrss survives exec, so after a fork from a large
# parent (pytest late in a long run) it would report the parent's size instead.
try:
    status = open("/proc/self/status").read()
    peak_mb = int(status.split("VmHWM:")[1].split()[0]) / 1024
except (OSError, IndexError, ValueError):
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
sys.stdout.write(orjson.dumps({"exit": code, "seconds": seconds, "peak_mb": peak_mb}).decode())
"""


@pytest.fixture(scope="module")
def bombs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bombs")
    started = time.monotonic()
    made = {
        # every member listed with its true size: the manifest alone gives it away
        "declared": zero_bomb(folder / "declared.tar.gz"),
        # the manifest lists 31 members (just under 2 GB) and every header agrees with it: only the inflating
        # shows the bomb
        "undeclared": zero_bomb(folder / "undeclared.tar.gz", declared=31),
        # one member of 10 GB
        "one member": zero_bomb(folder / "one.tar.gz", member_size=10 * GiB, declared=0),
    }
    assert time.monotonic() - started < 15
    return made


def _unpack_in_subprocess(pack: Path, out: Path) -> tuple[dict[str, Any], str]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run([sys.executable, "-c", _PROBE, "unpack", str(pack), "-o", str(out)],
                            capture_output=True, text=True, timeout=120, env=env, cwd=out.parent)
    return orjson.loads(result.stdout), result.stderr


@pytest.mark.parametrize("name,reason", [
    ("declared", "declares 10737418242 bytes, over the 2147483648-byte limit"),
    ("undeclared", "compression ratio over 200:1"),
    ("one member", "over the 67108864-byte limit"),
])
def test_a_10_gb_bomb_is_refused_within_200_mb(bombs: dict[str, Path], tmp_path: Path, name: str,
                                              reason: str) -> None:
    pack = bombs[name]
    assert pack.stat().st_size < 20 * 1024 * 1024  # ~10 MB of gzip for 10 GB of zeros
    work = tmp_path / "work"
    work.mkdir()
    outside_before = sorted(p.name for p in tmp_path.iterdir())
    report, stderr = _unpack_in_subprocess(pack, work / "out")
    print(f"{name}: {report}")  # shown with -s: the measured peak memory and time
    assert report["exit"] == 2 and reason in stderr, stderr
    assert stderr.count("\n") == 1 and "Traceback" not in stderr
    assert report["peak_mb"] < MAX_RSS_MB, report
    assert report["seconds"] < 30, report
    assert list(work.iterdir()) == []  # neither the target nor the staging folder is left
    assert sorted(p.name for p in tmp_path.iterdir()) == outside_before
