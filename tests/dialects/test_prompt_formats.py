"""Prompt mode per model family: each family's template in the system prompt, its call syntax and its tool
results in the history, its calls read back; the simulator answers in the format it is asked in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from simkit import fixture_scenarios, profiles, providers_for

from replaykit import normalize, record, score_runs
from replaykit.normalize.textcalls import extract_text_calls
from replaykit.promptformats import NAMES, detect, tool_result_text
from replaykit.promptmode import prompt_tools, to_prompt_messages
from replaykit.sim import SimServer

TOOLS = [{"type": "function", "function": {
    "name": "read_file", "description": "Read a file.",
    "parameters": {"type": "object", "properties": {"path": {"type": "string", "description": "where"},
                                                    "lines": {"type": "integer"}, "raw": {"type": "boolean"}},
                   "required": ["path"]}}},
    {"type": "function", "function": {"name": "ls", "description": "List.", "parameters": {
        "type": "object", "properties": {}}}}]
HISTORY = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "read a.py then list"},
    {"role": "assistant", "content": None, "tool_calls": [
        {"id": "c1", "type": "function", "function": {"name": "read_file", "arguments": '{"path":"a.py","lines":3}'}},
        {"id": "c2", "type": "function", "function": {"name": "ls", "arguments": "{}"}}]},
    {"role": "tool", "tool_call_id": "c1", "content": "print(1)"},
    {"role": "tool", "tool_call_id": "c2", "content": "a.py b.py"},
]
# What each family's own chat template writes: the tool description, a call, a result.
MARKERS = {
    "hermes": ("<tools>\n{", "<tool_call>\n{\"name\":\"read_file\"", "<tool_response>\nprint(1)\n</tool_response>"),
    "qwen3-coder": ("<tools>\n<function>\n<name>read_file</name>", "<function=read_file>\n<parameter=path>\na.py",
                    "<tool_response>\nprint(1)\n</tool_response>"),
    "kimi-k2": ("<|im_system|>tool_declare<|im_middle|>[{",
                "<|tool_call_begin|>functions.ls:1<|tool_call_argument_begin|>{}",
                "## Return of functions.read_file:0\nprint(1)"),
    "deepseek": ("### read_file\nDescription: Read a file.\n\nParameters: {",
                 "<｜tool▁call▁begin｜>read_file<｜tool▁sep｜>{\"path\":\"a.py\",\"lines\":3}<｜tool▁call▁end｜>",
                 "<｜tool▁output▁begin｜>print(1)<｜tool▁output▁end｜>"),
    "glm": ("<arg_key>{arg-key-1}</arg_key>",
            "<tool_call>read_file\n<arg_key>path</arg_key>\n<arg_value>a.py</arg_value>",
            "<tool_response>\nprint(1)\n</tool_response>"),
    "gpt-oss": ("namespace functions {\n\n// Read a file.\ntype read_file = (_: {\n// where\npath: string,"
                "\nlines?: number,\nraw?: boolean,\n}) => any;\n\n// List.\ntype ls = () => any;\n\n"
                "} // namespace functions",
                "<|channel|>commentary to=functions.read_file <|constrain|>json<|message|>"
                "{\"path\":\"a.py\",\"lines\":3}<|call|>",
                "<|start|>functions.read_file to=assistant<|channel|>commentary<|message|>print(1)<|end|>"),
}


def test_every_family_has_markers() -> None:
    assert set(MARKERS) == set(NAMES) == {"hermes", "qwen3-coder", "kimi-k2", "deepseek", "glm", "gpt-oss"}


@pytest.mark.parametrize("fmt", NAMES)
def test_the_rendered_prompt_and_history_are_the_familys(fmt: str) -> None:
    messages = to_prompt_messages(HISTORY, TOOLS, fmt)
    system, call, result = MARKERS[fmt]
    assert messages[0]["role"] == "system" and messages[0]["content"].startswith("Be brief.\n\n")
    assert system in messages[0]["content"]
    assert call in messages[2]["content"] and messages[2]["role"] == "assistant"
    assert messages[3] == {"role": "user", "content": messages[3]["content"]} and result in messages[3]["content"]
    assert all("tools" not in m and "tool_calls" not in m for m in messages)
    # read back: the format and the tools from the system prompt, the calls from the text, the results unwrapped
    found = detect(messages[0]["content"])
    assert found is not None
    assert fmt == found[0].NAME
    assert [t["function"]["name"] for t in found[1]] == ["read_file", "ls"]
    assert found[1][0]["function"]["parameters"]["required"] == ["path"]
    calls, rest = extract_text_calls(messages[2]["content"], TOOLS)
    assert [(c.name, c.arguments) for c in calls] == [("read_file", {"path": "a.py", "lines": 3}), ("ls", {})]
    assert rest == ""
    assert [tool_result_text(m["content"]) for m in messages[3:]] == ["print(1)", "a.py b.py"]


@pytest.mark.parametrize("fmt", NAMES)
def test_broken_arguments_stay_broken_in_every_family(fmt: str) -> None:
    history = [{"role": "user", "content": "x"}, {"role": "assistant", "content": None, "tool_calls": [
        {"id": "c1", "function": {"name": "read_file", "arguments": '{"path": "a.py"'}}]}]
    text = to_prompt_messages(history, TOOLS, fmt)[2]["content"]
    calls, _ = extract_text_calls(text, TOOLS)
    assert [c.name for c in calls] == ["read_file"] and calls[0].arguments is None


def _providers(sim: SimServer, fmt: str, api: str) -> list[Any]:
    base = f"{sim.url}/v1beta" if api == "gemini" else f"{sim.url}/v1" if api != "openai-chat" else sim.base_url
    return providers_for(base, "steady", mode="prompt", prompt_format=fmt, api=api)


@pytest.mark.parametrize("fmt", NAMES)
def test_a_prompt_mode_run_in_each_family_scores_every_call_right(tmp_path: Path, fmt: str) -> None:
    scenarios = fixture_scenarios()
    with SimServer(profiles=profiles(steady={}), scenarios=scenarios, time_scale=0) as sim:
        run = record(list(scenarios), _providers(sim, fmt, "openai-chat"), tmp_path / "run")
        ledger = sim.ledger()
    data = score_runs([run.root]).data["providers"]["steady"]
    assert data["success"]["value"] == 1.0, data
    assert data["tool_recall"]["value"] == 1.0 and data["param_accuracy"]["value"] == 1.0
    assert not data["faults"], data["faults"]
    assert {r["mode"] for r in ledger} == {"prompt"}
    multi = 0
    for cassette in run.iter_cassettes():
        assert not isinstance(cassette, Exception)
        for attempt in cassette.attempts:
            body = orjson.loads(attempt.request["body"])
            assert "tools" not in body
            found = prompt_tools(body["messages"])
            assert found is not None and found[0] == fmt  # the request is written in the family's format
            outcome = normalize(attempt, mode="prompt")
            assert not outcome.calls and "text_tool_call" not in outcome.faults
        multi += len(cassette.attempts) > 1
    assert multi, "the fixture library has multi-turn scenarios: their history goes back in the format"


@pytest.mark.parametrize("api", ["anthropic-messages", "openai-responses", "gemini"])
def test_a_family_format_works_through_every_dialect(tmp_path: Path, api: str) -> None:
    scenarios = fixture_scenarios()
    with SimServer(profiles=profiles(steady={}), scenarios=scenarios, time_scale=0) as sim:
        run = record(list(scenarios), _providers(sim, "kimi-k2", api), tmp_path / "run")
    data = score_runs([run.root]).data["providers"]["steady"]
    assert data["success"]["value"] == 1.0, data


def test_the_provider_file_field_reaches_run_json_only_when_not_the_default(tmp_path: Path) -> None:
    from replaykit.providers import parse_providers

    both = parse_providers({"defaults": {"base_url": "http://h/v1", "model": "m", "mode": "prompt"},
                            "providers": {"a": {}, "b": {"prompt_format": "glm"}}}, "f")
    a, b = both
    assert a.prompt_format == "hermes" and "prompt_format" not in a.sanitized()
    assert b.sanitized()["prompt_format"] == "glm"


def test_resuming_with_another_prompt_format_is_refused() -> None:
    from replaykit.providers import Provider
    from replaykit.recorder.resuming import differences

    recorded = Provider(name="p", base_url="http://h/v1", model="m", mode="prompt")
    changed = recorded.with_overrides(prompt_format="kimi-k2")
    assert differences(recorded, recorded.sanitized()) == []
    found = differences(changed, recorded.sanitized())
    assert len(found) == 1 and found[0].startswith("providers.p.prompt_format: run.json has")
