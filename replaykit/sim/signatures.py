"""Signed reasoning: the simulator signs the thinking it returns (an HMAC of what the signature covers, under
a key of the simulator's seed) and verifies the signatures a later request sends back, as the real APIs do
with Anthropic's thinking `signature`, Responses' `encrypted_content` and Gemini's `thoughtSignature`.

A `reasoning_signature` effect makes an answer's signature corrupted, empty or missing; the turn that sends
it back is then refused with a 400 in the dialect's words (docs/simulator.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

import orjson

KINDS = ("corrupt", "empty", "omit")  # how a reasoning_signature fault breaks the signature


def key_for(seed: int) -> bytes:
    return hashlib.sha256(f"replaykit-sim-signature|{seed}".encode()).digest()


def sign(key: bytes, content: str) -> str:
    return base64.b64encode(hmac.new(key, content.encode(), hashlib.sha256).digest()).decode()


def signature(key: bytes, content: str, kind: str) -> str | None:
    """The signature an answer carries: right ("ok"), corrupted, empty, or none at all (None: omit the field)."""
    if kind == "omit":
        return None
    if kind == "empty":
        return ""
    good = sign(key, content)
    return good if kind == "ok" else good[::-1]  # reversed: same length and alphabet, never valid


def verifies(key: bytes, content: str, sent: object) -> bool:
    return isinstance(sent, str) and bool(sent) and hmac.compare_digest(sent, sign(key, content))


def call_content(name: object, args: object) -> str:
    """What a Gemini call's `thoughtSignature` covers: the call, canonical (the client sends the same object)."""
    return orjson.dumps({"name": name, "args": args}, option=orjson.OPT_SORT_KEYS).decode()


def thinking_text(calls: Any) -> str:
    """The reasoning a simulated model shows before its answer."""
    names = ", ".join(name for name, _ in calls) if calls else ""
    return f"The request needs {names}; I will call it with the values asked for." if names else \
        "No tool fits this request, so I will answer in text."
