"""A captured request and its answer as a replay scenario: the exact messages and tools, with the answer
of the provider that served it as the reference (no hand-written expectation).

Only OpenAI chat-completion requests become scenarios; an answer that failed or whose calls don't parse gives
no reference (`meta.reference.usable` is false) and `scenarios from-run` leaves it out.
"""

from __future__ import annotations

import hashlib
from typing import Any

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
    """An OpenAI chat-completions request (other dialects are captured, but not made into scenarios yet)."""
    return (path.rstrip("/").endswith("/chat/completions") and isinstance(body, dict)
            and isinstance(body.get("messages"), list) and bool(body["messages"]))


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
