"""`replaykit capture`: the real `openai` SDK as the agent, the simulator as the provider, through the proxy."""

from __future__ import annotations

from pathlib import Path

import openai
import orjson
import pytest
from record_helpers import fixture_scenarios, profiles, providers_for

from replaykit.cassettes.run import load_run
from replaykit.recorder.proxy import CaptureProxy, CaptureServer, upstream_url
from replaykit.score import score_runs
from replaykit.share.verify import verify_run
from replaykit.sim import SimServer

KEY = "sk-capture-test-0123456789abcdef"


def _agent_session(client: openai.OpenAI, scenario: dict, stream: bool) -> list[object]:
    """Two turns of a tool session: ask, get a call, send its result back, get the next answer."""
    messages = list(scenario["messages"])
    answers = []
    for _ in range(2):
        if stream:
            chunks = list(client.chat.completions.create(model="agent-picked", messages=messages,
                                                          tools=scenario["tools"], stream=True))
            calls = [tc for c in chunks if c.choices for tc in (c.choices[0].delta.tool_calls or [])]
            answers.append(calls)
            first = next((tc for tc in calls if tc.id), None)
            call_id, name, args = (first.id, first.function.name, "{}") if first else ("x", "none", "{}")
        else:
            reply = client.chat.completions.create(model="agent-picked", messages=messages, tools=scenario["tools"])
            answers.append(reply)
            calls = reply.choices[0].message.tool_calls or []
            if not calls:
                break
            call_id, name, args = calls[0].id, calls[0].function.name, calls[0].function.arguments
        messages += [{"role": "assistant", "content": None, "tool_calls": [
            {"id": call_id, "type": "function", "function": {"name": name, "arguments": args}}]},
            {"role": "tool", "tool_call_id": call_id, "content": "ok"}]
    return answers


@pytest.mark.parametrize("stream", [False, True])
def test_an_sdk_session_through_the_proxy_is_a_run_that_verifies_and_scores(stream: bool, tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    scenarios = fixture_scenarios()
    raw = next(s.raw for s in scenarios if s.category == "single")
    monkeypatch.setenv("RK_CAPTURE_KEY", KEY)
    with SimServer(profiles=profiles(steady={}), scenarios=scenarios, time_scale=0) as sim:
        [provider] = providers_for(sim.base_url, "steady", api_key_env="RK_CAPTURE_KEY")
        proxy = CaptureProxy(provider, tmp_path / "run")
        with CaptureServer(proxy) as server:
            client = openai.OpenAI(base_url=f"{server.url}/v1", api_key="agent-own-key", max_retries=0)
            answers = _agent_session(client, raw, stream)
        ledger = sim.ledger()
    assert answers and len(ledger) == 2 == proxy.requests
    assert {r["profile"] for r in ledger} == {"steady"}
    run = load_run(tmp_path / "run")
    assert run.manifest["status"] == "complete" and len(run.cassette_files()) == 2
    on_disk = b"".join(p.read_bytes() for p in (tmp_path / "run").rglob("*.json"))
    assert KEY.encode() not in on_disk and b"agent-own-key" not in on_disk
    first = orjson.loads(run.cassette_files()[0].read_bytes())
    sent = orjson.loads(first["interactions"][0]["request"]["body"])
    assert sent["model"] == provider.model and sent["provider"] == provider.routing  # the provider file decides
    assert verify_run(tmp_path / "run").ok
    scored = score_runs([tmp_path / "run"]).data
    assert scored["providers"]["steady"]["samples"] == 2
    assert scored["providers"]["steady"]["success"]["value"] == 1.0  # the reference agrees with itself
    ids = sorted(s["id"] for s in scored["scenarios"])
    assert ids[0].endswith(".0001") and ids[1].endswith(".0002") and ids[0][:17] == ids[1][:17]  # one session


def test_an_unreachable_provider_gets_a_provider_style_error_and_is_recorded(tmp_path: Path) -> None:
    [provider] = providers_for("http://127.0.0.1:9/api/v1", "gone")
    proxy = CaptureProxy(provider, tmp_path / "run")
    with CaptureServer(proxy) as server:
        client = openai.OpenAI(base_url=f"{server.url}/v1", api_key="x", max_retries=0)
        with pytest.raises(openai.APIStatusError) as err:
            client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
    assert err.value.status_code == 502
    [cassette] = load_run(tmp_path / "run").cassette_files()
    attempt = orjson.loads(cassette.read_bytes())["replaykit"]["attempts"][0]
    assert attempt["error"]["kind"] == "connection"


@pytest.mark.parametrize(("base", "path", "want"), [
    ("https://openrouter.ai/api/v1", "/v1/chat/completions", "https://openrouter.ai/api/v1/chat/completions"),
    ("https://openrouter.ai/api/v1", "/chat/completions", "https://openrouter.ai/api/v1/chat/completions"),
    ("https://api.moonshot.ai/anthropic", "/v1/messages", "https://api.moonshot.ai/anthropic/v1/messages"),
])
def test_upstream_url(base: str, path: str, want: str) -> None:
    assert upstream_url(base, path, "") == want


def test_captured_requests_become_replay_scenarios_that_score_other_providers(tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from replaykit.recorder import RecordOptions, record
    from replaykit.scenarios import load_scenarios
    from replaykit.scenarios.replay import from_run

    scenarios = fixture_scenarios()
    raws = [s.raw for s in scenarios if s.category in ("single", "multiple", "parallel")][:4]
    with SimServer(profiles=profiles(official={}), scenarios=scenarios, time_scale=0) as sim:
        [provider] = providers_for(sim.base_url, "official")
        with CaptureServer(CaptureProxy(provider, tmp_path / "captured")) as server:
            client = openai.OpenAI(base_url=f"{server.url}/v1", api_key="x", max_retries=0)
            for raw in raws:
                messages = [{**m, "content": m["content"].replace("src/", "/home/alice/src/")}
                            if isinstance(m.get("content"), str) else m for m in raw["messages"]]
                client.chat.completions.create(model="m", messages=messages, tools=raw["tools"])
                client.chat.completions.create(model="m", messages=messages, tools=raw["tools"])  # a duplicate
    report = from_run(tmp_path / "captured", tmp_path / "replay", redact=[r"secret-project"])
    assert report.written == len(raws) and report.duplicates == len(raws)
    text = "".join(p.read_text() for p in (tmp_path / "replay").glob("*.yaml"))
    assert "/home/alice" not in text
    replay = load_scenarios(tmp_path / "replay")  # valid scenarios, with every authoring check
    assert len(replay) == len(raws) and all("replay" in s.tags for s in replay)
    degraded = {"effects": {"wrong_type": 1.0}}
    silent = {"effects": {"text_tool_call_xml": 1.0}}  # calls leak into the text: no call, as K2VV counts it
    with SimServer(profiles=profiles(vendor_a={}, vendor_b=degraded, vendor_c=silent), scenarios=replay,
                   time_scale=0) as sim:
        providers = providers_for(sim.base_url, "vendor_a", "vendor_b", "vendor_c")
        run = record(list(replay), providers, tmp_path / "vendors", options=RecordOptions(max_retries=0))
    scored = score_runs([run.root]).data["providers"]
    assert scored["vendor_a"]["param_accuracy"]["value"] == 1.0
    assert scored["vendor_b"]["param_accuracy"]["value"] < scored["vendor_a"]["param_accuracy"]["value"]
    assert scored["vendor_a"]["trigger_f1"]["value"] == 1.0 and scored["vendor_a"]["trigger_f1"]["n"] > 0
    assert scored["vendor_b"]["trigger_recall"]["value"] == 1.0  # it called the tools, with wrong types
    assert scored["vendor_c"]["trigger_recall"]["value"] == 0.0 and scored["vendor_c"]["trigger_f1"]["value"] == 0.0
    calling = sum(1 for s in replay if s.expect.calls)  # a reference that called no tool leaks nothing
    assert scored["vendor_c"]["faults"]["text_tool_call"] == calling > 0


def test_the_capture_command_runs_until_interrupted_and_leaves_a_complete_run(tmp_path: Path) -> None:
    import os
    import re
    import signal
    import subprocess
    import sys

    scenarios = fixture_scenarios()
    raw = next(s.raw for s in scenarios if s.category == "single")
    with SimServer(profiles=profiles(steady={}), scenarios=scenarios, time_scale=0) as sim:
        config = tmp_path / "providers.toml"
        config.write_text(f'[defaults]\nbase_url = "{sim.base_url}"\nmodel = "m"\n'
                          '[providers.steady]\nrouting = { only = ["steady"] }\n')
        proc = subprocess.Popen([sys.executable, "-m", "replaykit", "capture", "--providers", str(config),
                                 "--provider", "steady", "--out", str(tmp_path / "run"), "--port", "0"],
                                stderr=subprocess.PIPE, text=True, env=os.environ.copy(),
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # as in a shell
        try:
            assert proc.stderr is not None
            line = ""
            while "OPENAI_BASE_URL=" not in line:
                line = proc.stderr.readline()
                assert line, "the proxy exited before printing its address"
            base = re.search(r"OPENAI_BASE_URL=(\S+)", line).group(1)  # type: ignore[union-attr]
            client = openai.OpenAI(base_url=base, api_key="x", max_retries=0)
            client.chat.completions.create(model="m", messages=raw["messages"], tools=raw["tools"])
        finally:
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "captured 1 requests" in err
    run = load_run(tmp_path / "run")
    assert run.manifest["status"] == "complete" and len(run.cassette_files()) == 1
    assert verify_run(tmp_path / "run").ok


def test_an_unknown_provider_is_one_line_and_exit_2(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from replaykit.cli import main

    config = tmp_path / "providers.toml"
    config.write_text('[defaults]\nbase_url = "http://127.0.0.1:9"\nmodel = "m"\n[providers.a]\n')
    result = CliRunner().invoke(main, ["capture", "--providers", str(config), "--provider", "nope",
                                       "--out", str(tmp_path / "run")])
    assert result.exit_code == 2 and "nope" in result.output and not (tmp_path / "run").exists()


def test_the_anthropic_sdk_through_the_proxy_is_captured_and_becomes_a_replay_scenario(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    anthropic = pytest.importorskip("anthropic", reason="the Anthropic SDK plays the agent")
    from replaykit.scenarios import load_scenarios
    from replaykit.scenarios.replay import from_run

    scenarios = fixture_scenarios()
    raw = next(s.raw for s in scenarios if s.category == "single")
    monkeypatch.setenv("RK_CAPTURE_KEY", KEY)
    tools = [{"name": t["function"]["name"], "description": t["function"].get("description", ""),
              "input_schema": t["function"]["parameters"]} for t in raw["tools"]]
    system = next((m["content"] for m in raw["messages"] if m["role"] == "system"), None)
    messages = [m for m in raw["messages"] if m["role"] != "system"]
    with SimServer(profiles=profiles(steady={}), scenarios=scenarios, time_scale=0) as sim:
        [provider] = providers_for(sim.base_url, "steady", api_key_env="RK_CAPTURE_KEY", api="anthropic-messages")
        with CaptureServer(CaptureProxy(provider, tmp_path / "run")) as server:
            client = anthropic.Anthropic(base_url=server.url, api_key="agent-own-key", max_retries=0)
            kwargs = {"system": system} if system else {}
            reply = client.messages.create(model="claude-x", max_tokens=512, messages=messages, tools=tools,
                                           **kwargs)
            with client.messages.stream(model="claude-x", max_tokens=512, messages=messages, tools=tools,
                                        **kwargs) as stream:
                streamed = stream.get_final_message()
        sent = [r for r in sim.ledger()]
    assert any(b.type == "tool_use" for b in reply.content) and any(b.type == "tool_use" for b in streamed.content)
    assert len(sent) == 2
    on_disk = b"".join(p.read_bytes() for p in (tmp_path / "run").rglob("*.json"))
    assert KEY.encode() not in on_disk and b"agent-own-key" not in on_disk
    assert verify_run(tmp_path / "run").ok
    scored = score_runs([tmp_path / "run"]).data["providers"]["steady"]
    assert scored["samples"] == 2 and scored["success"]["value"] == 1.0
    assert scored["ttft_ms"]["n"] == 1  # the streamed answer's first token, read with the dialect's events
    report = from_run(tmp_path / "run", tmp_path / "replay")
    assert report.written == 1 and report.duplicates == 1  # the two identical requests, kept once
    [scenario] = list(load_scenarios(tmp_path / "replay"))
    assert scenario.expect.calls[0].name == raw["expect"]["calls"][0]["name"]
