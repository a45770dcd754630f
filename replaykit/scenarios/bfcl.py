"""Imports BFCL v4 question + possible_answer files as replaykit scenarios.

One scenario per BFCL entry, one YAML file per category. Tools are converted the way BFCL converts them for
OpenAI-style native tool calling (BFCL types to JSON Schema, `.` to `_` in names); each parameter's list of
acceptable values becomes a `one_of` matcher, read as BFCL's AST checker reads it. Where BFCL accepts a value
its own schema does not admit (null, an off-enum string), the schema is widened and the widening noted in
`meta.bfcl_schema_widened`; entries BFCL's checker could never accept are skipped and reported.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from replaykit.errors import ScenarioError
from replaykit.scenarios.matchers import KEYWORDS
from replaykit.scenarios.validate import build_scenario

# Categories we can express, and whether their right answer is "no call".
CATEGORIES = {
    "simple": False, "simple_python": False, "multiple": False, "parallel": False, "parallel_multiple": False,
    "live_simple": False, "live_multiple": False, "live_parallel": False, "live_parallel_multiple": False,
    "irrelevance": True, "live_irrelevance": True,
}
FILE_RE = re.compile(r"^BFCL_v\d+_(?P<category>[a-z0-9_]+)\.json$")
TYPES = {"dict": "object", "object": "object", "float": "number", "number": "number", "tuple": "array",
         "list": "array", "array": "array", "integer": "integer", "string": "string", "boolean": "boolean",
         "any": "string", "null": "null"}
SCHEMA_KEYS = {"type", "description", "enum", "default", "items", "properties", "required", "format",
               "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minItems", "maxItems",
               "minLength", "maxLength", "pattern", "additionalProperties", "const", "title", "uniqueItems"}
HEADER = "# Imported from BFCL ({source}) by `replaykit import bfcl`; regenerate rather than edit.\n"
OMIT = object()  # the parameter must be absent


class Skip(Exception):
    """This entry cannot become a valid scenario; the message says why."""


@dataclass(frozen=True)
class SkippedEntry:
    category: str
    bfcl_id: str
    reason: str


class BfclImport(dict[str, int]):
    """Scenarios written per category, plus what was skipped and which schemas had to be widened."""

    def __init__(self) -> None:
        super().__init__()
        self.skipped: list[SkippedEntry] = []
        self.widened: dict[str, list[str]] = {}  # BFCL id -> notes
        self.files: list[Path] = []


@dataclass
class _Entry:
    """One question with its answer, being converted."""

    category: str
    question: dict[str, Any]
    answer: list[Any] | None
    source: str
    bfcl_schemas: dict[str, dict[str, Any]] = field(default_factory=dict)  # tool name -> BFCL parameters
    schemas: dict[str, dict[str, Any]] = field(default_factory=dict)  # tool name -> JSON Schema parameters
    widened: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- files


def import_bfcl(path: str | Path, out: str | Path, categories: list[str] | None = None) -> BfclImport:
    """Convert a BFCL data folder (or one question file) into `bfcl_<category>.yaml` files under OUT."""
    sources = _select(_discover(Path(path)), categories)
    out_dir = Path(out)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ScenarioError(f"cannot create the output folder: {err.strerror or err}", source=str(out)) \
            from None
    result = BfclImport()
    for category, question_file, answer_file in sources:
        scenarios = _convert_file(category, question_file, answer_file, result)
        target = out_dir / f"bfcl_{category}.yaml"
        _write(target, scenarios, question_file)
        result[category] = len(scenarios)
        result.files.append(target)
    return result


def _discover(path: Path) -> list[tuple[str, Path, Path | None]]:
    """(category, question file, answer file) for every supported category found at PATH."""
    if path.is_dir():
        found = [(m["category"], f) for f in sorted(path.iterdir()) if (m := FILE_RE.match(f.name))]
        files = [(c, f) for c, f in found if c in CATEGORIES]
        if not files:
            raise ScenarioError("no BFCL question files (BFCL_v4_<category>.json) of a supported category",
                                source=str(path))
    elif path.is_file():
        match = FILE_RE.match(path.name)
        if not match or match["category"] not in CATEGORIES:
            raise ScenarioError(f"not a BFCL question file of a supported category "
                                f"({', '.join(sorted(CATEGORIES))})", source=str(path))
        files = [(match["category"], path)]
    else:
        raise ScenarioError("no such file or folder", source=str(path))
    return [(c, f, _answer_file(c, f)) for c, f in files]


def _answer_file(category: str, question_file: Path) -> Path | None:
    if CATEGORIES[category]:
        return None
    answer = question_file.parent / "possible_answer" / question_file.name
    if not answer.is_file():
        raise ScenarioError(f"no possible answers for category {category} (expected {answer})",
                            source=str(question_file))
    return answer


def _select(sources: list[tuple[str, Path, Path | None]],
            categories: list[str] | None) -> list[tuple[str, Path, Path | None]]:
    if not categories:
        return sources
    available = {c for c, _, _ in sources}
    unknown = [c for c in categories if c not in available]
    if unknown:
        raise ScenarioError(f"category {unknown[0]!r} not found (available: {', '.join(sorted(available))})",
                            source=str(sources[0][1].parent))
    return [s for s in sources if s[0] in categories]


def _read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for every non-blank line; a malformed line names file and line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise ScenarioError(f"cannot read: {getattr(err, 'strerror', None) or err}", source=str(path)) \
            from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as err:
            raise ScenarioError(f"invalid JSON: {err.msg} (column {err.colno})", source=str(path),
                                field=f"line {number}") from None
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            raise ScenarioError("expected a JSON object with an `id`", source=str(path),
                                field=f"line {number}")
        yield number, data


def _read_answers(path: Path | None) -> dict[str, list[Any]]:
    if path is None:
        return {}
    answers = {}
    for number, data in _read_jsonl(path):
        if not isinstance(data.get("ground_truth"), list):
            raise ScenarioError("expected `ground_truth`: a list of {function: {param: [values]}}",
                                source=str(path), field=f"line {number}")
        answers[data["id"]] = data["ground_truth"]
    return answers


def _check_question(question: dict[str, Any], path: Path, number: int) -> None:
    turns, functions = question.get("question"), question.get("function")
    if not isinstance(turns, list) or not turns or not isinstance(turns[0], list) or not turns[0]:
        raise ScenarioError("expected `question`: a list of turns, each a list of messages",
                            source=str(path), field=f"line {number}")
    if not isinstance(functions, list) or not all(
            isinstance(f, dict) and isinstance(f.get("name"), str) for f in functions):
        raise ScenarioError("expected `function`: a list of {name, description, parameters}",
                            source=str(path), field=f"line {number}")


def _convert_file(category: str, question_file: Path, answer_file: Path | None,
                  result: BfclImport) -> list[dict[str, Any]]:
    answers = _read_answers(answer_file)
    scenarios: dict[str, dict[str, Any]] = {}
    for number, question in _read_jsonl(question_file):
        _check_question(question, question_file, number)
        bfcl_id = question["id"]
        entry = _Entry(category, question, answers.get(bfcl_id), f"{question_file}:{number}")
        try:
            scenario = _scenario(entry)
            if scenario["id"] in scenarios:
                raise Skip(f"its id {scenario['id']} is taken by an earlier entry")
        except Skip as why:
            result.skipped.append(SkippedEntry(category, bfcl_id, str(why)))
            continue
        scenarios[scenario["id"]] = scenario
        if entry.widened:
            result.widened[bfcl_id] = entry.widened
    return list(scenarios.values())


def _write(target: Path, scenarios: list[dict[str, Any]], source: Path) -> None:
    _share_tools(scenarios)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # safe_dump's dumper, libyaml's when present
    text = yaml.dump(scenarios, Dumper=dumper, allow_unicode=True, sort_keys=False, width=110,
                     default_flow_style=None)
    try:
        target.write_text(HEADER.format(source=source.name) + text, encoding="utf-8")
    except OSError as err:
        raise ScenarioError(f"cannot write: {err.strerror or err}", source=str(target)) from None


def _share_tools(scenarios: list[dict[str, Any]]) -> None:
    """Identical tools become one object, which YAML writes once (&idNNN) and then by alias (*idNNN):
    the live categories offer the same tool sets again and again."""
    seen: dict[str, dict[str, Any]] = {}
    for scenario in scenarios:
        scenario["tools"] = [seen.setdefault(json.dumps(t, sort_keys=True), t) for t in scenario["tools"]]


# ---------------------------------------------------------------- one entry


def _scenario(entry: _Entry) -> dict[str, Any]:
    bfcl_id = entry.question["id"]
    no_call = CATEGORIES[entry.category]
    if entry.answer is None and not no_call:
        raise Skip("no possible answer for this id")
    tools, renamed = _tools(entry)
    calls = [] if no_call else [_expected_call(entry, item) for item in entry.answer or []]
    meta: dict[str, Any] = {"bfcl_id": bfcl_id, "bfcl_category": entry.category}
    if renamed:
        meta["original_names"] = renamed
    if entry.widened:
        meta["bfcl_schema_widened"] = entry.widened
    raw = {
        "id": "bfcl." + re.sub(r"[^a-z0-9_.-]", "_", bfcl_id.lower()),
        "category": _shape(len(tools), calls),
        "tags": ["bfcl", entry.category],
        "tools": tools,
        "messages": [_message(m) for m in entry.question["question"][0]],
        "expect": {"calls": calls},
        "meta": meta,
    }
    try:
        build_scenario(raw, entry.source)  # never writes a scenario the loader would refuse
    except ScenarioError as err:
        raise Skip(f"does not validate: {err.field or ''}: {err.message}") from None
    return raw


def _shape(tool_count: int, calls: list[dict[str, Any]]) -> str:
    """The replaykit category the answer's shape calls for (BFCL's own name is kept in tags and meta)."""
    if not calls:
        return "no_call"
    if len(calls) == 1:
        return "single" if tool_count == 1 else "multiple"
    return "parallel" if len({c["name"] for c in calls}) == 1 else "parallel_multiple"


def _message(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict) or not isinstance(raw.get("role"), str):
        raise Skip("a message is not {role, content}")
    return {"role": raw["role"], "content": raw.get("content")}


def _tools(entry: _Entry) -> tuple[list[dict[str, Any]], dict[str, str]]:
    tools, renamed = [], {}
    for fn in entry.question["function"]:
        name = fn["name"].replace(".", "_")
        if name in entry.schemas:
            raise Skip(f"two functions are both named {name!r} once '.' becomes '_'")
        if name != fn["name"]:
            renamed[name] = fn["name"]
        params = fn.get("parameters") or {"type": "dict", "properties": {}}
        if not isinstance(params, dict):
            raise Skip(f"function {fn['name']!r}: parameters are not a mapping")
        entry.bfcl_schemas[name] = params
        entry.schemas[name] = _parameters(params)
        function = {"name": name, "description": str(fn.get("description") or ""),
                    "parameters": entry.schemas[name]}
        tools.append({"type": "function", "function": function})
    return tools, renamed


# ---------------------------------------------------------------- BFCL types -> JSON Schema


def _sub(schema: dict[str, Any], key: str) -> dict[str, Any]:
    """A sub-schema (`items`, `properties`), or {} when there is none."""
    value = schema.get(key)
    return value if isinstance(value, dict) else {}


def _parameters(params: dict[str, Any]) -> dict[str, Any]:
    required = params.get("required")
    return {"type": "object", "properties": _properties(params.get("properties")),
            "required": [r for r in required if isinstance(r, str)] if isinstance(required, list) else []}


def _properties(props: Any) -> dict[str, Any]:
    return {str(k): _schema(v) for k, v in props.items()} if isinstance(props, dict) else {}


def _schema(raw: Any) -> dict[str, Any]:
    """One BFCL property schema as JSON Schema, as BFCL's OpenAI conversion does (unknown types: string);
    BFCL-only keys (`optional`) are dropped."""
    if not isinstance(raw, dict):
        return {"type": "string"}
    bfcl_type = raw.get("type")
    out = {k: copy.deepcopy(v) for k, v in raw.items() if k in SCHEMA_KEYS}
    out["type"] = TYPES.get(bfcl_type, "string") if isinstance(bfcl_type, str) else "string"
    if bfcl_type == "float":  # what BFCL adds for OpenAI-style tools
        out["format"] = "float"
        out["description"] = str(out.get("description", "")) + " This is a float type value."
    if "properties" in out:
        out["properties"] = _properties(out["properties"])
    if isinstance(out.get("items"), dict):
        out["items"] = _schema(out["items"])
    if out["type"] == "array" and isinstance(out.get("enum"), list):
        items = out.setdefault("items", {"type": "string"})  # BFCL writes item enums on the array
        items.setdefault("enum", out.pop("enum"))
    if not isinstance(out.get("required"), list):
        out.pop("required", None)
    return out


# ---------------------------------------------------------------- answers -> expected calls


def _expected_call(entry: _Entry, item: Any) -> dict[str, Any]:
    if not isinstance(item, dict) or len(item) != 1:
        raise Skip("a ground_truth item is not {function: {param: [values]}}")
    (bfcl_name, params), = item.items()
    name = str(bfcl_name).replace(".", "_")
    if name not in entry.schemas:
        raise Skip(f"the answer calls {bfcl_name!r}, which is not offered")
    if not isinstance(params, dict):
        raise Skip(f"the answer's arguments of {bfcl_name!r} are not a mapping")
    bfcl_props, schema = _sub(entry.bfcl_schemas[name], "properties"), entry.schemas[name]
    for param in schema["required"]:
        if param not in params:
            raise Skip(f"the answer omits {param!r}, which {bfcl_name!r} requires")
    args = {}
    for param, values in params.items():
        if param not in schema["properties"]:
            if isinstance(values, list) and "" in values:
                continue  # BFCL rejects the parameter (not in the schema) and accepts its absence
            raise Skip(f"the answer needs {param!r}, which {bfcl_name!r} does not have")
        matcher = _param(values, _sub(bfcl_props, param), schema["properties"][param],
                         param in schema["required"], f"{name}.{param}", entry, top_level=True)
        if matcher is not OMIT:
            args[param] = matcher
    return {"name": name, "args": args}


def _param(values: Any, bfcl: dict[str, Any], schema: dict[str, Any], required: bool, where: str,
           entry: _Entry, top_level: bool = False) -> Any:
    """A list of acceptable values as `{one_of: [...]}`, `optional` when '' is listed and the schema does not
    require the parameter (BFCL checks `required` first). `top_level`: a parameter of the call, whose dict
    answers are BFCL's {key: [values]} (one level only; a dict's keys are compared as they are)."""
    if not isinstance(values, list):
        raise Skip(f"{where}: acceptable values are not a list")
    if not values:
        raise Skip(f"{where}: no acceptable value (BFCL rejects the parameter given or absent)")
    alternatives = [_value(v, bfcl, schema, where, entry, top_level) for v in values if v != ""]
    if "" not in values:
        return {"one_of": alternatives}
    alternatives += [e for e in _empty_values(bfcl, schema, top_level) if e not in alternatives]
    if not alternatives:
        if required:
            raise Skip(f"{where}: required, and only '' is listed, which BFCL cannot accept for its type")
        return OMIT  # BFCL accepts only its absence
    return {"one_of": alternatives} if required else {"one_of": alternatives, "optional": True}


def _empty_values(bfcl: dict[str, Any], schema: dict[str, Any], top_level: bool) -> list[Any]:
    """The explicit values BFCL accepts for a listed '': an empty string for a string, and for an array at the
    top level an empty array (BFCL's list check reads '' as []). Only those the schema admits."""
    bfcl_type = bfcl.get("type", "string")
    if bfcl_type in ("string", "any") and _admits(schema, ""):
        return [""]
    if top_level and bfcl_type in ("array", "tuple") and _admits(schema, []):
        return [[]]
    return []


def _admits(schema: dict[str, Any], empty: Any) -> bool:
    enum = schema.get("enum")
    if isinstance(enum, list) and empty not in enum:
        return False
    if empty == []:
        return not schema.get("minItems")
    return not schema.get("minLength") and "pattern" not in schema


def _value(value: Any, bfcl: dict[str, Any], schema: dict[str, Any], where: str, entry: _Entry,
           top_level: bool) -> Any:
    """One acceptable value: a literal, or a nested object for BFCL's dict answers ({key: [values]})."""
    bfcl_type = bfcl.get("type") if top_level else None
    if bfcl_type == "dict" and isinstance(value, dict):
        return _dict_answer(value, bfcl, schema, where, entry)
    items = _sub(bfcl, "items")
    if bfcl_type in ("array", "tuple") and items.get("type") == "dict" and isinstance(value, list) \
            and all(isinstance(v, dict) for v in value):
        return [_dict_answer(v, items, _sub(schema, "items"), f"{where}[]", entry) for v in value]
    value = _coerce(value, bfcl)
    _widen(schema, value, where, entry.widened)
    return _literal(value)


def _dict_answer(value: dict[str, Any], bfcl: dict[str, Any], schema: dict[str, Any], where: str,
                 entry: _Entry) -> dict[str, Any]:
    """BFCL's dict answer {key: [acceptable values]} as a nested object: exactly these keys."""
    bfcl_props, props = _sub(bfcl, "properties"), _sub(schema, "properties")
    out = {}
    for key, values in value.items():
        matcher = _param(values, _sub(bfcl_props, key), _sub(props, key), False, f"{where}.{key}", entry)
        if matcher is not OMIT:
            out[str(key)] = matcher
    if out and set(out) <= KEYWORDS:
        raise Skip(f"{where}: the keys {sorted(out)} would read as matcher keywords")
    return out


def _literal(value: Any) -> Any:
    """A value written so that the matcher parser reads it back as the literal it is."""
    if isinstance(value, list):
        return [_literal(v) for v in value]
    if isinstance(value, dict):
        if value and all(k in KEYWORDS for k in value):
            return {"equals": value}
        return {k: _literal(v) for k, v in value.items()}
    return value


def _coerce(value: Any, bfcl: dict[str, Any]) -> Any:
    """Ints where BFCL declares a float become floats: BFCL accepts an int for a float, not the reverse."""
    bfcl_type = bfcl.get("type")
    if bfcl_type == "float" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if bfcl_type in ("array", "tuple") and isinstance(value, list):
        return [_coerce(v, _sub(bfcl, "items")) for v in value]
    if bfcl_type == "dict" and isinstance(value, dict):
        props = _sub(bfcl, "properties")
        return {k: _coerce(v, _sub(props, k)) for k, v in value.items()}
    return value


# ---------------------------------------------------------------- widening


def _widen(schema: dict[str, Any], value: Any, where: str, notes: list[str]) -> None:
    """Widen the schema just enough to admit a value BFCL accepts: BFCL never checks enums, and accepts a
    value of the answer's own type whatever the declared one. Each widening is noted."""
    types = _types(schema)
    if isinstance(value, list) and "array" in types:
        if isinstance(schema.get("items"), dict):
            for item in value:
                _widen(schema["items"], item, f"{where}[]", notes)
        return
    if isinstance(value, dict) and "object" in types:
        props = _sub(schema, "properties")
        for key, item in value.items():
            if isinstance(props.get(key), dict):
                _widen(props[key], item, f"{where}.{key}", notes)
        return
    if types and not any(_fits(t, value) for t in types):
        schema["type"] = [*types, _json_type(value)]
        notes.append(f"{where}: type also {_json_type(value)} (the answer is {_show(value)})")
    enum = schema.get("enum")
    if isinstance(enum, list) and not any(_same(e, value) for e in enum):
        enum.append(value)
        notes.append(f"{where}: enum also {_show(value)}")


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    kinds = (("boolean", bool), ("integer", int), ("number", float), ("string", str), ("array", list),
             ("object", dict))
    return next((kind for kind, test in kinds if isinstance(value, test)), "string")


def _types(schema: dict[str, Any]) -> list[Any]:
    kind = schema.get("type")
    return list(kind) if isinstance(kind, list) else [kind] if kind is not None else []


def _fits(kind: Any, value: Any) -> bool:
    """JSON Schema's `type`: an integral float is an integer, an integer is a number, a bool is neither."""
    actual = _json_type(value)
    if kind == "integer" and actual == "number":
        return float(value).is_integer()
    return actual == kind or (kind == "number" and actual == "integer") or kind not in TYPES.values()


def _same(a: Any, b: Any) -> bool:
    """JSON Schema's `enum` equality: numbers by value, booleans apart from numbers."""
    numeric = {"integer", "number"}
    if _json_type(a) in numeric and _json_type(b) in numeric:
        return bool(a == b)
    return _json_type(a) == _json_type(b) and bool(a == b)
