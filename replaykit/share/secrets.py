"""Secret scan: today's key formats (share/rules.py), bearer and Basic credentials, cookies, key-like query
parameters, URL passwords, and credential-looking values in fields named like credentials.

A key hidden in an encoding is still a key: every string is also read the ways a reader or a server may
decode it — percent-decoded, JSON `\\u`-unescaped, base64-decoded (at any alignment), with invisible
characters removed — and a token that decodes to a finding is a finding where it stands. Runs over a
cassette's structure, so every finding names the file and the field it sits in. `redact_shown` applies the
same scan to what a reader is about to print.
"""

from __future__ import annotations

import binascii
import functools
import itertools
import re
import string
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from replaykit.cassettes.limits import MAX_DEPTH
from replaykit.memo import memoized_up_to
from replaykit.redaction.forms import INVISIBLE, PLACEHOLDER, looks_like_credential
from replaykit.redaction.names import KEYLIKE_PARAM, secret_name
from replaykit.redaction.streams import redact_stream
from replaykit.share.prefilter import Gate, utf8
from replaykit.share.rules import CHECKED, KEYWORDS, RULES


def _flagged(rule: re.Pattern[str]) -> str:
    return f"(?i:{rule.pattern})" if rule.flags & re.I else rule.pattern


_KINDS = list(RULES)


@functools.lru_cache(maxsize=256)
def _combined(active: tuple[int, ...]) -> re.Pattern[str]:
    """One pass for the rules given: named alternatives in table order, the specific prefixes before the
    general ones (`sk-or-`, `sk-ant-` before `sk-`), so a key is reported once under its own name; a rule's
    `secret` group becomes `s<i>`."""
    return re.compile("|".join(f"(?P<r{i}>{_flagged(RULES[_KINDS[i]]).replace('(?P<secret>', f'(?P<s{i}>')})"
                               for i in active))


@functools.cache
def _gate() -> Gate:
    return Gate(_flagged(RULES[kind]) for kind in _KINDS)


_RULES_OF: dict[str, list[int]] = {}
for _i, _kind in enumerate(_KINDS):
    for _word in KEYWORDS[_kind]:
        _RULES_OF.setdefault(_word, []).append(_i)


def _active(text: str) -> tuple[int, ...]:
    lower = text.lower()  # then one substring search per keyword, in C: faster than any regex of them
    return tuple(sorted({i for word, rules in _RULES_OF.items() if word in lower for i in rules}))


# A token that may hide an encoded key: no spaces or quotes, long enough to hold one.
_TOKEN = re.compile(r"[^\s\"'<>(){}\[\],;|`]{16,}")
_B64 = re.compile(r"[A-Za-z0-9+/_-]{16,}={0,2}")
_ESCAPE = re.compile(r"\\+u([0-9a-fA-F]{4})")
_INVISIBLE = re.compile(f"[{INVISIBLE}]")
_PRINTABLE_SHARE = 0.85  # of a base64 token's decoded characters, for it to be text worth scanning


def _matches(text: str, rules: tuple[int, ...]) -> Iterator[tuple[str, int, int]]:
    if not rules:
        return
    pattern = _combined(rules)
    for m in pattern.finditer(text):
        i = int(str(m.lastgroup)[1:])
        inner = f"s{i}"
        start, end = m.span(inner) if inner in pattern.groupindex and m.start(inner) >= 0 else m.span()
        yield _KINDS[i], start, end


def _direct(text: str) -> list[tuple[str, int, int]]:
    """The rules' findings in `text` as written. The entropy-checked rules run in a second pass, so that a
    rejected generic match never hides a key format inside it."""
    return [] if _gate().passes(text) else _by_rules(text)


def _by_rules(text: str) -> list[tuple[str, int, int]]:
    active = _active(text)
    if not active:
        return []
    found = list(_matches(text, tuple(i for i in active if _KINDS[i] not in CHECKED)))
    checked = tuple(i for i in active if _KINDS[i] in CHECKED)
    if checked:
        found += [(kind, s, e) for kind, s, e in _matches(text, checked)
                  if CHECKED[kind](text[s:e]) and not any(s < e2 and s2 < e for _, s2, e2 in found)]
    return found


def _visible(text: str) -> str:
    """`text` without invisible characters (the same object when it has none)."""
    return text if text.isascii() else _INVISIBLE.sub("", text)


def _unescaped(text: str) -> str:
    """`text` with its JSON `\\u` escapes (at any depth of escaping) decoded, then percent-decoded."""
    return unquote(_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text))


def _mixed_case(run: str) -> bool:
    """Base64 of text mixes cases; words and hex ids don't."""
    return not run.islower() and not run.isupper()


def _decoded(token: str) -> Iterator[str]:
    """The readings of one token other than as written."""
    plain = _visible(token)
    if plain != token:
        yield plain
    if "%" in plain:
        yield unquote(plain)
    if "\\" in plain:
        yield _unescaped(plain)
    for m in _B64.finditer(plain):
        run = m.group(0)
        if _mixed_case(run):
            yield from _base64_texts(run)


_URL_SAFE = str.maketrans("-_", "+/")


def _base64_texts(run: str, texts_only: bool = True) -> Iterator[str]:
    """`run` decoded as base64 (either alphabet) from each of its first four characters, when that gives text
    (or each time, without `texts_only`)."""
    run = run.rstrip("=").translate(_URL_SAFE)
    for skip in range(4):
        part = run[skip:]
        part = part[: len(part) - len(part) % 4]
        if len(part) < 12:
            return
        try:
            data = binascii.a2b_base64(part, strict_mode=True)
        except binascii.Error:
            continue
        text = data.decode("utf-8", "replace")
        if not texts_only or text.isprintable() or sum(map(str.isprintable, text)) >= _PRINTABLE_SHARE * len(text):
            yield text


def find_secrets(text: str) -> list[tuple[str, int, int]]:
    """(kind, start, end) of every secret in `text`, written out or encoded; an encoded one spans its token."""
    return [] if _clean(text) else _scan(text)


def _scan(text: str) -> list[tuple[str, int, int]]:
    """`find_secrets` by the rules themselves, token by token (`_clean` is the fast answer when it is none)."""
    found = list(_direct(text))
    for m in _TOKEN.finditer(text):
        if any(s < m.end() and m.start() < e for _, s, e in found):
            continue
        kind = _encoded_kind(m.group(0))
        if kind is not None:
            found.append((f"{kind} (encoded)", m.start(), m.end()))
    return sorted(found, key=lambda f: (f[1], f[2]))


_TOKEN_MEMO = 256  # characters: a stream repeats its tokens (ids, model names) in every event
# Base64 runs, found on the UTF-8 bytes with every base64 character mapped to `a`: a literal prefix that `re`
# searches for quickly, where `[A-Za-z0-9+/_-]{16,}` would be tried at every position.
_RUN_CHARS = bytes(ord("a") if chr(b) in string.ascii_letters + string.digits + "+/_-" else ord(" ")
                   for b in range(256))
_RUN = re.compile(b"a" * 15 + b"a+")


def _clean(text: str) -> bool:
    """Whether `text` has no finding, decided without the rules when it has none: the gate
    (share/prefilter.py) passes the text and each reading the scan would make of its tokens — the text
    without invisible characters, percent-decoded, `\\u`-unescaped (each holds those of every token, as a
    token never spans a delimiter), and the base64 runs (each decoded once, memoized). About 20x faster than
    the scan on the clean text most bodies are; False sends a text to the scan itself."""
    gate = _gate()
    plain = _visible(text)
    data = utf8(plain)  # once: for the gate and for the base64 runs
    if not gate.passes_utf8(data) or (plain is not text and not gate.passes(text)):
        return False
    if "%" in plain and not gate.passes(unquote(plain)):
        return False
    if "\\u" in plain and not gate.passes(_unescaped(plain)):
        return False
    # each distinct run once: a stream repeats its ids in every event (34 runs a body, 7 distinct)
    runs = {data[m.start():m.end()] for m in _RUN.finditer(data.translate(_RUN_CHARS))}
    return not any(_base64_suspect(run.decode()) for run in runs)


@memoized_up_to(_TOKEN_MEMO, maxsize=16384)
def _base64_suspect(run: str) -> bool:
    """Whether the gate stops a reading of the base64 run `run` (mixed case only, as `_decoded` reads it;
    every reading, text or not: counting printable characters costs more than the gate)."""
    return _mixed_case(run) and not _gate().passes("\n".join(_base64_texts(run, texts_only=False)))


@memoized_up_to(_TOKEN_MEMO, maxsize=16384)
def _encoded_kind(token: str) -> str | None:
    """The kind of the first secret one of the token's decoded readings holds, if any."""
    for view in _decoded(token):
        kinds = [kind for kind, _, _ in _direct(view)]
        if kinds:
            return kinds[0]
    return None


def scan_text(text: str) -> Iterator[str]:
    yield from dict.fromkeys(kind for kind, _, _ in find_secrets(text))


def redact_text(text: str) -> tuple[str, list[str]]:
    """`text` with every finding replaced by the placeholder, and the kinds replaced."""
    found = find_secrets(text)
    if not found:
        return text, []
    out, at = [], 0
    for _, start, end in found:
        if start < at:  # overlaps the previous finding, already replaced
            start = at
        if start >= end:
            continue
        out += [text[at:start], PLACEHOLDER]
        at = end
    out.append(text[at:])
    return "".join(out), [kind for kind, _, _ in found]


def redact_body(text: str) -> tuple[str, list[str]]:
    """`redact_text`, after rewriting the pieces of a secret split across a stream's events."""
    # `_clean` of the joined fields one per line: a finding in one field is a finding in them all
    joined = redact_stream(text, lambda t: [(s, e) for _, s, e in find_secrets(t)], clean=_clean)
    out, kinds = redact_text(joined)
    return out, (["secret split across stream events"] if joined != text else []) + kinds


# replaykit's own content hashes (`sha256:<hex>`, keyed by scenario id or file path in run.json): random-looking,
# never secret, whatever the key they sit under is called (a scenario may well be named `...secrets...`)
_CONTENT_HASH = re.compile(r"sha256:[0-9a-f]{64}")


def credential_field(name: object, value: object) -> bool:
    """A field named like a credential (`api_key`, `x-auth-token`) holding a value that looks like one."""
    return (isinstance(value, str) and value != PLACEHOLDER and secret_name(name)
            and not _CONTENT_HASH.fullmatch(value)
            and looks_like_credential(re.sub(r"^\w+\s+", "", value.strip())))


def scan_value(value: Any, path: str, depth: int = 1) -> Iterator[tuple[str, str]]:
    """(field path, kind) for every secret-looking string inside a JSON-like value: values, keys, and
    credential-looking values of fields named like credentials. Not past limits.MAX_DEPTH: a parsed body may
    nest a thousand levels, and no reader shows what lies that deep."""
    if depth > MAX_DEPTH:
        return
    if isinstance(value, str):
        for kind in scan_text(value):
            yield path, kind
    elif isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            for kind in scan_text(str(key)):
                yield f"{path or '(root)'} (a key)", kind
            if credential_field(key, item):
                yield where, f"credential in a field named {str(key)!r}"
            yield from scan_value(item, where, depth + 1)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from scan_value(item, f"{path}[{i}]", depth + 1)


_SHORT = 64  # characters: short strings (keys, names, classes) recur thousands of times in a score's output


@memoized_up_to(_SHORT, maxsize=8192)
def _shown(text: str) -> str:
    return redact_text(text)[0]


_PLAIN = frozenset({int, float, bool, type(None)})


def _all_clean(value: dict[Any, Any]) -> bool:
    """A mapping of strings to strings (headers) none of which holds a finding, in one scan of them all."""
    if not all(type(k) is str and type(v) is str for k, v in value.items()):
        return False
    return all_clean(itertools.chain.from_iterable(value.items()))


def all_clean(texts: Iterable[str]) -> bool:
    """Whether none of `texts` holds a finding, in one scan of them all, one per line: a finding in one string
    is a finding in the lines (no rule is anchored), and a false alarm only sends them to the scan itself."""
    return _clean("\n".join(texts))


def redact_shown(value: Any) -> Any:
    """What a reader is about to print, with every finding of the scan replaced by the placeholder (keys
    included): the last line of defence when a cassette hides a key that only decoding reveals."""
    kind = type(value)
    if kind in _PLAIN:  # most of a report's values: checked first, a report holds millions
        return value
    if isinstance(value, str):
        return _shown(value)
    if isinstance(value, dict):
        if _all_clean(value):
            return {k: PLACEHOLDER if credential_field(k, v) else v for k, v in value.items()}
        return {_shown(k) if isinstance(k, str) else k:
                PLACEHOLDER if isinstance(v, str) and credential_field(k, v) else redact_shown(v)
                for k, v in value.items()}
    if isinstance(value, list | tuple):
        plain = _PLAIN
        return [v if type(v) in plain else redact_shown(v) for v in value]
    return value


@dataclass(frozen=True)
class Finding:
    file: str
    field: str
    kind: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.kind}"


def scan_headers(headers: Any, path: str) -> Iterator[tuple[str, str]]:
    if not isinstance(headers, dict):
        return
    for name, values in headers.items():
        values = values if isinstance(values, list) else [values]
        if secret_name(name) and any(str(v) != PLACEHOLDER for v in values):
            yield f"{path}.{name}", f"unredacted {str(name).lower()} header"


def scan_url(url: Any, path: str) -> Iterator[tuple[str, str]]:
    if not isinstance(url, str):
        return
    parts = urlsplit(url)
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if (KEYLIKE_PARAM.search(key) or secret_name(key)) and value and value != PLACEHOLDER:
            yield f"{path}?{key}", "key-like query parameter"
    if parts.password and parts.password != PLACEHOLDER:
        yield path, "password in URL"


def scan_cassette(data: dict[str, Any], file: str) -> list[Finding]:
    """Findings in a parsed cassette (replaykit's or vcrpy's layout)."""
    found: list[tuple[str, str]] = []
    for i, inter in enumerate(data.get("interactions") or []):
        if not isinstance(inter, dict):
            continue
        base = f"interactions[{i}]"
        req, resp = inter.get("request") or {}, inter.get("response") or {}
        found += scan_headers(req.get("headers"), f"{base}.request.headers")
        found += scan_url(req.get("uri"), f"{base}.request.uri")
        found += scan_headers(resp.get("headers"), f"{base}.response.headers")
    found += scan_value(data, "")
    unique = dict.fromkeys(found)
    return [Finding(file, field, kind) for field, kind in unique]
