"""Stress sweeps: variants keep the question and the answer, carry the load asked for, and a simulated
provider whose faults start past a load is found out by the sweep."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from simkit import FIXTURES, fixture_scenarios, profiles, providers_for

from replaykit.cli import main
from replaykit.recorder import RecordOptions, record
from replaykit.scenarios import load_scenarios
from replaykit.scenarios.stress import stress
from replaykit.score import score_runs
from replaykit.sim import SimServer


def test_a_variant_keeps_question_and_answer_and_has_the_load() -> None:
    base = next(s for s in fixture_scenarios() if s.category == "single")
    raw = stress(base, context_tokens=8000, tools=32, seed=3)
    assert len(raw["tools"]) == 32 and base.tools[0] in raw["tools"]
    assert raw["expect"] == base.raw["expect"] and raw["category"] == "multiple"
    system = raw["messages"][0]["content"]
    assert 7000 * 4 <= len(system) <= 8000 * 4 + len(base.raw["messages"][0].get("content", "")) + 2
    assert raw["messages"][-1] == base.raw["messages"][-1]  # the question itself is unchanged
    assert raw == stress(base, context_tokens=8000, tools=32, seed=3)  # deterministic
    assert raw["tools"] != stress(base, context_tokens=8000, tools=32, seed=4)["tools"]
    names = [t["function"]["name"] for t in raw["tools"]]
    assert len(set(names)) == 32 and sum(n.startswith("mcp__") for n in names) == 31


def test_the_sweep_finds_where_a_provider_breaks(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["scenarios", "stress", str(FIXTURES), "--category", "single",
                                       "--context", "1k,24k", "--tools", "8,32", "--out", str(tmp_path / "sweep")])
    assert result.exit_code == 0, result.output
    sweep = load_scenarios(tmp_path / "sweep")  # valid scenarios, with every authoring check
    assert len(sweep) >= 4
    breaks = {"effects": {"text_tool_call_xml": {"rate": 1.0, "above_tools": 20},
                          "invalid_json_args": {"rate": 1.0, "above_tokens": 16000}}}
    with SimServer(profiles=profiles(agentic=breaks, steady={}), scenarios=sweep, time_scale=0) as sim:
        run = record(list(sweep), providers_for(sim.base_url, "agentic", "steady"), tmp_path / "run",
                     options=RecordOptions(max_retries=0))
    tags = score_runs([run.root]).data["providers"]["agentic"]["by_tag"]
    steady = score_runs([run.root]).data["providers"]["steady"]["by_tag"]
    n = tags["tools-8"]["n"]
    assert n >= 4
    # fine with few tools and short prompts; broken past 20 tools and past 16k tokens
    assert all(steady[t]["value"] == 1.0 for t in ("tools-8", "tools-32", "ctx-1k", "ctx-24k"))
    assert tags["tools-32"]["value"] == 0.0 and tags["ctx-24k"]["value"] == 0.0
    assert tags["tools-8"]["value"] == 0.5 and tags["ctx-1k"]["value"] == 0.5  # the other load still breaks it
    # the sweep view: per axis and level, clustered by base scenario; leaks found past 20 tools only
    from replaykit.report.sweep import render, sweep

    data = sweep([run.root])
    leaks = data["tools"]["agentic"]
    assert leaks["8"]["text_calls"]["value"] == 0.0 and leaks["32"]["text_calls"]["value"] == 1.0
    assert data["context_tokens"]["steady"]["24000"]["success"]["value"] == 1.0
    assert data["context_tokens"]["agentic"]["24000"]["success"]["n"] == n
    table = CliRunner().invoke(main, ["sweep", str(run.root), "--metric", "text_calls"])
    assert table.exit_code == 0 and "| agentic | 0% [" in table.output and "100% [" in table.output
    assert "### text_calls by tools" in render(data, "text_calls")
