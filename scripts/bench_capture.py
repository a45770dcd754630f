"""What the capture proxy costs an agent: added time to first token, and throughput kept.

The simulator (its own process, realistic timing: TTFT ~120 ms, 400 tokens/s) plays the provider; the proxy
(`replaykit capture`, its own process) records into a temporary run. The client sends the same streaming
requests directly and through the proxy, alternating, and measures the time to the first content event.
Throughput: the same batch at `--concurrency`, both ways, best of three rounds each.

    python scripts/bench_capture.py [--requests 200] [--concurrency 8]

Last line: `RESULT capture_ttft_overhead_ms=<median added TTFT> capture_vs_direct=<throughput ratio>`.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from bench_record import free_port, wait_up

from replaykit import load_scenarios
from replaykit.packaged import packaged

REPO = Path(__file__).resolve().parents[1]
PROFILE = """[profiles.bench]
display_name = "Bench"
ttft_ms = { median = 120, sigma = 0 }
tps = { median = 400, sigma = 0 }
"""


def start(args: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "replaykit", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


async def first_token_ms(client: httpx.AsyncClient, url: str, body: dict[str, object]) -> float:
    start, first = time.perf_counter(), None
    async with client.stream("POST", url, json=body) as response:
        async for line in response.aiter_lines():
            if first is None and ('"content"' in line or '"tool_calls"' in line):
                first = (time.perf_counter() - start) * 1000
    if first is None:
        raise RuntimeError("no content event")
    return first


async def batch(url: str, bodies: list[dict[str, object]], concurrency: int) -> float:
    queue = list(bodies)
    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=concurrency + 4)) as client:

        async def worker() -> None:
            while queue:
                body = queue.pop()
                async with client.stream("POST", url, json=body) as response:
                    async for _ in response.aiter_raw():
                        pass

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - start


async def measure(direct: str, proxied: str, bodies: list[dict[str, object]], concurrency: int
                  ) -> tuple[list[float], list[float], float, float]:
    async with httpx.AsyncClient(timeout=60) as client:
        for url in (direct, proxied):  # warm up both paths
            await first_token_ms(client, url, bodies[0])
        direct_ms, proxied_ms = [], []
        for body in bodies:
            direct_ms.append(await first_token_ms(client, direct, body))
            proxied_ms.append(await first_token_ms(client, proxied, body))
    direct_s = proxied_s = float("inf")
    for _ in range(3):
        direct_s = min(direct_s, await batch(direct, bodies, concurrency))
        proxied_s = min(proxied_s, await batch(proxied, bodies, concurrency))
    return direct_ms, proxied_ms, direct_s, proxied_s


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    scenarios = [s for s in load_scenarios(packaged("scenarios")) if s.category != "multi_turn"]
    cycle = scenarios * (args.requests // len(scenarios) + 1)
    bodies: list[dict[str, object]] = [
        {"model": "m", "messages": list(s.messages), "tools": list(s.tools), "stream": True,
         "provider": {"only": ["bench"]}, "seed": i} for i, s in enumerate(cycle[:args.requests])]
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        (tmp / "profiles.toml").write_text(PROFILE)
        sim_port, proxy_port = free_port(), free_port()
        (tmp / "providers.toml").write_text(f'[defaults]\nbase_url = "http://127.0.0.1:{sim_port}/api/v1"\n'
                                            'model = "m"\n[providers.bench]\nrouting = { only = ["bench"] }\n')
        procs = [start(["sim", "serve", "--port", str(sim_port), "--profiles", str(tmp / "profiles.toml"),
                        "--scenarios", str(packaged("scenarios"))]),
                 start(["capture", "--providers", str(tmp / "providers.toml"), "--provider", "bench",
                        "--out", str(tmp / "run"), "--port", str(proxy_port)])]
        try:
            wait_up(f"http://127.0.0.1:{sim_port}/v1/models")
            wait_up(f"http://127.0.0.1:{proxy_port}/v1/models")
            direct_ms, proxied_ms, direct_s, proxied_s = asyncio.run(measure(
                f"http://127.0.0.1:{sim_port}/api/v1/chat/completions",
                f"http://127.0.0.1:{proxy_port}/v1/chat/completions", bodies, args.concurrency))
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait(15)
        captured = sum(1 for _ in (tmp / "run" / "cassettes").rglob("*.json"))
    overhead = statistics.median(p - d for p, d in zip(proxied_ms, direct_ms, strict=True))
    print(f"{'path':<8} {'median TTFT ms':>15} {'batch s':>8} {'req/s':>8}")
    print(f"{'direct':<8} {statistics.median(direct_ms):>15.1f} {direct_s:>8.2f} {len(bodies) / direct_s:>8.1f}")
    print(f"{'proxy':<8} {statistics.median(proxied_ms):>15.1f} {proxied_s:>8.2f} {len(bodies) / proxied_s:>8.1f}")
    print(f"captured {captured} cassettes (warm-up, TTFT pass and three batches)")
    print(f"RESULT capture_ttft_overhead_ms={overhead:.2f} capture_vs_direct={direct_s / proxied_s:.3f}")


if __name__ == "__main__":
    main()
