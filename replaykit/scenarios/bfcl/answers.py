"""BFCL's possible answers as expected calls: each parameter's acceptable values as a `one_of` matcher, read
as BFCL's AST checker reads them; a schema widened where BFCL accepts what it does not admit."""

from __future__ import annotations

import json
from typing import Any

from replaykit.scenarios.bfcl.entry import OMIT, Entry, Skip, Unanswerable, sub
from replaykit.scenarios.matchers import KEYWORDS

JSON_TYPES = frozenset({"string", "integer", "number", "boolean", "array", "object", "null"})


def expected_call(entry: Entry, item: Any) -> dict[str, Any]:
    """The expected call of one answer item. A parameter no answer can satisfy (BFCL fails every answer to
    the entry) is noted in `entry.unanswerable` and left out, its scoring schema relaxed to match."""
    if not isinstance(item, dict) or len(item) != 1:
        raise Skip("a ground_truth item is not {function: {param: [values]}}")
    (bfcl_name, params), = item.items()
    name = str(bfcl_name).replace(".", "_")
    if name not in entry.schemas:
        raise Skip(f"the answer calls {bfcl_name!r}, which is not offered")
    if not isinstance(params, dict):
        raise Skip(f"the answer's arguments of {bfcl_name!r} are not a mapping")
    bfcl_props, schema = sub(entry.bfcl_schemas[name], "properties"), entry.schemas[name]
    for param in list(schema["required"]):
        if param not in params:
            _unanswerable(entry, schema, param, f"the answer omits {param!r}, which {bfcl_name!r} requires")
    args = {}
    for param, values in params.items():
        if param not in schema["properties"]:
            if isinstance(values, list) and "" in values:
                continue  # BFCL rejects the parameter (not in the schema) and accepts its absence
            _unanswerable(entry, schema, param, f"the answer needs {param!r}, which {bfcl_name!r} does not have")
            continue
        try:
            matcher = _param(values, sub(bfcl_props, param), schema["properties"][param],
                             param in schema["required"], f"{name}.{param}", entry, top_level=True)
        except Unanswerable as why:
            _unanswerable(entry, schema, param, str(why))
            continue
        if matcher is not OMIT:
            args[param] = matcher
    return {"name": name, "args": args}


def _unanswerable(entry: Entry, schema: dict[str, Any], param: str, reason: str) -> None:
    entry.unanswerable.append(reason)
    if param in schema["required"]:  # so that the expectation left validates against the scoring schema
        schema["required"].remove(param)


def _param(values: Any, bfcl: dict[str, Any], schema: dict[str, Any], required: bool, where: str,
           entry: Entry, top_level: bool = False) -> Any:
    """A list of acceptable values as `{one_of: [...]}`, `optional` when '' is listed and the schema does not
    require the parameter (BFCL checks `required` first). `top_level`: a parameter of the call, whose dict
    answers are BFCL's {key: [values]} (one level only; a dict's keys are compared as they are)."""
    if not isinstance(values, list):
        raise Skip(f"{where}: acceptable values are not a list")
    if not values:
        raise Unanswerable(f"{where}: no acceptable value (BFCL rejects the parameter given or absent)")
    alternatives = [_value(v, bfcl, schema, where, entry, top_level) for v in values if v != ""]
    if "" not in values:
        return {"one_of": alternatives}
    alternatives += [e for e in _empty_values(bfcl, schema, top_level) if e not in alternatives]
    if not alternatives:
        if required:
            raise Unanswerable(f"{where}: required, and only '' is listed, which BFCL cannot accept for its type")
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


def _value(value: Any, bfcl: dict[str, Any], schema: dict[str, Any], where: str, entry: Entry,
           top_level: bool) -> Any:
    """One acceptable value: a literal, or a nested object for BFCL's dict answers ({key: [values]})."""
    bfcl_type = bfcl.get("type") if top_level else None
    if bfcl_type == "dict" and isinstance(value, dict):
        return _dict_answer(value, bfcl, schema, where, entry)
    items = sub(bfcl, "items")
    if bfcl_type in ("array", "tuple") and items.get("type") == "dict" and isinstance(value, list) \
            and all(isinstance(v, dict) for v in value):
        return [_dict_answer(v, items, sub(schema, "items"), f"{where}[]", entry) for v in value]
    value = _coerce(value, bfcl)
    _widen(schema, value, where, entry.widened)
    return _literal(value)


def _dict_answer(value: dict[str, Any], bfcl: dict[str, Any], schema: dict[str, Any], where: str,
                 entry: Entry) -> dict[str, Any]:
    """BFCL's dict answer {key: [acceptable values]} as a nested object: exactly these keys."""
    bfcl_props, props = sub(bfcl, "properties"), sub(schema, "properties")
    out = {}
    for key, values in value.items():
        matcher = _param(values, sub(bfcl_props, key), sub(props, key), False, f"{where}.{key}", entry)
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
        return [_coerce(v, sub(bfcl, "items")) for v in value]
    if bfcl_type == "dict" and isinstance(value, dict):
        props = sub(bfcl, "properties")
        return {k: _coerce(v, sub(props, k)) for k, v in value.items()}
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
        props = sub(schema, "properties")
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
    return actual == kind or (kind == "number" and actual == "integer") or kind not in JSON_TYPES


def _same(a: Any, b: Any) -> bool:
    """JSON Schema's `enum` equality: numbers by value, booleans apart from numbers."""
    numeric = {"integer", "number"}
    if _json_type(a) in numeric and _json_type(b) in numeric:
        return bool(a == b)
    return _json_type(a) == _json_type(b) and bool(a == b)
