"""Never pool what isn't comparable: partial runs marked in every output, providers compared on the cells all of
them completed, different scenario sets refused (as `diff` refuses them), one name with two set-ups kept apart,
speeds of a scaled run marked and rescaled (docs/metrics.md, "What is compared")."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
from simkit import fixture_scenarios, profiles, providers_for

from replaykit import RecordOptions, load_run, record, score_runs
from replaykit.errors import BadInputError
from replaykit.report.detail import dumps
from replaykit.report.html import render as render_html
from replaykit.report.markdown import render as render_markdown
from replaykit.report.samples import collect
from replaykit.sim import SimServer

REPEAT = 2


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """`full`: a and b, every scenario; `small`: a and b on three scenarios; `prompt`: a in prompt mode;
    `scaled`: a and b recorded with time_scale 0.25 in run.json."""
    root = tmp_path_factory.mktemp("comparable")
    scenarios = fixture_scenarios()
    small = scenarios.select(pattern="fx.[frp]*")
    table = {"effects": {"server_error": 0.1, "wrong_type": 0.2}}
    out = {}
    with SimServer(profiles=profiles(a=table, b={}), scenarios=scenarios, seed=3, time_scale=0) as sim:
        both = providers_for(sim.base_url, "a", "b", stream=True)
        opts = RecordOptions(repeat=REPEAT, backoff_base=0.0)
        out["full"] = record(list(scenarios), both, root / "full", options=opts).root
        out["small"] = record(list(small), both, root / "small", options=opts).root
        prompt = providers_for(sim.base_url, "a", stream=True, mode="prompt")
        out["prompt"] = record(list(scenarios), prompt, root / "prompt", options=opts).root
        scaled = RecordOptions(repeat=REPEAT, backoff_base=0.0, time_scale=0.25)
        out["scaled"] = record(list(scenarios), both, root / "scaled", options=scaled).root
    return out


def interrupted(full: Path, at: Path, drop: int) -> Path:
    """A copy of the run as if it had been stopped: `drop` of b's cassettes never written, status interrupted."""
    shutil.copytree(full, at)
    for path in sorted((at / "cassettes" / "b").iterdir())[-drop:]:
        path.unlink()
    run = load_run(at)
    run.manifest["status"] = "interrupted"
    run.save()
    return at


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "replaykit", *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "COLUMNS": "100"})


def test_a_partial_run_is_marked_and_compared_on_shared_cells(runs: dict[str, Path], tmp_path: Path) -> None:
    part = interrupted(runs["full"], tmp_path / "part", drop=3)
    data = score_runs([part]).data
    run = data["run"]
    assert run["partial"] is True
    assert run["runs"][0] | {"time_scale": None} == {
        "id": "full", "status": "interrupted", "partial": True, "samples_planned": 2 * 7 * REPEAT,
        "samples_recorded": 2 * 7 * REPEAT - 3, "time_scale": None}
    a, b = data["providers"]["a"], data["providers"]["b"]
    assert a["samples"] == b["samples"] == 7 * REPEAT - 3  # a's three extra samples are not pooled
    assert run["comparable"] | {"left_out": None} == {
        "mode": "shared_cells", "cells": 7 * REPEAT - 3, "cells_left_out": 3, "samples_left_out": 3,
        "left_out": None, "dropped_scenarios": []}
    assert run["comparable"]["left_out"] == {"a": 3, "b": 0}
    every = score_runs([part], all_samples=True).data
    assert every["providers"]["a"]["samples"] == 7 * REPEAT and every["run"]["comparable"]["mode"] == "all_samples"

    plain = _cli("score", str(part), "--plain")
    assert plain.returncode == 0
    assert "PARTIAL" in plain.stdout.splitlines()[0]
    notes = " ".join(plain.stdout.split())  # notes are wrapped at 100 columns
    assert "PARTIAL RUN full (interrupted): 25 of 28 planned samples recorded" in notes
    assert "3 samples of 3 other cells left out (a 3)" in notes
    assert max(len(line) for line in plain.stdout.splitlines()) <= 100
    markdown = render_markdown(data)
    assert "Partial run. Read first" in markdown and "PARTIAL RUN full (interrupted)" in markdown
    html = render_html(data)
    assert "PARTIAL RUN full (interrupted)" in html and 'id="notes"' in html


def test_a_complete_run_says_nothing(runs: dict[str, Path]) -> None:
    data = score_runs([runs["full"]]).data
    assert data["run"]["partial"] is False and data["run"]["comparable"]["samples_left_out"] == 0
    assert "Read first" not in render_markdown(data)


def test_different_scenario_sets_are_refused_as_diff_refuses_them(runs: dict[str, Path]) -> None:
    with pytest.raises(BadInputError, match=r"scenario sets differ.*--intersect"):
        score_runs([runs["small"], runs["full"]])
    refused = _cli("score", str(runs["small"]), str(runs["full"]))
    assert refused.returncode == 2 and "--intersect" in refused.stderr and "Traceback" not in refused.stderr
    report = _cli("report", str(runs["small"]), str(runs["full"]))
    assert report.returncode == 2 and "--intersect" in report.stderr
    data = score_runs([runs["small"], runs["full"]], intersect=True).data
    shared = 3 * REPEAT
    assert data["providers"]["a"]["samples"] == data["providers"]["b"]["samples"] == 2 * shared  # both runs
    assert len(data["run"]["comparable"]["dropped_scenarios"]) == 4
    assert "Scored on the scenarios all runs share (--intersect): 4 left out" in render_markdown(data)


def test_one_name_with_two_set_ups_is_kept_apart(runs: dict[str, Path], tmp_path: Path) -> None:
    data = score_runs([runs["full"], runs["prompt"]]).data
    names = sorted(data["providers"])
    assert names == ["a@mode=native", "a@mode=prompt", "b"]
    assert data["providers"]["a@mode=prompt"]["config"]["mode"] == "prompt"
    assert data["providers"]["a@mode=native"]["config"]["mode"] == "native"
    assert data["providers"]["a@mode=prompt"]["samples"] == 7 * REPEAT
    # the same set-up in two runs is one provider, pooled
    again = shutil.copytree(runs["full"], tmp_path / "again")  # another run, recorded the same way
    same = score_runs([runs["full"], again]).data
    assert sorted(same["providers"]) == ["a", "b"] and same["providers"]["a"]["samples"] == 2 * 7 * REPEAT


def test_speeds_of_a_scaled_run_are_marked_and_never_compared_across_scales(runs: dict[str, Path]) -> None:
    scaled = score_runs([runs["scaled"]]).data
    assert scaled["run"]["runs"][0]["time_scale"] == 0.25
    a = scaled["providers"]["a"]
    assert a["config"]["time_scale"] == 0.25
    plain = _cli("score", str(runs["scaled"]), "--plain").stdout
    row = next(line for line in plain.splitlines() if line.startswith("a "))
    assert row.count("~") == 3  # latency, TTFT and tokens/s
    assert "0.25× real time" in plain
    mixed = score_runs([runs["full"], runs["scaled"]]).data
    assert sorted(mixed["providers"]) == ["a@time_scale=0.25", "a@time_scale=1", "b@time_scale=0.25",
                                          "b@time_scale=1"]
    markdown = render_markdown(mixed)
    assert "Fastest" not in markdown and "different time scales: they are not compared" in markdown
    assert "Fastest" in render_markdown(score_runs([runs["full"]]).data)


def test_unpriced_cost_is_unknown_not_zero_and_cost_per_correct_answer(runs: dict[str, Path]) -> None:
    data = score_runs([runs["full"]]).data  # simkit's providers carry no price: nothing is priced
    for m in data["providers"].values():
        assert m["cost_usd"]["per_sample"] is None and m["cost_usd"]["per_success"] is None
    plain = _cli("score", str(runs["full"]), "--plain").stdout
    assert "0.000¢" not in plain and "–" in plain
    priced = _with_cost(data, per_sample=0.001, total=0.028)
    assert "cost / fully correct" in render_markdown(priced)


def _with_cost(data: dict[str, Any], per_sample: float, total: float) -> dict[str, Any]:
    out = orjson.loads(orjson.dumps(data))
    for m in out["providers"].values():
        m["cost_usd"] = {"total": total, "per_sample": per_sample, "attempts_priced": 5,
                         "per_success": round(total / round(m["success"]["value"] * m["success"]["n"]), 8)}
    return out


def test_ties_say_tie(runs: dict[str, Path]) -> None:
    data = score_runs([runs["full"]]).data
    tied = _with_cost(data, per_sample=0.001, total=0.028)
    text = render_markdown(tied)
    assert "**Cheapest per sample:** tie: a, b" in text


def test_the_html_has_errors_over_time_and_text_calls(runs: dict[str, Path], tmp_path: Path) -> None:
    result, samples = collect([runs["full"]])
    over_time = samples.index_json()["errors_over_time"]
    assert set(over_time["providers"]) == {"a", "b"}
    a = over_time["providers"]["a"]
    assert sum(n for n, _ in a) == result.data["providers"]["a"]["attempts"]
    assert sum(k for _, k in a) == sum(result.data["providers"]["a"]["errors"].values())
    assert sum(k for _, k in over_time["providers"]["b"]) == 0


def test_a_text_tool_call_keeps_its_text_for_the_drill_down(tmp_path: Path) -> None:
    scenarios = fixture_scenarios().select(category="single")
    with SimServer(profiles=profiles(t={"effects": {"text_tool_call_xml": 1.0}}), scenarios=scenarios,
                   seed=1, time_scale=0) as sim:
        run = record(list(scenarios), providers_for(sim.base_url, "t", stream=True), tmp_path / "t",
                     options=RecordOptions(repeat=1, backoff_base=0.0)).root
    _, samples = collect([run])
    embedded = [orjson.loads(dumps(chunk.to_json())) for chunk in samples.chunks]  # as the page reads them
    steps = [step for chunk in embedded for d in chunk["samples"] for step in d["steps"]]
    assert steps and all("text_tool_call" in s["faults"] for s in steps)
    assert all(s["text_calls"] and s["text_calls"][0]["name"] for s in steps)


def test_diff_never_compares_speeds_across_time_scales(runs: dict[str, Path]) -> None:
    result = _cli("diff", f"{runs['full']}:a", f"{runs['scaled']}:a", "--json")
    assert result.returncode == 0, result.stderr
    metrics = orjson.loads(result.stdout)["comparisons"][0]["metrics"]
    for speed in ("latency_ms", "ttft_ms", "output_tps"):
        assert metrics[speed]["not_compared"].startswith("not compared: measured at time scales 1 and 0.25")
        assert metrics[speed]["p"] is None and metrics[speed]["better"] is None
    assert metrics["success"]["p"] is not None  # the answers still are compared
    text = _cli("diff", f"{runs['full']}:a", f"{runs['scaled']}:a").stdout
    assert "scales differ" in text and "speeds not compared: measured at time scales 1 and 0.25" in text
    same = orjson.loads(_cli("diff", f"{runs['full']}:a", f"{runs['full']}:b", "--json").stdout)
    assert "not_compared" not in same["comparisons"][0]["metrics"]["latency_ms"]


def test_a_recording_against_a_scaled_simulator_keeps_its_time_scale(tmp_path: Path) -> None:
    """`record` against `sim serve --time-scale 0.02` learns the scale from the simulator's answers."""
    scenarios = fixture_scenarios().select(category="single")
    with SimServer(profiles=profiles(a={}), scenarios=scenarios, seed=1, time_scale=0.02) as sim:
        run = record(list(scenarios), providers_for(sim.base_url, "a", stream=True), tmp_path / "r",
                     options=RecordOptions(repeat=1, backoff_base=0.0))
    assert load_run(run.root).manifest["params"]["time_scale"] == 0.02
    assert score_runs([run.root]).data["providers"]["a"]["config"]["time_scale"] == 0.02


def test_providers_with_no_cell_in_common_are_all_scored_and_said_so(runs: dict[str, Path], tmp_path: Path) -> None:
    """Imported cassettes of unrelated tests share no (scenario, repetition): everything is scored, with a note,
    rather than nothing."""
    run = shutil.copytree(runs["full"], tmp_path / "apart")
    for path in (run / "cassettes" / "b").iterdir():
        if "--r0" in path.name:
            path.unlink()
    for path in (run / "cassettes" / "a").iterdir():
        if "--r1" in path.name:
            path.unlink()
    data = score_runs([run]).data
    assert data["run"]["comparable"]["mode"] == "no_shared_cells"
    assert data["providers"]["a"]["samples"] == data["providers"]["b"]["samples"] == 7
    assert "not compared on the same samples" in render_markdown(data)
