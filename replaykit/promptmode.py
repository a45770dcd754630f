"""Prompt mode: tools described in the system prompt (Hermes/Qwen convention), calls written as text.

For providers whose native tool calling is broken. The recorder sends no `tools` field; the system prompt
carries the tools' JSON inside `<tools></tools>` and asks for `<tool_call>{"name", "arguments"}</tool_call>`
blocks, which the normalizer parses back. The simulator uses the same functions to play a model.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

_HEADER = (
    "# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
    "You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n"
)
_FOOTER = (
    "\n</tools>\n\nFor each function call, return a json object with function name and arguments within "
    "<tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": "
    "<args-json-object>}\n</tool_call>"
)
_TOOLS_RE = re.compile(r"<tools>\n(.*?)\n</tools>", re.S)


def tools_prompt(tools: list[dict[str, Any]]) -> str:
    lines = "\n".join(orjson.dumps(t).decode() for t in tools)
    return _HEADER + lines + _FOOTER


def format_call(name: str, arguments: Any) -> str:
    """One call in the convention's text form."""
    body = orjson.dumps({"name": name, "arguments": arguments}).decode()
    return f"<tool_call>\n{body}\n</tool_call>"


def to_prompt_messages(messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rewrite a native conversation for prompt mode: tools in the system prompt, calls and results as text."""
    out: list[dict[str, Any]] = []
    prompt = tools_prompt(tools)
    if messages and messages[0].get("role") == "system":
        out.append({"role": "system", "content": f"{messages[0].get('content') or ''}\n\n{prompt}"})
        messages = messages[1:]
    else:
        out.append({"role": "system", "content": prompt})
    for msg in messages:
        out.append(_rewrite(msg))
    return out


def _rewrite(msg: dict[str, Any]) -> dict[str, Any]:
    if msg.get("role") == "assistant" and msg.get("tool_calls"):
        parts = [msg.get("content") or ""]
        for call in msg["tool_calls"]:
            fn = call.get("function", {})
            args = fn.get("arguments")
            try:
                parsed = orjson.loads(args) if isinstance(args, str) else args
            except orjson.JSONDecodeError:
                parsed = args
            parts.append(format_call(fn.get("name", ""), parsed))
        return {"role": "assistant", "content": "\n".join(p for p in parts if p)}
    if msg.get("role") == "tool":
        content = msg.get("content")
        text = content if isinstance(content, str) else orjson.dumps(content).decode()
        return {"role": "user", "content": f"<tool_response>\n{text}\n</tool_response>"}
    return msg


def tools_from_prompt(messages: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """The tools a prompt-mode request describes, or None when it is not one."""
    for msg in messages:
        if msg.get("role") != "system" or not isinstance(msg.get("content"), str):
            continue
        found = _TOOLS_RE.search(msg["content"])
        if found:
            try:
                return [orjson.loads(line) for line in found.group(1).splitlines() if line.strip()]
            except orjson.JSONDecodeError:
                return None
    return None
