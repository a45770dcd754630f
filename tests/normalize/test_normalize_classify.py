"""Error classes: transport facts, HTTP status and envelopes, errors inside 200 bodies, malformed bodies."""

from __future__ import annotations

import gzip
from typing import Any

import orjson
import pytest
from wirekit import chunk, completion, json_attempt, sse, stream_attempt, tool_stream

from replaykit.cassettes.model import Attempt
from replaykit.normalize import error_class_of, normalize

OPENROUTER_429 = {
    "error": {
        "code": 429,
        "message": "Rate limit exceeded: free-models-per-min",
        "metadata": {
            "provider_name": "Chutes",
            "raw": "qwen/qwen3-coder is temporarily rate-limited upstream",
        },
    }
}


def classify(attempt: Attempt) -> str | None:
    out = normalize(attempt)
    assert error_class_of(attempt) == out.error_class  # the recorder's cheap path agrees
    return out.error_class


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (429, "rate_limited"),
        (408, "timeout"),
        (400, "client_error"),
        (401, "client_error"),
        (402, "client_error"),
        (403, "client_error"),
        (404, "client_error"),
        (500, "server_error"),
        (502, "server_error"),
        (503, "server_error"),
        (504, "server_error"),
        (529, "server_error"),
        (302, "client_error"),
        (200, None),
        (201, None),
    ],
)
def test_http_status(status: int, expected: str | None) -> None:
    body = OPENROUTER_429 if status >= 300 else completion({"content": "hi"})
    assert classify(json_attempt(body, status=status)) == expected


def test_openrouter_error_envelope_gives_message_and_provider() -> None:
    out = normalize(json_attempt(OPENROUTER_429, status=429))
    assert out.error_class == "rate_limited"
    assert out.error_message == (
        "Rate limit exceeded: free-models-per-min: qwen/qwen3-coder is temporarily rate-limited upstream"
    )
    assert out.provider == "Chutes"
    assert out.calls == [] and out.faults == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"error": "model not found"}', "model not found"),
        ('{"detail": "Not authenticated"}', "Not authenticated"),
        ('{"message": "quota"}', "quota"),
        ("<html><body>502 Bad Gateway</body></html>", "<html><body>502 Bad Gateway</body></html>"),
        ('{"error": {"message": "m", "metadata": {"raw": {"detail": "d"}}}}', 'm: {"detail":"d"}'),
    ],
)
def test_other_error_bodies(body: str, message: str) -> None:
    assert normalize(json_attempt(body, status=502)).error_message == message


def test_error_status_without_body_uses_the_reason() -> None:
    out = normalize(json_attempt(None, status=503, reason="Service Unavailable"))
    assert (out.error_class, out.error_message) == ("server_error", "Service Unavailable")


def test_long_error_page_is_clipped() -> None:
    out = normalize(json_attempt("x" * 5000, status=500))
    assert out.error_message is not None and len(out.error_message) == 500


@pytest.mark.parametrize(
    ("kind", "status", "body", "expected"),
    [
        ("connection", None, None, "connection"),
        ("timeout", None, None, "timeout"),
        ("stream_cut", 200, 'data: {"choices":[]}\n\n', "stream_cut"),
        ("read_error", 200, 'data: {"choices":[{"delta":{"content":"a"}}]}\n\n', "stream_cut"),
        ("read_error", 200, "", "connection"),
        ("read_error", None, None, "connection"),
        ("something_new", None, None, "connection"),
    ],
)
def test_transport_errors(kind: str, status: int | None, body: str | None, expected: str) -> None:
    attempt = stream_attempt(body, status=status, error={"kind": kind, "message": "boom"})
    assert classify(attempt) == expected
    assert normalize(attempt).error_message == f"{kind}: boom"


def test_no_response_and_no_error_is_a_connection_failure() -> None:
    assert classify(stream_attempt(None, status=None)) == "connection"


def test_transport_cut_overrides_a_stream_that_looks_whole() -> None:
    """The recorder saw the connection break; a body that ends on an event boundary, with a finish reason but
    no [DONE], may have lost its usage chunk and [DONE]: not provably whole."""
    attempt = stream_attempt(
        tool_stream("f", "{}", done=False), error={"kind": "stream_cut", "message": "closed"}
    )
    out = normalize(attempt)
    assert out.error_class == "stream_cut"
    assert out.error_message == "stream_cut: closed"
    assert out.faults == []


@pytest.mark.parametrize("kind", ["read_error", "stream_cut", "timeout"])
def test_transport_error_after_done_does_not_undo_the_answer(kind: str) -> None:
    """A reset after [DONE] (a server closing without the last chunk of a chunked body) loses nothing."""
    attempt = stream_attempt(
        tool_stream("f", "{}"), error={"kind": kind, "message": "incomplete chunked read"}
    )
    out = normalize(attempt)
    assert (out.error_class, [c.name for c in out.calls]) == (None, ["f"])
    assert error_class_of(attempt) is None


def test_transport_error_after_a_whole_json_body_does_not_undo_it() -> None:
    attempt = json_attempt(completion({"content": "hi"}), error={"kind": "read_error", "message": "reset"})
    assert classify(attempt) is None


def test_status_wins_over_a_transport_error() -> None:
    attempt = json_attempt(OPENROUTER_429, status=429, error={"kind": "read_error", "message": "reset"})
    assert classify(attempt) == "rate_limited"


def test_provider_error_event_wins_over_a_transport_cut() -> None:
    body = sse(
        chunk({"content": "a"}), chunk(finish="error", error={"code": 502, "message": "upstream"}), done=False
    )
    attempt = stream_attempt(body, error={"kind": "stream_cut", "message": "closed"})
    assert classify(attempt) == "stream_error"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (429, "rate_limited"),
        ("429", "rate_limited"),
        (500, "server_error"),
        (502, "server_error"),
        ("server_error", "server_error"),
        (None, "server_error"),
        (408, "timeout"),
        (400, "client_error"),
        (403, "client_error"),
        (True, "server_error"),
    ],
)
def test_error_envelope_in_a_200_json_body(code: Any, expected: str) -> None:
    out = normalize(json_attempt({"error": {"code": code, "message": "nope"}}))
    assert out.error_class == expected
    assert out.error_message == "nope"


def test_error_on_the_choice_of_a_200_json_body() -> None:
    body = completion({"content": "partial"}, finish="error")
    body["choices"][0]["error"] = {"code": 503, "message": "provider down"}
    out = normalize(json_attempt(body))
    assert (out.error_class, out.error_message, out.text) == ("server_error", "provider down", "partial")


def test_error_envelope_in_a_200_stream_request_answered_as_json() -> None:
    assert classify(stream_attempt(orjson.dumps(OPENROUTER_429).decode())) == "rate_limited"


@pytest.mark.parametrize(
    "body",
    [
        "",
        "   \n",
        "{not json",
        "[1, 2]",
        "3",
        '"text"',
        "null",
        "{}",
        '{"choices": []}',
        '{"choices": "abc"}',
        '{"choices": [1]}',
        '{"choices": [{"message": null}]}',
        '{"choices": [{"message": "hi"}]}',
        '{"choices": [{"message": {"tool_calls": {"id": "x"}}}]}',
        '{"choices": [{"message": {"tool_calls": ["x"]}}]}',
        '{"choices": [{"message": {"tool_calls": [{"function": "f"}]}}]}',
        '{"choices": [{"message": {"content": 5}}]}',
        "<html>Bad Gateway</html>",
    ],
)
def test_malformed_json_bodies(body: str) -> None:
    assert classify(json_attempt(body)) == "malformed_body"


@pytest.mark.parametrize(
    "body",
    [
        "data: [DONE]\n\n",
        "data: not json\n\ndata: [DONE]\n\n",
        'data: {"choices":[{"delta":{"content":"a"}}]}\n\ndata: {oops}\n\n'
        'data: {"choices":[{"finish_reason":"stop"}]}\n\n',
        "data: [1, 2]\n\ndata: [DONE]\n\n",
        'data: {"choices": "x"}\n\ndata: [DONE]\n\n',
        'data: {"choices": [{"delta": "x"}]}\n\ndata: [DONE]\n\n',
        'data: {"choices": [{"delta": {"tool_calls": {"index": 0}}}]}\n\ndata: [DONE]\n\n',
        'data: {"choices": [{"delta": {"tool_calls": [{"function": []}]}}]}\n\ndata: [DONE]\n\n',
        'data: {"choices": [7]}\n\ndata: [DONE]\n\n',
        "event: message\n\n",
    ],
)
def test_malformed_stream_bodies(body: str) -> None:
    assert classify(stream_attempt(body)) == "malformed_body"


def test_null_delta_and_null_choices_are_tolerated() -> None:
    body = (
        'data: {"choices": null}\n\ndata: {"choices": [{"delta": null}]}\n\n'
        'data: {"choices": [{"delta": {"content": "a"}, "finish_reason": "stop"}]}\n\ndata: [DONE]\n\n'
    )
    out = normalize(stream_attempt(body))
    assert (out.error_class, out.text) == (None, "a")


def test_gzip_bytes_body_is_read() -> None:
    raw = gzip.compress(orjson.dumps(completion({"content": "zipped"})))
    out = normalize(json_attempt(raw))
    assert (out.error_class, out.text) == (None, "zipped")


def test_truncated_gzip_body_is_malformed() -> None:
    raw = gzip.compress(orjson.dumps(completion({"content": "zipped" * 50})))[:40]
    assert classify(json_attempt(raw)) == "malformed_body"
