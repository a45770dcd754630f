"""Calls written as text in each model family's own syntax: recognised, flagged `text_tool_call` natively,
read as the calls in prompt mode; values typed by the tool's schema where the syntax leaves them raw."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from replaykit.cassettes.model import Attempt
from replaykit.normalize import normalize
from replaykit.normalize.textcalls import extract_text_calls

TOOLS = [{"type": "function", "function": {"name": "get_weather", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}}}}}]
WEATHER = {"city": "Paris", "days": 3}

KIMI = ("I'll check.<|tool_calls_section_begin|><|tool_call_begin|>functions.get_weather:0"
        '<|tool_call_argument_begin|>{"city": "Paris", "days": 3}<|tool_call_end|>'
        "<|tool_call_begin|>functions.get_weather:1<|tool_call_argument_begin|>"
        '{"city": "Lyon", "days": 1}<|tool_call_end|><|tool_calls_section_end|>')
DEEPSEEK_V3 = ("<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n```json\n"
               '{"city": "Paris", "days": 3}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>')
DEEPSEEK_V31 = ('<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>get_weather<｜tool▁sep｜>{"city": "Paris", "days": 3}'
                "<｜tool▁call▁end｜><｜tool▁calls▁end｜>")
GLM = ("Let me look.\n<tool_call>get_weather\n<arg_key>city</arg_key>\n<arg_value>Paris</arg_value>\n"
       "<arg_key>days</arg_key>\n<arg_value>3</arg_value>\n</tool_call>")
GLM_47 = "<tool_call>get_weather<arg_key>city</arg_key><arg_value>Paris</arg_value><arg_key>days</arg_key>" \
         "<arg_value>3</arg_value></tool_call>"
HARMONY = ('<|channel|>analysis<|message|>Need the weather.<|end|><|start|>assistant<|channel|>commentary '
           'to=functions.get_weather <|constrain|>json<|message|>{"city":"Paris","days":3}<|call|>')


@pytest.mark.parametrize(("text", "rest"), [
    (DEEPSEEK_V3, ""), (DEEPSEEK_V31, ""), (GLM, "Let me look."), (GLM_47, ""),
])
def test_each_family_reads_one_call(text: str, rest: str) -> None:
    calls, left = extract_text_calls(text, TOOLS)
    assert [(c.name, c.arguments) for c in calls] == [("get_weather", WEATHER)]
    assert left.strip() == rest


def test_kimi_k2_reads_every_call_of_the_section() -> None:
    calls, left = extract_text_calls(KIMI, TOOLS)
    assert [(c.name, c.arguments) for c in calls] == [("get_weather", WEATHER),
                                                      ("get_weather", {"city": "Lyon", "days": 1})]
    assert left == "I'll check."


def test_harmony_reads_the_commentary_call_not_the_analysis() -> None:
    calls, _ = extract_text_calls(HARMONY, TOOLS)
    assert [(c.name, c.arguments) for c in calls] == [("get_weather", WEATHER)]


def test_glm_values_stay_text_without_the_schema_and_are_typed_with_it() -> None:
    untyped, _ = extract_text_calls(GLM, None)
    assert untyped[0].arguments == {"city": "Paris", "days": 3}  # JSON-decoded when no schema says otherwise
    typed, _ = extract_text_calls(GLM.replace("<arg_value>3</arg_value>", "<arg_value>three</arg_value>"), TOOLS)
    assert typed[0].arguments == {"city": "Paris", "days": "three"}  # not an integer: kept, the checker sees it


def test_kimi_arguments_cut_short_are_an_invalid_call() -> None:
    cut = KIMI[: KIMI.index('"days": 3') + 4]
    calls, _ = extract_text_calls(cut, TOOLS)
    assert calls[0].name == "get_weather" and calls[0].arguments is None


def _attempt(content: str, uri: str = "https://openrouter.ai/api/v1/chat/completions") -> Attempt:
    body = {"id": "x", "model": "m", "choices": [{"index": 0, "finish_reason": "stop",
                                                 "message": {"role": "assistant", "content": content}}]}
    request: dict[str, Any] = {"method": "POST", "uri": uri, "headers": {},
                               "body": orjson.dumps({"model": "m", "tools": TOOLS}).decode()}
    return Attempt(request, 200, "OK", {"Content-Type": ["application/json"]}, orjson.dumps(body).decode())


@pytest.mark.parametrize("text", [KIMI, DEEPSEEK_V3, DEEPSEEK_V31, GLM, GLM_47, HARMONY])
def test_native_mode_flags_the_text_call_and_prompt_mode_reads_it(text: str) -> None:
    native = normalize(_attempt(text))
    assert native.faults == ["text_tool_call"] and native.calls == []
    prompt = normalize(_attempt(text), mode="prompt")
    assert prompt.faults == [] and prompt.text_calls[0].name == "get_weather"


def test_kimi_markers_inside_an_anthropic_tool_use_input_are_invalid_arguments() -> None:
    leaked = '<|tool_call_argument_begin|>{"city": "Paris", "days": 3}'
    body = {"type": "message", "role": "assistant", "model": "kimi-k2", "stop_reason": "tool_use",
            "content": [{"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": leaked}],
            "usage": {"input_tokens": 10, "output_tokens": 5}}
    attempt = Attempt({"method": "POST", "uri": "https://api.moonshot.ai/anthropic/v1/messages", "headers": {},
                       "body": "{}"}, 200, "OK", {}, orjson.dumps(body).decode())
    out = normalize(attempt)
    assert out.calls[0].raw_arguments == leaked and out.calls[0].arguments is None
    assert out.faults == ["invalid_json_args"]
