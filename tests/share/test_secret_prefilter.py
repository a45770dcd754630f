"""The secret scan's fast gate (share/prefilter.py) may only ever say "nothing here" when the rules would
find nothing: each loosened rule matches wherever its rule does, and `find_secrets` with the gate equals the
rules' own scan (`_scan` with a gate that never passes) on planted keys in every encoding, on fuzzed text
and on real provider traffic.
"""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import re2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_secret_formats import FORMATS, OPENAI

from replaykit.share import secrets
from replaykit.share.prefilter import Gate, loosened
from replaykit.share.rules import RULES

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "real-cassettes"


class _Shut:
    """A gate that never passes: every text goes to the rules."""

    def passes(self, text: str) -> bool:
        return False


def by_rules(text: str) -> list[tuple[str, int, int]]:
    """What the scan finds without the gate."""
    real = secrets._gate
    secrets._gate = lambda: _Shut()  # type: ignore[assignment,return-value]
    try:
        secrets._encoded_kind.cache_clear()
        return secrets._scan(text)
    finally:
        secrets._gate = real  # type: ignore[method-assign]
        secrets._encoded_kind.cache_clear()
        secrets._base64_suspect.cache_clear()


def forms(secret: str) -> Iterator[str]:
    """`secret` as written and in every encoding the scan reads."""
    yield secret
    yield quote(secret, safe="")
    yield "".join(f"\\u{ord(c):04x}" for c in secret)
    yield secret[:5] + "\u200b" + secret[5:]
    for pad in ("", "a", "ab"):
        yield base64.b64encode((pad + secret).encode()).decode()
        yield base64.urlsafe_b64encode((pad + secret).encode()).decode()


@pytest.mark.parametrize("rule", sorted(RULES))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_each_loosened_rule_matches_wherever_its_rule_does(rule: str, data: st.DataObject) -> None:
    pattern = RULES[rule]
    text = data.draw(st.from_regex(pattern, fullmatch=False))
    assert pattern.search(text)
    assert re2.search(loosened(pattern.pattern), text) is not None, (rule, text)


def test_python_classes_and_ignorecase_are_within_re2s() -> None:
    """The widened `\\d \\s \\w` take every character Python's do, and `(?i)` letters take what Python's do
    (`İ` and `ı` for `i`, `ſ` for `s`, the Kelvin sign for `k`)."""
    for python, wide in ((r"\d", loosened(r"\d")), (r"\s", loosened(r"\s")), (r"\w", loosened(r"\w"))):
        compiled, theirs = re.compile(python), re2.compile(wide)
        missed = [hex(cp) for cp in range(0x110000) if not 0xD800 <= cp < 0xE000
                  and compiled.fullmatch(chr(cp)) and not theirs.fullmatch(chr(cp))]
        assert missed == [], python
    for letter in "abcdefghijklmnopqrstuvwxyz":
        compiled, theirs = re.compile(f"(?i:{letter})"), re2.compile(loosened(f"(?i:{letter})"))
        missed = [hex(cp) for cp in range(0x2200) if compiled.fullmatch(chr(cp)) and not theirs.fullmatch(chr(cp))]
        assert missed == [], letter


def test_loosening_drops_only_what_narrows() -> None:
    assert loosened(r"\bab(?!c)(?<![x)])[^\s]{2}(?P<secret>d)") == r"ab[^\s]{2}(?:d)"
    assert loosened(r"[]\d](?i:x)") == r"[]\p{N}](?i:x)"
    assert loosened(r"a{2,5}b{3}[x{1,2}]c{,4}") == r"a{2,}b{3}[x{1,2}]c{0,}"
    with pytest.raises(ValueError):
        loosened("(?!a")


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_planted_format_in_every_encoding_is_found_as_the_rules_find_it(name: str) -> None:
    for form in forms(FORMATS[name]):
        for text in (form, json.dumps({"content": f"see {form} here", "id": "chatcmpl-" + "Ab1" * 9}),
                     f'data: {{"delta":{{"content":"{form}"}}}}\n\n'):
            expected = by_rules(text)
            assert secrets.find_secrets(text) == expected, (name, text)
    assert secrets.find_secrets(OPENAI) != []


_ALPHABET = st.sampled_from([*"sk-_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=%\\\"': @.\n",
                             "\u200b", "İ", "ı", "\u2003", "٣", "\\u0073", "%2D", "Bearer ", "Basic ", "api_key=",
                             "://", "eyJ", "sk-or-v1-", "AKIA", "c2stcHJvai0", "-----BEGIN "])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pieces=st.lists(_ALPHABET, max_size=80), planted=st.sampled_from(["", *FORMATS.values()]))
def test_fuzzed_text_is_scanned_as_the_rules_scan_it(pieces: list[str], planted: str) -> None:
    cut = len(pieces) // 2
    text = "".join(pieces[:cut]) + planted + "".join(pieces[cut:])
    assert secrets.find_secrets(text) == by_rules(text)


def _real_bodies() -> Iterator[str]:
    for folder, _dirs, names in os.walk(REAL):
        for name in sorted(names):
            yield Path(folder, name).read_text(encoding="utf-8", errors="replace")


@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/data/real-cassettes is absent")
def test_real_traffic_is_scanned_as_the_rules_scan_it() -> None:
    files = 0
    for text in _real_bodies():
        files += 1
        for piece in (text[i:i + 20_000] for i in range(0, min(len(text), 200_000), 20_000)):
            assert secrets.find_secrets(piece) == by_rules(piece)
    assert files >= 10


def test_the_gate_takes_a_lone_surrogate_and_huge_text() -> None:
    gate = Gate([r"sk-[A-Za-z0-9_-]{20,}"])
    assert gate.passes("\ud800 plain")
    assert not gate.passes("x" * 3_000_000 + "sk-" + "a" * 20 + "\ud800")


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_a_mapping_of_strings_scanned_at_once_hides_what_each_string_would(name: str) -> None:
    """Headers are checked clean in one pass over all their names and values; any finding sends each one
    through the scan on its own."""
    for form in forms(FORMATS[name]):
        headers = {"date": "Thu, 03 Dec 2026 13:35:50 GMT", "x-echo": form, "content-type": "application/json"}
        shown = secrets.redact_shown(headers)
        assert shown == {k: secrets.redact_text(v)[0] for k, v in headers.items()}
        assert shown["x-echo"] != form or by_rules(form) == []
    clean = {"date": "Thu, 03 Dec 2026 13:35:50 GMT", "x-request-id": "req_" + "Ab1" * 8}
    assert secrets.redact_shown(clean) == clean
