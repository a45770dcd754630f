"""Issue 12 §6: bounded memory on any input. A 62 MB YAML cassette took 11 GB before the value limit refused
it; 60 MB of `[[],[],...]` JSON takes over a gigabyte once parsed. Sizes are checked before parsing and values
counted before (large JSON) or while (YAML) parsing: here each command runs as a real process on one hostile
file, and its peak resident memory stays under 512 MB."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from hostile import WEATHER, plant, small_run
from share_helpers import copy_run

PEAK_MB = 512
SECONDS = 120


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small_run(tmp_path_factory.mktemp("rec") / "run")


# The child reports its own high-water mark (VmHWM, of the memory map its exec created) as it exits: the
# kernel's ru_maxrss would also count the pages of the parent it was forked from (pytest, hundreds of MB).
_PROBE = """
import atexit, sys
def _report():
    with open("/proc/self/status") as status:
        hwm = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    sys.stderr.write(f"\\nVMHWM_KB {hwm}\\n")
atexit.register(_report)
from replaykit.cli import main
sys.argv = ["replaykit", *sys.argv[1:]]
main()
"""


def peak_of(*args: str) -> tuple[int, float, str]:
    """(exit code, peak RSS in MB, stderr) of `replaykit ARGS` run as a child process."""
    start = time.monotonic()
    result = subprocess.run([sys.executable, "-c", _PROBE, *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=SECONDS)
    assert time.monotonic() - start < SECONDS
    err, _, hwm = result.stderr.decode("utf-8", "replace").rpartition("VMHWM_KB ")
    assert "Traceback" not in err, err
    return result.returncode, int(hwm.split()[0]) / 1024, err


def _yaml_scalars(size: int) -> bytes:
    return b"interactions:\n" + b"- a\n" * (size // 4)


def _yaml_flow(size: int) -> bytes:
    return b"interactions: [" + b"[]," * (size // 3) + b"[]]\n"


def _yaml_aliases(_size: int) -> bytes:
    lines = [b"a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]".encode() for i in range(1, 10)]
    return b"\n".join([*lines, b"interactions: *a9"]) + b"\n"


def _json_lists(size: int) -> bytes:
    return b'{"interactions": [' + b"[]," * (size // 3) + b"[]]}"


def _json_body(size: int) -> bytes:
    body = "data: [" + "[]," * (size // 3) + "[]]\n\n"
    raw = {"version": 1, "interactions": [{"request": {"method": "POST", "uri": "http://x/v1/chat/completions",
                                                       "body": "{}", "headers": {}},
                                           "response": {"status": {"code": 200, "message": "OK"},
                                                        "headers": {"content-type": ["text/event-stream"]},
                                                        "body": {"string": body}}}]}
    return orjson.dumps(raw)


FILES: dict[str, tuple[Callable[[int], bytes], int, str]] = {
    "62 MB YAML (over the size limit)": (_yaml_scalars, 62_000_000, "over the"),
    "15 MB YAML of 3.7 million scalars": (_yaml_scalars, 15_000_000, "YAML values"),
    "15 MB YAML of 5 million empty lists": (_yaml_flow, 15_000_000, "YAML values"),
    "YAML alias bomb": (_yaml_aliases, 0, "alias bomb"),
    "60 MB JSON of 20 million empty lists": (_json_lists, 60_000_000, "values"),
}


@pytest.mark.parametrize("name", list(FILES))
def test_inspect_of_a_hostile_file_stays_under_the_memory_bound(tmp_path: Path, name: str) -> None:
    make, size, message = FILES[name]
    path = tmp_path / ("c.yaml" if "YAML" in name else "c.json")
    path.write_bytes(make(size))
    code, peak, err = peak_of("inspect", str(path))
    assert code == 2 and message in err, err
    assert peak < PEAK_MB, f"{name}: {peak:.0f} MB"


def test_a_body_of_twenty_million_values_is_a_malformed_attempt_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_bytes(_json_body(60_000_000))
    code, peak, _err = peak_of("inspect", str(path))
    assert code == 0
    assert peak < PEAK_MB, f"{peak:.0f} MB"


@pytest.mark.parametrize("name", ["15 MB YAML of 3.7 million scalars", "60 MB JSON of 20 million empty lists"])
@pytest.mark.parametrize("command", ["verify", "score", "merge"])
def test_run_commands_on_a_hostile_cassette_stay_under_the_memory_bound(recorded: Path, tmp_path: Path,
                                                                       name: str, command: str) -> None:
    run = copy_run(recorded, tmp_path / "run")
    make, size, _message = FILES[name]
    plant(run, WEATHER, make(size))
    extra = ["-o", str(tmp_path / "merged")] if command == "merge" else []
    code, peak, _err = peak_of(command, str(run), *extra)
    assert code in (0, 1, 2)
    assert peak < PEAK_MB, f"{command} on {name}: {peak:.0f} MB"


@pytest.mark.parametrize("stream", [True, False])
@pytest.mark.parametrize("command", ["verify", "score"])
def test_a_body_of_twenty_million_values_in_a_run_stays_under_the_memory_bound(recorded: Path, tmp_path: Path,
                                                                               stream: bool, command: str) -> None:
    run = copy_run(recorded, tmp_path / "run")
    data = _json_body(60_000_000)
    plant(run, WEATHER, data if stream else data.replace(b'"data: [', b'"[', 1))
    code, peak, err = peak_of(command, str(run))
    assert code in (0, 1), err
    assert peak < PEAK_MB, f"{command}: {peak:.0f} MB"

