"""A captured request and its answer as a replay scenario: the exact messages and tools, with the answer
of the provider that served it as the reference (no hand-written expectation).

Only OpenAI chat-completion requests become scenarios; an answer that failed or whose calls don't parse gives
no reference (`meta.reference.usable` is false) and `scenarios from-run` leaves it out.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

from replaykit.canonical import canonical_json
from replaykit.cassettes.model import Attempt
from replaykit.errors import BadInputError
from replaykit.normalize import normalize

MESSAGE_KEYS = ("role", "content", "name", "tool_calls", "tool_call_id")
CARRIED = ("tool_choice",)


def session_of(body: dict[str, Any]) -> str:
    """Requests of one agent conversation share their opening (system prompt and first user turn)."""
    found = body.get("messages")
    messages: list[Any] = found if isinstance(found, list) else []
    opening = [m for m in messages[:4] if isinstance(m, dict) and m.get("role") in ("system", "user")][:2]
    return hashlib.sha256(canonical_json([body.get("system"), opening])).hexdigest()[:8]


def is_chat(path: str, body: Any) -> bool:
    """An OpenAI chat-completions request."""
    return (path.rstrip("/").endswith("/chat/completions") and isinstance(body, dict)
            and isinstance(body.get("messages"), list) and bool(body["messages"]))


def chat_form(path: str, body: Any) -> dict[str, Any] | None:
    """The request as chat completions (what a scenario holds): chat as it is, Anthropic Messages converted;
    None for what is not a model request, or a dialect not converted (Responses, Gemini: recorded only)."""
    if is_chat(path, body):
        return dict(body)
    if path.rstrip("/").endswith("/messages") and isinstance(body, dict) and isinstance(body.get("messages"), list):
        return from_anthropic(body)
    return None


def from_anthropic(body: dict[str, Any]) -> dict[str, Any] | None:
    """Anthropic Messages → chat: `system` → a system message, `tool_use` blocks → `tool_calls`, each
    `tool_result` block → a tool message, tools' `input_schema` → `parameters`."""
    messages: list[dict[str, Any]] = []
    system = body.get("system")
    if isinstance(system, list):
        system = "\n".join(b.get("text", "") for b in system if isinstance(b, dict))
    if isinstance(system, str) and system:
        messages.append({"role": "system", "content": system})
    for message in body["messages"]:
        if not isinstance(message, dict) or message.get("role") not in ("user", "assistant"):
            return None
        messages += _anthropic_turn(message["role"], message.get("content"))
    tools = [{"type": "function", "function": {"name": t.get("name", ""), "description": t.get("description", ""),
                                               "parameters": t.get("input_schema") or {"type": "object"}}}
             for t in body.get("tools") or [] if isinstance(t, dict) and "input_schema" in t]
    return {"model": body.get("model"), "messages": messages, "tools": tools} if messages else None


def _anthropic_turn(role: str, content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"role": role, "content": content}]
    blocks = [b for b in content or [] if isinstance(b, dict)]
    text = "".join(b.get("text", "") for b in blocks if b.get("type") == "text")
    out: list[dict[str, Any]] = [
        {"role": "tool", "tool_call_id": str(b.get("tool_use_id", "")), "content": _result_text(b.get("content"))}
        for b in blocks if b.get("type") == "tool_result"]
    calls = [{"id": str(b.get("id", "")), "type": "function",
              "function": {"name": str(b.get("name", "")), "arguments": orjson.dumps(b.get("input") or {}).decode()}}
             for b in blocks if b.get("type") == "tool_use"]
    if calls:
        out.append({"role": "assistant", "content": text or None, "tool_calls": calls})
    elif text or not out:
        out.append({"role": role, "content": text})
    return out


def _result_text(content: Any) -> str:
    if isinstance(content, list):
        return "".join(b.get("text", "") for b in content if isinstance(b, dict))
    return content if isinstance(content, str) else orjson.dumps(content).decode()


def reference_scenario(sid: str, body: dict[str, Any], attempt: Attempt, provider: str) -> dict[str, Any]:
    """The raw scenario (as it would be written in YAML) for one captured chat request."""
    tools = [t for t in body.get("tools") or [] if isinstance(t, dict) and t.get("type") == "function"]
    outcome = normalize(attempt, tools=tools, mode="native")
    calls = outcome.calls if outcome.ok else []
    usable = outcome.ok and all(isinstance(c.arguments, dict) for c in calls)
    expected = [{"name": c.name, "args": {k: {"equals": v} for k, v in (c.arguments or {}).items()}}
                for c in calls] if usable else []
    raw: dict[str, Any] = {
        "id": sid, "category": _category(tools, expected), "tags": ["replay"],
        "tools": tools, "messages": [_message(m) for m in body["messages"] if isinstance(m, dict)],
        "expect": {"calls": expected},
        "meta": {"reference": {"provider": provider, "usable": usable,
                               "finish_reason": outcome.finish_reason, "error_class": outcome.error_class,
                               "model": body.get("model"), "session": session_of(body)}},
    }
    for key in CARRIED:
        if key in body and tools:
            raw[key] = body[key]
    return raw


def _message(message: dict[str, Any]) -> dict[str, Any]:
    """The keys a scenario message has; provider extras (reasoning, cache control) are not part of it."""
    return {k: message[k] for k in MESSAGE_KEYS if k in message}


def _category(tools: list[dict[str, Any]], expected: list[dict[str, Any]]) -> str:
    names = {c["name"] for c in expected}
    if not expected:
        return "no_call"
    if len(expected) == 1:
        return "single" if len(tools) == 1 else "multiple"
    return "parallel" if len(names) == 1 else "parallel_multiple"


def pending_scenario(sid: str, body: dict[str, Any], source: str, origin: str) -> dict[str, Any]:
    """A request with no reference answer yet (an imported request set): the right answer is unknown, so
    the expectation is a placeholder that the scorer never judges (`meta.reference.pending`)."""
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages or not all(isinstance(m, dict) for m in messages):
        raise BadInputError("must be a non-empty list of chat messages", source=source, field="messages")
    tools = body.get("tools") or []
    if not isinstance(tools, list):
        raise BadInputError("must be a list of tools", source=source, field="tools")
    raw: dict[str, Any] = {
        "id": sid, "category": "no_call", "tags": ["replay", "pending-reference", origin],
        "tools": [t for t in tools if isinstance(t, dict) and t.get("type") == "function"],
        "messages": [_message(m) for m in messages], "expect": {"calls": []},
        "meta": {"reference": {"pending": True, "usable": False, "origin": origin, "session": session_of(body)}},
    }
    if "tool_choice" in body and raw["tools"]:
        raw["tool_choice"] = body["tool_choice"]
    return raw
