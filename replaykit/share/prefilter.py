"""A linear-time gate in front of the secret scan's rules (share/rules.py).

The rules are Python `re` patterns with lookarounds; run over every body a report shows they scan about
8 MB/s, and almost no text holds a secret. So each rule is loosened into a pattern RE2 takes — lookarounds
and `\\b` dropped (they only narrow a match), `\\d \\s \\w` widened to the Unicode sets Python gives them,
`i` to the dotted and dotless forms Python's IGNORECASE also takes, `{m,n}` opened to `{m,}` (a search that
finds at most n finds at least m) — and the loosened patterns run as one
alternation on RE2's DFA (about 450 MB/s). A loosened pattern matches wherever its rule does, so a text the
gate passes has no finding; a text it stops goes to the exact rules. RE2 falls back from its DFA to its
NFA rather than fail, so the gate has no false negatives.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import re2

# What Python's `re` means by these classes on a str, as RE2 Unicode classes: a superset each (Python's
# whitespace also has \v, \x1c-\x1f and \x85; its word characters are letters, numbers and `_`).
_WIDE = {"d": r"\p{N}", "s": r"\s\v\x1c-\x1f\x85\p{Z}", "w": r"\p{L}\p{N}\p{M}_"}
_LOOKAROUND = ("(?=", "(?!", "(?<=", "(?<!")
_UNANCHORED = re2._Anchor.UNANCHORED  # type: ignore[attr-defined]  # (the stubs leave it out)
_NO_MATCH = (-1, -1)


def _tokens(pattern: str) -> Iterator[str]:
    """The pattern's characters, an escape (`\\x`) as one token."""
    i = 0
    while i < len(pattern):
        step = 2 if pattern[i] == "\\" else 1
        yield pattern[i:i + step]
        i += step


def loosened(pattern: str) -> str:
    """`pattern` without lookarounds and `\\b`, its `\\d \\s \\w` widened: matches wherever `pattern` does."""
    out: list[str] = []
    tokens = list(_tokens(pattern))
    i, in_class, negated = 0, False, False
    while i < len(tokens):
        token = tokens[i]
        if not in_class and "".join(tokens[i:i + 4]).startswith(_LOOKAROUND):
            i = _group_end(tokens, i)
            continue
        if token == "(" and tokens[i + 1:i + 2] == ["?"] and not in_class:
            head = _group_head(tokens, i)
            out.append("(?:" if tokens[i + 2] == "P" else "".join(tokens[i:head]))  # no names: none needed
            i = head
            continue
        if token == "{" and not in_class and (bound := _bounded(tokens, i)):
            out.append(f"{{{bound[0]},}}")  # `{m,n}` as `{m,}`: RE2 unrolls counted repeats, 20x the compile time
            i = bound[1]
            continue
        if token == "\\b" and not in_class:
            pass
        elif token in ("i", "I") and not in_class:  # Python's IGNORECASE also takes `İ` and `ı` for it; RE2's not
            out.append("[iIİı]")
        elif len(token) == 2 and token[1] in _WIDE and not negated:  # (RE2's narrower sets widen `[^...]`)
            out.append(_WIDE[token[1]] if in_class else f"[{_WIDE[token[1]]}]")
        else:
            out.append(token)
            if token == "[" and not in_class:
                in_class, negated = True, tokens[i + 1:i + 2] == ["^"]
                head = 2 if negated else 1
                if tokens[i + head:i + head + 1] == ["]"]:  # `[]...]`, `[^]...]`: a literal `]`
                    head += 1
                out += tokens[i + 1:i + head]
                i += head - 1
            elif token == "]" and in_class:
                in_class = negated = False
        i += 1
    return "".join(out)


def _bounded(tokens: list[str], start: int) -> tuple[int, int] | None:
    """For a `{m,n}` at `start`: (m, the index after its closing brace); else None."""
    m = re.match(r"\{(\d*),(\d+)\}", "".join(tokens[start:start + 16]))
    return (int(m.group(1) or 0), start + m.end()) if m else None


def _group_head(tokens: list[str], start: int) -> int:
    """The index after a group's `(?...:` or `(?P<name>` header."""
    for i in range(start + 2, len(tokens)):
        if tokens[i] in (":", ">"):
            return i + 1
    raise ValueError(f"unterminated group header in {''.join(tokens)!r}")


def _group_end(tokens: list[str], start: int) -> int:
    """The index after the group opening at `start` closes."""
    depth, in_class = 0, False
    for i in range(start, len(tokens)):
        token = tokens[i]
        if in_class:
            in_class = token != "]"
        elif token == "[":
            in_class = True
        elif token == "(":
            depth += 1
        elif token == ")":
            depth -= 1
            if depth == 0:
                return i + 1
    raise ValueError(f"unbalanced group in {''.join(tokens)!r}")


class Gate:
    """`passes(text)`: no pattern of the set can match in `text`."""

    def __init__(self, patterns: Iterable[str]) -> None:
        options = re2.Options()
        options.log_errors = False
        options.max_mem = 8 << 20  # the DFA state cache (RE2 falls back to its NFA past it): ~2 MB in use
        alternation = "|".join(f"(?:{loosened(p)})" for p in patterns)
        self._regexp = re2.compile(alternation, options)._regexp  # type: ignore[attr-defined]  # (the engine itself)

    def passes(self, text: str) -> bool:
        return self.passes_utf8(utf8(text))

    def passes_utf8(self, data: bytes) -> bool:
        """`passes` of a text already encoded by `utf8`."""
        return self._regexp.Match(_UNANCHORED, data, 0, len(data))[0] == _NO_MATCH


def utf8(text: str) -> bytes:
    """The text as the gate reads it: UTF-8, a lone surrogate as `?` (which every negated class of the rules
    takes too, as Python's take the surrogate)."""
    try:
        return text.encode()
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace")
