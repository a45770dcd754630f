"""Shared pieces of the report tests: the example run, growing a run to many samples, reading the HTML's
embedded payload back in Python."""

from __future__ import annotations

import base64
import gzip
import random
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson

from replaykit.cassettes.model import Cassette, SampleId
from replaykit.cassettes.run import Run, load_run

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "cassettes" / "example"

_GEN_ID = re.compile(r"gen-[A-Za-z0-9]{6,}")
_SEED = re.compile(r'"seed":\s*\d+')
_CREATED = re.compile(r'"created":\s*(\d+)')
_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def grow_run(base: Path, out: Path, copies: int, seed: int = 0) -> Run:
    """A run of `copies` × the base run's samples: each cassette written again under new repetition numbers,
    with what differs between two real recordings changed (generation ids, timestamps, seeds, timing), so
    that the report's compression is not flattered by identical copies."""
    source = load_run(base)
    rng = random.Random(seed)
    reps = 1 + max(c.sample.repetition for c in source.iter_cassettes() if isinstance(c, Cassette))
    run = Run(out, {**source.manifest, "run_id": out.name, "cassettes": {}})
    out.mkdir(parents=True, exist_ok=True)
    scenarios = source.read_scenarios()
    if scenarios is not None:
        run.write_scenarios(scenarios)
    for cassette in source.iter_cassettes():
        assert isinstance(cassette, Cassette), cassette
        for k in range(copies):
            run.write_cassette(_copy(cassette, cassette.sample.repetition + k * reps, rng))
    run.manifest["params"] = {**(source.manifest.get("params") or {}), "repeat": reps * copies}
    run.save()
    return run


def _copy(cassette: Cassette, repetition: int, rng: random.Random) -> Cassette:
    s = cassette.sample
    attempts = []
    for a in cassette.attempts:
        new_id = "gen-" + "".join(rng.choice(_ALNUM) for _ in range(24))
        shift = rng.randint(1, 10_000)
        scale = rng.uniform(0.7, 1.4)
        body = a.body
        if body:
            body = _CREATED.sub(lambda m, d=shift: f'"created":{int(m.group(1)) + d}', _GEN_ID.sub(new_id, body))
        request = dict(a.request)
        if isinstance(request.get("body"), str):
            request["body"] = _SEED.sub(f'"seed":{rng.randint(0, 2**31)}', request["body"])
        headers = {k: ([new_id] if k.lower() == "x-generation-id" else v) for k, v in a.response_headers.items()}
        timing = {k: (round(v * scale, 3) if k.endswith("_ms") and isinstance(v, int | float) else v)
                  for k, v in (a.timing or {}).items()}
        if isinstance(timing.get("events_ms"), list):
            timing["events_ms"] = [round(e * scale, 3) for e in timing["events_ms"]]
        if isinstance(timing.get("started_at"), int | float):
            timing["started_at"] = timing["started_at"] + shift
        attempts.append(replace(a, request=request, body=body, response_headers=headers, timing=timing))
    sample = SampleId(s.provider, s.scenario, repetition, s.scenario_hash, s.mode)
    return Cassette(sample, attempts, cassette.complete, extra=cassette.extra)


def embedded(html: str, ident: str) -> Any:
    """An embedded gzip+base64 block of the report, decoded."""
    match = re.search(rf'<script type="application/x-gzip-base64" id="{ident}">([^<]*)</script>', html)
    assert match, f"no block {ident}"
    return orjson.loads(gzip.decompress(base64.b64decode(match.group(1))))


def report_data(html: str) -> Any:
    match = re.search(r'<script type="application/json" id="rk-data">(.*?)</script>', html, re.S)
    assert match
    return orjson.loads(match.group(1))
