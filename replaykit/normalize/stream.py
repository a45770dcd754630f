"""A streaming body (SSE of `chat.completion.chunk`s) → the outcome's answer, or the reason it is none.

Verdicts, in order: an error event (a chunk carrying `error`, `finish_reason: "error"`, or an `event: error`)
is `stream_error`; an event that is not a chunk object is `malformed_body`; a last event cut short is
`stream_cut`; a body of keep-alive comments only is `stream_cut` too (the provider went silent), while data
that never held a chunk is `malformed_body`; a stream with neither `[DONE]` nor a finish reason was cut. Some
providers omit `[DONE]`: a finish reason alone ends a stream well.
"""

from __future__ import annotations

from typing import Any

import orjson

from replaykit.normalize.calls import CallJoiner, Malformed
from replaykit.normalize.classify import ErrorInfo, error_info, is_error
from replaykit.normalize.fields import read_meta, reason, text_of
from replaykit.normalize.json_body import reasoning_turn
from replaykit.normalize.outcome import Outcome
from replaykit.normalize.sse import SSEBody, parse_sse


class _Assembler:
    """Folds chunks into one answer: content concatenated, calls joined, the last finish reasons kept."""

    def __init__(self, out: Outcome) -> None:
        self.out = out
        self.text: list[str] = []
        self.reasoning: list[str] = []  # `reasoning_content` deltas (DeepSeek-style thinking), sent back next turn
        self.joiner = CallJoiner()
        self.chunks = 0
        self.bad: str | None = None  # why the first bad event was bad
        self.error: ErrorInfo | None = None
        self.done = False  # a [DONE] line inside a multi-line event

    def feed(self, data: str, kind: str | None) -> bool:
        """Take one event's data; False when it is not JSON (for a last event: the body was cut in it)."""
        try:
            chunk = orjson.loads(data)
        except orjson.JSONDecodeError:
            return self.recover(data, kind)
        self.take(chunk, kind)
        return True

    def take(self, chunk: Any, kind: str | None) -> None:
        """Fold one decoded chunk into the answer."""
        self.chunks += 1
        try:
            self._chunk(chunk, kind)
        except Malformed as err:
            self.bad = self.bad or f"chunk {self.chunks}: {err}"

    def recover(self, data: str, kind: str | None) -> bool:
        """Make sense of event data that is not one JSON document, if it can be done; False if not."""
        if kind == "error":
            self.take({"error": data}, kind)  # `event: error` with a plain-text message
            return True
        if "\n" not in data:
            return False
        # events separated by one newline instead of a blank line read as one multi-line event; line-based
        # clients (most hand-written ones) still see each chunk, so take each line that is JSON
        lines = [line for line in data.split("\n") if line.strip()]
        if lines and lines[-1].strip().upper() == "[DONE]":
            self.done = True
            lines.pop()
        try:
            chunks = [orjson.loads(line) for line in lines]
        except orjson.JSONDecodeError:
            return False
        for chunk in chunks:
            self.take(chunk, kind)
        return True

    def _chunk(self, chunk: Any, kind: str | None) -> None:
        if type(chunk) is not dict:
            raise Malformed("the event is not a JSON object")
        if (kind is not None or "error" in chunk) and (kind == "error" or is_error(chunk.get("error"))):
            self._error(chunk.get("error", chunk))
        out = self.out
        if out.provider is None or out.model is None or chunk.get("usage") is not None:
            read_meta(chunk, out)
        choices = chunk.get("choices")
        if choices is None:
            return
        if type(choices) is not list:
            raise Malformed("`choices` is not a list")
        for choice in choices:
            if type(choice) is not dict:
                raise Malformed("a choice is not an object")
            index = choice.get("index")
            if index is None or index == 0:  # only the first choice (n=1) is an answer
                self._choice(choice)

    def _choice(self, choice: dict[str, Any]) -> None:
        # most chunks carry neither a finish reason nor an error: one cheap test skips that branch
        if choice.get("finish_reason") or choice.get("native_finish_reason") or "error" in choice:
            self._ending(choice)
        delta = choice.get("delta")
        if type(delta) is not dict:
            if delta is None:
                return
            raise Malformed("a delta is not an object")
        content = delta.get("content")
        if content:
            self.text.append(content if type(content) is str else text_of(content))
        reasoning = delta.get("reasoning_content")
        if reasoning and type(reasoning) is str:
            self.reasoning.append(reasoning)
        entries = delta.get("tool_calls")
        if entries:
            if type(entries) is not list:
                raise Malformed("delta.tool_calls is not a list")
            add = self.joiner.add
            for entry in entries:
                add(entry)
        legacy = delta.get("function_call")  # the deprecated `functions` API streams one call, no index
        if legacy is not None:
            self.joiner.add({"function": legacy})

    def _ending(self, choice: dict[str, Any]) -> None:
        """Finish reasons (the last one given wins) and errors reported on the choice."""
        finish = reason(choice.get("finish_reason"))
        if finish is not None:
            self.out.finish_reason = finish
        native = reason(choice.get("native_finish_reason"))
        if native is not None:
            self.out.native_finish_reason = native
        if finish == "error" or is_error(choice.get("error")):
            self._error(choice.get("error"))

    def _error(self, error: object) -> None:
        if self.error is None or not self.error.message:
            self.error = error_info(error)


def read_stream(text: str, out: Outcome) -> bool:
    """Fill `out` from the stream body; set `error_class` when the stream is no whole answer. True when the
    stream is provably complete: an answer closed by [DONE]."""
    sse = parse_sse(text)
    asm = _Assembler(out)
    chunks = _all_json(sse)
    if chunks is not None:  # the hot loop: every event is JSON and none is named
        plain, take = _plain_delta, asm.take
        for chunk in chunks:
            if not plain(asm, chunk):
                take(chunk, None)
    else:
        _read_events(sse, asm)
    cut_inside = sse.tail is not None and not asm.feed(sse.tail, sse.types.get(len(sse.events)))
    out.text = "".join(asm.text)
    out.calls = asm.joiner.calls()
    if asm.reasoning:
        out.native_turn = reasoning_turn("".join(asm.reasoning))
    verdict = _verdict(sse, asm, cut_inside, out)
    if verdict is not None:
        out.error_class, out.error_message = verdict
    return verdict is None and (sse.done or asm.done)


def _all_json(sse: SSEBody) -> list[Any] | None:
    """Every event's data parsed in one pass at C speed, or None when an event is named or is not JSON."""
    if sse.types:
        return None
    try:
        return list(map(orjson.loads, sse.events))
    except orjson.JSONDecodeError:
        return None


def _read_events(sse: SSEBody, asm: _Assembler) -> None:
    """Event by event, for streams with named events or data that is not JSON."""
    for position, data in enumerate(sse.events):
        if not asm.feed(data, sse.types.get(position)):
            asm.bad = asm.bad or f"event {position + 1} is not valid JSON"


def _plain_delta(asm: _Assembler, chunk: Any) -> bool:
    """The fast path for most events of a healthy stream: one choice, a content or tool-call delta, no
    finish reason, no error, no metadata left to read. Does what `take` would and says True, else False."""
    out = asm.out
    if (type(chunk) is not dict or "error" in chunk or chunk.get("usage") is not None
            or (out.provider is None and "provider" in chunk) or (out.model is None and "model" in chunk)):
        return False  # (metadata still to read: providers that never name one need not take the slow path)
    choices = chunk.get("choices")
    if type(choices) is not list or len(choices) != 1:
        return False
    choice = choices[0]
    if (type(choice) is not dict or choice.get("finish_reason") or choice.get("native_finish_reason")
            or "error" in choice or choice.get("index") not in (None, 0)):
        return False
    delta = choice.get("delta")
    if type(delta) is not dict or "function_call" in delta:
        return False
    content, entries = delta.get("content"), delta.get("tool_calls")
    if (content and type(content) is not str) or (entries and type(entries) is not list):
        return False
    asm.chunks += 1
    if content:
        asm.text.append(content)
    reasoning = delta.get("reasoning_content")  # reasoning models stream most of their events as this
    if reasoning and type(reasoning) is str:
        asm.reasoning.append(reasoning)
    if entries:
        try:
            for entry in entries:
                asm.joiner.add(entry)
        except Malformed as err:
            asm.bad = asm.bad or f"chunk {asm.chunks}: {err}"
    return True


def _verdict(sse: SSEBody, asm: _Assembler, cut_inside: bool, out: Outcome) -> tuple[str, str] | None:
    if asm.error is not None:
        out.provider = out.provider or asm.error.provider
        return "stream_error", asm.error.message or "error event in the stream"
    if asm.bad is not None:
        return "malformed_body", asm.bad
    if cut_inside:
        return "stream_cut", "the stream ended inside an event"
    if asm.chunks == 0:
        if not sse.events and not sse.done and sse.comments:
            return "stream_cut", "the stream ended after keep-alive comments only"
        return "malformed_body", "no data event in the stream"
    if not (sse.done or asm.done) and out.finish_reason is None:
        return "stream_cut", "the stream ended without [DONE] or a finish reason"
    return None
