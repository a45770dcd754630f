"""Gemini bodies: a `GenerateContentResponse`, a stream of them (SSE with `alt=sse`, else a JSON array).

A call is a part `{functionCall: {name, args: object, id?}}`; text is the `text` parts that are not thoughts;
the parts as received (with their `thoughtSignature`s) are `native_turn`. Finish reasons: `STOP` with calls
is `tool_calls`, without `stop`; `MAX_TOKENS` is `length`; the safety family is `content_filter`;
`MALFORMED_FUNCTION_CALL` is `tool_calls` (with no call: the `empty_tool_calls` fault). A stream is whole
once a chunk gives a finish reason (there is no terminator); a chunk carrying `error` is `stream_error`.
"""

from __future__ import annotations

from typing import Any

from replaykit.normalize.calls import args_text, make_call
from replaykit.normalize.classify import clip, code_class
from replaykit.normalize.dialects.common import count, load, set_usage, stream_events
from replaykit.normalize.outcome import Outcome

FINISH = {"STOP": "stop", "MAX_TOKENS": "length", "SAFETY": "content_filter", "RECITATION": "content_filter",
          "BLOCKLIST": "content_filter", "PROHIBITED_CONTENT": "content_filter", "SPII": "content_filter",
          "IMAGE_SAFETY": "content_filter", "MALFORMED_FUNCTION_CALL": "tool_calls",
          "UNEXPECTED_TOOL_CALL": "tool_calls"}
STATUS_CLASS = {"RESOURCE_EXHAUSTED": "rate_limited", "UNAVAILABLE": "server_error", "INTERNAL": "server_error",
                "DEADLINE_EXCEEDED": "timeout"}


class _Folder:
    """Chunks folded into one answer: parts in order, the last finish reason, the last usage."""

    def __init__(self, out: Outcome) -> None:
        self.out = out
        self.parts: list[dict[str, Any]] = []
        self.chunks = 0
        self.error: tuple[str, str] | None = None
        self.bad: str | None = None
        self.usage: dict[str, Any] | None = None  # the last one given (cumulative): read once at the end

    def fold(self, chunks: list[Any]) -> None:
        for chunk in chunks:
            self.take(chunk)

    def take(self, chunk: Any) -> None:
        self.chunks += 1
        if type(chunk) is not dict:
            self.bad = self.bad or f"chunk {self.chunks} is not a JSON object"
            return
        # most chunks carry only candidates (and ids): one test skips what the others may hold
        rare = self.out.model is None or "error" in chunk or "usageMetadata" in chunk or "promptFeedback" in chunk
        if rare and self._meta(chunk):
            return
        candidates = chunk.get("candidates")
        if type(candidates) is not list or not candidates:
            return
        candidate = candidates[0]
        if type(candidate) is not dict:
            return
        content = candidate.get("content")
        parts = content.get("parts") if type(content) is dict else None
        if type(parts) is list:
            if len(parts) == 1 and type(parts[0]) is dict:
                self.parts.append(parts[0])
            else:
                self.parts += [p for p in parts if type(p) is dict]
        if "finishReason" in candidate:
            reason = candidate["finishReason"]
            if isinstance(reason, str) and reason:
                self.out.native_finish_reason = reason
                self.out.finish_reason = FINISH.get(reason, reason.lower())

    def _meta(self, chunk: dict[str, Any]) -> bool:
        """An error (True: the chunk holds nothing else to read), the model, usage, a prompt's block."""
        if "error" in chunk and isinstance(chunk["error"], dict):
            error = chunk["error"]
            cls = STATUS_CLASS.get(str(error.get("status"))) or code_class(error.get("code"))
            self.error = self.error or (cls, _message(error) or "error in the body")
            return True
        out = self.out
        if out.model is None and isinstance(chunk.get("modelVersion"), str) and chunk["modelVersion"]:
            out.model = chunk["modelVersion"]
        if "usageMetadata" in chunk and isinstance(chunk["usageMetadata"], dict):
            self.usage = chunk["usageMetadata"]
        if "promptFeedback" in chunk:
            feedback = chunk["promptFeedback"]
            if isinstance(feedback, dict) and feedback.get("blockReason"):
                out.native_finish_reason = str(feedback["blockReason"])
                out.finish_reason = "content_filter"
        return False

    def finish(self) -> None:
        out = self.out
        usage = self.usage
        if usage is not None:
            completion = count(usage.get("candidatesTokenCount")) + count(usage.get("thoughtsTokenCount"))
            set_usage(out, usage, count(usage.get("promptTokenCount")), completion)
        texts = []
        for part in self.parts:
            text = part.get("text")
            if isinstance(text, str) and not part.get("thought"):
                texts.append(text)
            if "functionCall" in part:  # (a part with text and a call is no Gemini part, but is read as both)
                call = part["functionCall"]
                if isinstance(call, dict):
                    name, call_id = call.get("name"), call.get("id")
                    out.calls.append(make_call(name if isinstance(name, str) else "", args_text(call.get("args")),
                                               call_id if isinstance(call_id, str) and call_id else None))
        out.text = "".join(texts)
        if out.calls and out.finish_reason == "stop":
            out.finish_reason = "tool_calls"
        out.native_turn = {"role": "model", "parts": self.parts}


def _message(error: dict[str, Any]) -> str | None:
    message, status = error.get("message"), error.get("status")
    if isinstance(message, str) and message:
        return clip(f"{status}: {message}" if isinstance(status, str) and status else message)
    return status if isinstance(status, str) and status else None


def read_json(text: str, out: Outcome) -> bool:
    data = load(text, out)
    if data is None:
        if text.lstrip().startswith("[") and not text.rstrip().endswith("]"):  # a streamed array, cut short
            out.error_class, out.error_message = "stream_cut", "the streamed array ended before its closing bracket"
        return False
    folder = _Folder(out)
    folder.fold(data if isinstance(data, list) else [data])  # a stream without alt=sse is a JSON array
    folder.finish()
    if folder.error is not None:  # inside a streamed array (no alt=sse) an error element is a stream's error
        out.error_class = "stream_error" if isinstance(data, list) else folder.error[0]
        out.error_message = folder.error[1]
        return False
    if folder.bad is not None or folder.chunks == 0:
        out.error_class, out.error_message = "malformed_body", folder.bad or "an empty JSON array"
        return False
    return True


def read_stream(text: str, out: Outcome) -> bool:
    _, chunks, cut_inside = stream_events(text)
    folder = _Folder(out)
    folder.fold(chunks)
    folder.finish()
    verdict: tuple[str, str] | None = None
    if folder.error is not None:
        verdict = ("stream_error", folder.error[1])
    elif folder.bad is not None:
        verdict = ("malformed_body", folder.bad)
    elif cut_inside:
        verdict = ("stream_cut", "the stream ended inside an event")
    elif folder.chunks == 0:
        verdict = ("malformed_body", "no data event in the stream")
    elif out.native_finish_reason is None:
        verdict = ("stream_cut", "the stream ended without a finish reason")
    if verdict is not None:
        out.error_class, out.error_message = verdict
        return False
    return True
