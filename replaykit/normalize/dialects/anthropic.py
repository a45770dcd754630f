"""Anthropic Messages bodies: a `message` object, or its stream of named events.

A call is a `tool_use` content block (`input` an object; streamed as `input_json_delta.partial_json`
pieces); text is the `text` blocks; thinking blocks are kept, with their signatures, in `native_turn` only.
A stream is whole at `message_stop`; an `error` event is `stream_error`; a 200 JSON body of type `error` is
classed by its error type.
"""

from __future__ import annotations

from typing import Any

from replaykit.normalize.calls import args_text, make_call, parse_arguments
from replaykit.normalize.classify import clip
from replaykit.normalize.dialects.common import EventFolder, count, load, set_usage, stream_events, stream_verdict
from replaykit.normalize.outcome import Call, Outcome

_DELTA_FIELDS = {"text_delta": "text", "input_json_delta": "input", "thinking_delta": "thinking",
                 "signature_delta": "signature"}
_DELTA_KEY = {"text": "text", "input": "partial_json", "thinking": "thinking", "signature": "signature"}
FINISH = {"tool_use": "tool_calls", "end_turn": "stop", "stop_sequence": "stop", "max_tokens": "length",
          "refusal": "content_filter", "model_context_window_exceeded": "length"}
ERROR_CLASS = {"rate_limit_error": "rate_limited", "overloaded_error": "server_error", "api_error": "server_error",
               "timeout_error": "timeout"}  # every other type (invalid_request_error...) is the client's


def read_json(text: str, out: Outcome) -> bool:
    data = load(text, out)
    if data is None:
        return False
    if not isinstance(data, dict):
        out.error_class, out.error_message = "malformed_body", "the body is JSON but not an object"
        return False
    if data.get("type") == "error":
        error: dict[str, Any] = data["error"] if isinstance(data.get("error"), dict) else {}
        out.error_class = ERROR_CLASS.get(str(error.get("type")), "client_error")
        out.error_message = _message(error) or "the provider reported an error in a 200 body"
        return False
    content = data.get("content")
    if content is None and isinstance(data.get("input_tokens"), int):  # /messages/count_tokens: no answer asked
        set_usage(out, data, data["input_tokens"], 0)
        return True
    if not isinstance(content, list):
        out.error_class, out.error_message = "malformed_body", "no `content` list in the message"
        return False
    _message_meta(data, out)
    _stop(data.get("stop_reason"), out)
    out.text = "".join(b["text"] for b in content if isinstance(b, dict) and b.get("type") == "text"
                       and isinstance(b.get("text"), str))
    out.calls = [_call(b, None) for b in content if isinstance(b, dict) and b.get("type") == "tool_use"]
    out.native_turn = content
    return True


def _message(error: dict[str, Any]) -> str | None:
    message, kind = error.get("message"), error.get("type")
    if isinstance(message, str) and message:
        return clip(f"{kind}: {message}" if isinstance(kind, str) and kind else message)
    return kind if isinstance(kind, str) and kind else None


def _message_meta(data: dict[str, Any], out: Outcome) -> None:
    if isinstance(data.get("model"), str) and data["model"]:
        out.model = data["model"]
    if isinstance(data.get("usage"), dict):
        _usage(data["usage"], out)


def _usage(usage: dict[str, Any], out: Outcome) -> None:
    """Input tokens count cache writes and reads too: all of them were prompt tokens."""
    merged = {**(out.usage or {}), **{k: v for k, v in usage.items() if v is not None}}
    for key in ("prompt_tokens", "completion_tokens", "total_tokens"):
        merged.pop(key, None)
    prompt = (count(merged.get("input_tokens")) + count(merged.get("cache_creation_input_tokens"))
              + count(merged.get("cache_read_input_tokens")))
    set_usage(out, merged, prompt, count(merged.get("output_tokens")))


def _stop(reason: object, out: Outcome) -> None:
    if isinstance(reason, str) and reason:
        out.native_finish_reason = reason
        out.finish_reason = FINISH.get(reason, reason)


def _call(block: dict[str, Any], raw: str | None) -> Call:
    """A `tool_use` block as a call; `raw` is the streamed input text when there was any."""
    name = block.get("name") if isinstance(block.get("name"), str) else ""
    call_id = block.get("id") if isinstance(block.get("id"), str) and block.get("id") else None
    if raw is None or not raw.strip():
        raw = args_text(block.get("input"))  # an object; a string is a provider's broken input, kept as sent
    return make_call(str(name), raw, call_id)


class _Stream(EventFolder):
    """Folds the events: blocks by index, each tool_use's input pieces, the stop reason, usage."""

    def __init__(self, out: Outcome) -> None:
        super().__init__()
        self.out = out
        self.blocks: dict[int, dict[str, Any]] = {}
        self.pieces: dict[tuple[int, str], list[str]] = {}  # (block, field) → streamed pieces
        self.order: list[int] = []
        self.stopped = False
        self.started = False

    def fold(self, names: list[str | None], events: list[Any]) -> None:
        """Every event in order. Most are a text or input piece of a started block, or an event with no
        handler: those are done with here, as `take` would; any other event goes through `take`."""
        blocks, pieces, take = self.blocks, self.pieces, self.take
        for position, data in enumerate(events):
            kind = data.get("type") if type(data) is dict else None
            if kind == "content_block_stop" or kind == "ping":
                continue  # no handler: nothing to take
            if kind == "content_block_delta":
                index, delta = data.get("index"), data.get("delta")
                if type(index) is int and index in blocks and type(delta) is dict:
                    field = _DELTA_FIELDS.get(delta.get("type"))  # type: ignore[arg-type]
                    piece = delta.get(_DELTA_KEY[field]) if field is not None else None
                    if field is not None and type(piece) is str:
                        key = (index, field)
                        if key in pieces:
                            pieces[key].append(piece)
                        else:
                            pieces[key] = [piece]
                        continue
            take(names[position], data, position)

    def take(self, name: str | None, data: Any, position: int) -> None:
        if self.not_object(name, data, position):
            return
        kind = data.get("type") or name
        handler = getattr(self, "_" + str(kind), None)
        if handler is not None:
            handler(data)

    def _message_start(self, data: dict[str, Any]) -> None:
        self.started = True
        message = data.get("message")
        if isinstance(message, dict):
            _message_meta(message, self.out)

    def _content_block_start(self, data: dict[str, Any]) -> None:
        index, block = data.get("index"), data.get("content_block")
        if isinstance(index, int) and isinstance(block, dict):
            self.blocks[index] = dict(block)
            self.order.append(index)

    def _content_block_delta(self, data: dict[str, Any]) -> None:
        index, delta = data.get("index"), data.get("delta")
        if not isinstance(index, int) or index not in self.blocks or not isinstance(delta, dict):
            self.bad = self.bad or "a content_block_delta for a block that never started"
            return
        field = _DELTA_FIELDS.get(delta.get("type"))  # type: ignore[arg-type]
        if field is not None:  # pieces joined once at the end: no quadratic string building
            self.pieces.setdefault((index, field), []).append(str(delta.get(_DELTA_KEY[field]) or ""))

    def _message_delta(self, data: dict[str, Any]) -> None:
        delta = data.get("delta")
        if isinstance(delta, dict):
            _stop(delta.get("stop_reason"), self.out)
        if isinstance(data.get("usage"), dict):
            _usage(data["usage"], self.out)

    def _message_stop(self, data: dict[str, Any]) -> None:
        self.stopped = True

    def _error(self, data: dict[str, Any]) -> None:
        error = data.get("error")
        self.error = self.error or (_message(error) if isinstance(error, dict) else None) or "error event in the stream"

    def finish(self) -> None:
        out = self.out
        content: list[dict[str, Any]] = []
        for (index, field), pieces in self.pieces.items():
            if field != "input":
                block = self.blocks[index]
                block[field] = str(block.get(field) or "") + "".join(pieces)
        for index in self.order:
            block = self.blocks[index]
            if block.get("type") == "tool_use":
                raw = "".join(self.pieces.get((index, "input"), []))
                call = _call(block, raw)
                out.calls.append(call)
                block["input"] = call.arguments if call.arguments is not None else parse_arguments(raw) or {}
            elif block.get("type") == "text":
                out.text += str(block.get("text") or "")
            content.append(block)
        out.native_turn = content


def read_stream(text: str, out: Outcome) -> bool:
    names, events, cut_inside = stream_events(text)
    folder = _Stream(out)
    folder.fold(names, events)
    folder.finish()
    verdict = stream_verdict(folder.error, folder.bad, cut_inside, folder.started, folder.stopped,
                             "message_start", "message_stop")
    if verdict is not None:
        out.error_class, out.error_message = verdict
        return False
    return True
