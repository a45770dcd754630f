"""Scoring speed and memory on a generated run, against a bare `orjson.loads` of the same files.

1. Records a seed run from the simulator (every profile, stream and non-stream, faults on; with `--api mixed`,
   the default, the providers take the four wire dialects in turn: docs/dialects.md), then replicates
   its cassettes (as further repetitions) into a run of >= 50,000 attempts.
2. Times (a) reading + `orjson.loads` of every cassette file and (b) `replaykit score RUN --json`, the
   command as a user runs it (a fresh process: start-up, imports and output included); also `score_runs`
   called in this process, for reference. Each side's best of five, alternating (both see the same noise).
3. Peak RSS of scoring 200,000 vs 50,000 attempts (the big run is the small one four times over, as
   hard links, so it costs no disk), each in a fresh single-process scorer.
4. The checker alone on decoded calls.

Last line: `RESULT score_vs_parse=... rss_ratio=... checks_per_s=...`.

    python scripts/bench_score.py [--attempts 50000] [--keep DIR] [--api mixed|openai-chat|...]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

from replaykit import RecordOptions, load_providers, load_scenarios, record, score_runs
from replaykit.cassettes.run import load_run
from replaykit.normalize import Call
from replaykit.packaged import packaged
from replaykit.providers.config import APIS
from replaykit.score.checker import check_step
from replaykit.sim import SimServer

REPO = Path(__file__).resolve().parents[1]


def seed_run(root: Path, api: str) -> Path:
    scenarios = load_scenarios(packaged("scenarios"))
    providers = list(load_providers(packaged("providers/sim.toml")))
    apis = list(APIS) if api == "mixed" else [api]
    with SimServer(profiles=packaged("providers/sim-profiles.toml"), scenarios=scenarios, seed=0,
                   time_scale=0) as sim:
        bases = {a: f"{sim.url}/v1beta" if a == "gemini" else sim.base_url for a in apis}
        live = [p.with_overrides(base_url=bases[apis[i % len(apis)]], api=apis[i % len(apis)],
                                 stream=(i // len(apis)) % 2 == 0, timeout=5.0)
                for i, p in enumerate(providers)]
        record(list(scenarios), live, root / "seed", options=RecordOptions(max_retries=2, backoff_base=0.0))
    return root / "seed"


def replicate(seed: Path, out: Path, attempts: int) -> int:
    """Copies of the seed's cassettes as further repetitions, until `attempts` attempts are on disk."""
    files = [(p, orjson.loads(p.read_bytes())) for p in load_run(seed).cassette_files()]
    out.mkdir(parents=True)
    shutil.copy(seed / "run.json", out / "run.json")
    shutil.copy(seed / "scenarios.json", out / "scenarios.json")
    total, rep = 0, 0
    while total < attempts:
        for path, data in files:
            data["replaykit"]["sample"]["repetition"] = rep
            target = out / path.relative_to(seed).parent / path.name.replace("--r0.json", f"--r{rep}.json")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2))
            total += len(data["replaykit"]["attempts"])
        rep += 1
    manifest = orjson.loads((out / "run.json").read_bytes())
    manifest["cassettes"] = {}  # scoring does not need the hashes; verify would
    (out / "run.json").write_bytes(orjson.dumps(manifest))
    return total


def bare_parse(run: Path) -> float:
    start = time.perf_counter()
    for path in sorted((run / "cassettes").rglob("*.json")):
        orjson.loads(path.read_bytes())
    return time.perf_counter() - start


def score_command(run: Path, files: int) -> float:
    """`replaykit score RUN --json` in a fresh process, timed from its start to its exit."""
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "replaykit", "score", str(run), "--json"], check=True,
                         capture_output=True)
    elapsed = time.perf_counter() - start
    assert orjson.loads(out.stdout)["run"]["samples"] == files
    return elapsed


def peak_rss_mb(runs: list[Path]) -> float:
    # VmHWM: the scoring process's own peak, workers included below; getrusage's maxrss would carry over
    # this (large) parent's size through fork + exec.
    code = ("import sys; from replaykit import score_runs; score_runs(sys.argv[1:], jobs=1); "
            "print(open('/proc/self/status').read().split('VmHWM:')[1].split()[0])")
    out = subprocess.run([sys.executable, "-c", code, *map(str, runs)], check=True, capture_output=True, text=True)
    return int(out.stdout.strip()) / 1024


def checks_per_second(n: int = 200_000) -> float:
    scenarios = [s for s in load_scenarios(packaged("scenarios")) if s.category != "multi_turn"]
    cases = []
    for s in scenarios:
        calls = [Call(c.name, "", c.args.example(s.tool_schema(c.name))) for c in s.expect.calls]
        cases.append((s.expect, calls, s.offered))
    checks = sum(len(c[1]) or 1 for c in cases)
    rounds = max(1, n // checks)
    start = time.perf_counter()
    for _ in range(rounds):
        for expect, calls, names in cases:
            check_step(expect, calls, names)
    return rounds * checks / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--attempts", type=int, default=50_000)
    parser.add_argument("--keep", type=Path, help="Keep the generated runs here.")
    parser.add_argument("--api", choices=[*APIS, "mixed"], default="mixed", help="The seed run's dialects.")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-score-"))
    try:
        small = root / "small"
        big = [small] + [root / f"copy{i}" for i in range(3)]
        if not small.exists():  # --keep DIR from an earlier run is reused
            replicate(seed_run(root, args.api), small, args.attempts)
            for copy in big[1:]:
                subprocess.run(["cp", "-al", str(small), str(copy)], check=True)  # hard links: no disk
        attempts = sum(len(orjson.loads(p.read_bytes())["replaykit"]["attempts"])
                       for p in (small / "cassettes").rglob("*.json"))
        files = sum(1 for _ in (small / "cassettes").rglob("*.json"))
        parse_s = score_s = api_s = float("inf")
        for _ in range(5):  # alternate, keep each side's best: both see the same machine noise
            parse_s = min(parse_s, bare_parse(small))
            score_s = min(score_s, score_command(small, files))
            start = time.perf_counter()
            result = score_runs([small])
            api_s = min(api_s, time.perf_counter() - start)
        assert result.scored == files
        rss_small, rss_big = peak_rss_mb([small]), peak_rss_mb(big)
        cps = checks_per_second()
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    print(f"run: {attempts} attempts in {files} cassettes")
    print(f"(a) read + orjson.loads: {parse_s:.2f} s   (b) replaykit score: {score_s:.2f} s   "
          f"ratio {score_s / parse_s:.2f}   (score_runs in this process: {api_s:.2f} s, {api_s / parse_s:.2f}x)")
    print(f"peak RSS: {rss_small:.0f} MB for {attempts} attempts, {rss_big:.0f} MB for {4 * attempts}")
    print(f"checker: {cps:,.0f} call checks/s")
    print(f"RESULT score_vs_parse={score_s / parse_s:.3f} rss_ratio={rss_big / rss_small:.3f} "
          f"checks_per_s={cps:.0f}")


if __name__ == "__main__":
    main()
