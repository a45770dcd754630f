"""BFCL-compatible value rules (`--bfcl-compat`), after BFCL's AST checker (bfcl_eval/eval_checker/ast_eval).

Use with `check_step(..., rules=BFCL_RULES, greedy=True)`. On scenarios imported by `replaykit import bfcl`
(where a float parameter's answers are written as floats) this reproduces BFCL's verdicts:

- strings match after BFCL's normalization: lowercased, spaces and `,./-_*^` removed, `'` read as `"`;
- an int is accepted where a float is expected, but `10.0` is not accepted for an int;
- a bool is never an int or a float (nor the reverse);
- lists compare item by item and dicts key by key, with these same rules.
"""

from __future__ import annotations

from typing import Any

from replaykit.scenarios.matchers import Rules

_REMOVED = str.maketrans("", "", " ,./-_*^")  # BFCL's regex [ \,\.\/\-\_\*\^], as a table (faster)


def standardize_string(text: str) -> str:
    """BFCL's string normalization, applied to both sides before comparing."""
    return text.translate(_REMOVED).lower().replace("'", '"')


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def bfcl_literal_equal(expected: Any, actual: Any, ignore_case: bool = False) -> bool:
    """Whether BFCL would accept `actual` for the acceptable value `expected` (`ignore_case` is moot:
    BFCL always compares strings case-insensitively)."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return isinstance(expected, bool) and isinstance(actual, bool) and expected == actual
    if isinstance(expected, float):
        return (_is_int(actual) or isinstance(actual, float)) and float(actual) == expected
    if _is_int(expected):
        return _is_int(actual) and actual == expected
    if isinstance(expected, str):
        return isinstance(actual, str) and standardize_string(expected) == standardize_string(actual)
    if isinstance(expected, list):
        return isinstance(actual, list) and len(actual) == len(expected) and all(
            bfcl_literal_equal(e, a) for e, a in zip(expected, actual, strict=True))
    if isinstance(expected, dict):
        return isinstance(actual, dict) and actual.keys() == expected.keys() and all(
            bfcl_literal_equal(expected[k], actual[k]) for k in expected)
    return expected is None and actual is None


BFCL_RULES = Rules(bfcl_literal_equal, name="bfcl")
