"""Replay verification: re-drive the recorder's HTTP code path through stock vcrpy (record_mode none) and
check that every attempt normalizes to the same outcome as the bytes on disk."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import vcr
from vcr.request import Request as VcrRequest

from replaykit.cassettes.model import Attempt, Cassette
from replaykit.normalize import normalize
from replaykit.recorder.clients import new_client
from replaykit.recorder.http import send


def _body_digest(request: VcrRequest) -> str:
    body = request.body or b""
    return hashlib.sha256(body if isinstance(body, bytes) else body.encode()).hexdigest()


def body_hash(r1: VcrRequest, r2: VcrRequest) -> None:
    """vcrpy matcher on a digest of the raw body: exact, and far cheaper than the `body` matcher's parse."""
    if _body_digest(r1) != _body_digest(r2):
        raise AssertionError("request bodies differ")


_VCR = vcr.VCR(serializer="json", record_mode="none", match_on=["method", "scheme", "host", "port", "path",
                                                                 "query", "body_hash"],
               decode_compressed_response=False)
_VCR.register_matcher("body_hash", body_hash)


def _comparable(outcome: Any) -> dict[str, Any]:
    return outcome.to_json()


async def _replay(client: Any, cassette: Cassette, path: Path,
                  tools: list[dict[str, Any]] | None) -> list[str]:
    problems = []
    replayable = [a for a in cassette.attempts if a.status is not None]
    with _VCR.use_cassette(str(path), allow_playback_repeats=False):
        for index, attempt in enumerate(replayable):
            replayed = await _send_again(client, attempt)
            replayed.error = attempt.error  # a transport fact of the live exchange, not in the HTTP bytes
            want = normalize(attempt, tools=tools, mode=cassette.sample.mode)
            got = normalize(replayed, tools=tools, mode=cassette.sample.mode)
            if _comparable(want) != _comparable(got):
                problems.append(f"{path}: interaction {index}: replay normalizes differently")
    return problems


async def _send_again(client: Any, attempt: Attempt) -> Attempt:
    request = attempt.request
    headers = {k: v[-1] for k, v in (request.get("headers") or {}).items() if v}
    body = request.get("body") or ""
    return await send(client, request["uri"], headers, body.encode() if isinstance(body, str) else body,
                      timeout=60.0, method=request.get("method", "POST"))


async def _replay_all(items: Iterable[tuple[Cassette, Path]]) -> list[str]:
    problems: list[str] = []
    async with new_client() as client:  # one client: building one costs more than replaying a cassette
        for cassette, path in items:
            try:
                problems += await _replay(client, cassette, path, None)
            except Exception as err:  # any vcrpy failure is a finding, with its reason
                first = str(err).splitlines()[0] if str(err) else ""
                problems.append(f"{path}: replay failed: {type(err).__name__}: {first}")
    return problems


def replay_cassettes(items: Iterable[tuple[Cassette, Path]]) -> list[str]:
    """Problems found replaying the cassettes (empty when the replay reproduces every outcome)."""
    return asyncio.run(_replay_all(items))
