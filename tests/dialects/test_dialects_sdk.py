"""The official SDKs as real clients of the simulator: what they parse is what replaykit's readers read."""

from __future__ import annotations

import json
from typing import Any

import pytest
from simkit import fixture_scenarios, profiles

from replaykit.sim import SimServer

QUESTION = "What will the weather be in Paris for the next 3 days, in celsius?"
WEATHER = {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"},
                                            "units": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
           "required": ["city", "days"]}


@pytest.fixture(scope="module")
def sim() -> Any:
    with SimServer(profiles=profiles(clean={}), scenarios=fixture_scenarios(), time_scale=0) as server:
        yield server


def _weather_args(args: dict[str, Any]) -> None:
    assert args["city"] == "Paris" and args["days"] == 3


@pytest.mark.parametrize("stream", [False, True])
def test_anthropic_sdk_reads_the_simulated_tool_use(sim: SimServer, stream: bool) -> None:
    anthropic = pytest.importorskip("anthropic")
    client = anthropic.Anthropic(base_url=sim.url, api_key="sk-test", max_retries=0)
    kwargs: dict[str, Any] = {
        "model": "qwen/qwen3-coder", "max_tokens": 512, "system": "You are a helpful assistant.",
        "messages": [{"role": "user", "content": QUESTION}],
        "tools": [{"name": "get_weather", "description": "Weather forecast for a city", "input_schema": WEATHER}],
    }
    if stream:
        with client.messages.stream(**kwargs) as events:
            message = events.get_final_message()
    else:
        message = client.messages.create(**kwargs)
    assert message.stop_reason == "tool_use"
    blocks = [b for b in message.content if b.type == "tool_use"]
    assert [b.name for b in blocks] == ["get_weather"]
    _weather_args(blocks[0].input)
    assert message.usage.output_tokens > 0


@pytest.mark.parametrize("stream", [False, True])
def test_openai_sdk_reads_the_simulated_responses_function_call(sim: SimServer, stream: bool) -> None:
    openai = pytest.importorskip("openai")
    client = openai.OpenAI(base_url=f"{sim.url}/v1", api_key="sk-test", max_retries=0)
    kwargs: dict[str, Any] = {
        "model": "qwen/qwen3-coder", "instructions": "You are a helpful assistant.", "input": QUESTION,
        "tools": [{"type": "function", "name": "get_weather", "description": "Weather forecast for a city",
                   "parameters": WEATHER}],
    }
    if stream:
        with client.responses.stream(**kwargs) as events:
            response = events.get_final_response()
    else:
        response = client.responses.create(**kwargs)
    calls = [item for item in response.output if item.type == "function_call"]
    assert [c.name for c in calls] == ["get_weather"]
    _weather_args(json.loads(calls[0].arguments))
    assert response.status == "completed"


@pytest.mark.parametrize("stream", [False, True])
def test_google_genai_sdk_reads_the_simulated_function_call(sim: SimServer, stream: bool) -> None:
    genai = pytest.importorskip("google.genai")
    types = genai.types
    client = genai.Client(api_key="test-key", http_options=types.HttpOptions(base_url=sim.url))
    config = types.GenerateContentConfig(
        system_instruction="You are a helpful assistant.",
        tools=[types.Tool(function_declarations=[types.FunctionDeclaration(
            name="get_weather", description="Weather forecast for a city", parameters_json_schema=WEATHER)])],
        automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True))
    if stream:
        chunks = list(client.models.generate_content_stream(model="qwen3-coder", contents=QUESTION, config=config))
        calls = [c for chunk in chunks for c in chunk.function_calls or []]
        finish = chunks[-1].candidates[0].finish_reason
    else:
        response = client.models.generate_content(model="qwen3-coder", contents=QUESTION, config=config)
        calls = response.function_calls or []
        finish = response.candidates[0].finish_reason
    assert [c.name for c in calls] == ["get_weather"]
    _weather_args(dict(calls[0].args))
    assert finish == types.FinishReason.STOP
