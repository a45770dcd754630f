"""Gemini on the simulator's wire: `GenerateContentResponse` bodies and `alt=sse` streams of them (the last
chunk carries the finish reason and usage), Google error envelopes `{error: {code, message, status}}`."""

from __future__ import annotations

import random
from typing import Any

import orjson

from replaykit.sim.dialects.history import call_input, chat_body, text_of, tool
from replaykit.sim.faults import Answer
from replaykit.sim.signatures import call_content, signature, verifies
from replaykit.sim.wire import Meta, SseParts, dumps, split

PROCESSING = b""
STREAM_TYPE = b"text/event-stream"
_FINISH = {"tool_calls": "STOP", "stop": "STOP", "length": "MAX_TOKENS"}
_STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
           408: "DEADLINE_EXCEEDED", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 502: "UNAVAILABLE",
           503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}


def to_chat(body: Any, model: str | None, stream: bool | None) -> Any:
    if not isinstance(body, dict) or not isinstance(body.get("contents"), list):
        return None
    messages: list[dict[str, Any]] = []
    system = body.get("systemInstruction") or body.get("system_instruction")
    if isinstance(system, dict):
        messages.append({"role": "system", "content": _text(system.get("parts"))})
    ids = iter(range(1_000_000))
    pending: list[str] = []  # call ids of the last model turn, answered in order by function responses
    for content in body["contents"]:
        if isinstance(content, dict):
            pending = _content(content, messages, ids, pending)
    tools = [tool(f.get("name"), f.get("description"), f.get("parametersJsonSchema") or f.get("parameters"))
             for t in body.get("tools") or () if isinstance(t, dict)
             for f in t.get("functionDeclarations") or () if isinstance(f, dict)]
    config = body.get("generationConfig")
    seed = config.get("seed") if isinstance(config, dict) else None
    return chat_body(model, messages, tools, bool(stream), body, seed)


def _text(parts: object) -> str:
    if not isinstance(parts, list):
        return ""
    return text_of([p for p in parts if isinstance(p, dict) and not p.get("thought")])


def _content(content: dict[str, Any], messages: list[dict[str, Any]], ids: Any, pending: list[str]) -> list[str]:
    parts = [p for p in content.get("parts") or () if isinstance(p, dict)]
    if content.get("role") == "model":
        calls = [{"id": f"call_{next(ids)}", "type": "function",
                  "function": {"name": p["functionCall"].get("name"),
                               "arguments": orjson.dumps(p["functionCall"].get("args") or {}).decode()}}
                 for p in parts if isinstance(p.get("functionCall"), dict)]
        turn: dict[str, Any] = {"role": "assistant", "content": _text(parts) or None}
        if calls:
            turn["tool_calls"] = calls
        messages.append(turn)
        return [str(c["id"]) for c in calls]
    responses = [p["functionResponse"] for p in parts if isinstance(p.get("functionResponse"), dict)]
    if not responses:
        messages.append({"role": "user", "content": _text(parts)})
        return pending
    for k, response in enumerate(responses):
        value = response.get("response")
        result = value.get("result") if isinstance(value, dict) and set(value) == {"result"} else value
        messages.append({"role": "tool", "tool_call_id": pending[k] if k < len(pending) else "",
                         "content": result if isinstance(result, str) else orjson.dumps(result).decode()})
    return pending[len(responses):]


def error_body(code: int, message: str, provider: str | None = None, raw: str | None = None) -> bytes:
    return dumps({"error": {"code": code, "message": message, "status": _STATUS.get(code, "UNKNOWN")}})


def _usage(use: dict[str, Any]) -> dict[str, Any]:
    return {"promptTokenCount": use["prompt_tokens"], "candidatesTokenCount": use["completion_tokens"],
            "totalTokenCount": use["prompt_tokens"] + use["completion_tokens"]}


def chunk(meta: Meta, parts: list[dict[str, Any]], finish: str | None = None,
           use: dict[str, Any] | None = None) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"parts": parts, "role": "model"}, "index": 0}
    if finish:
        candidate["finishReason"] = finish
    chunk: dict[str, Any] = {"candidates": [candidate]}
    if use is not None:
        chunk["usageMetadata"] = _usage(use)
    chunk.update(modelVersion=meta.model, responseId=meta.id.removeprefix("gen-"))
    return chunk


def call_part(name: str, arguments: str) -> dict[str, Any]:
    return {"functionCall": {"name": name, "args": call_input(arguments)}}


def call_parts(meta: Meta, answer: Answer) -> list[dict[str, Any]]:
    """The answer's calls as parts; a thinking answer's first call carries the `thoughtSignature` (missing when
    the fault omits it), as Gemini's thinking models send it."""
    parts = [call_part(c.name, c.arguments) for c in answer.calls or []]
    if answer.thinking and parts:
        call = parts[0]["functionCall"]
        sig = signature(meta.key, call_content(call["name"], call["args"]), answer.signature)
        if sig is not None:
            parts[0]["thoughtSignature"] = sig
    return parts


def completion(meta: Meta, answer: Answer, use: dict[str, Any], error: dict[str, Any] | None = None) -> bytes:
    if error:
        return error_body(int(error.get("code") or 500), str(error.get("message") or ""))
    parts: list[dict[str, Any]] = [{"text": answer.content}] if answer.content else []
    parts += call_parts(meta, answer)
    return dumps(chunk(meta, parts, _FINISH.get(answer.finish_reason, "STOP"), use))


def _data(chunk: dict[str, Any]) -> bytes:
    return b"data: " + dumps(chunk) + b"\r\n\r\n"  # Google's SSE ends events with CRLF pairs


def sse_parts(meta: Meta, answer: Answer, use: dict[str, Any] | None, rng: random.Random) -> SseParts:
    """Text in pieces; each call whole in one chunk (Gemini does not stream a call's arguments)."""
    tokens = [(len(p), _data(chunk(meta, [{"text": p}]))) for p in split(answer.content or "", rng)]
    tokens += [(len(c.name) + len(c.arguments), _data(chunk(meta, [part])))
               for c, part in zip(answer.calls or [], call_parts(meta, answer), strict=True)]
    if not tokens:  # nothing generated (an empty call list): one empty text chunk still opens the stream
        tokens = [(0, _data(chunk(meta, [{"text": ""}])))]
    return SseParts(role=b"", tokens=tokens, finish=b"", usage=None)


def finish_reason(answer: Answer) -> str:
    return _FINISH.get(answer.finish_reason, "STOP")


def closing(meta: Meta, answer: Answer, use: dict[str, Any]) -> bytes:
    return _data(chunk(meta, [], finish_reason(answer), use))


def stream_error_chunk(meta: Meta, code: int, message: str) -> bytes:
    return _data({"error": {"code": 503, "message": message, "status": "UNAVAILABLE"}})


_MISSING = ("Function call is missing a thought_signature in functionCall parts. This is required for tools to "
            "work correctly, and missing thought_signature may lead to degraded model performance. Additional "
            "data, function call `default_api:{name}` , position {position}. Please refer to "
            "https://ai.google.dev/gemini-api/docs/thought-signatures for more details.")


def signature_problem(body: Any, key: bytes) -> str | None:
    """Why the model turns sent back fail their `thoughtSignature`s (Gemini's own 400 messages), or None: every
    signature sent must verify, and the first call of each model turn since the last user text must carry
    one (the current turn)."""
    contents = body.get("contents") if isinstance(body, dict) else None
    contents = [c for c in contents if isinstance(c, dict)] if isinstance(contents, list) else []
    current = max((k for k, c in enumerate(contents) if c.get("role") == "user" and any(
        isinstance(p, dict) and "text" in p for p in c.get("parts") or ())), default=-1)
    for k, content in enumerate(contents):
        if content.get("role") != "model":
            continue
        parts = content.get("parts") or ()
        calls = [p for p in parts if isinstance(p, dict) and isinstance(p.get("functionCall"), dict)]
        for n, part in enumerate(calls):
            call = part["functionCall"]
            if "thoughtSignature" in part and not verifies(key, call_content(call.get("name"), call.get("args")),
                                                           part["thoughtSignature"]):
                return "Corrupted thought signature."
            if n == 0 and k > current and "thoughtSignature" not in part:
                return _MISSING.format(name=call.get("name"), position=k + 1)
    return None
