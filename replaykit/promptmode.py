"""Prompt mode: tools described in the system prompt, calls written as text, in one model family's format.

For providers whose native tool calling is broken. The recorder sends no `tools` field; the system prompt
describes the tools the way the family's chat template does (`prompt_format` in the provider file: Hermes by
default, or Qwen3-Coder, Kimi K2, DeepSeek, GLM, gpt-oss — replaykit/promptformats/), earlier calls and tool
results are written back in that format, and the normalizer reads the calls back from the answer's text. The
simulator uses the same functions to play a model.
"""

from __future__ import annotations

from typing import Any

import orjson

from replaykit.promptformats import DEFAULT, PromptFormat, detect, hermes, prompt_format

format_call = hermes.format_call  # one call in the default format (the simulator's Hermes text-call fault)


def tools_prompt(tools: list[dict[str, Any]], fmt: str = DEFAULT) -> str:
    return prompt_format(fmt).tools_prompt(tools)


def to_prompt_messages(messages: list[dict[str, Any]], tools: list[dict[str, Any]],
                       fmt: str = DEFAULT) -> list[dict[str, Any]]:
    """Rewrite a native conversation for prompt mode: tools in the system prompt, calls and results as text."""
    family = prompt_format(fmt)
    out: list[dict[str, Any]] = []
    prompt = family.tools_prompt(tools)
    if messages and messages[0].get("role") == "system":
        out.append({"role": "system", "content": f"{messages[0].get('content') or ''}\n\n{prompt}"})
        messages = messages[1:]
    else:
        out.append({"role": "system", "content": prompt})
    calls: dict[str, tuple[str, int]] = {}  # call id -> (tool name, the call's index in the conversation)
    for msg in messages:
        out.append(_rewrite(msg, family, calls))
    return out


def _rewrite(msg: dict[str, Any], family: PromptFormat, calls: dict[str, tuple[str, int]]) -> dict[str, Any]:
    if msg.get("role") == "assistant" and msg.get("tool_calls"):
        pairs = []
        for call in msg["tool_calls"]:
            fn = call.get("function", {})
            name, args = str(fn.get("name", "")), fn.get("arguments")
            calls[str(call.get("id"))] = (name, len(calls))
            pairs.append((name, args if isinstance(args, str) else orjson.dumps(args).decode()))
        parts = [msg.get("content") or "", family.calls_text(pairs, len(calls) - len(pairs))]
        return {"role": "assistant", "content": "\n".join(p for p in parts if p)}
    if msg.get("role") == "tool":
        content = msg.get("content")
        text = content if isinstance(content, str) else orjson.dumps(content).decode()
        name, index = calls.get(str(msg.get("tool_call_id")), ("", 0))
        return {"role": "user", "content": family.tool_result(name, index, text)}
    return msg


def prompt_tools(messages: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]] | None:
    """(the format's name, the tools) a prompt-mode request describes in a system prompt; None when it is not
    one."""
    for msg in messages:
        if msg.get("role") != "system" or not isinstance(msg.get("content"), str):
            continue
        found = detect(msg["content"])
        if found is not None:
            return found[0].NAME, found[1]
    return None


def tools_from_prompt(messages: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """The tools a prompt-mode request describes, or None when it is not one."""
    found = prompt_tools(messages)
    return found[1] if found else None
