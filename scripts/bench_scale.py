"""Scale: shard + merge, partial + combine, Parquet export and a pack, each timed against `score` of the same
data in one run, with the equality checks that make the comparison mean something.

1. Shards: a run recorded in 4 shards on the simulator and merged, vs the same run in one piece (time; scores
   equal with timing excluded).
2. The parse floor: reading every cassette and `orjson.loads` of it and of every SSE event's data, vs
   `score_runs(jobs=1)` of the same files (per-file CPU in µs beside the ratio).
3. Partial + combine of two halves vs one scoring (rates equal).
4. Parquet export vs score; `score run.tar.gz` (streamed) vs score of the folder.
5. The HTML report (drill-down included) vs score, both with their default workers: in this process
   (`collect` + `render` vs `score_runs`), and as a user runs them (`replaykit report -o x.html` vs
   `replaykit score`, one process each).
6. Peak RSS of `replaykit score -j 1` on the run (and, with --rss-attempts N[,M...], on hard-linked runs of N
   attempts: RSS should not grow with N; with --rss-spread N[,M...], on runs of N attempts whose copies start
   60 s apart, so that nearly every attempt has a (scenario, time bucket) cell of its own, as in a real run;
   the first of them also times `ProviderMetrics.result()`, the reduce that runs in the parent).

    python scripts/bench_scale.py [--attempts 50000] [--rss-attempts 100000,250000,1000000]
        [--rss-spread 100000,250000]

Last line: `RESULT shard_merge_equal=... score_vs_floor=... file_us=... floor_file_us=... combine_equal=...
export_vs_score=... pack_vs_score=... html_vs_score=... html_cli_vs_score_cli=... rss_mb=... rss_N_mb=...
rss_spread_N_mb=... result_ms=...`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import orjson
from bench_score import replicate, seed_run

from replaykit import RecordOptions, load_providers, load_scenarios, record
from replaykit.export import export_runs
from replaykit.packaged import packaged
from replaykit.report.html import render
from replaykit.report.samples import collect
from replaykit.score import score_runs
from replaykit.score.engine import open_runs, score_tally
from replaykit.score.partial import combine
from replaykit.share.merge import merge_runs
from replaykit.share.pack import pack_run
from replaykit.sim import SimServer

TIMING = ("latency", "ttft", "tps", "started_at", "percentiles")
# clustered by time block too (docs/metrics.md): their intervals depend on when attempts ran
TIME_CLUSTERED = {"error_rate", "availability", "success", "error_rates"}


def untimed(value: object, clustered: bool = False) -> object:
    if isinstance(value, dict):
        if clustered and "value" in value and "n" in value:
            return {"value": value["value"], "n": value["n"]}
        return {k: untimed(v, clustered or k in TIME_CLUSTERED) for k, v in value.items()
                if not any(t in k for t in TIMING)}
    if isinstance(value, list):
        return [untimed(v, clustered) for v in value]
    return value


def shards(root: Path) -> tuple[bool, float, float]:
    scenarios = [s for s in load_scenarios(packaged("scenarios")) if s.category != "multi_turn"]
    # clock-free profiles: a sample's outcome then depends on its request only, wherever it is recorded
    providers = [p for p in load_providers(packaged("providers/sim.toml"))
                 if p.name in ("sim-steady", "sim-quantized", "sim-textcalls")]
    opts = {"repeat": 2, "seed": 3, "max_retries": 2, "backoff_base": 0.0}
    with SimServer(profiles=packaged("providers/sim-profiles.toml"), scenarios=load_scenarios(packaged("scenarios")),
                   time_scale=0) as sim:
        live = [p.with_overrides(base_url=sim.base_url) for p in providers]
        start = time.perf_counter()
        record(scenarios, live, root / "whole", options=RecordOptions(**opts))
        whole_s = time.perf_counter() - start
        start = time.perf_counter()
        parts = [record(scenarios, live, root / f"shard{i}", options=RecordOptions(**opts, shard=(i, 4))).root
                 for i in range(1, 5)]
        merge_runs(parts, root / "merged")
        shard_s = time.perf_counter() - start
    a, b = score_runs([root / "whole"]).data, score_runs([root / "merged"]).data
    return untimed(a["providers"]) == untimed(b["providers"]), whole_s, shard_s


def parse_floor(run: Path) -> tuple[float, int]:
    """Read + orjson.loads of each cassette and of every SSE event's `data:` payload in it."""
    files = 0
    start = time.perf_counter()
    for folder, _dirs, names in os.walk(run / "cassettes"):
        for name in names:
            raw = orjson.loads(Path(folder, name).read_bytes())
            files += 1
            for inter in raw.get("interactions", []):
                body = inter["response"]["body"]["string"]
                if body.startswith("data:") or "\ndata:" in body:
                    for line in body.split("\n"):
                        if line.startswith("data:") and line[5:].strip() not in ("", "[DONE]"):
                            with contextlib.suppress(orjson.JSONDecodeError):
                                orjson.loads(line[5:])
                else:
                    with contextlib.suppress(orjson.JSONDecodeError):
                        orjson.loads(body)
    return time.perf_counter() - start, files


def html_report(run: Path, out: Path) -> None:
    result, samples = collect([run])
    out.write_text(render(result.data, samples), encoding="utf-8")


def timed_cli(*args: str) -> float:
    """Wall time of one `replaykit ...` process (import included, as a user waits for it)."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "replaykit", *args], check=True, capture_output=True)
    return time.perf_counter() - start


def best(fn: object, rounds: int = 3) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def side_by_side(a: Callable[[], object], b: Callable[[], object], rounds: int = 3) -> tuple[float, float]:
    """Each side's best of `rounds`, the two alternating: both see the same machine noise (its speed moves by
    half from minute to minute; one side measured after the other gave ratios 20% apart from run to run)."""
    best_a = best_b = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        a()
        best_a = min(best_a, time.perf_counter() - start)
        start = time.perf_counter()
        b()
        best_b = min(best_b, time.perf_counter() - start)
    return best_a, best_b


# Runs in a small fresh interpreter: RUSAGE_CHILDREN's ru_maxrss is then the peak of the `replaykit score`
# process it starts. Asked of this (large) process instead, it would carry this process's size over through
# fork + exec (Linux records the old image's high-water mark at exec).
_RSS_PROBE = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
              "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def peak_rss_mb(run: Path, jobs: int = 1) -> float:
    """Peak RSS (MB) of `replaykit score RUN -j JOBS --json` (ru_maxrss of the child; with workers, of the
    largest process)."""
    command = [sys.executable, "-m", "replaykit", "score", str(run), "-j", str(jobs), "--json"]
    out = subprocess.run([sys.executable, "-c", _RSS_PROBE, *command], check=True, capture_output=True, text=True)
    return int(out.stdout.strip()) / 1024


def hardlinked(run: Path, out: Path, attempts: int, have: int) -> Path:
    """`run` repeated as hard links (renumbered file names) until about `attempts` attempts."""
    copies = -(-attempts // have)
    out.mkdir()
    for name in ("run.json", "scenarios.json"):
        shutil.copy(run / name, out / name)
    for folder, _dirs, names in os.walk(run / "cassettes"):
        rel = Path(folder).relative_to(run)
        (out / rel).mkdir(parents=True, exist_ok=True)
        for name in names:
            for i in range(copies):
                os.link(Path(folder, name), out / rel / name.replace("--r", f"--c{i}r"))
    return out


def spread(run: Path, out: Path, attempts: int, offset_s: float = 60.0) -> int:
    """`run` copied until about `attempts` attempts, copy i with every attempt's `started_at` shifted by
    i × `offset_s`: as in a real run, attempts start at different times, so their (scenario, 0.1 s bucket)
    cells don't collapse as the hard links' do. Returns the attempts written."""
    files = [(path, orjson.loads(path.read_bytes())) for path in sorted((run / "cassettes").rglob("*.json"))]
    have = sum(len(data["replaykit"]["attempts"]) for _, data in files)
    out.mkdir()
    for name in ("run.json", "scenarios.json"):
        if (run / name).exists():
            shutil.copy(run / name, out / name)
    starts = [[a["timing"].get("started_at") for a in data["replaykit"]["attempts"]] for _, data in files]
    copies = -(-attempts // have)
    for i in range(copies):
        for (path, data), times in zip(files, starts):
            for attempt, start in zip(data["replaykit"]["attempts"], times):
                if start is not None:
                    attempt["timing"]["started_at"] = start + i * offset_s
            target = out / path.relative_to(run).parent / path.name.replace("--r", f"--c{i}r")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(orjson.dumps(data))
    return copies * have


def result_ms(run: Path) -> float:
    """The reduce of the metrics alone (`ProviderMetrics.result()` of every provider), best of 3, in ms."""
    tally = score_tally(open_runs([run]))
    return best(lambda: [m.result() for m in tally.providers.values()]) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--attempts", type=int, default=50_000)
    parser.add_argument("--rss-attempts", default="", help="Comma-separated sizes of hard-linked runs.")
    parser.add_argument("--rss-spread", default="", help="Comma-separated sizes of runs whose copies start "
                        "60 s apart (every attempt in a time cell of its own, as in a real run).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        equal_shards, whole_s, shard_s = shards(root)
        print(f"shards: one piece {whole_s:.2f} s, 4 shards + merge {shard_s:.2f} s, scores equal: {equal_shards}")
        run = root / "big"
        attempts = replicate(seed_run(root, "openai-chat"), run, args.attempts)
        _, files = parse_floor(run)  # a warm-up: both sides then read from the page cache
        score_runs([run], jobs=1)
        floor_s, score_s = side_by_side(lambda: parse_floor(run), lambda: score_runs([run], jobs=1), rounds=4)
        print(f"floor {floor_s:.2f} s, score -j 1 {score_s:.2f} s over {files} files / {attempts} attempts "
              f"({score_s / files * 1e6:.0f} µs a file, floor {floor_s / files * 1e6:.0f} µs)")
        halves = [root / "half0", root / "half1"]
        for i, half in enumerate(halves):
            shutil.copytree(run, half)
            for folder in sorted((half / "cassettes").iterdir())[i::2]:
                shutil.rmtree(folder)
            manifest = orjson.loads((half / "run.json").read_bytes())
            manifest["run_id"] = half.name
            (half / "run.json").write_bytes(orjson.dumps(manifest))
        for half in halves:
            subprocess.run([sys.executable, "-m", "replaykit", "score", str(half), "--partial",
                            str(half) + ".partial.json"], check=True, capture_output=True)
        combined = combine([str(h) + ".partial.json" for h in halves]).data
        one = score_runs(halves).data
        combine_equal = untimed(combined["providers"]) == untimed(one["providers"])
        export_s, export_score_s = side_by_side(
            lambda: export_runs([run], root / f"exp{time.perf_counter_ns()}"), lambda: score_runs([run], jobs=1))
        pack_run(run, root / "big.tar.gz", check=False)
        pack_s, pack_score_s = side_by_side(lambda: score_runs([root / "big.tar.gz"], jobs=1),
                                            lambda: score_runs([run], jobs=1))
        score_any_s, html_s = side_by_side(lambda: score_runs([run]),
                                           lambda: html_report(run, root / "report.html"), rounds=2)
        # as a user runs them: one process each, the terminal table vs the page
        cli_score_s, cli_html_s = side_by_side(lambda: timed_cli("score", str(run), "--plain"),
                                               lambda: timed_cli("report", str(run), "-o", str(root / "cli.html")),
                                               rounds=2)
        rss = peak_rss_mb(run)
        print(f"export {export_s:.2f} s vs score -j 1 {export_score_s:.2f} s, score of the pack {pack_s:.2f} s vs "
              f"{pack_score_s:.2f} s, HTML {html_s:.2f} s vs score "
              f"{score_any_s:.2f} s (default workers), `replaykit report -o x.html` {cli_html_s:.2f} s vs "
              f"`replaykit score` {cli_score_s:.2f} s, peak RSS {rss:.0f} MB")
        rss_big = ""
        for size in (int(n) for n in args.rss_attempts.split(",") if n):
            big = hardlinked(run, root / f"huge{size}", size, attempts)
            start = time.perf_counter()
            rss_big += f" rss_{size}_mb={peak_rss_mb(big):.0f}"
            print(f"{size} attempts (hard links): {rss_big.split('=')[-1]} MB, {time.perf_counter() - start:.0f} s",
                  flush=True)
            shutil.rmtree(big)
        for size in (int(n) for n in args.rss_spread.split(",") if n):
            big = root / f"spread{size}"
            spread(root / "seed", big, size)
            start = time.perf_counter()
            rss_big += f" rss_spread_{size}_mb={peak_rss_mb(big):.0f}"
            print(f"{size} attempts (copies 60 s apart): {rss_big.split('=')[-1]} MB, "
                  f"{time.perf_counter() - start:.0f} s", flush=True)
            if "result_ms" not in rss_big:
                rss_big += f" result_ms={result_ms(big):.0f}"
                print(f"ProviderMetrics.result() of every provider: {rss_big.split('=')[-1]} ms", flush=True)
            shutil.rmtree(big)
    print(f"RESULT shard_merge_equal={equal_shards} score_vs_floor={score_s / floor_s:.2f} "
          f"file_us={score_s / files * 1e6:.0f} floor_file_us={floor_s / files * 1e6:.0f} "
          f"combine_equal={combine_equal} export_vs_score={export_s / export_score_s:.2f} "
          f"pack_vs_score={pack_s / pack_score_s:.2f} html_vs_score={html_s / score_any_s:.2f} "
          f"html_cli_vs_score_cli={cli_html_s / cli_score_s:.2f} rss_mb={rss:.0f}{rss_big}")


if __name__ == "__main__":
    main()
