"""Is a tool's `parameters` a valid JSON Schema (draft 2020-12)? Checked for every scenario loaded, a run's
snapshot included, so it is on the path of every `score`.

jsonschema's meta-schema check is the authority (its messages name the field), but it costs ~1.5 ms a schema:
a library's hundred distinct schemas were a sixth of a second of every `replaykit score`. jsonschema-rs checks
the same meta-schema ~300x faster; its "valid" is taken only where it decides as jsonschema does:

- jsonschema also asserts the meta-schema's `regex` format (`pattern`, `patternProperties` keys) with `re`;
  jsonschema-rs does not, so every pattern is compiled with `re` here too;
- the URI formats of `$schema`, `$id`, `$ref`... are asserted by jsonschema only where an optional package is
  installed: a schema with any `$` keyword goes to jsonschema.

Anything else, and any schema jsonschema-rs refuses or cannot read, is decided by jsonschema.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import jsonschema_rs
import orjson
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from replaykit.scenarios.linear_regex import RegexError, compile_linear, schema_patterns


@functools.lru_cache(maxsize=4096)
def schema_problem(schema_json: bytes) -> tuple[str, str] | None:
    """(field path, message) of what makes the schema unusable, or None. Cached: libraries repeat the same
    tools across many scenarios."""
    schema = orjson.loads(schema_json)
    patterns = schema_patterns(schema)
    if not _surely_valid(schema_json, schema, patterns):
        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as err:
            return ".".join(str(p) for p in err.path), err.message
    for pattern in patterns:  # matched against recorded arguments: linear time only
        try:
            compile_linear(pattern)
        except RegexError as err:
            return "", f"pattern {pattern[:60]!r}: {err.message}"
    return None


def _surely_valid(schema_json: bytes, schema: dict[str, Any], patterns: list[str]) -> bool:
    if b'"$' in schema_json:
        return False
    try:
        if not jsonschema_rs.meta.is_valid(schema):
            return False
    except Exception:  # whatever it cannot read, jsonschema judges
        return False
    try:
        for pattern in patterns:
            re.compile(pattern)
    except (re.error, RecursionError, OverflowError):
        return False
    return True
