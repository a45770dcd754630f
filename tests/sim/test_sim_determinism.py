"""Same seed + same requests = same answers, whatever the arrival order and concurrency."""

from __future__ import annotations

import asyncio
import random
import re
from typing import Any

from sim_helpers import Wire, body_for, fixture_scenarios, run_all

from replaykit.sim import SimServer, parse_profiles

SCENARIOS = fixture_scenarios()
# Every request-decided effect at once (no wall-clock effects: those depend on arrival time by design).
PROFILES = parse_profiles({"profiles": {"mixed": {
    "display_name": "Mixed", "ttft_ms": {"median": 300, "sigma": 0.5}, "effects": {
    "server_error": 0.05, "rate_limited": 0.05, "timeout": 0.05, "malformed_body": 0.05, "stream_cut": 0.05,
    "stream_error": 0.05, "text_tool_call_xml": 0.1, "text_tool_call_hermes": 0.1, "wrong_type": 0.2,
    "invalid_json_args": 0.2, "drop_optional": 0.2, "unknown_tool": 0.2, "missing_call": 0.2,
    "extra_call": 0.2, "empty_tool_calls": 0.05}}}})


def _bodies() -> list[dict[str, Any]]:
    bodies = []
    for i, scenario in enumerate(list(SCENARIOS) * 12):
        mode = "prompt" if i % 5 == 4 else "native"
        bodies.append(body_for(scenario, stream=i % 2 == 0, seed=i, mode=mode))
    # Identical requests too: they differ by their repetition ordinal only.
    bodies += [body_for(SCENARIOS.scenarios[0], stream=True) for _ in range(6)]
    return bodies


def _normalise(wire: Wire) -> tuple[Any, ...]:
    # `created` is the wall clock; everything else must match byte for byte.
    body = re.sub(rb'"created":\d+', b'"created":0', wire.body)
    return wire.status, wire.kind, body, wire.headers.get("retry-after")


def _run(order: list[int], concurrency: int, seed: int) -> tuple[dict[int, tuple[Any, ...]], list[Any]]:
    bodies = _bodies()
    with SimServer(PROFILES, SCENARIOS, seed=seed, time_scale=0) as sim:
        wires = asyncio.run(run_all(sim.base_url + "/chat/completions", [bodies[i] for i in order],
                                    concurrency=concurrency))
        ledger = sorted((r["id"], r["ordinal"], tuple(r["faults"]), r["ttft_ms"]) for r in sim.ledger())
    return {i: _normalise(w) for i, w in zip(order, wires, strict=True)}, ledger


def test_same_seed_same_answers_under_any_order_and_concurrency() -> None:
    n = len(_bodies())
    shuffled = list(range(n))
    random.Random(1).shuffle(shuffled)
    first, ledger1 = _run(list(range(n)), 1, seed=11)
    second, ledger2 = _run(shuffled, 24, seed=11)
    same_body = list(range(n - 6, n))
    for i in range(n - 6):
        assert first[i] == second[i], i
    # Identical requests: the same multiset of answers (which one a connection gets follows arrival order).
    assert sorted(first[i] for i in same_body) == sorted(second[i] for i in same_body)
    assert len({first[i] for i in same_body}) > 1
    assert ledger1 == ledger2
    assert len({f for _, _, faults, _ in ledger1 for f in faults}) >= 10  # the faults were really exercised


def test_another_seed_gives_other_decisions() -> None:
    n = len(_bodies())
    _, ledger1 = _run(list(range(n)), 8, seed=11)
    _, ledger2 = _run(list(range(n)), 8, seed=12)
    assert [faults for _, _, faults, _ in ledger1] != [faults for _, _, faults, _ in ledger2]


def test_a_request_with_a_seed_field_repeats_its_answer() -> None:
    # OpenAI's seed semantics: a resumed run that re-sends an attempt gets the same answer back.
    bodies = [body_for(scenario, stream=True, seed=99) for scenario in SCENARIOS for _ in range(4)]
    with SimServer(PROFILES, SCENARIOS, seed=3, time_scale=0) as sim:
        wires = asyncio.run(run_all(sim.base_url + "/chat/completions", bodies, concurrency=4))
        assert [r["ordinal"] for r in sim.ledger()[:4]] == [0, 1, 2, 3]
    for i in range(0, len(wires), 4):
        assert len({_normalise(w) for w in wires[i:i + 4]}) == 1
