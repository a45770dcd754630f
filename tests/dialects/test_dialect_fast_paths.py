"""The dialect stream readers' fast paths read exactly what their general paths read.

Each reader splits a well-formed body in fixed line strides and folds its most common events in one loop;
everything else goes through the general SSE parser and the per-event handler. Here generated event lists,
healthy and broken (a bool or string index, a piece that is no string, an unknown type, data that is no
object), go through both paths and must leave the same answer and the same verdict.
"""

from __future__ import annotations

import copy
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from replaykit.normalize.dialects import anthropic, gemini, responses
from replaykit.normalize.dialects.common import events as general_events
from replaykit.normalize.dialects.common import stream_events
from replaykit.normalize.outcome import Outcome
from replaykit.normalize.sse import parse_sse

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_INDEX = st.sampled_from([0, 0, 0, 1, True, "0", None, -1])
_PIECE = st.one_of(st.text(max_size=6), st.just(""), st.none(), st.integers(0, 3), st.just(["x"]))
_NAME = st.sampled_from(["content_block_delta", "message_stop", "error", "ping", "x", None])


def _body(names: list[str | None], events: list[Any], crlf: bool = False) -> str:
    text = "".join((f"event: {n}\n" if n else "") + f"data: {orjson.dumps(e).decode()}\n\n" for n, e in
                   zip(names, events))
    return text.replace("\n", "\r\n") if crlf else text


def _outcome(run: Any) -> tuple[str, str]:
    """The outcome's full state after `run(out)`, or the exception it raised (both paths must agree)."""
    out = Outcome()
    try:
        verdict = repr(run(out))
    except Exception as err:  # the normalizer's safety net would catch it: both paths must raise alike
        verdict = f"raised {type(err).__name__}: {err}"
    return repr(out), verdict


# --- Anthropic Messages ---------------------------------------------------------------------------------

_ANTHROPIC_EVENT = st.one_of(
    st.builds(lambda i, t, key, v: {"type": "content_block_delta", "index": i, "delta": {"type": t, key: v}},
              _INDEX, st.sampled_from(["text_delta", "input_json_delta", "thinking_delta", "signature_delta",
                                       "other"]),
              st.sampled_from(["text", "partial_json", "thinking", "signature"]), _PIECE),
    st.builds(lambda i, t: {"type": "content_block_start", "index": i,
                            "content_block": {"type": t, "id": "toolu_1", "name": "f", "input": {}, "text": ""}},
              _INDEX, st.sampled_from(["text", "tool_use", "thinking"])),
    st.builds(lambda i: {"type": "content_block_delta", "index": i, "delta": "text"}, _INDEX),
    st.sampled_from([
        {"type": "message_start", "message": {"model": "m", "usage": {"input_tokens": 3, "output_tokens": 1}}},
        {"type": "content_block_stop", "index": 0},
        {"type": "ping"},
        {"type": "message_delta", "delta": {"stop_reason": "tool_use"}, "usage": {"output_tokens": 7}},
        {"type": "message_stop"},
        {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
        {"index": 0, "delta": {"type": "text_delta", "text": "untyped"}},
        {"type": ""},
        "plain text",
        7,
    ]),
)


def _anthropic_by_handler(names: list[str | None], events: list[Any], out: Outcome) -> Any:
    folder = anthropic._Stream(out)
    for position, (name, data) in enumerate(zip(names, events)):
        folder.take(name, data, position)
    folder.finish()
    return folder.error, folder.bad, folder.started, folder.stopped


def _anthropic_by_fold(names: list[str | None], events: list[Any], out: Outcome) -> Any:
    folder = anthropic._Stream(out)
    folder.fold(names, events)
    folder.finish()
    return folder.error, folder.bad, folder.started, folder.stopped


@FAST
@given(st.lists(st.tuples(_NAME, _ANTHROPIC_EVENT), max_size=12))
def test_anthropic_fold_reads_as_the_handlers_do(pairs: list[tuple[str | None, Any]]) -> None:
    names, events = [n for n, _ in pairs], [e for _, e in pairs]
    assert _outcome(lambda out: _anthropic_by_fold(names, copy.deepcopy(events), out)) == \
        _outcome(lambda out: _anthropic_by_handler(names, copy.deepcopy(events), out))


# --- OpenAI Responses -----------------------------------------------------------------------------------

_ITEM = {"id": "fc_1", "type": "function_call", "call_id": "call_1", "name": "f", "arguments": ""}
_RESPONSES_EVENT = st.one_of(
    st.builds(lambda t, i, d: {"type": t, "output_index": i, "delta": d},
              st.sampled_from(["response.function_call_arguments.delta", "response.output_text.delta"]),
              _INDEX, _PIECE),
    st.builds(lambda t, i: {"type": t, "output_index": i, "item": dict(_ITEM)},
              st.sampled_from(["response.output_item.added", "response.output_item.done"]), _INDEX),
    st.builds(lambda t: {"type": t, "response": {"status": "completed", "model": "m",
                                                  "usage": {"input_tokens": 2, "output_tokens": 3}}},
              st.sampled_from(["response.created", "response.in_progress", "response.completed",
                               "response.incomplete", "response.failed"])),
    st.sampled_from([
        {"type": "response.output_text.done", "output_index": 0, "text": "x"},
        {"type": "response.content_part.added", "output_index": 0},
        {"type": "response.function_call_arguments.done", "output_index": 0, "arguments": "{}"},
        {"type": "error", "code": "server_error", "message": "boom"},
        {"output_index": 0, "delta": "untyped"},
        {"type": ["not", "a", "name"]},
        {"type": ""},
        "plain text",
        None,
    ]),
)


def _responses_read(names: list[str | None], events: list[Any], out: Outcome, fold: bool) -> Any:
    folder = responses._Stream()
    if fold:
        folder.fold(names, events)
    else:
        for position, (name, data) in enumerate(zip(names, events)):
            folder.take(name, data, position)
    responses._fill(out, folder.response, folder.output())
    return folder.error, folder.bad, folder.terminal, folder.items


@FAST
@given(st.lists(st.tuples(st.sampled_from(["response.completed", "error", None]), _RESPONSES_EVENT), max_size=12))
def test_responses_fold_reads_as_the_handler_does(pairs: list[tuple[str | None, Any]]) -> None:
    names, events = [n for n, _ in pairs], [e for _, e in pairs]
    assert _outcome(lambda out: _responses_read(names, copy.deepcopy(events), out, fold=True)) == \
        _outcome(lambda out: _responses_read(names, copy.deepcopy(events), out, fold=False))


# --- Gemini ---------------------------------------------------------------------------------------------

_PART = st.sampled_from([
    {"text": "hello "}, {"text": "plan", "thought": True}, {"text": 5},
    {"functionCall": {"name": "f", "args": {"a": 1}}}, {"functionCall": {"name": "g", "args": {}, "id": "c1"}},
    {"text": "both", "functionCall": {"name": "h", "args": {}}}, {"functionCall": "broken"}, "not a part",
    {"thoughtSignature": "sig"},
])
_CANDIDATE = st.builds(
    lambda parts, finish: {"content": {"parts": parts, "role": "model"}, "index": 0, **finish},
    st.lists(_PART, max_size=3), st.sampled_from([{}, {}, {"finishReason": "STOP"}, {"finishReason": "MAX_TOKENS"},
                                                  {"finishReason": ""}]))
_GEMINI_CHUNK = st.one_of(
    st.builds(lambda c, extra: {"candidates": [c], **extra}, _CANDIDATE, st.sampled_from([
        {}, {"modelVersion": "gemini-x"}, {"usageMetadata": {"promptTokenCount": 4, "candidatesTokenCount": 2}},
        {"promptFeedback": {"blockReason": "SAFETY"}}, {"error": "not an object"}])),
    st.sampled_from([
        {"error": {"code": 429, "message": "slow down", "status": "RESOURCE_EXHAUSTED"}},
        {"candidates": []}, {"candidates": ["x"]}, {"candidates": "x"}, {"candidates": [{"content": "x"}]},
        "plain text", [1],
    ]),
)


def _gemini_reference(chunks: list[Any], out: Outcome) -> Any:
    """The rules of gemini.py's docstring, read the plain way (as the reader did before its fast path)."""
    parts: list[dict[str, Any]] = []
    error = bad = usage = None
    for number, chunk in enumerate(chunks, 1):
        if not isinstance(chunk, dict):
            bad = bad or f"chunk {number} is not a JSON object"
            continue
        if isinstance(chunk.get("error"), dict):
            info = chunk["error"]
            error = error or (gemini.STATUS_CLASS.get(str(info.get("status"))) or gemini.code_class(info.get("code")),
                              gemini._message(info) or "error in the body")
            continue
        if out.model is None and isinstance(chunk.get("modelVersion"), str) and chunk["modelVersion"]:
            out.model = chunk["modelVersion"]
        if isinstance(chunk.get("usageMetadata"), dict):
            usage = chunk["usageMetadata"]
        feedback = chunk.get("promptFeedback")
        if isinstance(feedback, dict) and feedback.get("blockReason"):
            out.native_finish_reason, out.finish_reason = str(feedback["blockReason"]), "content_filter"
        candidates = chunk.get("candidates")
        if not (isinstance(candidates, list) and candidates and isinstance(candidates[0], dict)):
            continue
        content = candidates[0].get("content")
        if isinstance(content, dict) and isinstance(content.get("parts"), list):
            parts.extend(p for p in content["parts"] if isinstance(p, dict))
        reason = candidates[0].get("finishReason")
        if isinstance(reason, str) and reason:
            out.native_finish_reason, out.finish_reason = reason, gemini.FINISH.get(reason, reason.lower())
    if usage is not None:
        completion = gemini.count(usage.get("candidatesTokenCount")) + gemini.count(usage.get("thoughtsTokenCount"))
        gemini.set_usage(out, usage, gemini.count(usage.get("promptTokenCount")), completion)
    out.text = "".join(p["text"] for p in parts if isinstance(p.get("text"), str) and not p.get("thought"))
    for part in parts:
        call = part.get("functionCall")
        if isinstance(call, dict):
            name, call_id = call.get("name"), call.get("id")
            out.calls.append(gemini.make_call(name if isinstance(name, str) else "",
                                              gemini.args_text(call.get("args")),
                                              call_id if isinstance(call_id, str) and call_id else None))
    if out.calls and out.finish_reason == "stop":
        out.finish_reason = "tool_calls"
    out.native_turn = {"role": "model", "parts": parts}
    return error, bad, len(chunks)


def _gemini_read(chunks: list[Any], out: Outcome) -> Any:
    folder = gemini._Folder(out)
    folder.fold(chunks)
    folder.finish()
    return folder.error, folder.bad, folder.chunks


@FAST
@given(st.lists(_GEMINI_CHUNK, max_size=8))
def test_gemini_fold_reads_by_the_documented_rules(chunks: list[Any]) -> None:
    assert _outcome(lambda out: _gemini_read(copy.deepcopy(chunks), out)) == \
        _outcome(lambda out: _gemini_reference(copy.deepcopy(chunks), out))


# --- the split -------------------------------------------------------------------------------------------

@FAST
@given(st.lists(st.tuples(st.sampled_from(["message_start", "content_block_delta", "x.y"]),
                          st.one_of(_ANTHROPIC_EVENT, _GEMINI_CHUNK)), max_size=10),
       st.booleans(), st.booleans())
def test_a_uniform_body_splits_as_the_general_parser_reads_it(pairs: list[tuple[str, Any]], named: bool,
                                                              crlf: bool) -> None:
    names: list[str | None] = [n if named else None for n, _ in pairs]
    events = [e for _, e in pairs]
    body = _body(names, events, crlf)
    split = stream_events(body)
    general = general_events(parse_sse(body))
    assert (split.names, split.data, split.cut_inside) == \
        ([n for n, _ in general], [d for _, d in general], False)
    assert (split.names, split.data) == (names, events)


def test_bodies_of_other_shapes_take_the_general_parser() -> None:
    one = 'event: message_start\ndata: {"type":"message_start"}\n\n'
    mixed = one + 'data: {"type":"ping"}\n\n'
    assert stream_events(mixed) == (["message_start", None], [{"type": "message_start"}, {"type": "ping"}], False)
    commented = ": keep-alive\n\n" + one
    assert stream_events(commented) == (["message_start"], [{"type": "message_start"}], False)
    cut = one + 'event: message_stop\ndata: {"type":"mess'
    assert stream_events(cut) == (["message_start"], [{"type": "message_start"}], True)
    not_json = one + "event: error\ndata: upstream went away\n\n"
    assert stream_events(not_json) == (["message_start", "error"], [{"type": "message_start"},
                                                                    "upstream went away"], False)
    unclosed = one + 'event: message_stop\ndata: {"type":"message_stop"}'
    assert stream_events(unclosed) == (["message_start", "message_stop"],
                                       [{"type": "message_start"}, {"type": "message_stop"}], False)
    two_data_lines = 'data: {"a":\ndata: 1}\n\n'
    assert stream_events(two_data_lines) == ([None], [{"a": 1}], False)


def test_large_bodies_read_alike_whether_uniform_or_not() -> None:
    uniform = 'event: ping\ndata: {"type":"ping"}\n\n' * 40_000  # past the size where lines are counted first
    split = stream_events(uniform)
    assert len(uniform) > 1 << 20 and split.data == [{"type": "ping"}] * 40_000 and split.names == ["ping"] * 40_000
    assert stream_events("\n" * (2 << 20)) == ([], [], False)  # blank lines only: no event, and no line list
    assert stream_events("x\n\n" * 400_000) == ([], [], False)
