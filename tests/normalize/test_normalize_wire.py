"""Constructed wire cases, one per deviation in NOTES.md ("OpenAI-compatible tool-call traffic")."""

from __future__ import annotations

from typing import Any

import orjson
from wirekit import calls_delta, chunk, completion, json_attempt, sse, stream_attempt, tc, tool_stream

from replaykit.normalize import Outcome, normalize
from replaykit.promptmode import to_prompt_messages


def calls_of(out: Outcome) -> list[tuple[str, Any, str]]:
    return [(c.name, c.arguments, c.raw_arguments) for c in out.calls]


def ok(out: Outcome) -> Outcome:
    assert out.error_class is None, (out.error_class, out.error_message)
    return out


# --- the regular shapes


def test_regular_stream_with_fragments_usage_and_cost() -> None:
    out = ok(normalize(stream_attempt(tool_stream("read_file", '{"path": "src/app.py", "limit": 40}'))))
    assert calls_of(out) == [
        ("read_file", {"path": "src/app.py", "limit": 40}, '{"path": "src/app.py", "limit": 40}')
    ]
    assert out.calls[0].id == "call_1"
    assert out.finish_reason == "tool_calls" and out.native_finish_reason == "tool_calls"
    assert out.provider == "DeepInfra" and out.model == "qwen/qwen3-coder"
    assert out.usage == {"prompt_tokens": 50, "completion_tokens": 20, "total_tokens": 70, "cost": 0.00012}
    assert out.cost == 0.00012
    assert out.faults == []


def test_regular_json_body() -> None:
    body = completion(
        {
            "content": None,
            "tool_calls": [
                {
                    "id": "call_9",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
                }
            ],
        },
        finish="tool_calls",
    )
    out = ok(normalize(json_attempt(body)))
    assert calls_of(out) == [("get_weather", {"city": "Paris"}, '{"city":"Paris"}')]
    assert out.calls[0].id == "call_9"
    assert out.text == "" and out.finish_reason == "tool_calls" and out.provider == "DeepInfra"
    assert out.usage == {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}


def test_content_deltas_are_concatenated() -> None:
    body = sse(
        chunk({"role": "assistant", "content": ""}),
        chunk({"content": "Hel"}),
        chunk({"content": None}),
        chunk({"content": "lo"}),
        chunk(finish="stop"),
    )
    out = ok(normalize(stream_attempt(body)))
    assert out.text == "Hello" and out.calls == [] and out.finish_reason == "stop"


# --- index missing (Gemini's endpoint, Ollama, mistral.rs)


def test_missing_index_fragments_follow_the_id_then_the_last_call() -> None:
    body = sse(
        chunk(calls_delta(tc(id="call_a", name="search", args=""))),
        chunk(calls_delta(tc(args='{"q": '))),
        chunk(calls_delta(tc(args='"cats"}'))),
        chunk(calls_delta(tc(id="call_b", name="open", args='{"url": "x"}'))),
        chunk(calls_delta(tc(id="call_a", args=""))),
        chunk(finish="tool_calls"),
    )
    out = ok(normalize(stream_attempt(body)))
    assert calls_of(out) == [
        ("search", {"q": "cats"}, '{"q": "cats"}'),
        ("open", {"url": "x"}, '{"url": "x"}'),
    ]
    assert [c.id for c in out.calls] == ["call_a", "call_b"]


def test_missing_index_and_empty_ids_whole_calls_stay_apart() -> None:
    """Gemini: each parallel call whole, `id: ""`, no index: a repeated name after whole arguments starts
    a new call."""
    body = sse(
        chunk(
            calls_delta(
                tc(id="", name="get_weather", args='{"city": "Paris"}'),
                tc(id="", name="get_weather", args='{"city": "Rome"}'),
            )
        ),
        chunk(calls_delta(tc(id="", name="get_time", args='{"tz": "CET"}'))),
        chunk(finish="tool_calls"),
    )
    out = ok(normalize(stream_attempt(body)))
    assert calls_of(out) == [
        ("get_weather", {"city": "Paris"}, '{"city": "Paris"}'),
        ("get_weather", {"city": "Rome"}, '{"city": "Rome"}'),
        ("get_time", {"tz": "CET"}, '{"tz": "CET"}'),
    ]
    assert [c.id for c in out.calls] == [None, None, None]


def test_missing_index_header_then_fragments_without_keys() -> None:
    body = sse(
        chunk(calls_delta(tc(name="add", args=""))),
        chunk(calls_delta(tc(args='{"a": 1,'))),
        chunk(calls_delta(tc(args=' "b": 2}'))),
        chunk(finish="tool_calls"),
    )
    out = ok(normalize(stream_attempt(body)))
    assert calls_of(out) == [("add", {"a": 1, "b": 2}, '{"a": 1, "b": 2}')]


# --- a whole call in one chunk (Groq)


def test_whole_calls_in_one_chunk() -> None:
    body = sse(
        chunk(
            calls_delta(
                tc(0, "call_x", "read_file", '{"path":"a.py"}'),
                tc(1, "call_y", "read_file", '{"path":"b.py"}'),
            )
        ),
        chunk(finish="tool_calls"),
    )
    out = ok(normalize(stream_attempt(body)))
    assert calls_of(out) == [
        ("read_file", {"path": "a.py"}, '{"path":"a.py"}'),
        ("read_file", {"path": "b.py"}, '{"path":"b.py"}'),
    ]
    assert [c.id for c in out.calls] == ["call_x", "call_y"]


def test_whole_call_resent_under_the_same_id_is_not_doubled() -> None:
    """Novita re-sends a call's header; when it re-sends whole arguments too, they count once."""
    body = sse(
        chunk(calls_delta(tc(0, "0", "llm_version", "{}"))),
        chunk(calls_delta(tc(0, "0", "llm_version", "{}"))),
        chunk(finish="tool_calls"),
    )
    out = ok(normalize(stream_attempt(body)))
    assert calls_of(out) == [("llm_version", {}, "{}")]


# --- arguments as an object (TGI, llama.cpp)


def test_arguments_as_object_in_a_stream() -> None:
    body = sse(chunk(calls_delta(tc(0, "call_1", "move", {"x": 1, "y": [2, 3]}))), chunk(finish="tool_calls"))
    out = ok(normalize(stream_attempt(body)))
    assert calls_of(out) == [("move", {"x": 1, "y": [2, 3]}, '{"x":1,"y":[2,3]}')]
    assert out.faults == []


def test_arguments_as_object_in_a_json_body() -> None:
    body = completion(
        {
            "tool_calls": [
                {"id": "c", "type": "function", "function": {"name": "move", "arguments": {"x": 1}}}
            ]
        },
        finish="tool_calls",
    )
    out = ok(normalize(json_attempt(body)))
    assert calls_of(out) == [("move", {"x": 1}, '{"x":1}')]


def test_arguments_as_a_non_object_value_is_invalid() -> None:
    body = completion(
        {"tool_calls": [{"id": "c", "function": {"name": "move", "arguments": [1, 2]}}]}, finish="tool_calls"
    )
    out = ok(normalize(json_attempt(body)))
    assert calls_of(out) == [("move", None, "[1,2]")]
    assert out.faults == ["invalid_json_args"]


# --- "", null or no arguments


def test_empty_null_and_missing_arguments_in_a_stream() -> None:
    body = sse(
        chunk(calls_delta(tc(0, "a", "f", ""), tc(1, "b", "g", None), tc(2, "c", "h"))),
        chunk(finish="tool_calls"),
    )
    out = ok(normalize(stream_attempt(body)))
    assert calls_of(out) == [("f", {}, ""), ("g", {}, ""), ("h", {}, "")]
    assert out.faults == []


def test_empty_null_and_missing_arguments_in_a_json_body() -> None:
    entries = [
        {"id": "a", "function": {"name": "f", "arguments": ""}},
        {"id": "b", "function": {"name": "g", "arguments": None}},
        {"id": "c", "function": {"name": "h"}},
    ]
    out = ok(normalize(json_attempt(completion({"tool_calls": entries}, finish="tool_calls"))))
    assert calls_of(out) == [("f", {}, ""), ("g", {}, ""), ("h", {}, "")]


# --- ids: empty (Gemini), 9 characters (Mistral)


def test_empty_ids_with_index() -> None:
    body = sse(
        chunk(calls_delta(tc(0, "", "a", '{"k":'), tc(1, "", "b", "{}"))),
        chunk(calls_delta(tc(0, args="1}"))),
        chunk(finish="tool_calls"),
    )
    out = ok(normalize(stream_attempt(body)))
    assert calls_of(out) == [("a", {"k": 1}, '{"k":1}'), ("b", {}, "{}")]
    assert [c.id for c in out.calls] == [None, None]


def test_mistral_nine_character_ids() -> None:
    body = sse(chunk(calls_delta(tc(0, "D681PevKs", "f", '{"n": 1}'))), chunk(finish="tool_calls"))
    assert ok(normalize(stream_attempt(body))).calls[0].id == "D681PevKs"


# --- calls left as text in content

QWEN_XML = (
    "I'll read the file.\n<tool_call>\n<function=read_file>\n<parameter=path>\nsrc/app.py\n</parameter>\n"
    "<parameter=offset>\n130\n</parameter>\n</function>\n</tool_call>"
)
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "read_file",
            "parameters": {
                "type": "object",
                "properties": {"path": {"type": "string"}, "offset": {"type": "integer"}},
            },
        },
    }
]


def test_qwen_xml_call_left_in_the_text_of_a_stream() -> None:
    half = len(QWEN_XML) // 2
    body = sse(chunk({"content": QWEN_XML[:half]}), chunk({"content": QWEN_XML[half:]}), chunk(finish="stop"))
    out = ok(normalize(stream_attempt(body), tools=TOOLS))
    assert out.calls == []
    assert [(c.name, c.arguments) for c in out.text_calls] == [
        ("read_file", {"path": "src/app.py", "offset": 130})
    ]
    assert orjson.loads(out.text_calls[0].raw_arguments) == {"path": "src/app.py", "offset": 130}
    assert out.text == "I'll read the file."
    assert out.faults == ["text_tool_call"]
    assert out.finish_reason == "stop"


def test_hermes_call_left_in_the_text_of_a_json_body() -> None:
    content = (
        '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris", "unit": "c"}}\n</tool_call>'
    )
    out = ok(normalize(json_attempt(completion({"content": content}))))
    assert [(c.name, c.arguments) for c in out.text_calls] == [
        ("get_weather", {"city": "Paris", "unit": "c"})
    ]
    assert out.text == ""
    assert out.faults == ["text_tool_call"]


def test_text_calls_in_prompt_mode_are_no_fault() -> None:
    content = '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>'
    out = ok(normalize(json_attempt(completion({"content": content})), mode="prompt"))
    assert out.faults == []
    assert [c.name for c in out.effective_calls("prompt")] == ["get_weather"]


def test_prompt_mode_text_call_with_broken_json_is_invalid_json_args() -> None:
    content = '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"\n</tool_call>'
    out = ok(normalize(json_attempt(completion({"content": content})), mode="prompt"))
    assert [(c.name, c.arguments) for c in out.text_calls] == [("get_weather", None)]
    assert out.faults == ["invalid_json_args"]


def test_structured_and_text_calls_together_is_no_text_fault() -> None:
    content = '<tool_call>{"name": "a", "arguments": {}}</tool_call>'
    body = completion(
        {"content": content, "tool_calls": [{"id": "x", "function": {"name": "a", "arguments": "{}"}}]},
        finish="tool_calls",
    )
    out = ok(normalize(json_attempt(body)))
    assert len(out.calls) == 1 and len(out.text_calls) == 1
    assert out.faults == []


# --- finish_reason "tool_calls" with no call


def test_tool_calls_finish_with_an_empty_list() -> None:
    out = ok(normalize(json_attempt(completion({"content": "", "tool_calls": []}, finish="tool_calls"))))
    assert out.calls == [] and out.faults == ["empty_tool_calls"]
    stream = ok(normalize(stream_attempt(sse(chunk({"tool_calls": []}), chunk(finish="tool_calls")))))
    assert stream.faults == ["empty_tool_calls"]


# --- invalid JSON arguments, numbers as strings


def test_lost_closing_brace_is_invalid_json_args() -> None:
    out = ok(normalize(stream_attempt(tool_stream("read_file", '{"path": "a.py"'))))
    assert calls_of(out) == [("read_file", None, '{"path": "a.py"')]
    assert out.faults == ["invalid_json_args"]


def test_unescaped_value_is_invalid_json_args() -> None:
    raw = '{"code": "print("hi")"}'
    body = completion(
        {"tool_calls": [{"id": "c", "function": {"name": "run", "arguments": raw}}]}, finish="tool_calls"
    )
    out = ok(normalize(json_attempt(body)))
    assert calls_of(out) == [("run", None, raw)]
    assert out.faults == ["invalid_json_args"]


def test_numbers_as_strings_stay_strings() -> None:
    out = ok(normalize(stream_attempt(tool_stream("read_file", '{"path": "a.py", "offset": "130"}'))))
    assert out.calls[0].arguments == {"path": "a.py", "offset": "130"}
    assert out.faults == []


def test_hallucinated_tool_name_passes_through() -> None:
    out = ok(normalize(stream_attempt(tool_stream("read_the_file_please", "{}"))))
    assert [c.name for c in out.calls] == ["read_the_file_please"]


# --- parallel calls interleaved or merged


def test_parallel_calls_interleaved_by_index() -> None:
    body = sse(
        chunk(calls_delta(tc(0, "c0", "get_weather", ""))),
        chunk(calls_delta(tc(1, "c1", "get_weather", ""))),
        chunk(calls_delta(tc(0, args='{"city": '))),
        chunk(calls_delta(tc(1, args='{"city": '))),
        chunk(calls_delta(tc(1, args='"Rome"}'))),
        chunk(calls_delta(tc(0, args='"Paris"}'))),
        chunk(finish="tool_calls"),
    )
    out = ok(normalize(stream_attempt(body)))
    assert calls_of(out) == [
        ("get_weather", {"city": "Paris"}, '{"city": "Paris"}'),
        ("get_weather", {"city": "Rome"}, '{"city": "Rome"}'),
    ]


def test_every_call_at_index_zero_but_new_ids() -> None:
    body = sse(
        chunk(calls_delta(tc(0, "c0", "a", ""))),
        chunk(calls_delta(tc(0, args='{"n": 1}'))),
        chunk(calls_delta(tc(0, "c1", "b", ""))),
        chunk(calls_delta(tc(0, args='{"n": 2}'))),
        chunk(finish="tool_calls"),
    )
    out = ok(normalize(stream_attempt(body)))
    assert calls_of(out) == [("a", {"n": 1}, '{"n": 1}'), ("b", {"n": 2}, '{"n": 2}')]


def test_arguments_of_two_calls_merged_into_one_are_invalid() -> None:
    body = sse(
        chunk(calls_delta(tc(0, "c0", "a", '{"n": 1}'))),
        chunk(calls_delta(tc(0, args='{"n": 2}'))),
        chunk(finish="tool_calls"),
    )
    out = ok(normalize(stream_attempt(body)))
    assert calls_of(out) == [("a", None, '{"n": 1}{"n": 2}')]
    assert out.faults == ["invalid_json_args"]


# --- calls dropped at max_tokens


def test_call_cut_at_max_tokens() -> None:
    out = ok(
        normalize(
            stream_attempt(
                tool_stream("write_file", '{"path": "a.py", "text": "lorem ipsum', finish="length")
            )
        )
    )
    assert out.finish_reason == "length"
    assert calls_of(out) == [("write_file", None, '{"path": "a.py", "text": "lorem ipsum')]
    assert out.faults == ["invalid_json_args"]


# --- OpenRouter: keep-alive comments, error events, [DONE] omitted, cut streams


def test_keep_alive_comments_anywhere() -> None:
    body = sse(
        ": OPENROUTER PROCESSING\n\n",
        chunk({"content": "Hi"}),
        ": OPENROUTER PROCESSING\n\n",
        chunk(finish="stop"),
        ": OPENROUTER PROCESSING\n\n",
    )
    out = ok(normalize(stream_attempt(body)))
    assert out.text == "Hi"


def test_error_event_inside_a_200_stream() -> None:
    error = {
        "code": 502,
        "message": "Provider returned error",
        "metadata": {"provider_name": "Chutes", "raw": "upstream connect error"},
    }
    body = sse(
        chunk({"content": "Partial"}, provider=None),
        chunk({"content": ""}, finish="error", error=error, provider=None),
        done=False,
    )
    out = normalize(stream_attempt(body))
    assert out.error_class == "stream_error"
    assert out.error_message == "Provider returned error: upstream connect error"
    assert out.provider == "Chutes"
    assert out.text == "Partial"
    assert out.faults == []


def test_error_chunk_without_choices() -> None:
    body = sse(chunk({"content": "a"}), {"error": {"message": "overloaded", "code": "server_error"}})
    out = normalize(stream_attempt(body))
    assert out.error_class == "stream_error" and out.error_message == "overloaded"


def test_finish_reason_error_without_an_error_object() -> None:
    assert (
        normalize(stream_attempt(sse(chunk({"content": "a"}), chunk(finish="error")))).error_class
        == "stream_error"
    )


def test_named_error_event() -> None:
    body = sse(chunk({"content": "a"}), "event: error\ndata: upstream timed out\n\n", done=False)
    out = normalize(stream_attempt(body))
    assert out.error_class == "stream_error" and out.error_message == "upstream timed out"


def test_null_error_fields_are_no_error() -> None:
    body = sse(chunk({"content": "a"}, error=None), chunk(finish="stop", error=None))
    assert ok(normalize(stream_attempt(body))).text == "a"


def test_stream_without_done_but_with_finish_reason_is_whole() -> None:
    out = ok(normalize(stream_attempt(tool_stream("f", '{"a": 1}', done=False))))
    assert calls_of(out) == [("f", {"a": 1}, '{"a": 1}')]


def test_stream_without_done_and_finish_reason_is_cut() -> None:
    body = sse(chunk(calls_delta(tc(0, "c", "f", '{"a": 1}'))), done=False)
    out = normalize(stream_attempt(body))
    assert out.error_class == "stream_cut"
    assert calls_of(out) == [("f", {"a": 1}, '{"a": 1}')]  # what arrived stays visible
    assert out.faults == []


def test_stream_cut_inside_an_event() -> None:
    full = tool_stream("f", '{"a": 1}')
    cut = full[: full.index('"finish_reason":"tool_calls"') + 10]
    out = normalize(stream_attempt(cut))
    assert out.error_class == "stream_cut"
    assert out.error_message == "the stream ended inside an event"


def test_stream_cut_after_finish_inside_usage_chunk() -> None:
    full = tool_stream("f", '{"a": 1}')
    cut = full[: full.index('"usage"') + 5]
    assert normalize(stream_attempt(cut)).error_class == "stream_cut"


def test_keep_alive_only_then_end_is_a_cut() -> None:
    assert normalize(stream_attempt(": OPENROUTER PROCESSING\n\n")).error_class == "stream_cut"


def test_crlf_stream() -> None:
    body = tool_stream("f", '{"a": 1}').replace("\n", "\r\n")
    assert calls_of(ok(normalize(stream_attempt(body)))) == [("f", {"a": 1}, '{"a": 1}')]


def test_stream_answered_as_json() -> None:
    """A provider that ignores `stream: true` answers JSON to a streaming request: still an answer."""
    body = orjson.dumps(completion({"content": "plain"})).decode()
    assert ok(normalize(stream_attempt(body))).text == "plain"


def test_legacy_function_call() -> None:
    body = completion({"function_call": {"name": "f", "arguments": '{"a":1}'}}, finish="function_call")
    assert calls_of(ok(normalize(json_attempt(body)))) == [("f", {"a": 1}, '{"a":1}')]
    stream = sse(
        chunk({"function_call": {"name": "f", "arguments": ""}}),
        chunk({"function_call": {"arguments": '{"a":1}'}}),
        chunk(finish="function_call"),
    )
    assert calls_of(ok(normalize(stream_attempt(stream)))) == [("f", {"a": 1}, '{"a":1}')]


def test_content_as_a_list_of_parts() -> None:
    body = completion({"content": [{"type": "text", "text": "Hello "}, {"type": "text", "text": "there"}]})
    assert ok(normalize(json_attempt(body))).text == "Hello there"


def test_second_choice_is_ignored() -> None:
    body = sse(
        {"choices": [{"index": 1, "delta": {"content": "other"}}]},
        chunk({"content": "first"}),
        chunk(finish="stop"),
    )
    assert ok(normalize(stream_attempt(body))).text == "first"


def test_finish_reasons_from_the_last_chunk_that_has_one() -> None:
    body = sse(
        chunk({"content": "x"}, finish="tool_calls", native="TOOL_USE"),
        chunk({}, finish="stop"),
        chunk({}, finish=""),
    )
    out = ok(normalize(stream_attempt(body)))
    assert out.finish_reason == "stop" and out.native_finish_reason == "TOOL_USE"


# --- sloppy framing -----------------------------------------------------------------------------------------


def test_events_separated_by_one_newline() -> None:
    body = sse(chunk({"content": "a"}), chunk({"content": "b"}), chunk(finish="stop")).replace("\n\n", "\n")
    out = ok(normalize(stream_attempt(body)))
    assert (out.text, out.finish_reason) == ("ab", "stop")


def test_events_separated_by_one_newline_without_finish_but_done() -> None:
    body = sse(chunk({"content": "a"}), chunk({"content": "b"})).replace("\n\n", "\n")
    assert ok(normalize(stream_attempt(body))).text == "ab"


def test_byte_order_mark_before_the_body() -> None:
    assert ok(normalize(stream_attempt("\ufeff" + tool_stream("f", "{}")))).calls[0].name == "f"
    assert (
        ok(normalize(json_attempt("\ufeff" + orjson.dumps(completion({"content": "x"})).decode()))).text
        == "x"
    )


# --- XML values typed by the tools of the recorded request --------------------------------------------------


def test_xml_call_typed_by_the_request_tools() -> None:
    request = {
        "method": "POST",
        "uri": "https://x/v1/chat/completions",
        "body": orjson.dumps({"model": "m", "tools": TOOLS, "messages": []}).decode(),
    }
    attempt = json_attempt(completion({"content": QWEN_XML.replace("src/app.py", "42")}))
    attempt.request = request
    out = ok(normalize(attempt))
    assert out.text_calls[0].arguments == {"path": "42", "offset": 130}


def test_xml_call_typed_by_the_prompt_mode_system_prompt() -> None:
    messages = to_prompt_messages([{"role": "user", "content": "read it"}], TOOLS)
    attempt = json_attempt(completion({"content": QWEN_XML.replace("src/app.py", "42")}))
    attempt.request = {
        "method": "POST",
        "uri": "https://x",
        "body": orjson.dumps({"messages": messages}).decode(),
    }
    out = ok(normalize(attempt, mode="prompt"))
    assert out.text_calls[0].arguments == {"path": "42", "offset": 130}
    assert out.faults == []


def test_xml_call_without_any_tools_decodes_json_values() -> None:
    out = ok(normalize(json_attempt(completion({"content": QWEN_XML.replace("src/app.py", "42")}))))
    assert out.text_calls[0].arguments == {"path": 42, "offset": 130}
