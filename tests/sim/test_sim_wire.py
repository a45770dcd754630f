"""The wire formats, checked with real clients over loopback: the official openai SDK and raw httpx."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import orjson
import pytest
from sim_helpers import body_for, fixture_scenarios, ideal_profiles, intended_calls, prompt_calls

from replaykit.promptmode import format_call
from replaykit.sim import SimServer

SCENARIOS = fixture_scenarios()
WITH_CALLS = [s for s in SCENARIOS if s.steps[0].calls]
HTTP = httpx.Client()


@pytest.fixture(scope="module")
def sim() -> Iterator[SimServer]:
    with SimServer(ideal_profiles(), SCENARIOS, seed=3, time_scale=0) as server:
        yield server


@pytest.fixture(scope="module")
def client(sim: SimServer) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=sim.base_url, api_key="unused", max_retries=0) as c:
        yield c


def _sdk_kwargs(body: dict[str, Any]) -> dict[str, Any]:
    extra = {k: body.pop(k) for k in ("provider", "usage", "seed") if k in body}
    return {**body, "extra_body": extra}


def _sdk_stream(client: openai.OpenAI, body: dict[str, Any]) -> tuple[str | None, list[tuple[str, Any]], str]:
    """Reassemble a stream the way SDK users do: concatenate deltas per tool-call index."""
    calls: dict[int, dict[str, str]] = {}
    content, finish = [], ""
    for chunk in client.chat.completions.create(**_sdk_kwargs(dict(body))):
        for choice in chunk.choices:
            if choice.delta.content:
                content.append(choice.delta.content)
            for tc in choice.delta.tool_calls or []:
                slot = calls.setdefault(tc.index, {"id": "", "name": "", "arguments": ""})
                slot["id"] += tc.id or ""
                slot["name"] += (tc.function.name or "") if tc.function else ""
                slot["arguments"] += (tc.function.arguments or "") if tc.function else ""
            finish = choice.finish_reason or finish
    for slot in calls.values():
        assert re.fullmatch(r"call_[0-9a-f]{24}", slot["id"])
    parsed = [(calls[i]["name"], orjson.loads(calls[i]["arguments"])) for i in sorted(calls)]
    return ("".join(content) or None), parsed, finish


@pytest.mark.parametrize("scenario", WITH_CALLS, ids=lambda s: s.id)
def test_sdk_reassembles_stream_into_the_intended_calls(client: openai.OpenAI, scenario: Any) -> None:
    content, calls, finish = _sdk_stream(client, body_for(scenario, stream=True, seed=1))
    assert calls == intended_calls(scenario)
    assert content is None and finish == "tool_calls"


@pytest.mark.parametrize("scenario", list(SCENARIOS), ids=lambda s: s.id)
def test_stream_and_json_answers_agree(client: openai.OpenAI, scenario: Any) -> None:
    body = body_for(scenario, seed=5)
    response = client.chat.completions.create(**_sdk_kwargs(dict(body)))
    message = response.choices[0].message
    json_calls = [(c.function.name, orjson.loads(c.function.arguments)) for c in message.tool_calls or []]
    content, calls, finish = _sdk_stream(client, {**body, "stream": True})
    assert (content, calls, finish) == (message.content, json_calls, response.choices[0].finish_reason)
    assert json_calls == intended_calls(scenario)


def test_multi_turn_answers_the_step_reached(client: openai.OpenAI) -> None:
    scenario = SCENARIOS.get("fx.fix_typo")
    assert scenario is not None
    for step in range(len(scenario.steps)):
        response = client.chat.completions.create(**_sdk_kwargs(body_for(scenario, step=step)))
        got = [(c.function.name, orjson.loads(c.function.arguments))
               for c in response.choices[0].message.tool_calls or []]
        assert got == intended_calls(scenario, step)
    past = body_for(scenario, step=2)
    past["messages"] += [{"role": "assistant", "content": "All fixed."},
                         {"role": "user", "content": "Thanks"}]
    message = client.chat.completions.create(**_sdk_kwargs(past)).choices[0].message
    assert message.tool_calls is None and message.content


def test_prompt_mode_answers_in_the_prompt_format(sim: SimServer) -> None:
    scenario = SCENARIOS.get("fx.trip")
    assert scenario is not None
    data = HTTP.post(sim.base_url + "/chat/completions", json=body_for(scenario, mode="prompt")).json()
    choice = data["choices"][0]
    assert choice["finish_reason"] == "stop" and "tool_calls" not in choice["message"]
    expected = "\n".join(format_call(n, a) for n, a in intended_calls(scenario))
    assert choice["message"]["content"] == expected
    assert [(n, orjson.loads(a)) for n, a in prompt_calls(expected)] == intended_calls(scenario)
    assert sim.ledger()[-1]["mode"] == "prompt" and sim.ledger()[-1]["scenario"] == "fx.trip"


def test_unknown_request_gets_plain_text(sim: SimServer) -> None:
    body = {"model": "x/y", "messages": [{"role": "user", "content": "Hi there"}]}
    data = HTTP.post(sim.url + "/v1/chat/completions", json=body).json()
    assert data["choices"][0]["message"]["content"] and "tool_calls" not in data["choices"][0]["message"]
    assert data["model"] == "x/y" and data["provider"] == "Ideal"
    assert sim.ledger()[-1]["scenario"] is None and sim.ledger()[-1]["mode"] == "plain"


def test_json_body_matches_openai_and_openrouter_fields(sim: SimServer) -> None:
    scenario = SCENARIOS.get("fx.prices")
    assert scenario is not None
    response = HTTP.post(sim.base_url + "/chat/completions", json=body_for(scenario, usage=True, seed=9))
    data = response.json()
    assert re.fullmatch(r"gen-[A-Za-z0-9]{24}", data["id"])
    assert response.headers["x-generation-id"] == data["id"]
    assert data["object"] == "chat.completion" and isinstance(data["created"], int)
    assert data["provider"] == "Ideal" and data["model"] == "qwen/qwen3-coder"
    choice = data["choices"][0]
    assert choice["index"] == 0 and choice["finish_reason"] == choice["native_finish_reason"] == "tool_calls"
    message = choice["message"]
    assert message["role"] == "assistant" and message["content"] is None
    assert [tc["index"] for tc in message["tool_calls"]] == [0, 1]
    assert all(tc["type"] == "function" and isinstance(tc["function"]["arguments"], str)
               for tc in message["tool_calls"])
    assert len({tc["id"] for tc in message["tool_calls"]}) == 2
    usage = data["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert usage["prompt_tokens"] == len(response.request.content) // 4
    assert usage["cost"] == pytest.approx((usage["prompt_tokens"] + usage["completion_tokens"] * 3.0) / 1e6)
    plain = HTTP.post(sim.base_url + "/chat/completions", json=body_for(scenario)).json()
    assert "cost" not in plain["usage"]


def test_sse_events_follow_openrouter(sim: SimServer) -> None:
    scenario = SCENARIOS.get("fx.unicode")
    assert scenario is not None
    text = HTTP.post(sim.base_url + "/chat/completions", json=body_for(scenario, stream=True)).text
    assert text.startswith(": OPENROUTER PROCESSING\n\n") and text.endswith("data: [DONE]\n\n")
    events = [orjson.loads(line[6:]) for line in text.split("\n\n") if line.startswith("data: {")]
    assert len({e["id"] for e in events}) == 1
    assert all(e["object"] == "chat.completion.chunk" and e["provider"] == "Ideal" for e in events)
    assert events[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    first = events[1]["choices"][0]["delta"]["tool_calls"][0]
    assert set(first) == {"index", "id", "type", "function"} and first["function"]["arguments"] == ""
    fragments = [e["choices"][0]["delta"]["tool_calls"][0] for e in events[2:-2]]
    assert len(fragments) >= 3 and all(set(f) == {"index", "function"} for f in fragments)
    arguments = "".join(f["function"]["arguments"] for f in fragments)
    assert orjson.loads(arguments) == intended_calls(scenario)[0][1]  # unicode survived the splits
    assert events[-2]["choices"][0]["finish_reason"] == "tool_calls"
    assert events[-2]["choices"][0]["native_finish_reason"] == "tool_calls"
    assert events[-1]["choices"] == [] and events[-1]["usage"]["completion_tokens"] >= 1


def test_stream_without_include_usage_has_no_usage_chunk(sim: SimServer) -> None:
    scenario = SCENARIOS.get("fx.weather")
    assert scenario is not None
    body = {**body_for(scenario), "stream": True}
    text = HTTP.post(sim.base_url + "/chat/completions", json=body).text
    events = [orjson.loads(line[6:]) for line in text.split("\n\n") if line.startswith("data: {")]
    assert all(e["choices"] for e in events) and "usage" not in events[-1]


def test_routing_by_name_or_display_name_and_unknown_provider(sim: SimServer) -> None:
    scenario = SCENARIOS.get("fx.weather")
    assert scenario is not None
    url = sim.base_url + "/chat/completions"
    assert HTTP.post(url, json={**body_for(scenario), "provider": {"order": ["OTHER CLOUD"]}}).json()[
        "provider"] == "Other Cloud"
    assert HTTP.post(url, json=body_for(scenario, profile="other")).json()["provider"] == "Other Cloud"
    before = sim.counts()
    response = HTTP.post(url, json=body_for(scenario, profile="nowhere"))
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == 404 and "No endpoints found" in error["message"]
    assert sim.counts() == before
    assert HTTP.post(url, content=b"{not json").status_code == 400


def test_models_and_endpoints_listing(sim: SimServer) -> None:
    models = HTTP.get(sim.base_url + "/models").json()["data"]
    assert [m["id"] for m in models] == ["qwen/qwen3-coder"]
    data = HTTP.get(sim.base_url + "/models/qwen/qwen3-coder/endpoints").json()["data"]
    assert data["id"] == "qwen/qwen3-coder"
    by_name = {e["provider_name"]: e for e in data["endpoints"]}
    assert set(by_name) == {"Ideal", "Other Cloud"}
    assert by_name["Ideal"]["tag"] == "ideal" and by_name["Ideal"]["uptime_last_30m"] == 100.0
    assert set(by_name["Ideal"]["pricing"]) >= {"prompt", "completion"}
    assert HTTP.get(sim.url + "/v1/models/nobody/nothing/endpoints").status_code == 404


def test_ledger_and_counts_are_served_as_json(sim: SimServer) -> None:
    assert HTTP.get(sim.url + "/sim/counts").json() == sim.counts()
    assert HTTP.get(sim.url + "/sim/ledger").json() == sim.ledger()
