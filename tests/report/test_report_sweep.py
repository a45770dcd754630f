"""The load sweep in the reports: the score JSON, the Markdown report and the HTML charts carry the numbers
`replaykit sweep` prints (one computation), drawn per axis and metric with a line per provider."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from simkit import FIXTURES, profiles, providers_for

from replaykit.cli import main
from replaykit.recorder import RecordOptions, record
from replaykit.report.sweep import AXES, METRICS, cell
from replaykit.scenarios import load_scenarios
from replaykit.sim import SimServer

BREAKS = {"effects": {"text_tool_call_xml": {"rate": 1.0, "above_tools": 20},
                      "invalid_json_args": {"rate": 1.0, "above_tokens": 16000}}}


@pytest.fixture(scope="module")
def stress_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Single-call fixture scenarios at 1k/24k tokens × 8/32 tools, recorded against a provider that breaks
    past 20 tools and past 16k tokens and a steady one."""
    tmp = tmp_path_factory.mktemp("sweep")
    made = CliRunner().invoke(main, ["scenarios", "stress", str(FIXTURES), "--category", "single",
                                     "--context", "1k,24k", "--tools", "8,32", "--out", str(tmp / "stress")])
    assert made.exit_code == 0, made.output
    sweep = load_scenarios(tmp / "stress")
    with SimServer(profiles=profiles(agentic=BREAKS, steady={}), scenarios=sweep, time_scale=0) as sim:
        run = record(list(sweep), providers_for(sim.base_url, "agentic", "steady"), tmp / "run",
                     options=RecordOptions(max_retries=0))
    return run.root


def _embedded(page: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="rk-data">(.*?)</script>', page, re.S)
    assert found
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def test_reports_carry_the_numbers_of_the_sweep_command(stress_run: Path, tmp_path: Path) -> None:
    printed = CliRunner().invoke(main, ["sweep", str(stress_run), "--format", "json"])
    assert printed.exit_code == 0, printed.output
    swept = json.loads(printed.output)
    assert set(swept) == set(AXES) and set(swept["tools"]) == {"agentic", "steady"}
    agentic = swept["tools"]["agentic"]
    assert agentic["8"]["text_calls"]["value"] == 0.0 and agentic["32"]["text_calls"]["value"] == 1.0
    assert swept["context_tokens"]["agentic"]["24000"]["schema_validity"]["value"] == 0.0

    html, md, js = tmp_path / "r.html", tmp_path / "r.md", tmp_path / "r.json"
    written = CliRunner().invoke(main, ["report", str(stress_run), "-o", str(html), "-o", str(md), "-o", str(js)])
    assert written.exit_code == 0, written.output
    assert _embedded(html.read_text())["score"]["sweep"] == swept  # the HTML charts these very numbers
    assert json.loads(js.read_text())["sweep"] == swept
    scored = CliRunner().invoke(main, ["score", str(stress_run), "--json"])
    assert json.loads(scored.output)["sweep"] == swept
    assert "replaykit sweep RUN" in CliRunner().invoke(main, ["score", str(stress_run), "--plain"]).output
    text = md.read_text()
    assert "## Where each provider breaks" in text
    for metric in METRICS:
        assert f"### {metric} by tools" in text and f"### {metric} by context tokens" in text
    assert f"| agentic | {cell(agentic['8']['text_calls'])} | {cell(agentic['32']['text_calls'])} |" in text
    every = CliRunner().invoke(main, ["sweep", str(stress_run), "--metric", "all"])
    assert every.exit_code == 0 and every.output.strip() in text  # the Markdown report holds the same tables


def test_a_run_without_stress_variants_has_no_sweep(tmp_path: Path) -> None:
    from report_helpers import EXAMPLE

    if not (EXAMPLE / "run.json").exists():
        pytest.skip("cassettes/example is missing")
    out = tmp_path / "r.md"
    assert CliRunner().invoke(main, ["report", str(EXAMPLE), "-o", str(out)]).exit_code == 0
    assert "load sweep" not in out.read_text()
    assert "sweep" not in json.loads(CliRunner().invoke(main, ["score", str(EXAMPLE), "--json"]).output)
    refused = CliRunner().invoke(main, ["sweep", str(EXAMPLE)])
    assert refused.exit_code == 2 and "no stress variants" in refused.output


def test_the_sweep_charts_in_chromium(stress_run: Path, tmp_path: Path) -> None:
    from cdp_pipe import Browser, find_chromium

    chromium = find_chromium()
    if chromium is None:
        pytest.skip("chromium is not installed")
    page = tmp_path / "r.html"
    assert CliRunner().invoke(main, ["report", str(stress_run), "-o", str(page)]).exit_code == 0
    swept = _embedded(page.read_text())["score"]["sweep"]
    profile = tmp_path / "profile"
    profile.mkdir()
    browser = Browser(chromium, profile)
    try:
        browser.navigate(page.as_uri())
        browser.wait_for("window.__rkReady")
        assert browser.problems() == []
        assert browser.evaluate("document.getElementById('sweep').hidden") is False
        charts = browser.evaluate(
            "Array.from(document.querySelectorAll('svg.sweep')).map(s => [s.dataset.axis, s.dataset.metric, "
            "Array.from(s.querySelectorAll('.series')).map(g => [g.dataset.provider, g.querySelectorAll("
            "'polyline').length, Array.from(g.querySelectorAll('.point')).map(p => [p.dataset.level, "
            "+p.dataset.value, +p.dataset.low, +p.dataset.high])])])")
    finally:
        browser.close()
    assert [(a, m) for a, m, _ in charts] == [(a, m) for a in AXES for m in METRICS]  # one chart per axis × metric
    for axis, metric, series in charts:
        assert {p for p, _, _ in series} == {"agentic", "steady"}
        for provider, lines, points in series:
            measured = sorted(lv for lv, rates in swept[axis][provider].items() if rates[metric]["value"] is not None)
            assert sorted(p[0] for p in points) == measured  # a point per level with a value (no calls: no schema)
            assert lines == (len(measured) > 1)  # joined by a line
            for level, value, low, high in points:
                r = swept[axis][provider][level][metric]
                assert (value, low, high) == (r["value"], r["low"], r["high"])  # whiskers: the sweep's interval
