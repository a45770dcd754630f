"""Hermes / Qwen2.5 / Qwen3 (the default): tools as JSON lines inside `<tools></tools>`, each call a
`<tool_call>{"name", "arguments"}</tool_call>` block, each result a user turn `<tool_response>...</tool_response>`
(the Qwen3 chat template's text)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import orjson

from replaykit.promptformats.common import BROKEN, between, json_lines, parsed

NAME = "hermes"
HEADER = (
    "# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
    "You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n"
)
_FOOTER = (
    "\n</tools>\n\nFor each function call, return a json object with function name and arguments within "
    "<tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": "
    "<args-json-object>}\n</tool_call>"
)
_TOOLS = re.compile(r"<tools>\n(.*?)\n</tools>", re.S)
_RESULT = ("<tool_response>\n", "\n</tool_response>")


def tools_prompt(tools: Sequence[dict[str, Any]]) -> str:
    return HEADER + "\n".join(orjson.dumps(t).decode() for t in tools) + _FOOTER


def read_tools(system: str) -> list[dict[str, Any]] | None:
    return json_lines(system, _TOOLS) if "<tool_call>" in system else None


def format_call(name: str, arguments: Any) -> str:
    body = orjson.dumps({"name": name, "arguments": arguments}).decode()
    return f"<tool_call>\n{body}\n</tool_call>"


def calls_text(calls: Sequence[tuple[str, str]], first: int = 0) -> str:
    blocks = []
    for name, raw in calls:
        value = parsed(raw)
        if value is BROKEN:  # written as it came, as a model that broke it would
            blocks.append(f'<tool_call>\n{{"name":{orjson.dumps(name).decode()},"arguments":{raw}}}\n</tool_call>')
        else:
            blocks.append(format_call(name, value))
    return "\n".join(blocks)


def tool_result(name: str, index: int, text: str) -> str:
    return _RESULT[0] + text + _RESULT[1]


def read_tool_result(text: str) -> str | None:
    return between(text, *_RESULT)
