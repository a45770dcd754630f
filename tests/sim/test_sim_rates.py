"""Every shipped profile, 2,000 requests over loopback: what the wire shows agrees with the simulator's
ledger request by request, and every effect's rate lies in the 99% binomial interval of its configured rate.
"""

from __future__ import annotations

import asyncio
import statistics
from typing import Any

import orjson
import pytest
from sim_helpers import (
    PROFILES,
    Wire,
    binomial_interval,
    body_for,
    fixture_scenarios,
    intended_calls,
    prompt_calls,
    run_all,
)

from replaykit.scenarios import Scenario
from replaykit.sim import SimServer, load_profiles
from replaykit.sim.profiles import ARG_FAULTS, HTTP_FAULTS, TEXT_FAULTS, Profile

N = 2000
CONCURRENCY = 8  # httpx's async pool costs more CPU per request with many connections
SCENARIOS = fixture_scenarios()
COMBOS = [(s, step) for s in SCENARIOS for step in range(len(s.steps))]
CLOCK_FAULTS = {"rate_limit", "downtime", "server_error_burst"}
EXPECTED_STATUS = {"rate_limited": {429}, "rate_limit": {429}, "server_error": {500, 502, 503},
                   "server_error_burst": {500, 502, 503}, "downtime": {503}, "timeout": {408}}
EXPECTED_KIND = {"malformed_body": "malformed", "stream_cut": "cut", "stream_error": "stream_error"}
ALL_PROFILES = load_profiles(PROFILES)


class StepClock:
    """Simulated time advancing a fixed step per request, so clock effects spread evenly."""

    def __init__(self, step: float) -> None:
        self.step, self.now = step, 0.0

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def _plan(profile: str) -> list[tuple[Scenario, int, str, dict[str, Any]]]:
    plan = []
    for i in range(N):
        scenario, step = COMBOS[i % len(COMBOS)]
        mode = "prompt" if i % 4 == 3 else "native"
        thinks = ALL_PROFILES.find(profile).thinks  # type: ignore[union-attr]
        body = body_for(scenario, mode=mode, stream=i % 2 == 0, step=step, profile=profile, seed=i, reasoning=thinks)
        plan.append((scenario, step, mode, body))
    return plan


def _check_wire(wire: Wire, record: dict[str, Any]) -> None:
    http = [f for f in record["faults"] if f in EXPECTED_STATUS or f in EXPECTED_KIND]
    assert len(http) <= 1, record
    if http and http[0] in EXPECTED_STATUS:
        assert wire.kind == "http_error" and wire.status in EXPECTED_STATUS[http[0]], (wire.status, record)
        body = orjson.loads(wire.body)
        assert body["error"]["code"] == wire.status
        assert body["error"]["metadata"]["provider_name"] == ALL_PROFILES.find(record["profile"]).display_name
        if wire.status == 429:
            assert float(wire.headers["retry-after"]) >= 0
    elif http:
        assert wire.status == 200 and wire.kind == EXPECTED_KIND[http[0]], (wire.kind, record)
    else:
        assert wire.status == 200 and wire.kind == "answer", (wire.kind, wire.body[:300], record)


def _returned(wire: Wire, mode: str) -> list[tuple[str, str]]:
    return wire.calls or [] if mode == "native" else prompt_calls(wire.content)


def _parse(raw: str) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None


def _check_answer(wire: Wire, record: dict[str, Any], scenario: Scenario, step: int, mode: str) -> None:
    faults = set(record["faults"])
    intended = intended_calls(scenario, step)
    if not faults:
        if not intended:
            assert wire.calls is None and wire.content and wire.finish_reason == "stop"
        else:
            parsed = [(n, _parse(a)) for n, a in _returned(wire, mode)]
            assert parsed == intended, (parsed, intended, record)
            assert wire.finish_reason == ("tool_calls" if mode == "native" else "stop")
        return
    if faults & set(TEXT_FAULTS):
        assert wire.calls is None and wire.finish_reason == "stop"
        if "text_tool_call_xml" in faults:
            assert all(f"<function={n}>" in wire.content for n, _ in intended)
        else:
            assert [(n, _parse(a)) for n, a in prompt_calls(wire.content)] == intended
        return
    if "empty_tool_calls" in faults:
        assert wire.calls == [] and wire.finish_reason == "tool_calls"
        return
    _check_arg_faults(_returned(wire, mode), faults, intended, scenario)


def _check_arg_faults(returned: list[tuple[str, str]], faults: set[str], intended: list[tuple[str, Any]],
                      scenario: Scenario) -> None:
    extra = "extra_call" in faults
    assert len(returned) == len(intended) - ("missing_call" in faults) + extra
    offered = set(scenario.tool_names)
    assert ("unknown_tool" in faults) == any(n not in offered for n, _ in returned)
    parsed = [_parse(a) for _, a in returned]
    assert ("invalid_json_args" in faults) == any(p is None for p in parsed)
    base = [p for p in parsed[: len(parsed) - extra] if isinstance(p, dict)]
    numeric = {k for _, args in intended for k, v in args.items() if not isinstance(v, str)}
    stringified = any(isinstance(v, str) and k in numeric for p in base for k, v in p.items())
    if "invalid_json_args" not in faults or len(returned) > 1 + extra:
        assert ("wrong_type" in faults) == stringified, (returned, faults)
    if "drop_optional" in faults:
        required = {k for n, _ in intended for k in scenario.tool_schema(n).get("required", [])}
        assert all(set(p) <= required for p in base)


def _eligible(record: dict[str, Any], effect: str) -> bool:
    faults = set(record["faults"])
    if effect in HTTP_FAULTS:
        return not faults & CLOCK_FAULTS
    if faults & (CLOCK_FAULTS | set(HTTP_FAULTS)) or record["calls"] == 0:
        return False
    if effect in TEXT_FAULTS:
        return record["mode"] == "native"
    if faults & set(TEXT_FAULTS):
        return False
    if effect == "empty_tool_calls":
        return record["mode"] == "native"
    if "empty_tool_calls" in faults:
        return False
    if effect in ("missing_call", "extra_call"):
        return True
    # The per-argument faults need a call left after missing_call (every fixture call has an optional
    # parameter and a required integer, so their own preconditions always hold).
    return not ("missing_call" in faults and record["calls"] == 1)


def _check_rates(profile: Profile, records: list[dict[str, Any]]) -> None:
    seen = {f for r in records for f in r["faults"]}
    configured = {e for e, r in profile.rates.items() if r > 0 and e not in profile.gates}
    configured |= {"downtime"} if profile.downtime else set()
    assert seen - {"rate_limit"} <= configured, seen - configured
    for effect in (*HTTP_FAULTS, *TEXT_FAULTS, "empty_tool_calls", *ARG_FAULTS):
        pool = [r for r in records if _eligible(r, effect)]
        hits = sum(effect in r["faults"] for r in pool)
        if effect in profile.gates:
            # these requests offer a few tools and short prompts, below every gate: the effect must stay off
            # (tests/scenarios/test_stress.py checks it fires past its gate)
            assert hits == 0, (profile.name, effect, hits)
            continue
        low, high = binomial_interval(len(pool), profile.rate(effect))
        assert low <= hits <= high, f"{profile.name}.{effect}: {hits}/{len(pool)} not in [{low}, {high}]"
        if profile.rate(effect) > 0:
            assert hits > 0 and len(pool) > 300, (effect, hits, len(pool))


def _check_clock_effects(profile: Profile, records: list[dict[str, Any]], step: float) -> None:
    if profile.downtime:
        pool = [r for r in records if "rate_limit" not in r["faults"]]
        hits = sum("downtime" in r["faults"] for r in pool)
        low, high = binomial_interval(len(pool), profile.downtime.rate)
        assert low <= hits <= high and hits > 0
    if profile.rate("server_error_burst"):
        # Bursts are correlated by design: the trials are the burst windows, each holding the same
        # number of evenly spaced requests.
        per_window = round(profile.param("burst_s") / step)
        hits = sum("server_error_burst" in r["faults"] for r in records)
        assert hits % per_window == 0
        low, high = binomial_interval(N // per_window, profile.rate("server_error_burst"))
        assert low <= hits // per_window <= high and hits > 0
    if profile.rate_limit:
        limited = sum("rate_limit" in r["faults"] for r in records)
        allowed = profile.rate_limit.requests * (1 + N * step / profile.rate_limit.per_s)
        assert abs((N - limited) - allowed) <= 2, (limited, allowed)


@pytest.mark.parametrize("name", ALL_PROFILES.names())
def test_profile_effect_rates(name: str) -> None:
    profile = ALL_PROFILES.find(name)
    assert profile is not None
    step = 0.25 if profile.rate_limit else 5.0 if profile.rate("server_error_burst") else 3.0
    plan = _plan(name)
    with SimServer(ALL_PROFILES, SCENARIOS, seed=7, time_scale=0, clock=StepClock(step)) as sim:
        bodies = [b for *_, b in plan]
        wires = asyncio.run(run_all(sim.base_url + "/chat/completions", bodies, concurrency=CONCURRENCY))
        records = sim.ledger()
        assert sim.counts()[name] == N and sum(sim.counts().values()) == N
    by_id = {r["id"]: r for r in records}
    for (scenario, step_no, mode, _), wire in zip(plan, wires, strict=True):
        record = by_id[wire.generation_id]
        assert record["scenario"] == scenario.id and record["mode"] == mode
        _check_wire(wire, record)
        if wire.kind == "answer":
            _check_answer(wire, record, scenario, step_no, mode)
    _check_rates(profile, records)
    _check_clock_effects(profile, records, step)
    ttft = statistics.median(r["ttft_ms"] for r in records)
    tps = statistics.median(r["tps"] for r in records)
    assert abs(ttft / profile.ttft_ms.median - 1) < 0.10 and abs(tps / profile.tps.median - 1) < 0.10
