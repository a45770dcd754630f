"""Kimi K2: tools declared as one compact JSON array (`<|im_system|>tool_declare<|im_middle|>[...]<|im_end|>`),
calls in a section `<|tool_calls_section_begin|><|tool_call_begin|>functions.NAME:IDX<|tool_call_argument_begin|>
{json}<|tool_call_end|><|tool_calls_section_end|>` (IDX counts the conversation's calls from 0), each result a
turn `## Return of functions.NAME:IDX` followed by the result (the text of Kimi K2's chat template)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import orjson

NAME = "kimi-k2"
_DECLARE = ("<|im_system|>tool_declare<|im_middle|>", "<|im_end|>")
_HOW = ("\n\nTo call functions, reply with a tool calls section:\n<|tool_calls_section_begin|><|tool_call_begin|>"
        "functions.{name}:{index}<|tool_call_argument_begin|>{json arguments}<|tool_call_end|>"
        "<|tool_calls_section_end|>\nSeveral calls go in one section, one <|tool_call_begin|>...<|tool_call_end|> "
        "each; {index} counts the calls of the conversation from 0.")
_TOOLS = re.compile(re.escape(_DECLARE[0]) + r"(\[.*?\])" + re.escape(_DECLARE[1]), re.S)
_RESULT = re.compile(r"## Return of functions\.[^\s:]+:\d+\n(.*)", re.S)


def tools_prompt(tools: Sequence[dict[str, Any]]) -> str:
    return _DECLARE[0] + orjson.dumps(list(tools)).decode() + _DECLARE[1] + _HOW


def read_tools(system: str) -> list[dict[str, Any]] | None:
    found = _TOOLS.search(system)
    if found is None:
        return None
    try:
        tools = orjson.loads(found.group(1))
    except orjson.JSONDecodeError:
        return None
    return [t for t in tools if isinstance(t, dict)] if isinstance(tools, list) else None


def calls_text(calls: Sequence[tuple[str, str]], first: int = 0) -> str:
    inner = "".join(f"<|tool_call_begin|>functions.{name}:{first + k}<|tool_call_argument_begin|>{raw}"
                    "<|tool_call_end|>" for k, (name, raw) in enumerate(calls))
    return f"<|tool_calls_section_begin|>{inner}<|tool_calls_section_end|>"


def tool_result(name: str, index: int, text: str) -> str:
    return f"## Return of functions.{name}:{index}\n{text}"


def read_tool_result(text: str) -> str | None:
    found = _RESULT.fullmatch(text)
    return found.group(1) if found else None
