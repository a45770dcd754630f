"""The fast meta-schema check decides every schema exactly as jsonschema's check does (scenarios/metaschema.py):
on the packaged library, on every BFCL v4 function (raw BFCL types are invalid JSON Schema; converted ones are
valid), and on schemas hypothesis mutates keyword by keyword."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from replaykit.canonical import canonical_json
from replaykit.packaged import packaged
from replaykit.scenarios import load_scenarios, metaschema
from replaykit.scenarios.bfcl.entry import Entry, Skip
from replaykit.scenarios.bfcl.schemas import tools_of
from replaykit.scenarios.linear_regex import RegexError, compile_linear, schema_patterns

BFCL = Path(__file__).resolve().parents[2] / "../shared/data/bfcl"


def oracle(schema: dict[str, Any]) -> tuple[str, str] | None:
    """What the check was before the fast path: jsonschema alone, then the linear-regex rule, on the schema
    in canonical key order as scenarios pass it (the first error jsonschema reports depends on the order)."""
    schema = orjson.loads(canonical_json(schema))
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as err:
        return ".".join(str(p) for p in err.path), err.message
    for pattern in schema_patterns(schema):
        try:
            compile_linear(pattern)
        except RegexError as err:
            return "", f"pattern {pattern[:60]!r}: {err.message}"
    return None


def decided(schema: dict[str, Any]) -> tuple[str, str] | None:
    metaschema.schema_problem.cache_clear()
    return metaschema.schema_problem(canonical_json(schema))


@functools.cache
def library_schemas() -> list[dict[str, Any]]:
    found = {}
    for scenario in load_scenarios(packaged("scenarios")):
        for tool in scenario.tools:
            params = tool["function"].get("parameters")
            if params:
                found[canonical_json(params)] = params
    return list(found.values())


def bfcl_schemas() -> list[dict[str, Any]]:
    if not BFCL.is_dir():
        pytest.skip("../shared/data/bfcl is not beside this checkout")
    found = []
    for path in sorted(BFCL.glob("BFCL_v4_*.json")):
        for line in path.read_bytes().splitlines()[:60]:
            raw = orjson.loads(line)
            found += [fn["parameters"] for fn in raw["function"] if isinstance(fn.get("parameters"), dict)]
            try:
                tools, _ = tools_of(Entry(path.name, raw, None, path.name))
            except Skip:  # an entry the importer refuses adds only its raw schemas
                continue
            found += [t["function"]["parameters"] for t in tools if t["function"].get("parameters")]
    return found


def test_the_library_takes_the_fast_path_and_agrees() -> None:
    schemas = library_schemas()
    assert len(schemas) > 50
    for schema in schemas:
        j = canonical_json(schema)
        assert metaschema._surely_valid(j, orjson.loads(j), schema_patterns(schema)), schema
        assert decided(schema) == oracle(schema) is None


def test_every_bfcl_schema_is_decided_as_jsonschema_decides() -> None:
    schemas = bfcl_schemas()
    outcomes = [decided(s) == oracle(s) for s in schemas]
    assert all(outcomes)
    assert any(oracle(s) is not None for s in schemas) and any(oracle(s) is None for s in schemas)


@pytest.mark.parametrize("schema", [
    {"type": "object", "properties": {"a": {"type": "string", "pattern": "(?<n>x)"}}},  # ECMA only
    {"type": "object", "properties": {"a": {"type": "string", "pattern": "("}}},
    {"type": "object", "patternProperties": {"[": {"type": "string"}}},
    {"type": "object", "properties": {"a": {"$ref": "#/$defs/missing"}}},
    {"type": "object", "$schema": "not a uri"},
    {"type": "object", "properties": {"a": {"type": "strin"}}},
    {"type": "object", "required": ["a", "a"]},
    {"type": "object", "properties": {"a": {"type": "array", "items": [{"type": "string"}]}}},
    {"type": "object", "properties": {"a": {"type": "string", "minLength": -1}}},
])
def test_what_only_jsonschema_refuses_is_still_refused(schema: dict[str, Any]) -> None:
    assert decided(schema) == oracle(schema)


# keyword -> values, valid and not, that a mutation puts in a schema
_VALUES: dict[str, list[Any]] = {
    "type": ["string", "integer", "dict", ["string", "null"], ["string", "string"], 3, None, []],
    "minLength": [0, 2, -1, 1.5, "3", True], "maximum": [3, 2.5, "x", None], "minItems": [0, -2, 2.0],
    "required": [["a"], ["a", "a"], [], "a", [1]], "enum": [[1, 2], [], [1, 1], "x"],
    "pattern": ["^a+$", "(", "(?<n>a)", "a{2,1}", 5, "\\d+"], "items": [{}, {"type": "string"}, [{}], True, 3],
    "additionalProperties": [False, True, {"type": "string"}, "no"], "format": ["date", 3, "not-a-format"],
    "properties": [{}, {"a": {"type": "string"}}, {"a": 3}, [], {"a": True}],
    "description": ["x", 3, None], "default": [None, {"pattern": "("}, 3],
    "anyOf": [[{"type": "string"}], [], {"type": "string"}], "const": [1, None],
    "multipleOf": [2, 0, -1, 0.5], "uniqueItems": [True, "yes"], "propertyNames": [{"pattern": "^a"}, 3],
    "patternProperties": [{"^a": {}}, {"(": {}}, {"^a": 3}], "dependentRequired": [{"a": ["b"]}, {"a": "b"}],
}
_keyword = st.sampled_from(sorted(_VALUES))


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    schema = draw(st.sampled_from(library_schemas()))
    schema = orjson.loads(orjson.dumps(schema))
    targets = [schema, *[p for p in schema.get("properties", {}).values() if isinstance(p, dict)]]
    for _ in range(draw(st.integers(1, 4))):
        target = draw(st.sampled_from(targets))
        key = draw(_keyword)
        target[key] = draw(st.sampled_from(_VALUES[key]))
    return schema


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_schemas_are_decided_as_jsonschema_decides(schema: dict[str, Any]) -> None:
    assert decided(schema) == oracle(schema)
