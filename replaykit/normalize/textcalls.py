"""Tool calls written as text in the content, as servers without the right tool parser leave them.

Formats, tried in this order:
- Qwen3-Coder XML: `<tool_call><function=NAME><parameter=P>VALUE</parameter></function></tool_call>`, also
  without the `<tool_call>` wrapper. Values are raw text: converted by the tool's JSON Schema type when the
  tools are given (as vLLM's qwen3_coder parser does), else JSON-decoded when they decode, else kept as text.
- Hermes: `<tool_call>{"name": ..., "arguments": {...}}</tool_call>` (also `"parameters"`, and arguments as a
  JSON string); the closing tag may be missing at the end of the text.
- Bare JSON: the whole content (after a `[TOOL_CALLS]` or `<|python_tag|>` marker) is one such object or a
  list of them, or they sit in a ```json fence. Here `arguments`/`parameters` is required, so that an answer
  that merely is JSON with a `name` is not taken for a call.
- Model families' own syntaxes (Kimi K2, DeepSeek, GLM, gpt-oss harmony): textfamilies.py.
Text inside a leading `<think>...</think>` block is reasoning, never a call.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import orjson

from replaykit.normalize.calls import args_text, parse_arguments, shallow
from replaykit.normalize.outcome import Call
from replaykit.normalize.textfamilies import family_calls
from replaykit.promptmode import tools_from_prompt

Tools = Sequence[dict[str, Any]]
_CALL = re.compile(
    r"<tool_call>(?P<block>.*?)(?:</tool_call>|(?=<tool_call>)|\Z)"
    r"|(?P<func><function=[^>\n]*>.*?</function>)",
    re.S,
)
_FUNCTION = re.compile(r"<function=([^>\n]*)>(.*?)(?:</function>|\Z)", re.S)
_PARAMETER = re.compile(
    r"<parameter=([^>\n]*)>(.*?)(?:</parameter>|(?=<parameter=)|(?=</function>)|\Z)", re.S)
_FENCE = re.compile(r"```[ \t]*(?:json|JSON)?[ \t]*\n(.*?)```", re.S)
_NAME = re.compile(r'"name"\s*:\s*"((?:[^"\\]|\\.)*)"')
_ARGS = re.compile(r'"(?:arguments|parameters)"\s*:\s*')
_MARKERS = ("[TOOL_CALLS]", "<|python_tag|>")
_BARE_NAME = re.compile(r"[A-Za-z_][\w.\-]*")


def extract_text_calls(text: str, tools: Tools | None = None) -> tuple[list[Call], str]:
    """The calls written in `text`, and the text left once they are taken out (stripped); `([], text)` when
    there are none."""
    if not text:
        return [], text
    end = text.rfind("</think>")
    reasoning, body = (text[: end + 8], text[end + 8 :]) if end >= 0 else ("", text)
    calls, rest = _tagged(body, tools)
    if not calls:
        calls, rest = family_calls(body, _param_types(tools), _convert)
    if not calls:
        calls, rest = _bare_json(body)
    if not calls:
        return [], text
    return calls, (reasoning + rest).strip()


def _tagged(body: str, tools: Tools | None) -> tuple[list[Call], str]:
    if ("<tool_call>" not in body and "<function=" not in body) or "<arg_key>" in body:
        return [], body  # `<arg_key>`: GLM's syntax, read with the other families
    schema = _param_types(tools)

    def parse(match: re.Match[str]) -> list[Call]:
        block = match.group("block")
        if block is None:
            return _xml_calls(match.group("func"), schema)
        if _BARE_NAME.fullmatch(block.strip()):  # GLM's call of a tool without arguments: `<tool_call>NAME</tool_call>`
            return [Call(name=block.strip(), raw_arguments="{}", arguments={})]
        return _xml_calls(block, schema) if "<function=" in block else _hermes_calls(block)

    return _cut_out(body, _CALL, parse)


def _cut_out(body: str, pattern: re.Pattern[str],
             parse: Callable[[re.Match[str]], list[Call] | None]) -> tuple[list[Call], str]:
    """The calls in the matches of `pattern`, and the text with those matches removed (kept where a match
    holds no call)."""
    calls: list[Call] = []
    kept: list[str] = []
    pos = 0
    for match in pattern.finditer(body):
        found = parse(match)
        if found:
            kept.append(body[pos : match.start()])
            pos = match.end()
            calls.extend(found)
    kept.append(body[pos:])
    return calls, "".join(kept)


def _xml_calls(block: str, schema: dict[str, dict[str, str | None]]) -> list[Call]:
    calls = []
    for match in _FUNCTION.finditer(block):
        name, inner = match.group(1).strip(), match.group(2)
        params = _PARAMETER.findall(inner)
        if not params and inner.strip()[:1] == "{":  # `<function=NAME>{json}</function>` (Llama style)
            raw = inner.strip()
            calls.append(Call(name=name, raw_arguments=raw, arguments=parse_arguments(raw)))
            continue
        types = schema.get(name, {})
        arguments = {p.strip(): _convert(_trim(value), types.get(p.strip())) for p, value in params}
        raw = args_text(arguments)
        calls.append(Call(name=name, raw_arguments=raw, arguments=arguments if shallow(arguments, raw) else None))
    return calls


def _trim(value: str) -> str:
    """The value between the tags without the one newline on each side that the format puts there."""
    if value.startswith("\n"):
        value = value[1:]
    if value.endswith("\n"):
        value = value[:-1]
    return value


def _convert(value: str, kind: str | None) -> Any:
    """A raw parameter value as its schema type says; a value that does not fit stays text (the checker then
    sees the wrong type, which is the provider's fault, not ours)."""
    if kind == "string":
        return value
    decoded = _json(value.strip())
    if kind == "integer":
        return decoded if isinstance(decoded, int) and not isinstance(decoded, bool) else value
    if kind == "number":
        return decoded if isinstance(decoded, int | float) and not isinstance(decoded, bool) else value
    if kind == "boolean":
        lowered = value.strip().lower()
        return {"true": True, "false": False}.get(lowered, value)
    return value if decoded is _NOT_JSON else decoded


_NOT_JSON = object()


def _json(text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return _NOT_JSON


def request_tools(request: object) -> Tools | None:
    """The tools a recorded request offered: its `tools` field, or in prompt mode the system prompt's."""
    body = request.get("body") if isinstance(request, dict) else None
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    data = _json(body) if isinstance(body, str) else None
    if not isinstance(data, dict):
        return None
    tools = data.get("tools")
    if isinstance(tools, list):
        return [f for t in tools if isinstance(t, dict) for f in _declarations(t) if isinstance(f, dict)]
    turns = data.get("messages") or data.get("input")
    messages = [m for m in turns if isinstance(m, dict)] if isinstance(turns, list) else []
    system = data.get("system") or data.get("instructions")  # prompt mode in Anthropic / Responses requests
    if isinstance(system, str):
        messages.insert(0, {"role": "system", "content": system})
    return tools_from_prompt(messages) if messages else None


def _declarations(tool: dict[str, Any]) -> list[Any]:
    """A tool entry's function objects: itself, or Gemini's `functionDeclarations` nested one level down."""
    nested = tool.get("functionDeclarations")
    return nested if isinstance(nested, list) else [tool]


def _param_types(tools: Tools | None) -> dict[str, dict[str, str | None]]:
    """Tool name → parameter name → its JSON Schema type (the first non-null one of a list or an anyOf)."""
    out: dict[str, dict[str, str | None]] = {}
    for tool in tools or ():
        fn = tool.get("function", tool) if isinstance(tool, dict) else None
        if not isinstance(fn, dict) or not isinstance(fn.get("name"), str):
            continue
        params = fn.get("parameters") or fn.get("input_schema") or fn.get("parametersJsonSchema")
        props = params.get("properties") if isinstance(params, dict) else None
        if isinstance(props, dict):
            out[fn["name"]] = {str(k): _schema_type(v) for k, v in props.items()}
    return out


def _schema_type(schema: object) -> str | None:
    if not isinstance(schema, dict):
        return None
    kind = schema.get("type")
    if isinstance(kind, str):
        return kind
    if isinstance(kind, list):
        return next((k for k in kind if isinstance(k, str) and k != "null"), None)
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, list):
            return next((t for t in map(_schema_type, options) if t and t != "null"), None)
    return None


def _hermes_calls(block: str) -> list[Call]:
    inner = block.strip()
    value = _json(inner)
    if value is _NOT_JSON:
        return _broken_call(inner)
    return _json_calls(value, require_args=False) or []


def _broken_call(inner: str) -> list[Call]:
    """A call whose JSON does not parse: the name when it can be read, the arguments' text as it stands."""
    name = _NAME.search(inner)
    if name is None:
        return []
    args = _ARGS.search(inner)
    raw = inner[args.end() :].rstrip() if args else ""
    if raw.endswith("}") and raw.count("{") < raw.count("}"):
        raw = raw[:-1].rstrip()  # the closing brace of the outer object
    return [Call(name=_unescape(name.group(1)), raw_arguments=raw, arguments=None)]


def _unescape(text: str) -> str:
    value = _json(f'"{text}"')
    return value if isinstance(value, str) else text


def _json_calls(value: Any, *, require_args: bool) -> list[Call] | None:
    """Calls from a decoded object or list of objects; None unless every item is call-shaped."""
    items: Iterable[Any] = value if isinstance(value, list) else [value]
    calls = [_json_call(item, require_args) for item in items]
    if not calls or any(c is None for c in calls):
        return None
    return [c for c in calls if c is not None]


def _json_call(item: Any, require_args: bool) -> Call | None:
    if not isinstance(item, dict):
        return None
    if "name" not in item and isinstance(item.get("function"), dict):
        item = item["function"]  # OpenAI's own shape, `{"type": "function", "function": {...}}`
    name = item.get("name")
    if not isinstance(name, str) or not name:
        return None
    key = "arguments" if "arguments" in item else "parameters" if "parameters" in item else None
    if key is None and require_args:
        return None
    value = item.get(key) if key else None
    raw = args_text(value)
    if isinstance(value, str):  # arguments given as a JSON string
        return Call(name=name, raw_arguments=raw, arguments=parse_arguments(raw))
    arguments = {} if value is None else value if isinstance(value, dict) and shallow(value, raw) else None
    return Call(name=name, raw_arguments=raw, arguments=arguments)


def _bare_json(body: str) -> tuple[list[Call], str]:
    stripped = body.strip()
    for marker in _MARKERS:
        if stripped.startswith(marker):
            stripped = stripped[len(marker) :].lstrip()
    if stripped[:1] in ("{", "["):
        calls = _json_calls(_json(stripped), require_args=True)
        if calls:
            return calls, ""
    if "```" not in body:
        return [], body
    return _cut_out(body, _FENCE, lambda match: _json_calls(_json(match.group(1).strip()), require_args=True))
