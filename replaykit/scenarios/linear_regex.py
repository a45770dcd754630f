"""Regular expressions from untrusted files (scenario matchers, JSON schema patterns), matched in bounded time.

A shared run carries its scenarios (scenarios.json) and its recorded arguments: with Python's backtracking
`re`, a matcher `{regex: "^(a|aa)+$"}` against 60 `a`s and a `b` runs for hours, and so does a JSON schema
`pattern` in a tool's parameters. Patterns go to RE2, which guarantees time linear in the text. RE2 refuses
what needs backtracking (lookaround, backreferences), which real scenarios use (`^(?!.*recieve)`): those
go to the `regex` module with a time limit a match, and a pattern that once hits the limit fails at once
from then on, as do all such patterns after a few have (a hostile file may hold thousands). A real pattern on
a real argument takes microseconds, so the limits never decide a legitimate score.

jsonschema calls `re.search` from two modules (the `pattern` and `patternProperties` keywords, and the
`additionalProperties` / `unevaluatedProperties` helpers); `use_linear_regex` points those here.
"""

from __future__ import annotations

import functools
from typing import Any

import jsonschema._keywords
import jsonschema._utils
import re2

from replaykit.errors import BadInputError

MAX_PATTERN = 4096  # characters; RE2's own memory bound (8 MB a pattern) holds the rest
MATCH_SECONDS = 0.25  # a backtracking pattern's time a match
MAX_GIVE_UPS = 8  # backtracking patterns that ran out of time before all of them fail at once
_GAVE_UP: set[str] = set()
_UNANCHORED = re2._Anchor.UNANCHORED  # type: ignore[attr-defined]  # (the stubs leave it out)
_NO_MATCH = (-1, -1)


class RegexError(BadInputError):
    """A pattern neither engine takes."""


class Pattern:
    """A compiled pattern: `.search(text)` (a match or None) and `.pattern`."""

    def __init__(self, pattern: str, ignore_case: bool) -> None:
        self.pattern = pattern
        self._linear = _re2(pattern, ignore_case)
        self._backtracking: Any = None
        if self._linear is None:
            import regex  # only for patterns RE2 refuses: most runs never load it

            try:
                self._backtracking = regex.compile(pattern, regex.IGNORECASE if ignore_case else 0)
            except (regex.error, OverflowError, RecursionError) as err:
                raise RegexError(f"invalid regular expression: {err}") from None

    @property
    def gave_up(self) -> bool:
        """Whether matching stopped for time (the pattern backtracks catastrophically)."""
        return self._backtracking is not None and (self.pattern in _GAVE_UP or len(_GAVE_UP) >= MAX_GIVE_UPS)

    def matches(self, text: str) -> bool:
        """Whether `search` finds a match. For an RE2 pattern, one call of the engine on the UTF-8 text: the
        `re2` module's `search` also maps every group's byte offsets back to characters, 6x the time (the
        scorer tests a matcher's pattern on every returned argument it applies to)."""
        if self._linear is not None:
            data = text.encode()
            return bool(self._linear._regexp.Match(_UNANCHORED, data, 0, len(data))[0] != _NO_MATCH)
        return self.search(text) is not None

    def search(self, text: str) -> Any:
        if self._linear is not None:
            return self._linear.search(text)
        if self.gave_up:
            return None
        try:
            return self._backtracking.search(text, timeout=MATCH_SECONDS)
        except TimeoutError:
            _GAVE_UP.add(self.pattern)
            return None


def _re2(pattern: str, ignore_case: bool) -> Any:
    options = re2.Options()
    options.log_errors = False  # RE2 would print its own copy of the error on stderr
    options.case_sensitive = not ignore_case
    try:
        return re2.compile(pattern, options)
    except re2.error:
        return None


def compile_linear(pattern: str, *, ignore_case: bool = False) -> Pattern:
    """The pattern, or RegexError saying why not."""
    if len(pattern) > MAX_PATTERN:
        raise RegexError(f"a pattern of {len(pattern)} characters (at most {MAX_PATTERN})")
    return Pattern(pattern, ignore_case)


@functools.lru_cache(maxsize=1024)
def _cached(pattern: str) -> Pattern | None:
    try:
        return compile_linear(pattern)
    except RegexError:
        return None


class _BoundedRe:
    """The part of the `re` module jsonschema uses. A pattern neither engine takes matches nothing (scenario
    loading refuses such schemas first)."""

    @staticmethod
    def search(pattern: str, string: str, flags: int = 0) -> bool:
        compiled = _cached(pattern)  # jsonschema only tests the result's truth
        return compiled is not None and compiled.matches(string)


def use_linear_regex() -> None:
    for module in (jsonschema._keywords, jsonschema._utils):
        module.re = _BoundedRe


def schema_patterns(schema: Any) -> list[str]:
    """Every `pattern` and `patternProperties` key in a JSON schema (nesting is bounded by limits.MAX_DEPTH)."""
    found: list[str] = []
    stack = [schema]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("pattern"), str):
                found.append(item["pattern"])
            if isinstance(item.get("patternProperties"), dict):
                found += [k for k in item["patternProperties"] if isinstance(k, str)]
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


use_linear_regex()
