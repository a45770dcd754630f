"""The elements of a streamed JSON array, split as the bytes arrive, whatever the chunking."""

from __future__ import annotations

import orjson
import pytest

from replaykit.recorder.arrayframes import ArrayFrames

# Gemini's framing: pretty-printed elements, `\n,\r\n` between them; strings holding brackets, braces,
# quotes and escaped backslashes must not end an element.
BODY = (b'[{\n  "a": "x\\\\",\n  "b": "q\\"}]{",\n  "c": [1, {"d": 2}]\n}\n,\r\n'
        b'{\n  "e": "\\n]\\u005d"\n}\n,\r\n{"f": []}\n]')


@pytest.mark.parametrize("step", [1, 2, 3, 5, 8, 13, len(BODY)])
def test_every_element_once_whatever_the_chunks(step: int) -> None:
    frames = ArrayFrames()
    found = []
    for i in range(0, len(BODY), step):
        found += frames.feed(BODY[i:i + step])
    assert [orjson.loads(e) for e in found] == orjson.loads(BODY)


def test_an_element_is_given_when_it_closes_not_before() -> None:
    frames = ArrayFrames()
    assert frames.feed(b'[{"a": "}') == []
    assert frames.feed(b'"}') == [b'{"a": "}"}']
    assert frames.feed(b"\n,\r\n{") == []


def test_a_body_that_is_no_array_switches_it_off() -> None:
    frames = ArrayFrames()
    assert frames.feed(b"  ") == [] and not frames.off
    assert frames.feed(b'{"candidates": [{"x": 1}]}') == [] and frames.off
    assert frames.feed(b"[{}]") == []
