"""The normalizer never raises and always answers with an allowed class, whatever the body."""

from __future__ import annotations

from typing import Any, cast

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wirekit import calls_delta, chunk, completion, json_attempt, sse, stream_attempt, tc, tool_stream

from replaykit.cassettes.model import Attempt
from replaykit.normalize import (
    ERROR_CLASSES,
    Outcome,
    error_class_of,
    extract_text_calls,
    normalize,
    parse_sse,
)
from replaykit.normalize.normalizer import INTERNAL_ERROR

ALLOWED = {None, *ERROR_CLASSES}
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

VALID_STREAMS = [
    tool_stream("read_file", '{"path": "src/app.py", "offset": 130}'),
    sse(
        ": OPENROUTER PROCESSING\n\n",
        chunk({"content": "Hello"}),
        chunk({"content": " world"}),
        chunk(finish="stop"),
        chunk(choices=False, usage={"prompt_tokens": 1, "completion_tokens": 2}),
    ),
    sse(
        chunk(calls_delta(tc(0, "a", "f", '{"x": '), tc(1, "b", "g", ""))),
        chunk(calls_delta(tc(0, args="1}"))),
        chunk(calls_delta(tc(1, args="{}"))),
        chunk(finish="tool_calls"),
    ),
]
TEXTS = [
    "<tool_call>",
    "</tool_call>",
    "<function=f>",
    "</function>",
    "<parameter=p>",
    "</parameter>",
    "{",
    "}",
    '"name": "f"',
    '"arguments": ',
    "```json\n",
    "```",
    "[TOOL_CALLS]",
    "<think>",
    "</think>",
    "[",
    "]",
    "\n",
    "x",
    '"',
    "1",
]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "choices",
                    "delta",
                    "message",
                    "tool_calls",
                    "function",
                    "arguments",
                    "name",
                    "index",
                    "id",
                    "content",
                    "finish_reason",
                    "error",
                    "usage",
                    "provider",
                    "code",
                    "cost",
                ]
            ),
            inner,
            max_size=5,
        )
    ),
    max_leaves=20,
)


def check(out: Outcome) -> Outcome:
    assert out.error_class in ALLOWED
    assert not (out.error_message or "").startswith(INTERNAL_ERROR), out.error_message
    assert out.error_class is not None or out.status is not None
    if out.error_class is not None:
        assert out.faults == []
    orjson.dumps(out.to_json())
    return out


def both(attempt: Attempt) -> Outcome:
    out = check(normalize(attempt))
    assert error_class_of(attempt) == out.error_class
    return out


@FUZZ
@given(st.text(max_size=400), st.sampled_from([None, 200, 429, 500, 302]), st.booleans())
def test_arbitrary_text(body: str, status: int | None, stream: bool) -> None:
    both(stream_attempt(body, status=status) if stream else json_attempt(body, status=status))


@FUZZ
@given(st.binary(max_size=300))
def test_arbitrary_bytes(body: bytes) -> None:
    both(json_attempt(body))
    both(stream_attempt(b"\x1f\x8b" + body))


@FUZZ
@given(json_values)
def test_json_of_any_shape(value: Any) -> None:
    text = orjson.dumps(value).decode()
    both(json_attempt(text))
    both(stream_attempt(f"data: {text}\n\ndata: {text}\n\n"))
    both(stream_attempt(sse({"choices": [{"index": 0, "delta": value, "finish_reason": "stop"}]})))
    both(stream_attempt(sse({"choices": [{"delta": {"tool_calls": [value, value]}}]})))
    both(json_attempt({"choices": [{"message": {"content": "x", "tool_calls": [value]}}]}))


@FUZZ
@given(st.lists(json_values, max_size=6), st.booleans(), st.sampled_from(["\n", "\r\n", "\r"]))
def test_streams_of_any_chunks(values: list[Any], done: bool, newline: str) -> None:
    body = sse(*[v if isinstance(v, dict) else {"choices": [{"delta": v}]} for v in values], done=done)
    both(stream_attempt(body.replace("\n", newline)))


@pytest.mark.parametrize("stream", range(len(VALID_STREAMS)))
def test_valid_stream_cut_at_every_point(stream: int) -> None:
    body = VALID_STREAMS[stream]
    assert both(stream_attempt(body)).error_class is None
    finish_end = body.index("\n\n", body.index('"finish_reason":"')) + 2
    for cut in range(len(body)):
        out = both(stream_attempt(body[:cut]))
        if cut < finish_end - 2:  # before the finish reason arrived whole, no prefix is an answer
            assert out.error_class in ("stream_cut", "malformed_body"), (cut, out.error_message)
            assert out.error_class == "stream_cut" or cut < body.index("data:") + 7, cut
        else:
            assert out.error_class in (None, "stream_cut"), (cut, out.error_message)
    # a cut right after the whole finish chunk loses only [DONE]: some providers omit it
    assert both(stream_attempt(body[:finish_end])).error_class is None


@FUZZ
@given(st.integers(min_value=0, max_value=len(VALID_STREAMS) - 1), st.data())
def test_valid_stream_with_flipped_bytes(stream: int, data: st.DataObject) -> None:
    body = bytearray(VALID_STREAMS[stream].encode())
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(body) - 1))
        body[position] = data.draw(st.integers(0, 255))
    both(stream_attempt(bytes(body)))
    both(stream_attempt(bytes(body).decode("utf-8", "replace")))


@FUZZ
@given(st.integers(min_value=0, max_value=len(VALID_STREAMS) - 1), st.data())
def test_valid_stream_with_events_dropped_or_shuffled(stream: int, data: st.DataObject) -> None:
    events = VALID_STREAMS[stream].split("\n\n")
    mixed = data.draw(st.permutations(events))
    kept = data.draw(st.lists(st.sampled_from(mixed), max_size=len(mixed)))
    both(stream_attempt("\n\n".join(kept)))


@FUZZ
@given(st.lists(st.sampled_from(TEXTS), max_size=30))
def test_text_calls_never_raise(pieces: list[str]) -> None:
    text = "".join(pieces)
    calls, rest = extract_text_calls(
        text,
        [
            {
                "type": "function",
                "function": {
                    "name": "f",
                    "parameters": {"type": "object", "properties": {"p": {"type": "integer"}}},
                },
            }
        ],
    )
    assert len(rest) <= len(text)
    for call in calls:
        assert call.arguments is None or isinstance(call.arguments, dict)
    check(normalize(json_attempt(completion({"content": text}))))


@FUZZ
@given(st.text(max_size=300))
def test_parse_sse_accounts_for_every_data_line(text: str) -> None:
    body = parse_sse(text)
    assert all(event and not event.isspace() for event in body.events)
    assert body.tail is None or not body.done


def test_odd_attempt_fields() -> None:
    odd = Attempt(
        request=cast(Any, "not a dict"),
        status=200,
        response_headers=cast(Any, {"Content-Type": "text/event-stream"}),
        body=tool_stream("f", "{}"),
        error={},
    )
    assert both(odd).error_class is None
    weird_status = json_attempt(completion({"content": "a"}), status=cast(Any, True))
    assert both(weird_status).error_class == "connection"
    bad_error = json_attempt(completion({"content": "a"}), error="boom")
    assert both(bad_error).error_class is None


@FUZZ
@given(st.lists(json_values, max_size=6), st.booleans(), st.data())
def test_the_all_json_shortcut_reads_streams_as_the_event_reader_does(values: list[Any], done: bool,
                                                                       data: st.DataObject) -> None:
    # the stream reader parses every event at once when it can; event by event it must come to the same outcome
    from replaykit.normalize import stream

    chunks = [v if isinstance(v, dict) else {"choices": [{"delta": v}]} for v in values]
    if chunks and data.draw(st.booleans()):  # a plain delta after the first chunk, the shortcut's main case
        chunks.insert(1, {"choices": [{"index": 0, "delta": {"content": data.draw(st.text(max_size=5))}}]})
    if chunks and data.draw(st.booleans()):  # a reasoning delta (any value), as reasoning models stream most
        reasoning = data.draw(st.one_of(st.text(max_size=5), json_values))
        chunks.insert(1, {"choices": [{"index": 0, "delta": {"reasoning_content": reasoning}}]})
    attempt = stream_attempt(sse(*chunks, done=done))
    fast = normalize(attempt)
    real = stream._all_json
    stream._all_json = lambda _sse: None
    try:
        slow = normalize(attempt)
    finally:
        stream._all_json = real
    assert fast.to_json() == slow.to_json()
    assert fast.native_turn == slow.native_turn  # the reasoning sent back on the next turn
