"""A longer run of the hostile-input fuzz (tests/share/test_hostile_fuzz.py runs a bounded part in CI).

Records a small run from the simulator, then puts seeded mutations of its cassettes through verify, score,
inspect and report (every tenth through merge and pack too), and seeded mutations of its pack (flipped and cut
bytes, hostile pax and GNU.sparse headers) through unpack. Every command runs in this process; a command that
raises, prints a traceback, or exits other than 0, 1 or 2 is a failure, listed with its seed to reproduce.
Then the hostile files of issue 12 §6 go to `inspect` as real processes, with their peak resident memory.

Last line: `RESULT inputs=... commands=... tracebacks=... slowest_s=... peak_mb=...`.

    python scripts/fuzz_hostile.py [--runs 1000] [--packs 3000] [--seed 1] [--keep DIR]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "tests"), str(REPO / "tests" / "share")]

from hostile import fuzz_packs, fuzz_runs, small_run  # noqa: E402
from test_hostile_memory import FILES, _json_body, peak_of  # noqa: E402

from replaykit.share.pack import pack_run  # noqa: E402


def _memory(work: Path) -> float:
    """`inspect` of each hostile file of §6 as a real process; the highest peak RSS in MB."""
    cases: dict[str, tuple[Callable[[int], bytes], int]] = {name: (make, size)
                                                           for name, (make, size, _message) in FILES.items()}
    cases["cassette whose body holds 20 million values"] = (_json_body, 60_000_000)
    peak = 0.0
    for name, (make, size) in cases.items():
        path = work / ("m.yaml" if "YAML" in name else "m.json")
        path.write_bytes(make(size))
        code, mb, _err = peak_of("inspect", str(path))
        path.unlink()
        peak = max(peak, mb)
        print(f"memory: inspect of {name}: exit {code}, peak {mb:.0f} MB", flush=True)
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000, help="mutated cassettes")
    parser.add_argument("--packs", type=int, default=3000, help="mutated packs")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="replaykit-fuzz-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        peak = _memory(work)
        base = small_run(work / "base")
        pack_run(base, work / "base.tar.gz")
        start = time.monotonic()
        runs = fuzz_runs(base, work, args.runs, args.seed)
        print(f"runs: {runs.inputs} mutated cassettes, {runs.commands} commands, {len(runs.failures)} failures, "
              f"slowest {runs.slowest:.2f} s ({time.monotonic() - start:.0f} s)", flush=True)
        start = time.monotonic()
        packs = fuzz_packs((work / "base.tar.gz").read_bytes(), work, args.packs, args.seed)
        print(f"packs: {packs.inputs} mutated packs, {packs.commands} commands, {len(packs.failures)} failures, "
              f"slowest {packs.slowest:.2f} s ({time.monotonic() - start:.0f} s)", flush=True)
        for failure in runs.failures + packs.failures:
            print("FAILURE", failure)
        failures = len(runs.failures) + len(packs.failures)
        print(f"RESULT inputs={runs.inputs + packs.inputs} commands={runs.commands + packs.commands} "
              f"tracebacks={failures} slowest_s={max(runs.slowest, packs.slowest):.2f} peak_mb={peak:.0f}")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
