"""OpenAI Responses bodies: a `response` object, or its stream of typed events.

A call is an output item `{type: function_call, call_id, name, arguments: string}` (its `call_id` is the id
that the `function_call_output` answers); text is the `output_text` parts of `message` items; reasoning items
are kept in `native_turn` only. There is no finish reason: `completed` with calls is `tool_calls`, without
`stop`; `incomplete` maps its reason (`max_output_tokens` → `length`); the status is the native reason. A
stream is whole at `response.completed` or `response.incomplete`; `error` events and `response.failed`
are `stream_error`; there is no `[DONE]`.
"""

from __future__ import annotations

from typing import Any

from replaykit.normalize.calls import args_text, make_call
from replaykit.normalize.classify import clip
from replaykit.normalize.dialects.common import EventFolder, count, load, set_usage, stream_events, stream_verdict
from replaykit.normalize.outcome import Call, Outcome

INCOMPLETE = {"max_output_tokens": "length", "content_filter": "content_filter"}
ERROR_CLASS = {"rate_limit_exceeded": "rate_limited", "server_error": "server_error",
               "vector_store_timeout": "timeout"}  # other codes (invalid_prompt...) are the client's
_TERMINAL = ("response.completed", "response.incomplete", "response.failed")
_ARGUMENTS_DELTA, _TEXT_DELTA = "response.function_call_arguments.delta", "response.output_text.delta"
_TAKEN = frozenset({"error", "response.created", "response.in_progress", *_TERMINAL, "response.output_item.added",
                    "response.output_item.done", _ARGUMENTS_DELTA, _TEXT_DELTA})  # the event types `take` reads


def read_json(text: str, out: Outcome) -> bool:
    data = load(text, out)
    if data is None:
        return False
    if not isinstance(data, dict) or not isinstance(data.get("output"), list):
        out.error_class, out.error_message = "malformed_body", "no `output` list in the response"
        return False
    _fill(out, data, data["output"])
    if data.get("status") == "failed":
        error: dict[str, Any] = data["error"] if isinstance(data.get("error"), dict) else {}
        out.error_class = ERROR_CLASS.get(str(error.get("code")), "server_error")
        out.error_message = _message(error) or "the response failed"
        return False
    return True  # a background response still `queued` or `in_progress` is no failure: no answer yet


def _message(error: object) -> str | None:
    if not isinstance(error, dict):
        return None
    message, code = error.get("message"), error.get("code")
    if isinstance(message, str) and message:
        return clip(f"{code}: {message}" if isinstance(code, str) and code else message)
    return code if isinstance(code, str) and code else None


def _fill(out: Outcome, response: dict[str, Any], items: list[Any]) -> None:
    """Text, calls, reasons, usage and model from a response object and its output items."""
    if isinstance(response.get("model"), str) and response["model"]:
        out.model = response["model"]
    usage = response.get("usage")
    if isinstance(usage, dict):
        set_usage(out, usage, count(usage.get("input_tokens")), count(usage.get("output_tokens")))
    out.text = "".join(_item_text(item) for item in items)
    out.calls = [_call(item) for item in items if isinstance(item, dict) and item.get("type") == "function_call"]
    out.native_turn = [item for item in items if isinstance(item, dict)]
    status = response.get("status")
    if status == "completed":
        out.native_finish_reason = "completed"
        out.finish_reason = "tool_calls" if out.calls else "stop"
    elif status == "incomplete":
        details = response.get("incomplete_details")
        why = details.get("reason") if isinstance(details, dict) else None
        out.native_finish_reason = f"incomplete: {why}" if why else "incomplete"
        out.finish_reason = INCOMPLETE.get(str(why), "length")
    elif isinstance(status, str) and status:
        out.native_finish_reason = status


def _item_text(item: object) -> str:
    if not isinstance(item, dict) or item.get("type") != "message" or not isinstance(item.get("content"), list):
        return ""
    return "".join(part["text"] for part in item["content"]
                   if isinstance(part, dict) and part.get("type") == "output_text"
                   and isinstance(part.get("text"), str))


def _call(item: dict[str, Any]) -> Call:
    call_id = item.get("call_id") or item.get("id")
    name = item.get("name")
    return make_call(name if isinstance(name, str) else "", args_text(item.get("arguments")),
                     call_id if isinstance(call_id, str) and call_id else None)


class _Stream(EventFolder):
    """Output items by index, grown by their deltas and replaced by `output_item.done`; the terminal
    response gives status and usage."""

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[int, dict[str, Any]] = {}
        self.order: list[int] = []
        self.arguments: dict[int, list[str]] = {}
        self.texts: dict[int, list[str]] = {}
        self.response: dict[str, Any] = {}
        self.terminal: str | None = None

    def fold(self, names: list[str | None], events: list[Any]) -> None:
        """Every event in order. Most are a delta of an item, or an event this reader has no use for: those
        are done with here, as `take` would; the others go through `take`."""
        pieces = {_ARGUMENTS_DELTA: self.arguments, _TEXT_DELTA: self.texts}
        take = self.take
        for position, data in enumerate(events):
            if type(data) is dict:
                kind = data.get("type")
                if type(kind) is str and kind:
                    into = pieces.get(kind)
                    if into is not None:
                        index, delta = data.get("output_index"), data.get("delta")
                        if type(index) is int and type(delta) is str:
                            if index in into:
                                into[index].append(delta)
                            else:
                                into[index] = [delta]
                            continue
                    elif kind not in _TAKEN:
                        continue  # (`response.output_text.done`, `response.content_part.added`...)
            take(names[position], data, position)

    def take(self, name: str | None, data: Any, position: int) -> None:
        if self.not_object(name, data, position):
            return
        kind = data.get("type") or name
        index = data.get("output_index")
        if kind == "error":
            self.error = self.error or _message(data) or _message(data.get("error")) or "error event in the stream"
        elif kind in ("response.created", "response.in_progress", *_TERMINAL):
            if isinstance(data.get("response"), dict):
                self.response = data["response"]
            if kind in _TERMINAL:
                self.terminal = kind
            if kind == "response.failed":
                self.error = self.error or _message(self.response.get("error")) or "the response failed"
        elif kind in ("response.output_item.added", "response.output_item.done") and isinstance(index, int):
            if isinstance(data.get("item"), dict):
                if index not in self.items:
                    self.order.append(index)
                self.items[index] = dict(data["item"])
                if kind == "response.output_item.done":
                    self.arguments.pop(index, None)
                    self.texts.pop(index, None)
        elif kind == _ARGUMENTS_DELTA and isinstance(index, int):
            self.arguments.setdefault(index, []).append(str(data.get("delta") or ""))
        elif kind == _TEXT_DELTA and isinstance(index, int):
            self.texts.setdefault(index, []).append(str(data.get("delta") or ""))

    def output(self) -> list[Any]:
        """The items as far as they got: unfinished ones carry the deltas received."""
        items = []
        for index in self.order:
            item = self.items[index]
            if index in self.arguments:
                item = {**item, "arguments": str(item.get("arguments") or "") + "".join(self.arguments[index])}
            if index in self.texts:
                item = {**item, "content": [{"type": "output_text", "text": "".join(self.texts[index])}]}
            items.append(item)
        return items


def read_stream(text: str, out: Outcome) -> bool:
    names, events, cut_inside = stream_events(text)
    folder = _Stream()
    folder.fold(names, events)
    _fill(out, folder.response, folder.output())
    verdict = stream_verdict(folder.error, folder.bad, cut_inside, bool(folder.response or folder.items),
                             folder.terminal is not None, "response", "response.completed")
    if verdict is not None:
        out.error_class, out.error_message = verdict
        return False
    return True
