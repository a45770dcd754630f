"""Decoding cassettes: foreign bodies stored as compressed bytes."""

from __future__ import annotations

import base64
import gzip

import pytest

from replaykit.cassettes.codec import decode

ANSWER = b'{"choices": [{"index": 0, "message": {"content": "hi"}, "finish_reason": "stop"}]}'


@pytest.mark.parametrize("headers", ["{}", "{Content-Encoding: [gzip]}"])
def test_a_gzip_body_reads_as_text_with_or_without_its_header(headers: str) -> None:
    # vcrpy writes undecoded bodies as !!binary; other tools drop the Content-Encoding header
    packed = base64.b64encode(gzip.compress(ANSWER)).decode()
    text = f"""interactions:
- request: {{method: POST, uri: 'https://x/v1/chat/completions', body: null, headers: {{}}}}
  response:
    status: {{code: 200, message: OK}}
    headers: {headers}
    body: {{string: !!binary "{packed}"}}
version: 1
"""
    cassette = decode(text.encode(), "foreign.yaml")
    assert cassette.foreign
    assert cassette.attempts[0].body == ANSWER.decode()
