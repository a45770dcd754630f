"""Simulator throughput: requests/s with faults off and zero latency, JSON then SSE.

    python scripts/bench_sim.py [--requests N] [--concurrency C]

Starts `SimServer` (a faultless profile, time_scale=0) in a child process, fires N requests from a
concurrent async httpx client, checks every answer, prints a short table; the last line is machine-readable:
`RESULT sim_rps_json=<float> sim_rps_sse=<float>`. The server runs in its own process because a client in
the same process competes with it for the GIL (`--in-process` measures that setup, as the tests use it).
Client and server share the machine's cores, and httpx spends more CPU per request than the server, so
req/s is a floor for the server alone; the table also shows the server's own CPU time per request.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx

from replaykit.scenarios import ScenarioSet, load_scenarios
from replaykit.sim import SimServer, parse_profiles

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "scenarios"


def _profiles() -> Any:
    return parse_profiles({"profiles": {"bench": {"display_name": "Bench", "ttft_ms": {"median": 1},
                                                  "tps": {"median": 1000}}}}, "<bench>")


def _bodies(scenarios: ScenarioSet, n: int, stream: bool) -> list[dict[str, Any]]:
    usable = [s for s in scenarios if s.category != "multi_turn"]
    out = []
    for i in range(n):
        s = usable[i % len(usable)]
        body: dict[str, Any] = {"model": "qwen/qwen3-coder", "messages": list(s.messages),
                                "tools": list(s.tools), "seed": i}
        if stream:
            body.update(stream=True, stream_options={"include_usage": True})
        out.append(body)
    return out


async def _fire(url: str, bodies: list[dict[str, Any]], concurrency: int) -> tuple[float, int]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    gate = asyncio.Semaphore(concurrency)
    failures = 0
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        async def one(body: dict[str, Any]) -> None:
            nonlocal failures
            async with gate:
                response = await client.post(url, json=body)
                ok = response.status_code == 200 and (b"[DONE]" in response.content if body.get("stream")
                                                      else b'"choices"' in response.content)
                failures += not ok
        start = time.perf_counter()
        await asyncio.gather(*(one(b) for b in bodies))
        return time.perf_counter() - start, failures


def _serve(conn: Connection, scenarios: str) -> None:
    """The child process: serve, report its CPU time when asked, until the parent says stop."""
    with SimServer(_profiles(), load_scenarios(scenarios), seed=0, time_scale=0) as sim:
        conn.send(sim.base_url)
        while conn.recv() == "cpu":
            conn.send(time.process_time())


@contextmanager
def _server(scenarios: str, in_process: bool) -> Iterator[tuple[str, Callable[[], float | None]]]:
    """The base URL, and a function giving the server process's CPU seconds (None when in-process)."""
    if in_process:
        with SimServer(_profiles(), load_scenarios(scenarios), seed=0, time_scale=0) as sim:
            yield sim.base_url, lambda: None
        return
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    process = ctx.Process(target=_serve, args=(child, scenarios), daemon=True)
    process.start()

    def cpu() -> float | None:
        parent.send("cpu")
        return float(parent.recv())
    try:
        yield parent.recv(), cpu
    finally:
        parent.send("stop")
        process.join(timeout=20)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--scenarios", default=str(FIXTURES))
    parser.add_argument("--in-process", action="store_true", help="Run the server in this process.")
    args = parser.parse_args()
    scenarios = load_scenarios(args.scenarios)
    results: dict[str, tuple[float, float, float | None]] = {}
    with _server(args.scenarios, args.in_process) as (base_url, cpu):
        url = base_url + "/chat/completions"
        asyncio.run(_fire(url, _bodies(scenarios, 200, False), args.concurrency))  # warm-up
        for label, stream in (("json", False), ("sse", True)):
            before = cpu()
            elapsed, failures = asyncio.run(_fire(url, _bodies(scenarios, args.requests, stream),
                                                  args.concurrency))
            after = cpu()
            if failures:
                print(f"{label}: {failures} failed requests", file=sys.stderr)
                return 1
            cpu_ms = None if before is None or after is None else (after - before) / args.requests * 1000
            results[label] = (args.requests / elapsed, elapsed, cpu_ms)
    where = "in-process" if args.in_process else "server in a child process"
    print(f"{'mode':<6}{'requests':>10}{'seconds':>10}{'req/s':>10}{'server CPU ms/req':>20}"
          f"   (concurrency {args.concurrency}, {where})")
    for label, (rps, elapsed, cpu_ms) in results.items():
        shown = "-" if cpu_ms is None else f"{cpu_ms:.2f} (~{1000 / cpu_ms:.0f}/s/core)"
        print(f"{label:<6}{args.requests:>10}{elapsed:>10.2f}{rps:>10.0f}{shown:>20}")
    print(f"RESULT sim_rps_json={results['json'][0]:.1f} sim_rps_sse={results['sse'][0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
