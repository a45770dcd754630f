"""Calls written as text in the native syntax of a model family, left in the content by a server that did not
parse them (NOTES.md, "calls written as text"). Each family is one pattern and one reader:

- Kimi K2: `<|tool_calls_section_begin|><|tool_call_begin|>functions.NAME:IDX<|tool_call_argument_begin|>
  {json}<|tool_call_end|><|tool_calls_section_end|>`;
- DeepSeek V3: `<｜tool▁call▁begin｜>function<｜tool▁sep｜>NAME` then a ```json fence, `<｜tool▁call▁end｜>`;
  V3.1 and later: `<｜tool▁call▁begin｜>NAME<｜tool▁sep｜>{json}<｜tool▁call▁end｜>`;
- GLM 4.5/4.6: `<tool_call>NAME<arg_key>K</arg_key><arg_value>V</arg_value>...</tool_call>` (values are raw
  text, typed by the tool's schema like Qwen3-Coder's XML);
- gpt-oss (harmony): `<|channel|>commentary to=functions.NAME <|constrain|>json<|message|>{json}<|call|>`.

Qwen3-Coder XML and Hermes JSON are read by textcalls.py; this module is tried after them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from replaykit.normalize.calls import args_text, parse_arguments
from replaykit.normalize.outcome import Call

Convert = Callable[[str, str | None], Any]  # raw value text, schema type → value
Schema = dict[str, dict[str, str | None]]  # tool → parameter → schema type

_KIMI = re.compile(r"<\|tool_call_begin\|>\s*(?:functions\.)?([^\s<:]+?)(?::\d+)?\s*<\|tool_call_argument_begin\|>"
                   r"(.*?)(?:<\|tool_call_end\|>|(?=<\|tool_call_begin\|>)|(?=<\|tool_calls_section_end\|>)|\Z)", re.S)
_KIMI_SECTION = re.compile(r"<\|tool_calls_section_(?:begin|end)\|>")
_DEEPSEEK = re.compile(r"<｜tool▁call▁begin｜>(.*?)(?:<｜tool▁call▁end｜>|(?=<｜tool▁call▁begin｜>)|\Z)", re.S)
_DEEPSEEK_SECTION = re.compile(r"<｜tool▁calls▁(?:begin|end)｜>")
_DEEPSEEK_FENCE = re.compile(r"```(?:json)?\s*\n?(.*?)\n?```", re.S)
_GLM = re.compile(r"<tool_call>\s*([^\s<]+)\s*((?:<arg_key>.*?)?)(?:</tool_call>|\Z)", re.S)
_GLM_ARG = re.compile(r"<arg_key>(.*?)</arg_key>\s*<arg_value>(.*?)(?:</arg_value>|\Z)", re.S)
_HARMONY = re.compile(r"(?:<\|start\|>assistant)?(?:<\|channel\|>\w+\s*)?to=functions\.([^\s<]+)[^<]*"
                      r"(?:<\|channel\|>[^<]*)?(?:<\|constrain\|>[^<]*)?<\|message\|>(.*?)(?:<\|call\|>|<\|end\|>|\Z)",
                      re.S)


def _json_call(name: str, raw: str) -> Call:
    raw = raw.strip()
    return Call(name=name.strip(), raw_arguments=raw, arguments=parse_arguments(raw))


def _kimi(match: re.Match[str], schema: Schema, convert: Convert) -> Call:
    return _json_call(match.group(1), match.group(2))


def _deepseek(match: re.Match[str], schema: Schema, convert: Convert) -> Call:
    head, _, rest = match.group(1).partition("<｜tool▁sep｜>")
    if head.strip() == "function":  # V3: the name on the line after the separator, the arguments fenced
        name, _, rest = rest.partition("\n")
        fence = _DEEPSEEK_FENCE.search(rest)
        return _json_call(name, fence.group(1) if fence else rest)
    return _json_call(head, rest)


def _glm(match: re.Match[str], schema: Schema, convert: Convert) -> Call:
    name = match.group(1).strip()
    types = schema.get(name, {})
    arguments = {k.strip(): convert(v.strip("\n"), types.get(k.strip())) for k, v in _GLM_ARG.findall(match.group(2))}
    return Call(name=name, raw_arguments=args_text(arguments), arguments=arguments)


def _harmony(match: re.Match[str], schema: Schema, convert: Convert) -> Call:
    return _json_call(match.group(1), match.group(2))


# (a marker the text must hold, the pattern of one call, its reader, section markers to drop with the calls)
_FAMILIES: tuple[tuple[str, re.Pattern[str], Callable[..., Call], re.Pattern[str] | None], ...] = (
    ("<|tool_call_begin|>", _KIMI, _kimi, _KIMI_SECTION),
    ("<｜tool▁call▁begin｜>", _DEEPSEEK, _deepseek, _DEEPSEEK_SECTION),
    ("<arg_key>", _GLM, _glm, None),
    ("to=functions.", _HARMONY, _harmony, None),
)


def family_calls(body: str, schema: Schema, convert: Convert) -> tuple[list[Call], str]:
    """The calls of the first family whose syntax `body` holds, and the text without them."""
    for marker, pattern, read, section in _FAMILIES:
        if marker not in body:
            continue
        calls = [read(match, schema, convert) for match in pattern.finditer(body)]
        if calls:
            rest = pattern.sub("", body)
            return calls, section.sub("", rest) if section is not None else rest
    return [], body
