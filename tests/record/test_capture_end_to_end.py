"""Issue 17's "done when", end to end: the real `openai` SDK drives multi-turn tool sessions (plain and
streamed) through `capture` to the simulator; the captured run verifies and scores; `scenarios from-run` turns
it into replay scenarios; they are recorded against two other simulated providers — one steady, one that
leaks calls into the text — and `score`, the reports and `diff` give the agreement metrics with intervals."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openai
import pytest
from click.testing import CliRunner
from simkit import REPO, profiles, providers_for

from replaykit.cli import main
from replaykit.recorder import RecordOptions, record
from replaykit.recorder.proxy import CaptureProxy, CaptureServer
from replaykit.report.agreement import cell
from replaykit.scenarios import load_scenarios
from replaykit.share.verify import verify_run
from replaykit.sim import SimServer

KEY = "sk-e2e-capture-0123456789abcdef"
SESSIONS = 8  # agent sessions, half of them streamed
LEAKY = {"effects": {"text_tool_call_xml": 0.5}}  # half of its calls come back as text: no call to an agent


def _calls_of(reply: Any, stream: bool) -> list[dict[str, Any]]:
    """The assistant's tool calls as the agent would send them back, from a reply or from stream deltas."""
    if not stream:
        return [{"id": c.id, "type": "function", "function": {"name": c.function.name,
                                                              "arguments": c.function.arguments}}
                for c in reply.choices[0].message.tool_calls or []]
    calls: dict[int, dict[str, Any]] = {}
    for chunk in reply:
        for delta in (chunk.choices[0].delta.tool_calls or []) if chunk.choices else []:
            call = calls.setdefault(delta.index, {"id": "", "type": "function",
                                                  "function": {"name": "", "arguments": ""}})
            call["id"] = delta.id or call["id"]
            if delta.function is not None:
                call["function"]["name"] += delta.function.name or ""
                call["function"]["arguments"] += delta.function.arguments or ""
    return [calls[i] for i in sorted(calls)]


def _session(client: openai.OpenAI, raw: dict[str, Any], stream: bool) -> int:
    """Ask, run every call the model made (answering "ok"), send the results back: two requests."""
    messages = list(raw["messages"])
    reply = client.chat.completions.create(model="agent-model", messages=messages, tools=raw["tools"],
                                           stream=stream)
    calls = _calls_of(reply, stream)
    assert calls, raw["id"]
    messages += [{"role": "assistant", "content": None, "tool_calls": calls},
                 *({"role": "tool", "tool_call_id": c["id"], "content": "ok"} for c in calls)]
    final = client.chat.completions.create(model="agent-model", messages=messages, tools=raw["tools"],
                                           stream=stream)
    _calls_of(final, stream)  # consume the stream
    return 2


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("e2e")
    library = load_scenarios(REPO / "replaykit" / "data" / "scenarios")
    chosen = [s for s in library if s.category in ("single", "multiple")][:SESSIONS]
    with pytest.MonkeyPatch.context() as env:
        env.setenv("RK_E2E_KEY", KEY)
        with SimServer(profiles=profiles(official={}), scenarios=library, time_scale=0) as sim:
            [official] = providers_for(sim.base_url, "official", api_key_env="RK_E2E_KEY")
            proxy = CaptureProxy(official, tmp / "captured")
            with CaptureServer(proxy) as server:
                client = openai.OpenAI(base_url=f"{server.url}/v1", api_key="agent-own-key", max_retries=0)
                sent = sum(_session(client, s.raw, stream=i % 2 == 1) for i, s in enumerate(chosen))
    made = CliRunner().invoke(main, ["scenarios", "from-run", str(tmp / "captured"), "--out", str(tmp / "replay")])
    assert made.exit_code == 0, made.output
    replay = load_scenarios(tmp / "replay")
    with SimServer(profiles=profiles(steady={}, leaky=LEAKY), scenarios=replay, time_scale=0, seed=3) as sim:
        run = record(list(replay), providers_for(sim.base_url, "steady", "leaky"), tmp / "vendors",
                     options=RecordOptions(max_retries=0, repeat=2))
    yield {"tmp": tmp, "sent": sent, "requests": proxy.requests, "replay": replay, "vendors": run.root}


def test_the_captured_sessions_verify_and_score(runs: dict[str, Any]) -> None:
    captured = runs["tmp"] / "captured"
    assert runs["requests"] == runs["sent"] == 2 * SESSIONS
    assert verify_run(captured).ok
    on_disk = b"".join(p.read_bytes() for p in captured.rglob("*.json"))
    assert KEY.encode() not in on_disk and b"agent-own-key" not in on_disk
    scored = json.loads(CliRunner().invoke(main, ["score", str(captured), "--json"]).output)["providers"]
    official = scored["official"]
    assert official["samples"] == 2 * SESSIONS and official["success"]["value"] == 1.0
    assert official["ttft_ms"]["n"] == SESSIONS  # the streamed half: first tokens timed live
    assert official["trigger_f1"]["value"] == 1.0  # the reference agrees with itself
    # each session is a call, then (after the tool results) an answer without one: both kinds of replay
    replay = runs["replay"]
    assert len(replay) == 2 * SESSIONS
    assert sum(1 for s in replay if s.category == "no_call") == SESSIONS


def test_scoring_the_vendors_gives_the_agreement_with_intervals(runs: dict[str, Any], tmp_path: Path) -> None:
    vendors = str(runs["vendors"])
    data = json.loads(CliRunner().invoke(main, ["score", vendors, "--json"]).output)["providers"]
    steady, leaky = data["steady"], data["leaky"]
    calling = 2 * SESSIONS  # the first request of every session, recorded twice
    for metric in ("trigger_precision", "trigger_recall", "trigger_f1"):
        assert steady[metric]["value"] == 1.0 and steady[metric]["low"] < 1.0 <= steady[metric]["high"]
    assert steady["trigger_recall"]["n"] == calling
    assert leaky["trigger_recall"]["value"] < steady["trigger_recall"]["value"]
    assert leaky["trigger_recall"]["low"] < leaky["trigger_recall"]["value"] < leaky["trigger_recall"]["high"]
    assert leaky["trigger_f1"]["value"] < 1.0
    assert leaky["trigger_precision"]["value"] == 1.0  # it never calls where the reference did not
    assert leaky["fault_rates"]["text_tool_call"]["value"] > 0 and steady["param_accuracy"]["value"] == 1.0

    plain = CliRunner().invoke(main, ["score", vendors, "--plain"]).output
    assert "agreement with the reference" in plain and "trigger F1" in plain and "text leaks" in plain
    assert re.search(rf"leaky\s+{re.escape(cell(leaky['trigger_precision']))}\s+"
                     rf"{re.escape(cell(leaky['trigger_recall']))}\s+{re.escape(cell(leaky['trigger_f1']))}", plain)
    md, html, csv = tmp_path / "r.md", tmp_path / "r.html", tmp_path / "r.csv"
    assert CliRunner().invoke(main, ["report", vendors, "-o", str(md), "-o", str(html), "-o", str(csv)]).exit_code == 0
    f1 = leaky["trigger_f1"]
    assert f"leaky,trigger_f1,{f1['value']},{f1['low']},{f1['high']},{f1['n']}" in csv.read_text()
    text = md.read_text()
    assert "## Agreement with the reference" in text
    assert (f"| leaky | {cell(leaky['trigger_precision'])} | {cell(leaky['trigger_recall'])} | "
            f"{cell(leaky['trigger_f1'])} |") in text
    embedded = re.search(r'id="rk-data">(.*?)</script>', html.read_text(), re.S)
    assert embedded and json.loads(embedded.group(1))["agreement"]["columns"][2] == ["trigger F1", ["trigger_f1"]]
    shown = _agreement_in_chromium(html, tmp_path)
    if shown is not None:
        assert [row[0] for row in shown] == ["steady", "leaky"]
        assert shown[1][1:4] == [cell(leaky[m]) for m in ("trigger_precision", "trigger_recall", "trigger_f1")]


def _agreement_in_chromium(page: Path, tmp_path: Path) -> list[list[str]] | None:
    """The HTML report's agreement table as the browser draws it (None without Chromium)."""
    import sys

    sys.path.insert(0, str(REPO / "tests" / "report"))
    from cdp_pipe import Browser, find_chromium

    chromium = find_chromium()
    if chromium is None:
        return None
    (tmp_path / "profile").mkdir()
    browser = Browser(chromium, tmp_path / "profile")
    try:
        browser.navigate(page.as_uri())
        browser.wait_for("window.__rkReady")
        assert browser.problems() == []
        rows: list[list[str]] = browser.evaluate(
            "Array.from(document.querySelectorAll('#agreement-table tbody tr')).map(r => "
            "Array.from(r.children).map(c => c.textContent))")
    finally:
        browser.close()
    return rows


def test_diff_compares_the_trigger_agreement_paired_by_scenario(runs: dict[str, Any]) -> None:
    vendors = str(runs["vendors"])
    scored = json.loads(CliRunner().invoke(main, ["score", vendors, "--json"]).output)["providers"]
    out = CliRunner().invoke(main, ["diff", f"{vendors}:steady", f"{vendors}:leaky", "--json"])
    assert out.exit_code == 0, out.output
    metrics = json.loads(out.output)["comparisons"][0]["metrics"]
    for metric in ("trigger_precision", "trigger_recall", "trigger_f1"):
        row = metrics[metric]
        assert row["test"] == "cluster_sign_flip" and row["clusters"] > 0
        # the sides are the score's own figures (every sample is paired here)
        assert row["a"]["value"] == scored["steady"][metric]["value"]
        assert row["b"]["value"] == scored["leaky"][metric]["value"]
    recall = metrics["trigger_recall"]
    assert recall["diff"] < 0 and recall["low"] <= recall["diff"] <= recall["high"]
    assert recall["significant"] == (recall["p"] < 0.05) and recall["better"] in (None, "A")
    text = CliRunner().invoke(main, ["diff", f"{vendors}:steady", f"{vendors}:leaky"]).output
    assert re.search(r"^trigger_f1\s", text, re.M)
    md = CliRunner().invoke(main, ["diff", f"{vendors}:steady", f"{vendors}:leaky", "--format", "markdown"])
    assert md.exit_code == 0 and "| trigger\\_recall |" in md.output and "## diff:" in md.output
