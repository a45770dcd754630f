"""The shipped scenario library: a faultless simulated provider answers every scenario and step correctly,
in native and in prompt mode (skipped while the library does not validate)."""

from __future__ import annotations

import asyncio

import orjson
import pytest
from sim_helpers import body_for, ideal_profiles, prompt_calls, run_all

from replaykit.errors import ScenarioError
from replaykit.packaged import packaged
from replaykit.scenarios import Scenario, ScenarioSet, load_scenarios
from replaykit.sim import SimServer


def _library() -> ScenarioSet:
    try:
        return load_scenarios(packaged("scenarios"))
    except ScenarioError as err:
        pytest.skip(f"the shipped scenarios do not validate yet: {err}")


def _matches(scenario: Scenario, step: int, calls: list[tuple[str, object]]) -> bool:
    expected = list(scenario.steps[step].calls)
    if len(calls) != len(expected):
        return False
    # The simulator answers in the expected order, so a pairwise check is exact here.
    return all(name == exp.name and isinstance(args, dict) and exp.args.check(args) is None
               for (name, args), exp in zip(calls, expected, strict=True))


def test_shipped_library_is_answered_correctly() -> None:
    library = _library()
    if not len(library):
        pytest.skip("no shipped scenarios yet")
    plan = [(s, step, mode) for s in library for step in range(len(s.steps)) for mode in ("native", "prompt")]
    bodies = [body_for(s, step=step, mode=mode, stream=i % 2 == 0) for i, (s, step, mode) in enumerate(plan)]
    with SimServer(ideal_profiles(), library, time_scale=0) as sim:
        wires = asyncio.run(run_all(sim.base_url + "/chat/completions", bodies))
        ledger = {r["id"]: r for r in sim.ledger()}
    wrong = []
    for (scenario, step, mode), wire in zip(plan, wires, strict=True):
        assert wire.kind == "answer" and ledger[wire.generation_id]["scenario"] == scenario.id
        raw = wire.calls or [] if mode == "native" else prompt_calls(wire.content)
        calls = [(name, orjson.loads(args)) for name, args in raw]
        if not _matches(scenario, step, calls):
            wrong.append(f"{scenario.id}[{step}] {mode}: {calls}")
    assert not wrong, wrong[:5]
