"""A known secret is redacted in every form a server may echo it in, whatever the secret and the text around
it (a bounded hypothesis fuzz of the recorder's Redactor), and across the events of a stream."""

from __future__ import annotations

import base64
import json
import re
from urllib.parse import quote, unquote

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from replaykit.recorder.redact import Redactor
from replaykit.redaction import streams
from replaykit.redaction.forms import INVISIBLE
from replaykit.redaction.streams import joined_strings

SECRET_CHARS = st.characters(min_codepoint=33, max_codepoint=126)
secrets = st.text(SECRET_CHARS, min_size=12, max_size=60)
around = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=30)


def _escaped(secret: str) -> str:
    return "".join(f"\\u{ord(c):04x}" for c in secret)


FORMS = {
    "raw": lambda s: s,
    "percent": lambda s: "".join(f"%{b:02X}" for b in s.encode()),
    "percent-lower-mixed": lambda s: "".join(f"%{ord(c):02x}" if i % 2 else c for i, c in enumerate(s)),
    "quote": lambda s: quote(s, safe=""),
    "unicode": _escaped,
    "unicode-double": lambda s: _escaped(s).replace("\\", "\\\\"),
    "invisible": lambda s: s[:5] + INVISIBLE[0] + s[5:9] + INVISIBLE[3] + s[9:],
}


def _leaks(text: str, secret: str) -> bool:
    """Does `text` still give the secret back to a reader who decodes it?"""
    views = [text, unquote(text), re.sub(r"\\+u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text),
             "".join(c for c in text if c not in INVISIBLE)]
    if any(secret in v for v in views):
        return True
    for align in range(3):  # base64 of anything holding the secret
        core = base64.b64encode(b"\0" * align + secret.encode()).decode()[4:-4]
        if core in text or core.translate(str.maketrans("+/", "-_")) in text:
            return True
    return False


@settings(max_examples=150, deadline=None)
@given(secret=secrets, before=around, after=around, form=st.sampled_from(sorted(FORMS)))
def test_every_form_of_a_known_secret_is_redacted(secret: str, before: str, after: str, form: str) -> None:
    text = before + FORMS[form](secret) + after
    assert not _leaks(Redactor([secret]).text(text), secret)


@settings(max_examples=100, deadline=None)
@given(secret=secrets, prefix=st.binary(max_size=7), suffix=st.binary(max_size=7), urlsafe=st.booleans())
def test_base64_at_any_alignment_is_redacted(secret: str, prefix: bytes, suffix: bytes, urlsafe: bool) -> None:
    encode = base64.urlsafe_b64encode if urlsafe else base64.b64encode
    text = "Basic " + encode(prefix + secret.encode() + suffix).decode()
    out = Redactor([secret]).text(text)
    assert "<redacted>" in out
    assert not _leaks(out, secret)


@settings(max_examples=100, deadline=None)
@given(secret=secrets, cuts=st.lists(st.integers(min_value=1, max_value=59), max_size=4), tool=st.booleans())
def test_a_secret_split_across_stream_events_is_redacted(secret: str, cuts: list[int], tool: bool) -> None:
    points = sorted({c for c in cuts if c < len(secret)})
    pieces = [secret[a:b] for a, b in zip([0, *points], [*points, len(secret)])]
    pieces = ["key: ", *pieces, " end"]

    def event(piece: str) -> dict:
        if tool:
            call = {"index": 1, "function": {"arguments": piece}}
            return {"choices": [{"index": 0, "delta": {"tool_calls": [call]}}]}
        return {"choices": [{"index": 0, "delta": {"content": piece}}]}

    body = "".join("data: " + json.dumps(event(p)) + "\n\n" for p in pieces) + "data: [DONE]\n\n"
    out = Redactor([secret]).body(body)
    for text in joined_strings(out).values():
        assert secret not in text
    assert any("<redacted>" in text for text in joined_strings(out).values())
    for line in out.splitlines():  # still a stream of JSON events
        if line.startswith("data: {"):
            orjson.loads(line[6:])


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(["index", "a", "b", "delta"]), inner, max_size=3),
    max_leaves=12)


def _both_joins(lines: list[str]) -> tuple[list[str], list[str]]:
    _, fields = streams._events(lines)
    full = ["".join(text for _, _, text in pieces) for pieces in fields.values() if len(pieces) > 1]
    return streams.joined_texts(lines), full


@settings(max_examples=300, deadline=None)
@given(events=st.lists(json_values, max_size=6))
def test_the_quick_join_of_stream_fields_is_the_full_one(events: list[object]) -> None:
    """The secret scan's gate reads the fields joined by `joined_texts` (no paths kept); a rewrite uses
    `_events`' pieces. Both must join the same fields the same way."""
    lines = [("data: " + json.dumps(e) + "\n") for e in events] + ["data: {bad\n", ": comment\n"]
    quick, full = _both_joins(lines)
    assert quick == full


def test_the_quick_join_keys_tool_calls_by_index_and_stops_at_the_depth_limit() -> None:
    nests = f', "x": {"[" * 62}"in"{"]" * 62}, "y": {"[" * 64}"out"{"]" * 64}}}\n'
    lines = ['data: {"c": [{"index": 1, "d": "a"}]' + nests, 'data: {"c": [{"z": 0}, {"index": 1, "d": "b"}]' + nests]
    quick, full = _both_joins(lines)
    assert quick == full == ["ab", "inin"]  # the call's pieces joined by index; "out" lies past MAX_DEPTH


def test_an_unrelated_body_is_left_byte_for_byte() -> None:
    body = "".join("data: " + json.dumps({"choices": [{"index": 0, "delta": {"content": w}}]}) + "\n\n"
                   for w in ("hello", " world"))
    assert Redactor(["sk-or-v1-" + "ab" * 32]).body(body) == body
