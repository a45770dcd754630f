"""Builds a `Scenario` from its YAML mapping, refusing every mistake with file, id and field path."""

from __future__ import annotations

import functools
import re
from typing import Any

import orjson
from jsonschema import Draft202012Validator

from replaykit.canonical import canonical_json, content_hash
from replaykit.errors import ScenarioError
from replaykit.scenarios.matcher_parse import parse_args
from replaykit.scenarios.matchers import MatcherSpecError, ObjectOf
from replaykit.scenarios.metaschema import schema_problem
from replaykit.scenarios.model import CATEGORIES, Expectation, ExpectedCall, Scenario, ToolResult

ID_RE = re.compile(r"^[a-z0-9_.-]+$")
TAG_RE = re.compile(r"^[a-z0-9_.:-]+$")
TOP_KEYS = {"id", "category", "tags", "description", "tools", "tool_choice", "messages", "expect", "steps",
            "tool_results", "meta", "score_schemas"}
ROLES = {"system", "developer", "user", "assistant", "tool"}
MESSAGE_KEYS = {"role", "content", "name", "tool_calls", "tool_call_id"}


class _Ctx:
    """Where we are, so every error names file, scenario and field; `lint` adds the authoring checks
    (off for a run's snapshot: what was recorded must stay scoreable when the checks get stricter)."""

    def __init__(self, source: str, item: str | None, lint: bool = True) -> None:
        self.source, self.item, self.lint = source, item, lint

    def fail(self, field: str, message: str) -> ScenarioError:
        return ScenarioError(message, source=self.source, item=self.item, field=field or None)


def build_scenario(raw: Any, source: str, index: int | None = None, *, lint: bool = True) -> Scenario:
    where = f"[{index}]" if index is not None else ""
    if not isinstance(raw, dict):
        raise ScenarioError(f"a scenario must be a mapping, got {type(raw).__name__}", source=source,
                            field=where or None)
    ctx = _Ctx(source, raw.get("id") if isinstance(raw.get("id"), str) else where or None, lint)
    unknown = sorted(set(map(str, raw)) - TOP_KEYS)
    if unknown:
        raise ctx.fail(unknown[0], f"unknown key (allowed: {', '.join(sorted(TOP_KEYS))})")
    sid = _check_id(raw, ctx)
    category = raw.get("category")
    if category not in CATEGORIES:
        raise ctx.fail("category", f"must be one of {', '.join(CATEGORIES)}, got {category!r}")
    tools = _check_tools(raw.get("tools"), ctx)
    score_schemas = _check_score_schemas(raw.get("score_schemas"), tools, ctx)
    messages = _check_messages(raw.get("messages"), ctx)
    steps = _check_steps(raw, category, _scored_tools(tools, score_schemas), ctx)
    scenario = Scenario(
        id=sid, category=category, tools=tuple(tools), messages=tuple(messages), steps=steps,
        hash=content_hash(raw), source=source, tags=_check_tags(raw.get("tags"), ctx),
        description=_opt_str(raw, "description", ctx), tool_choice=_check_tool_choice(raw, tools, ctx),
        tool_results=_check_results(raw.get("tool_results"), category, tools, ctx),
        meta=_check_meta(raw.get("meta"), ctx), score_schemas=score_schemas, raw=raw,
    )
    _check_category_shape(scenario, ctx)
    return scenario


def _check_id(raw: dict[str, Any], ctx: _Ctx) -> str:
    sid = raw.get("id")
    if not isinstance(sid, str) or not ID_RE.match(sid):
        raise ctx.fail("id", f"must be a string of [a-z0-9_.-]+, got {sid!r}")
    return sid


def _opt_str(raw: dict[str, Any], key: str, ctx: _Ctx) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str):
        raise ctx.fail(key, "must be a string")
    return value


def _check_tags(tags: Any, ctx: _Ctx) -> tuple[str, ...]:
    if tags is None:
        return ()
    if not isinstance(tags, list):
        raise ctx.fail("tags", "must be a list of strings")
    for i, tag in enumerate(tags):
        if not isinstance(tag, str) or not TAG_RE.match(tag):
            raise ctx.fail(f"tags[{i}]", f"must match [a-z0-9_.:-]+, got {tag!r}")
    return tuple(tags)


def _check_meta(meta: Any, ctx: _Ctx) -> dict[str, Any]:
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise ctx.fail("meta", "must be a mapping")
    return meta


def _check_tools(tools: Any, ctx: _Ctx) -> list[dict[str, Any]]:
    if not isinstance(tools, list):
        raise ctx.fail("tools", "must be a list of OpenAI tools ({type: function, function: {...}})")
    seen: set[str] = set()
    for i, tool in enumerate(tools):
        name = _check_tool(tool, f"tools[{i}]", ctx)
        if name in seen:
            raise ctx.fail(f"tools[{i}].function.name", f"duplicate tool name {name!r}")
        seen.add(name)
    return tools


def _check_tool(tool: Any, path: str, ctx: _Ctx) -> str:
    if not isinstance(tool, dict) or tool.get("type") != "function":
        raise ctx.fail(f"{path}.type", "must be 'function'")
    extra = set(tool) - {"type", "function"}
    if extra:
        raise ctx.fail(f"{path}.{sorted(extra)[0]}", "unknown key (allowed: type, function)")
    fn = tool.get("function")
    if not isinstance(fn, dict):
        raise ctx.fail(f"{path}.function", "must be a mapping with name, description, parameters")
    name = fn.get("name")
    if not isinstance(name, str) or not re.match(r"^[A-Za-z0-9_.-]{1,64}$", name):
        raise ctx.fail(f"{path}.function.name", f"must be 1-64 characters of [A-Za-z0-9_.-], got {name!r}")
    extra = set(fn) - {"name", "description", "parameters", "strict"}
    if extra:
        raise ctx.fail(f"{path}.function.{sorted(extra)[0]}", "unknown key")
    params = fn.get("parameters")
    if params is not None:
        if not isinstance(params, dict) or params.get("type") != "object":
            raise ctx.fail(f"{path}.function.parameters", "must be a JSON Schema with type: object")
        stray = _null_keyword(params) if ctx.lint else None
        if stray:
            raise ctx.fail(f"{path}.function.parameters.{stray}", "a schema keyword with no value: a comma inside "
                           "an unquoted flow-style string splits it (quote the string)")
        problem = schema_problem(canonical_json(params))
        if problem:
            where, message = problem
            raise ctx.fail(f"{path}.function.parameters{'.' + where if where else ''}",
                           f"invalid JSON Schema: {message}")
    return name


_NULL_OK = frozenset({"default", "const", "examples", "enum"})


def _null_keyword(schema: Any, path: str = "") -> str | None:
    """The path of a keyword whose value is null, which JSON Schema never means (`default: null` aside)."""
    if isinstance(schema, dict):
        for key, value in schema.items():
            here = f"{path}.{key}" if path else str(key)
            if value is None and key not in _NULL_OK:
                return here
            if key not in _NULL_OK:
                found = _null_keyword(value, here)
                if found:
                    return found
    elif isinstance(schema, list):
        for i, item in enumerate(schema):
            found = _null_keyword(item, f"{path}[{i}]")
            if found:
                return found
    return None


def _check_score_schemas(raw: Any, tools: list[dict[str, Any]], ctx: _Ctx) -> dict[str, dict[str, Any]]:
    """Per tool, the schema returned arguments are scored against instead of the one sent (never sent)."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ctx.fail("score_schemas", "must be a mapping of tool name to JSON Schema")
    for name, schema in raw.items():
        if _schema_of(tools, name) is None:
            raise ctx.fail(f"score_schemas.{name}", f"{name!r} is not an offered tool ({', '.join(_names(tools))})")
        if not isinstance(schema, dict) or schema.get("type") != "object":
            raise ctx.fail(f"score_schemas.{name}", "must be a JSON Schema with type: object")
        problem = schema_problem(canonical_json(schema))
        if problem:
            where, message = problem
            raise ctx.fail(f"score_schemas.{name}{'.' + where if where else ''}", f"invalid JSON Schema: {message}")
    return raw


def _scored_tools(tools: list[dict[str, Any]], score_schemas: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The tools with their scoring schemas: what expectations must fit."""
    if not score_schemas:
        return tools
    return [{**t, "function": {**t["function"], "parameters": score_schemas[t["function"]["name"]]}}
            if t["function"]["name"] in score_schemas else t for t in tools]


def _check_messages(messages: Any, ctx: _Ctx) -> list[dict[str, Any]]:
    if not isinstance(messages, list) or not messages:
        raise ctx.fail("messages", "must be a non-empty list of chat messages")
    for i, msg in enumerate(messages):
        if not isinstance(msg, dict) or msg.get("role") not in ROLES:
            raise ctx.fail(f"messages[{i}].role", f"must be one of {', '.join(sorted(ROLES))}")
        extra = sorted(set(map(str, msg)) - MESSAGE_KEYS) if ctx.lint else []
        if extra:
            raise ctx.fail(f"messages[{i}].{extra[0]}", "unknown message key (a comma in an unquoted flow-style "
                           "string splits it: quote the content)")
        content = msg.get("content")
        if content is not None and not isinstance(content, (str, list)):
            raise ctx.fail(f"messages[{i}].content", "must be a string or a list of content parts")
    if not any(m["role"] == "user" for m in messages):
        raise ctx.fail("messages", "needs at least one user message")
    return messages


def _check_tool_choice(raw: dict[str, Any], tools: list[dict[str, Any]], ctx: _Ctx) -> Any:
    choice = raw.get("tool_choice")
    if choice is None or choice in ("auto", "none", "required"):
        return choice
    if isinstance(choice, dict) and choice.get("type") == "function":
        name = (choice.get("function") or {}).get("name")
        if name in {t["function"]["name"] for t in tools}:
            return choice
        raise ctx.fail("tool_choice.function.name", f"{name!r} is not an offered tool")
    raise ctx.fail("tool_choice", "must be auto, none, required or {type: function, function: {name}}")


def _check_steps(raw: dict[str, Any], category: str, tools: list[dict[str, Any]],
                 ctx: _Ctx) -> tuple[Expectation, ...]:
    if category == "multi_turn":
        if "expect" in raw:
            raise ctx.fail("expect", "multi_turn scenarios use `steps`, one expectation per turn")
        steps = raw.get("steps")
        if not isinstance(steps, list) or not steps:
            raise ctx.fail("steps", "must be a non-empty list of {calls, order}")
        return tuple(_check_expect(s, f"steps[{i}]", tools, ctx) for i, s in enumerate(steps))
    if "steps" in raw:
        raise ctx.fail("steps", "only multi_turn scenarios have steps; use `expect`")
    if "expect" not in raw:
        raise ctx.fail("expect", "missing (write `expect: {calls: []}` when no call is right)")
    return (_check_expect(raw["expect"], "expect", tools, ctx),)


def _check_expect(raw: Any, path: str, tools: list[dict[str, Any]], ctx: _Ctx) -> Expectation:
    if not isinstance(raw, dict):
        raise ctx.fail(path, "must be a mapping with `calls` (and optionally `order`)")
    extra = set(raw) - {"calls", "order"}
    if extra:
        raise ctx.fail(f"{path}.{sorted(extra)[0]}", "unknown key (allowed: calls, order)")
    calls = raw.get("calls")
    if not isinstance(calls, list):
        raise ctx.fail(f"{path}.calls", "must be a list of {name, args} ([] for no call)")
    order = raw.get("order", "any")
    if order not in ("any", "strict"):
        raise ctx.fail(f"{path}.order", f"must be any or strict, got {order!r}")
    parsed = tuple(_check_call(c, f"{path}.calls[{i}]", tools, ctx) for i, c in enumerate(calls))
    return Expectation(parsed, order)


def _check_call(raw: Any, path: str, tools: list[dict[str, Any]], ctx: _Ctx) -> ExpectedCall:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        raise ctx.fail(f"{path}.name", "an expected call needs a tool name")
    extra = set(raw) - {"name", "args"}
    if extra:
        raise ctx.fail(f"{path}.{sorted(extra)[0]}", "unknown key (allowed: name, args)")
    name = raw["name"]
    schema = _schema_of(tools, name)
    if schema is None:
        raise ctx.fail(f"{path}.name", f"{name!r} is not an offered tool ({', '.join(_names(tools))})")
    args = _parse(raw.get("args"), f"{path}.args", ctx)
    _check_against_schema(args, schema, f"{path}.args", ctx)
    return ExpectedCall(name, args)


def _parse(raw: Any, path: str, ctx: _Ctx) -> ObjectOf:
    try:
        return parse_args(raw)
    except MatcherSpecError as err:
        raise ctx.fail(path + err.path, str(err)) from None


def _check_against_schema(args: ObjectOf, schema: dict[str, Any], path: str, ctx: _Ctx) -> None:
    props = schema.get("properties")
    if isinstance(props, dict) and schema.get("additionalProperties", False) is not True:
        for key in args.fields:
            if key not in props:
                raise ctx.fail(f"{path}.{key}", f"matcher on unknown parameter (the tool has: "
                                                f"{', '.join(props) or 'none'})")
    example = args.example(schema)
    errors = sorted(_validator(canonical_json(schema)).iter_errors(example), key=lambda e: list(e.path))
    if errors:
        err = errors[0]
        where = "".join(f".{p}" for p in err.path)
        raise ctx.fail(f"{path}{where}", f"the expected value does not fit the tool's schema: {err.message}")


@functools.lru_cache(maxsize=4096)
def _validator(schema_json: bytes) -> Draft202012Validator:
    return Draft202012Validator(orjson.loads(schema_json))


def _names(tools: list[dict[str, Any]]) -> list[str]:
    return [t["function"]["name"] for t in tools]


def _schema_of(tools: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    for tool in tools:
        if tool["function"]["name"] == name:
            params = tool["function"].get("parameters")
            return params if isinstance(params, dict) else {"type": "object", "properties": {}}
    return None


def _check_results(raw: Any, category: str, tools: list[dict[str, Any]], ctx: _Ctx) -> tuple[ToolResult, ...]:
    if raw is None:
        return ()
    if category != "multi_turn":
        raise ctx.fail("tool_results", "only multi_turn scenarios have canned tool results")
    if not isinstance(raw, list):
        raise ctx.fail("tool_results", "must be a list of {name, args?, content}")
    out = []
    for i, item in enumerate(raw):
        path = f"tool_results[{i}]"
        if not isinstance(item, dict) or "content" not in item or not isinstance(item.get("name"), str):
            raise ctx.fail(path, "needs `name` and `content`")
        extra = set(item) - {"name", "args", "content"}
        if extra:
            raise ctx.fail(f"{path}.{sorted(extra)[0]}", "unknown key (allowed: name, args, content)")
        if _schema_of(tools, item["name"]) is None:
            raise ctx.fail(f"{path}.name", f"{item['name']!r} is not an offered tool")
        args = _parse(item["args"], f"{path}.args", ctx) if "args" in item else None
        out.append(ToolResult(item["name"], item["content"], args))
    return tuple(out)


def _check_category_shape(s: Scenario, ctx: _Ctx) -> None:
    calls = s.expect.calls
    names = {c.name for c in calls}
    problems = {
        "single": (len(s.tools) != 1 or len(calls) != 1, "offers exactly one tool and expects one call"),
        "multiple": (len(s.tools) < 2 or len(calls) != 1, "offers several tools and expects one call"),
        "parallel": (len(calls) < 2 or len(names) != 1, "expects two or more calls of one tool"),
        "parallel_multiple": (len(calls) < 2 or len(names) < 2, "expects two or more calls of several tools"),
        "no_call": (bool(calls), "expects no call (`expect: {calls: []}`)"),
        "multi_turn": (False, ""),
    }
    bad, rule = problems[s.category]
    if bad:
        raise ctx.fail("category", f"a {s.category} scenario {rule}")
