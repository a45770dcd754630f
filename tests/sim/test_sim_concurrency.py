"""500 streaming connections held open at once, and the stream timing seen by a real client."""

from __future__ import annotations

import asyncio
import statistics
from typing import Any

import httpx
import orjson
from sim_helpers import Wire, body_for, fetch, fixture_scenarios, ideal_profiles, intended_calls, run_all

from replaykit.sim import SimServer

SCENARIOS = fixture_scenarios()
WEATHER = SCENARIOS.get("fx.weather")
assert WEATHER is not None


def test_500_concurrent_streams_all_complete() -> None:
    # Slow streams (4 s each) so that all 500 are open at the same time.
    profiles = ideal_profiles(ttft_ms=2000, tps=6)
    bodies = [body_for(WEATHER, stream=True, seed=i) for i in range(500)]
    with SimServer(profiles, SCENARIOS, time_scale=1.0) as sim:
        wires = asyncio.run(run_all(sim.base_url + "/chat/completions", bodies, concurrency=500, timeout=60,
                                    clients=20))
        stats = sim.stats()
    assert [w.kind for w in wires] == ["answer"] * 500
    expected = intended_calls(WEATHER)
    assert all([(n, orjson.loads(a)) for n, a in w.calls or []] == expected for w in wires)
    assert stats["max_open_streams"] == 500 and stats["open_streams"] == 0


async def _timed(url: str, bodies: list[dict[str, Any]], concurrency: int) -> list[Wire]:
    """Warm `concurrency` keep-alive connections first, so connection set-up stays out of the timings."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    gate = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        async def one(body: dict[str, Any]) -> Wire:
            async with gate:
                return await fetch(client, url, body)
        await asyncio.gather(*(one({**b, "seed": -1 - i}) for i, b in enumerate(bodies[:concurrency])))
        return await asyncio.gather(*(one(b) for b in bodies))


def test_client_sees_the_drawn_ttft_and_throughput() -> None:
    unicode = SCENARIOS.get("fx.unicode")
    assert unicode is not None
    profiles = ideal_profiles(ttft_ms=300, tps=40, sigma=0.3)
    bodies = [body_for(unicode, stream=True, seed=i) for i in range(30)]
    bodies += [body_for(unicode, stream=False, seed=i) for i in range(10)]
    with SimServer(profiles, SCENARIOS, time_scale=1.0) as sim:
        wires = asyncio.run(_timed(sim.base_url + "/chat/completions", bodies, concurrency=10))
        by_id = {r["id"]: r for r in sim.ledger()}
    ttft_late, tps_ratios, json_late = [], [], []
    for wire in wires:
        record = by_id[wire.generation_id]
        assert wire.total is not None
        drawn_ttft, gen = record["ttft_ms"] / 1000, record["completion_tokens"] / record["tps"]
        if record["stream"]:
            assert wire.ttft is not None
            ttft_late.append(wire.ttft - drawn_ttft)
            tps_ratios.append(record["completion_tokens"] / (wire.total - wire.ttft) / record["tps"])
        else:
            json_late.append(wire.total - (drawn_ttft + gen))
    # Never early; late by less than a sixth of the median TTFT (event-loop scheduling on a busy machine).
    assert min(ttft_late) > -0.002 and statistics.median(ttft_late) < 0.05
    assert min(json_late) > -0.002 and statistics.median(json_late) < 0.05
    assert abs(statistics.median(tps_ratios) - 1) < 0.10
