"""Builders for wire-level test cases: chat-completion chunks, SSE bodies, JSON bodies, attempts."""

from __future__ import annotations

from typing import Any

import orjson

from replaykit.cassettes.model import Attempt

UNSET: Any = object()
SSE_HEADERS = {"Content-Type": ["text/event-stream; charset=utf-8"]}
JSON_HEADERS = {"Content-Type": ["application/json"]}
REQUEST = {
    "method": "POST",
    "uri": "https://openrouter.ai/api/v1/chat/completions",
    "headers": {},
    "body": '{"model":"qwen/qwen3-coder","stream":true}',
}


def chunk(
    delta: dict[str, Any] | None = None,
    *,
    finish: str | None = None,
    native: str | None = None,
    usage: dict[str, Any] | None = None,
    choices: bool = True,
    provider: str | None = "DeepInfra",
    **extra: Any,
) -> dict[str, Any]:
    data: dict[str, Any] = {"id": "gen-1", "object": "chat.completion.chunk", "model": "qwen/qwen3-coder"}
    if provider is not None:
        data["provider"] = provider
    data["choices"] = (
        [
            {
                "index": 0,
                "delta": delta if delta is not None else {},
                "finish_reason": finish,
                "native_finish_reason": native,
            }
        ]
        if choices
        else []
    )
    if usage is not None:
        data["usage"] = usage
    data.update(extra)
    return data


def tc(
    index: int | None = None, id: str | None = None, name: str | None = None, args: Any = UNSET, **extra: Any
) -> dict[str, Any]:
    """One tool-call delta entry; keys left out unless given (`args=None` sends `"arguments": null`)."""
    entry: dict[str, Any] = {}
    if index is not None:
        entry["index"] = index
    if id is not None:
        entry["id"] = id
        entry["type"] = "function"
    fn: dict[str, Any] = {}
    if name is not None:
        fn["name"] = name
    if args is not UNSET:
        fn["arguments"] = args
    entry["function"] = fn
    entry.update(extra)
    return entry


def calls_delta(*entries: dict[str, Any]) -> dict[str, Any]:
    return {"tool_calls": list(entries)}


def sse(*items: dict[str, Any] | str, done: bool = True) -> str:
    """An SSE body: dicts become `data:` events, strings are put in as they are (comments, raw events)."""
    parts = [item if isinstance(item, str) else f"data: {orjson.dumps(item).decode()}\n\n" for item in items]
    if done:
        parts.append("data: [DONE]\n\n")
    return "".join(parts)


def stream_attempt(body: str | bytes | None, status: int | None = 200, **kw: Any) -> Attempt:
    return Attempt(request=REQUEST, status=status, response_headers=SSE_HEADERS, body=body, **kw)  # type: ignore[arg-type]


def json_attempt(
    body: dict[str, Any] | list[Any] | str | bytes | None, status: int | None = 200, **kw: Any
) -> Attempt:
    text = body if body is None or isinstance(body, str | bytes) else orjson.dumps(body).decode()
    request = {**REQUEST, "body": '{"model":"qwen/qwen3-coder","stream":false}'}
    return Attempt(request=request, status=status, response_headers=JSON_HEADERS, body=text, **kw)  # type: ignore[arg-type]


def completion(message: dict[str, Any], finish: str | None = "stop", **extra: Any) -> dict[str, Any]:
    data = {
        "id": "gen-1",
        "object": "chat.completion",
        "model": "qwen/qwen3-coder",
        "provider": "DeepInfra",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", **message},
                "finish_reason": finish,
                "native_finish_reason": finish,
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }
    data.update(extra)
    return data


def tool_stream(
    name: str,
    arguments: str,
    *,
    pieces: int = 7,
    call_id: str = "call_1",
    index: int = 0,
    finish: str = "tool_calls",
    done: bool = True,
) -> str:
    """A regular OpenAI-style stream of one call: header delta, argument fragments, finish, usage, [DONE]."""
    step = max(1, len(arguments) // pieces)
    frags = [arguments[i : i + step] for i in range(0, len(arguments), step)]
    items: list[dict[str, Any] | str] = [
        ": OPENROUTER PROCESSING\n\n",
        chunk({"role": "assistant", "content": ""}),
        chunk(calls_delta(tc(index, call_id, name, ""))),
    ]
    items += [chunk(calls_delta(tc(index, args=f))) for f in frags]
    items.append(chunk(finish=finish, native=finish))
    items.append(
        chunk(
            choices=False,
            usage={"prompt_tokens": 50, "completion_tokens": 20, "total_tokens": 70, "cost": 0.00012},
        )
    )
    return sse(*items, done=done)
