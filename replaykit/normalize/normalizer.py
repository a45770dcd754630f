"""One recorded attempt → its `Outcome`: the pipeline that ties transport facts, status and body together.

Order of judgement: an HTTP error status says the most (a 429 is a 429 even if reading its body then
failed); with no response at all, the transport fact is all there is; otherwise the body is read, and a
transport fact (the recorder saw the connection break) overrides the body's own verdict, unless the provider
stated an error in the body or the body is provably whole (a stream closed by [DONE], a JSON document).
Answer faults are judged only for attempts that did not fail. A failed attempt keeps what was read of its
answer (partial text and calls) for `inspect`; the scorer must look at `error_class` before the calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from replaykit.cassettes.limits import LARGE_JSON, MAX_NODES, json_values
from replaykit.cassettes.model import Attempt
from replaykit.normalize.body import body_text, sniff
from replaykit.normalize.classify import (
    PROVIDER_SAID,
    body_error_info,
    clip,
    status_class,
    status_error_class,
    transport_class,
)
from replaykit.normalize.dialects import reader_for
from replaykit.normalize.outcome import Outcome
from replaykit.normalize.textcalls import extract_text_calls, request_tools

INTERNAL_ERROR = "normalizer internal error: "  # the prefix of the message when the safety net caught a bug


def normalize(attempt: Attempt, *, tools: Sequence[dict[str, Any]] | None = None,
              mode: str = "native") -> Outcome:
    """The attempt's outcome. `tools` (OpenAI tool objects) type the values of calls written as XML text;
    `mode="prompt"` expects calls as text, so finding them there is no fault. Never raises."""
    try:
        return _normalize(attempt, tools, mode, with_text_calls=True)
    except Exception as err:  # a scoring run over 50,000 attempts must not die on one; tests keep this unused
        return Outcome(status=_status(attempt), error_class="malformed_body",
                       error_message=clip(f"{INTERNAL_ERROR}{type(err).__name__}: {err}"))


def error_class_of(attempt: Attempt) -> str | None:
    """Whether the attempt failed and how (one of ERROR_CLASSES), None when the provider answered: what the
    recorder needs to decide on a retry. Skips the search for calls written as text. Never raises."""
    try:
        return _normalize(attempt, None, "native", with_text_calls=False).error_class
    except Exception:  # same safety net as normalize
        return "malformed_body"


def _normalize(attempt: Attempt, tools: Sequence[dict[str, Any]] | None, mode: str, *,
               with_text_calls: bool) -> Outcome:
    status = _status(attempt)
    out = Outcome(status=status)
    text = body_text(attempt.body, attempt.response_headers)
    if text and text[0] == "\ufeff":  # a byte-order mark would hide the first `data:` field or the JSON
        text = text[1:]
    error = attempt.error if isinstance(attempt.error, dict) and attempt.error else None
    http_class = status_class(status) if status is not None else None
    if http_class is not None:
        info = body_error_info(text)
        out.error_message = info.message or attempt.reason or f"HTTP {status}"
        out.error_class = status_error_class(status, info.message) if status is not None else http_class
        out.provider = info.provider
        return out
    if status is None:  # no response: connection refused, timeout before headers...
        request = attempt.request if isinstance(attempt.request, dict) else {}
        out.error_class = transport_class(error or {}, None, text, request.get("uri"))
        out.error_message = _transport_message(error) or "no response"
        return out
    whole = _read_body(attempt, text, out)
    if error is not None and not whole and out.error_class not in PROVIDER_SAID:
        out.error_class = transport_class(error, status, text)
        out.error_message = _transport_message(error) or out.error_message
    if with_text_calls and out.text:
        if tools is None and ("<function=" in out.text or "<arg_key>" in out.text):  # raw values need types
            tools = request_tools(attempt.request)
        out.text_calls, out.text = extract_text_calls(out.text, tools)
    if out.error_class is None:
        out.faults = _faults(out, mode)
    return out


def _status(attempt: Attempt) -> int | None:
    status = getattr(attempt, "status", None)
    return status if isinstance(status, int) and not isinstance(status, bool) and status > 0 else None


def _read_body(attempt: Attempt, text: str | None, out: Outcome) -> bool:
    """Read the body into `out`; True when it is a provably whole answer, which a transport error seen after
    it (a connection reset after [DONE], an unterminated chunked body) does not undo."""
    if not text or text.isspace():
        out.error_class, out.error_message = "malformed_body", "empty body"
        return False
    if len(text) > LARGE_JSON and json_values(text) > MAX_NODES:  # parsed whole, it would take gigabytes
        out.error_class, out.error_message = "malformed_body", f"the body holds more than {MAX_NODES} JSON values"
        return False
    kind = sniff(text)
    if kind == "other" and "data:" in text and _stream_requested(attempt):
        kind = "sse"  # a stream with junk before its first event: let the stream reader judge it
    if kind in ("json", "sse"):
        reader = reader_for(attempt.request)  # the dialect, told by the request URL
        return reader.read_json(text, out) if kind == "json" else reader.read_stream(text, out)
    out.error_class, out.error_message = "malformed_body", clip(f"neither JSON nor SSE: {text[:80]!r}")
    return False


def _stream_requested(attempt: Attempt) -> bool:
    try:
        return attempt.is_stream
    except (AttributeError, TypeError):  # headers or request of an odd shape in a foreign cassette
        return False


def _transport_message(error: dict[str, Any] | None) -> str | None:
    if not error:
        return None
    kind, message = error.get("kind"), error.get("message")
    text = f"{kind}: {message}" if message else str(kind or "")
    return clip(text) if text else None


def _faults(out: Outcome, mode: str) -> list[str]:
    """Answer faults visible without the scenario, judged on the calls an agent would act on."""
    prompt = mode == "prompt"
    faults = []
    if out.text_calls and not out.calls and not prompt:
        faults.append("text_tool_call")
    if any(call.arguments is None for call in out.effective_calls(mode)):
        faults.append("invalid_json_args")
    if out.finish_reason == "tool_calls" and not out.calls and not (prompt and out.text_calls):
        faults.append("empty_tool_calls")
    return faults
