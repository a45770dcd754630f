"""Tool calls written as text: Qwen3-Coder XML, Hermes JSON in tags, bare or fenced JSON."""

from __future__ import annotations

from typing import Any

from replaykit.normalize import Call, extract_text_calls
from replaykit.promptmode import format_call

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "edit",
            "parameters": {
                "type": "object",
                "properties": {
                    "path": {"type": "string"},
                    "line": {"type": "integer"},
                    "ratio": {"type": "number"},
                    "force": {"type": "boolean"},
                    "tags": {"type": "array"},
                    "opts": {"type": "object"},
                    "note": {"type": ["string", "null"]},
                    "count": {"anyOf": [{"type": "null"}, {"type": "integer"}]},
                },
            },
        },
    }
]


def named(calls: list[Call]) -> list[tuple[str, Any]]:
    return [(c.name, c.arguments) for c in calls]


def xml(name: str, **params: str) -> str:
    body = "".join(f"<parameter={k}>\n{v}\n</parameter>\n" for k, v in params.items())
    return f"<tool_call>\n<function={name}>\n{body}</function>\n</tool_call>"


def test_qwen_xml_typed_by_the_schema() -> None:
    text = xml(
        "edit",
        path="130",
        line="130",
        ratio="0.5",
        force="True",
        tags='["a", "b"]',
        opts='{"x": 1}',
        note="null",
        count="7",
    )
    calls, rest = extract_text_calls(text, TOOLS)
    assert named(calls) == [
        (
            "edit",
            {
                "path": "130",
                "line": 130,
                "ratio": 0.5,
                "force": True,
                "tags": ["a", "b"],
                "opts": {"x": 1},
                "note": "null",
                "count": 7,
            },
        )
    ]
    assert rest == ""


def test_qwen_xml_value_that_does_not_fit_its_type_stays_text() -> None:
    calls, _ = extract_text_calls(xml("edit", line="twelve", ratio="1e", force="yes"), TOOLS)
    assert named(calls) == [("edit", {"line": "twelve", "ratio": "1e", "force": "yes"})]


def test_qwen_xml_without_schema_decodes_json_else_keeps_text() -> None:
    calls, _ = extract_text_calls(xml("edit", path="src/app.py", line="130", flag="true", tags="[1, 2]"))
    assert named(calls) == [("edit", {"path": "src/app.py", "line": 130, "flag": True, "tags": [1, 2]})]


def test_qwen_xml_multi_line_value_keeps_inner_newlines() -> None:
    code = "def f():\n    return 1\n"
    calls, _ = extract_text_calls(xml("edit", path="a.py", text=code), TOOLS)
    assert calls[0].arguments == {"path": "a.py", "text": code}


def test_qwen_xml_several_calls_and_text_around() -> None:
    text = f"Let me look.\n{xml('edit', path='a.py')}\n{xml('edit', path='b.py')}\nDone."
    calls, rest = extract_text_calls(text, TOOLS)
    assert named(calls) == [("edit", {"path": "a.py"}), ("edit", {"path": "b.py"})]
    assert rest == "Let me look.\n\n\nDone."


def test_qwen_xml_without_the_tool_call_wrapper_and_closing_parameter() -> None:
    text = "<function=edit>\n<parameter=path>\na.py\n<parameter=line>\n3\n</function>"
    calls, rest = extract_text_calls(text, TOOLS)
    assert named(calls) == [("edit", {"path": "a.py", "line": 3})]
    assert rest == ""


def test_function_tag_with_json_body() -> None:
    calls, _ = extract_text_calls('<function=edit>{"path": "a.py"}</function>')
    assert named(calls) == [("edit", {"path": "a.py"})]


def test_hermes_arguments_parameters_and_string_arguments() -> None:
    text = (
        '<tool_call>{"name": "a", "arguments": {"x": 1}}</tool_call>\n'
        '<tool_call>{"name": "b", "parameters": {"y": "130"}}</tool_call>\n'
        '<tool_call>{"name": "c", "arguments": "{\\"z\\": true}"}</tool_call>\n'
        '<tool_call>{"name": "d"}</tool_call>'
    )
    calls, rest = extract_text_calls(text)
    assert named(calls) == [("a", {"x": 1}), ("b", {"y": "130"}), ("c", {"z": True}), ("d", {})]
    assert [c.raw_arguments for c in calls] == ['{"x":1}', '{"y":"130"}', '{"z": true}', ""]
    assert rest == ""


def test_hermes_written_by_the_prompt_mode_convention() -> None:
    text = "Sure.\n" + format_call("read_file", {"path": "a.py"}) + "\n" + format_call("ls", {})
    calls, rest = extract_text_calls(text)
    assert named(calls) == [("read_file", {"path": "a.py"}), ("ls", {})]
    assert rest == "Sure."


def test_hermes_without_closing_tag_at_the_end() -> None:
    calls, rest = extract_text_calls('Checking.\n<tool_call>\n{"name": "a", "arguments": {"x": 1}}\n')
    assert named(calls) == [("a", {"x": 1})]
    assert rest == "Checking."


def test_hermes_broken_json_keeps_name_and_raw_arguments() -> None:
    calls, _ = extract_text_calls('<tool_call>{"name": "a", "arguments": {"x": "say "hi""}}</tool_call>')
    assert len(calls) == 1
    assert (calls[0].name, calls[0].arguments, calls[0].raw_arguments) == ("a", None, '{"x": "say "hi""}')


def test_tag_without_a_readable_call_stays_text() -> None:
    text = "<tool_call>I cannot decide</tool_call>"
    assert extract_text_calls(text) == ([], text)


def test_bare_json_object_list_and_fence() -> None:
    one, rest = extract_text_calls('{"name": "a", "arguments": {"x": 1}}')
    assert named(one) == [("a", {"x": 1})] and rest == ""
    many, _ = extract_text_calls('[{"name": "a", "arguments": {}}, {"name": "b", "parameters": {"y": 2}}]')
    assert named(many) == [("a", {}), ("b", {"y": 2})]
    fenced, rest = extract_text_calls('Calling:\n```json\n{"name": "a", "arguments": {"x": 1}}\n```\nok')
    assert named(fenced) == [("a", {"x": 1})]
    assert rest == "Calling:\n\nok"


def test_bare_json_after_a_marker_and_in_openai_shape() -> None:
    calls, _ = extract_text_calls('[TOOL_CALLS][{"name": "a", "arguments": {"x": 1}}]')
    assert named(calls) == [("a", {"x": 1})]
    shaped, _ = extract_text_calls('{"type": "function", "function": {"name": "b", "arguments": "{}"}}')
    assert named(shaped) == [("b", {})]


def test_json_answers_that_are_not_calls_stay_text() -> None:
    for text in (
        '{"name": "Alice", "age": 3}',
        '[{"name": "a", "arguments": {}}, 3]',
        "```json\n[1, 2]\n```",
        "just words",
        "",
    ):
        assert extract_text_calls(text) == ([], text)


def test_calls_inside_reasoning_are_not_calls() -> None:
    text = '<think>maybe <tool_call>{"name": "a", "arguments": {}}</tool_call></think>The answer is 4.'
    assert extract_text_calls(text) == ([], text)
    after = text + '\n<tool_call>{"name": "b", "arguments": {}}</tool_call>'
    calls, rest = extract_text_calls(after)
    assert named(calls) == [("b", {})]
    assert rest == text
