"""Argument matchers: compiled once from a scenario's YAML, then checked against returned arguments.

A plain value is a literal; a mapping made only of matcher keywords is a matcher; any other mapping is a
nested object. `check` returns None when the value is accepted, else a short reason.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from replaykit.scenarios.linear_regex import Pattern

KEYWORDS = frozenset({
    "equals", "one_of", "optional", "regex", "ignore_case", "range", "approx", "tolerance", "rel",
    "contains", "any", "type", "unordered", "example",
})
JSON_TYPES = ("string", "integer", "number", "boolean", "array", "object", "null")
MISSING = object()  # the parameter is absent


class MatcherSpecError(ValueError):
    """A matcher's YAML is wrong; `path` is relative to the matcher (``.equals``, ``[2]``...)."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.path = path


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _show(value: Any) -> str:
    try:
        text = repr(value)
    except RecursionError:  # a provider's arguments nested a thousand deep must not stop the scorer
        return "<deeply nested value>"
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass(frozen=True)
class Rules:
    """How literals compare. The default is JSON semantics; BFCL compatibility swaps in its own rules."""

    literal_equal: Callable[[Any, Any, bool], bool]
    name: str = "default"


def _default_literal_equal(expected: Any, actual: Any, ignore_case: bool) -> bool:
    if _is_number(expected):
        return _is_number(actual) and actual == expected
    if isinstance(expected, str) and isinstance(actual, str) and ignore_case:
        return expected.casefold() == actual.casefold()
    # Containers compare item by item with these rules: Python's == would take `true` for `1` inside them.
    if isinstance(expected, list):
        return isinstance(actual, list) and len(actual) == len(expected) and all(
            _default_literal_equal(e, a, ignore_case) for e, a in zip(expected, actual, strict=True))
    if isinstance(expected, dict):
        return isinstance(actual, dict) and actual.keys() == expected.keys() and all(
            _default_literal_equal(v, actual[k], ignore_case) for k, v in expected.items())
    return type(expected) is type(actual) and expected == actual


DEFAULT_RULES = Rules(_default_literal_equal)
_SCALARS = frozenset({str, int, float, bool})


class Matcher:
    optional: bool = False

    def check(self, value: Any, rules: Rules = DEFAULT_RULES) -> str | None:
        raise NotImplementedError

    def accepts(self, value: Any, rules: Rules = DEFAULT_RULES) -> bool:
        """`check` without building the reason (for alternatives, where most candidates fail)."""
        return self.check(value, rules) is None

    def example(self, schema: dict[str, Any] | None = None) -> Any:
        raise NotImplementedError


@dataclass
class Literal(Matcher):
    value: Any
    ignore_case: bool = False
    optional: bool = False

    def accepts(self, value: Any, rules: Rules = DEFAULT_RULES) -> bool:
        # Fast path for the common case, valid under every rule set: the very same scalar.
        if type(value) is type(self.value) and type(value) in _SCALARS and value == self.value:
            return True
        return rules.literal_equal(self.value, value, self.ignore_case)

    def check(self, value: Any, rules: Rules = DEFAULT_RULES) -> str | None:
        if self.accepts(value, rules):
            return None
        if json_type(value) != json_type(self.value) and not (_is_number(value) and _is_number(self.value)):
            return f"expected {json_type(self.value)} {_show(self.value)}, got {json_type(value)} {_show(value)}"
        return f"expected {_show(self.value)}, got {_show(value)}"

    def example(self, schema: dict[str, Any] | None = None) -> Any:
        return self.value


@dataclass
class ArrayOf(Matcher):
    """An array item by item (`unordered`: any order, one to one)."""

    items: list[Matcher]
    unordered: bool = False
    optional: bool = False

    def check(self, value: Any, rules: Rules = DEFAULT_RULES) -> str | None:
        if not isinstance(value, list):
            return f"expected array, got {json_type(value)} {_show(value)}"
        if len(value) != len(self.items):
            return f"expected {len(self.items)} items, got {len(value)}"
        if self.unordered:
            return self._check_unordered(value, rules)
        for i, (matcher, item) in enumerate(zip(self.items, value)):
            reason = matcher.check(item, rules)
            if reason:
                return f"[{i}]: {reason}"
        return None

    def _check_unordered(self, value: list[Any], rules: Rules) -> str | None:
        free = list(range(len(value)))
        # Greedy is exact here unless items overlap ambiguously; the bipartite search below handles that.
        assignment: dict[int, int] = {}
        for i in range(len(self.items)):
            if not self._place(i, set(), value, free, rules, assignment):
                return f"no item matches expected item {i} ({_describe(self.items[i])})"
        return None

    def _place(self, i: int, seen: set[int], value: list[Any], free: list[int], rules: Rules,
               assignment: dict[int, int]) -> bool:
        """An augmenting path for item i. A method, not a closure: a recursive closure is a reference cycle,
        left for the cycle collector, which scoring pauses (score/engine.py gc_paused)."""
        for j in free:
            if j in seen or self.items[i].check(value[j], rules) is not None:
                continue
            seen.add(j)
            if j not in assignment or self._place(assignment[j], seen, value, free, rules, assignment):
                assignment[j] = i
                return True
        return False

    def example(self, schema: dict[str, Any] | None = None) -> Any:
        item_schema = (schema or {}).get("items") if isinstance(schema, dict) else None
        return [m.example(item_schema) for m in self.items]


@dataclass
class ObjectOf(Matcher):
    """An object with exactly these keys (optional ones may be absent)."""

    fields: dict[str, Matcher]
    optional: bool = False

    def check(self, value: Any, rules: Rules = DEFAULT_RULES) -> str | None:
        if not isinstance(value, dict):
            return f"expected object, got {json_type(value)} {_show(value)}"
        for key, reason in self.check_fields(value, rules):
            return f"{key}: {reason}"
        return None

    def check_fields(self, value: dict[str, Any], rules: Rules = DEFAULT_RULES) -> list[tuple[str, str]]:
        """Every failing key with its reason, in a stable order."""
        failures = []
        present = 0
        for key, matcher in self.fields.items():
            if key in value:
                present += 1
                reason = matcher.check(value[key], rules)
                if reason:
                    failures.append((key, reason))
            elif not matcher.optional:
                failures.append((key, "missing"))
        if present < len(value):  # keys we did not ask for
            failures += [(key, "unexpected parameter") for key in value if key not in self.fields]
        return failures

    def example(self, schema: dict[str, Any] | None = None) -> Any:
        props = (schema or {}).get("properties", {}) if isinstance(schema, dict) else {}
        return {k: m.example(props.get(k)) for k, m in self.fields.items() if not _omit_in_example(m)}


def _omit_in_example(matcher: Matcher) -> bool:
    return matcher.optional and isinstance(matcher, Compound) and matcher.explicit_example is None \
        and matcher.any


def _describe(matcher: Matcher) -> str:
    if isinstance(matcher, Literal):
        return _show(matcher.value)
    return type(matcher).__name__.lower()


@dataclass
class Compound(Matcher):
    """A keyword matcher: every constraint given must hold."""

    type: str | None = None
    equals: Matcher | None = None
    one_of: list[Matcher] = field(default_factory=list)
    regex: Pattern | None = None
    range: tuple[float | None, float | None] | None = None
    approx: float | None = None
    tolerance: float = 1e-6
    rel: float | None = None
    contains: list[Any] | None = None
    unordered: ArrayOf | None = None
    any: bool = False
    ignore_case: bool = False
    optional: bool = False
    explicit_example: Any = None

    def check(self, value: Any, rules: Rules = DEFAULT_RULES) -> str | None:
        for test in self._tests():
            reason = test(value, rules)
            if reason:
                return reason
        return None

    def _tests(self) -> list[Callable[[Any, Rules], str | None]]:
        """Only the constraints this matcher has, worked out once: checks run millions of times."""
        tests: list[Callable[[Any, Rules], str | None]] | None = self.__dict__.get("_compiled")
        if tests is None:
            wanted = [(self.type, self._check_type), (self.equals, self._check_equals),
                      (self.one_of or None, self._check_one_of), (self.regex, self._check_regex),
                      (self.range, self._check_range), (self.approx, self._check_approx),
                      (self.contains, self._check_contains), (self.unordered, self._check_unordered)]
            tests = [test for given, test in wanted if given is not None]
            self.__dict__["_compiled"] = tests
        return tests

    def _check_unordered(self, value: Any, rules: Rules) -> str | None:
        return self.unordered.check(value, rules) if self.unordered is not None else None

    def _check_type(self, value: Any, rules: Rules) -> str | None:
        if self.type is None:
            return None
        actual = json_type(value)
        if actual == self.type or (self.type == "number" and actual == "integer"):
            return None
        return f"expected {self.type}, got {actual} {_show(value)}"

    def _check_equals(self, value: Any, rules: Rules) -> str | None:
        return self.equals.check(value, rules) if self.equals is not None else None

    def _check_one_of(self, value: Any, rules: Rules) -> str | None:
        if not self.one_of or any(m.accepts(value, rules) for m in self.one_of):
            return None
        if len(self.one_of) == 1:
            return self.one_of[0].check(value, rules)
        return f"{_show(value)} is none of {[_describe(m) for m in self.one_of]}"

    def _check_regex(self, value: Any, rules: Rules) -> str | None:
        if self.regex is None:
            return None
        if not isinstance(value, str):
            return f"expected string, got {json_type(value)} {_show(value)}"
        if self.regex.matches(value):
            return None
        if self.regex.gave_up:
            return f"/{self.regex.pattern}/ backtracks too long to match (a hostile or broken pattern)"
        return f"{_show(value)} does not match /{self.regex.pattern}/"

    def _check_range(self, value: Any, rules: Rules) -> str | None:
        if self.range is None:
            return None
        if not _is_number(value):
            return f"expected number, got {json_type(value)} {_show(value)}"
        low, high = self.range
        if (low is not None and value < low) or (high is not None and value > high):
            return f"{value} is outside [{low}, {high}]"
        return None

    def _check_approx(self, value: Any, rules: Rules) -> str | None:
        if self.approx is None:
            return None
        if not _is_number(value):
            return f"expected number, got {json_type(value)} {_show(value)}"
        tolerance = self.tolerance if self.rel is None else abs(self.approx) * self.rel
        if math.isfinite(value) and abs(value - self.approx) <= tolerance:
            return None
        return f"{value} is not within {tolerance:g} of {self.approx}"

    def _check_contains(self, value: Any, rules: Rules) -> str | None:
        if self.contains is None:
            return None
        if isinstance(value, str):
            hay = value.casefold() if self.ignore_case else value
            for part in self.contains:
                needle = str(part).casefold() if self.ignore_case else str(part)
                if needle not in hay:
                    return f"{_show(value)} does not contain {_show(part)}"
            return None
        if isinstance(value, list):
            for part in self.contains:
                if not any(rules.literal_equal(part, item, self.ignore_case) for item in value):
                    return f"array does not contain {_show(part)}"
            return None
        return f"expected string or array, got {json_type(value)} {_show(value)}"

    def example(self, schema: dict[str, Any] | None = None) -> Any:
        if self.explicit_example is not None:
            return self.explicit_example
        for source in (self.equals, *self.one_of[:1], self.unordered):
            if source is not None:
                return source.example(schema)
        if self.approx is not None:
            return self.approx
        if self.range is not None:
            return _range_example(self.range, self.type, schema)
        if self.contains is not None:
            wants_array = self.type == "array" or (isinstance(schema, dict) and schema.get("type") == "array")
            return list(self.contains) if wants_array else " ".join(map(str, self.contains))
        return schema_example(schema, self.type)


def _range_example(bounds: tuple[float | None, float | None], type_: str | None,
                   schema: dict[str, Any] | None) -> Any:
    low, high = bounds
    if low is not None and high is not None:
        mid = (low + high) / 2
    else:
        mid = low if low is not None else high if high is not None else 0  # [null, null]: any number
    wants_int = type_ == "integer" or (isinstance(schema, dict) and schema.get("type") == "integer")
    if wants_int or (isinstance(mid, float) and mid.is_integer() and all(
            isinstance(b, int) for b in bounds if b is not None)):
        return math.floor(mid) if mid is not None else 0
    return mid


def schema_example(schema: dict[str, Any] | None, type_: str | None = None) -> Any:
    """A plausible value of the schema's type, for `any` matchers without an example."""
    schema = schema if isinstance(schema, dict) else {}
    if schema.get("enum"):
        return schema["enum"][0]
    kind = type_ or schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    return {"string": "example", "integer": 1, "number": 1.5, "boolean": True, "array": [],
            "object": {}, "null": None}.get(kind or "string", "example")
