"""Turns the YAML form of an expectation into matcher objects, with errors that name the field."""

from __future__ import annotations

from typing import Any

from replaykit.scenarios.linear_regex import RegexError, compile_linear
from replaykit.scenarios.matchers import (
    JSON_TYPES,
    KEYWORDS,
    ArrayOf,
    Compound,
    Literal,
    Matcher,
    MatcherSpecError,
    ObjectOf,
)


def is_keyword_mapping(raw: Any) -> bool:
    return isinstance(raw, dict) and bool(raw) and all(isinstance(k, str) and k in KEYWORDS for k in raw)


def parse_matcher(raw: Any) -> Matcher:
    """Compile one matcher. Raises MatcherSpecError with the relative path of the bad field."""
    if is_keyword_mapping(raw):
        return _parse_compound(raw)
    if isinstance(raw, dict):
        return ObjectOf(_parse_fields(raw))
    if isinstance(raw, list):
        return ArrayOf([_nested(item, f"[{i}]") for i, item in enumerate(raw)])
    return Literal(raw)


def parse_args(raw: Any) -> ObjectOf:
    """The `args` of an expected call: a mapping of parameter name to matcher."""
    if raw is None:
        return ObjectOf({})
    if not isinstance(raw, dict):
        raise MatcherSpecError("must be a mapping of parameter name to matcher")
    return ObjectOf(_parse_fields(raw))


def _parse_fields(raw: dict[Any, Any]) -> dict[str, Matcher]:
    fields = {}
    for key, value in raw.items():
        if not isinstance(key, str):
            raise MatcherSpecError(f"parameter names must be strings, got {key!r}")
        fields[key] = _nested(value, f".{key}")
    return fields


def _nested(raw: Any, path: str) -> Matcher:
    try:
        return parse_matcher(raw)
    except MatcherSpecError as err:
        raise MatcherSpecError(str(err), path + err.path) from None


def _parse_compound(raw: dict[str, Any]) -> Compound:
    m = Compound()
    m.optional = _flag(raw, "optional")
    m.ignore_case = _flag(raw, "ignore_case")
    m.any = _flag(raw, "any")
    if "any" in raw and not m.any:
        raise MatcherSpecError("`any` can only be true", ".any")
    if "type" in raw:
        if raw["type"] not in JSON_TYPES:
            raise MatcherSpecError(f"unknown type {raw['type']!r}; use one of {', '.join(JSON_TYPES)}", ".type")
        m.type = raw["type"]
    if "equals" in raw:
        m.equals = Literal(raw["equals"], ignore_case=m.ignore_case)
    if "one_of" in raw:
        m.one_of = _parse_one_of(raw["one_of"], m.ignore_case)
    if "regex" in raw:
        m.regex = _parse_regex(raw["regex"], m.ignore_case)
    if "range" in raw:
        m.range = _parse_range(raw["range"])
    _parse_approx(raw, m)
    if "contains" in raw:
        value = raw["contains"]
        m.contains = value if isinstance(value, list) else [value]
    if "unordered" in raw:
        if not isinstance(raw["unordered"], list):
            raise MatcherSpecError("must be a list of items", ".unordered")
        items = [_nested(item, f".unordered[{i}]") for i, item in enumerate(raw["unordered"])]
        m.unordered = ArrayOf(items, unordered=True)
    if "example" in raw:
        m.explicit_example = raw["example"]
    _check_meaningful(raw, m)
    return m


def _flag(raw: dict[str, Any], key: str) -> bool:
    value = raw.get(key, False)
    if not isinstance(value, bool):
        raise MatcherSpecError(f"must be true or false, got {value!r}", f".{key}")
    return value


def _parse_one_of(value: Any, ignore_case: bool) -> list[Matcher]:
    if not isinstance(value, list) or not value:
        raise MatcherSpecError("must be a non-empty list of acceptable values", ".one_of")
    out = []
    for i, item in enumerate(value):
        matcher = _nested(item, f".one_of[{i}]")
        if isinstance(matcher, Literal):
            matcher.ignore_case = ignore_case
        out.append(matcher)
    return out


def _parse_regex(value: Any, ignore_case: bool) -> Any:
    """A pattern matched in linear time (RE2): scenarios come with shared runs, and `^(a+)+$` would make
    Python's backtracking engine run for hours on a recorded argument."""
    if not isinstance(value, str):
        raise MatcherSpecError("must be a string pattern", ".regex")
    try:
        return compile_linear(value, ignore_case=ignore_case)
    except RegexError as err:
        raise MatcherSpecError(f"invalid regular expression: {err.message}", ".regex") from None


def _number(value: Any, path: str, allow_none: bool = False) -> float | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise MatcherSpecError(f"must be a number, got {value!r}", path)
    return value


def _parse_range(value: Any) -> tuple[float | None, float | None]:
    if not isinstance(value, list) or len(value) != 2:
        raise MatcherSpecError("must be [min, max] (null for an open end)", ".range")
    low = _number(value[0], ".range[0]", allow_none=True)
    high = _number(value[1], ".range[1]", allow_none=True)
    if low is not None and high is not None and low > high:
        raise MatcherSpecError(f"min {low} is above max {high}", ".range")
    return low, high


def _parse_approx(raw: dict[str, Any], m: Compound) -> None:
    if "approx" in raw:
        m.approx = _number(raw["approx"], ".approx")
    for key in ("tolerance", "rel"):
        if key not in raw:
            continue
        if "approx" not in raw:
            raise MatcherSpecError(f"`{key}` goes with `approx`", f".{key}")
        value = _number(raw[key], f".{key}")
        if value is None or value < 0:
            raise MatcherSpecError("must not be negative", f".{key}")
        setattr(m, key, value)


def _check_meaningful(raw: dict[str, Any], m: Compound) -> None:
    constraints = set(raw) - {"optional", "ignore_case", "example", "tolerance", "rel"}
    if not constraints:
        raise MatcherSpecError("a matcher needs a constraint (equals, one_of, regex, range, approx, contains, "
                               "any, type, unordered); write `{any: true, optional: true}` for 'anything or absent'")
    if m.regex is not None and m.explicit_example is None:
        raise MatcherSpecError("a `regex` matcher needs an `example` (the simulator answers with it)",
                               ".example")
    if m.explicit_example is not None:
        reason = m.check(m.explicit_example)
        if reason:
            raise MatcherSpecError(f"the example does not satisfy the matcher: {reason}", ".example")
