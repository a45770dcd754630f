"""Each simulator answer effect, at rate 1, produces exactly the scorer faults docs/simulator.md lists for it,
once per answered turn (single-call scenarios)."""

from __future__ import annotations

from pathlib import Path

from simkit import fixture_scenarios, profiles, providers_for

from replaykit import RecordOptions, record, score_runs
from replaykit.sim import SimServer

DOCUMENTED = {
    "text_tool_call_xml": {"text_tool_call", "missing_call"},
    "text_tool_call_hermes": {"text_tool_call", "missing_call"},
    "empty_tool_calls": {"empty_tool_calls", "missing_call"},
    "missing_call": {"missing_call", "empty_tool_calls"},  # the only call dropped: none left
    "drop_optional": set(),  # the fixtures mark every optional argument optional
    "wrong_type": {"schema_violation", "wrong_args"},
    "unknown_tool": {"unknown_tool", "wrong_tool"},
    "invalid_json_args": {"invalid_json_args", "wrong_args"},
    "extra_call": {"extra_call"},
}


def test_each_effect_is_scored_as_documented(tmp_path: Path) -> None:
    scenarios = fixture_scenarios().select(category="single")
    tables = {effect.replace("_", "-"): {"effects": {effect: 1.0}} for effect in DOCUMENTED}
    with SimServer(profiles=profiles(**tables), scenarios=scenarios, seed=2, time_scale=0) as sim:
        record(list(scenarios), providers_for(sim.base_url, *tables, stream=True), tmp_path / "run",
               options=RecordOptions(repeat=3, backoff_base=0.0))
    data = score_runs([tmp_path / "run"]).data["providers"]
    turns = 3 * len(scenarios)
    for effect, faults in DOCUMENTED.items():
        scored = data[effect.replace("_", "-")]["faults"]
        assert scored == dict.fromkeys(faults, turns), effect
