"""What a run will do: its samples, and for `--dry-run`, the estimated tokens and cost."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from replaykit.canonical import content_hash
from replaykit.cassettes.model import SampleId
from replaykit.providers.config import Provider
from replaykit.scenarios.model import Scenario

FALLBACK_SEP = "+"  # a fallback chain's sample provider name: "a+b"


@dataclass(frozen=True)
class PlannedSample:
    chain: tuple[Provider, ...]
    scenario: Scenario
    repetition: int

    @property
    def id(self) -> SampleId:
        name = FALLBACK_SEP.join(p.name for p in self.chain)
        return SampleId(name, self.scenario.id, self.repetition, self.scenario.hash, self.chain[0].mode)


def plan_samples(scenarios: list[Scenario], chains: list[tuple[Provider, ...]], repeat: int) -> list[PlannedSample]:
    """Interleaved by scenario and repetition, so an interrupted run has covered every provider evenly."""
    return [PlannedSample(chain, s, r) for r in range(repeat) for s in scenarios for chain in chains]


def shard_of(samples: list[PlannedSample], index: int, count: int) -> list[PlannedSample]:
    """Shard `index` of `count` (1-based): every count-th (scenario, repetition) cell in key order, with every
    provider's sample of it. A cell is what comparisons pair (score/comparable.py), so each shard can be
    scored or partial-scored on its own and agree with the whole. The N shards of one plan are disjoint, cover
    it, differ by at most one cell, and don't depend on file or flag order."""
    if not 1 <= index <= count:
        raise ValueError(f"shard {index}/{count}: the index must be between 1 and {count}")
    cells = sorted({(s.id.scenario, s.id.repetition) for s in samples})
    mine = {cell for i, cell in enumerate(cells) if i % count == index - 1}
    return sorted((s for s in samples if (s.id.scenario, s.id.repetition) in mine), key=lambda s: s.id.key)


def plan_digest(samples: list[PlannedSample]) -> str:
    """Names the whole plan, so that merge can tell shards of one plan from shards of another."""
    keys = sorted("|".join(map(str, s.id.key)) + "|" + s.scenario.hash for s in samples)
    return content_hash(keys)


def estimate(samples: list[PlannedSample]) -> dict[str, dict[str, Any]]:
    """Per provider: samples, requests, estimated tokens and cost (≈4 characters a token)."""
    out: dict[str, dict[str, Any]] = {}
    for sample in samples:
        provider = sample.chain[0]
        row = out.setdefault(sample.id.provider, {"samples": 0, "requests": 0, "input_tokens": 0,
                                                  "output_tokens": 0, "cost_usd": 0.0, "priced": True})
        turns = len(sample.scenario.steps)
        prompt = len(orjson.dumps([sample.scenario.messages, sample.scenario.tools])) // 4
        output = 60 * max(1, len(sample.scenario.expect.calls)) + 40
        row["samples"] += 1
        row["requests"] += turns
        row["input_tokens"] += prompt * turns + (turns * (turns - 1) // 2) * 150
        row["output_tokens"] += output * turns
        if provider.price is None:
            row["priced"] = False
    for name, row in out.items():
        provider = next(s.chain[0] for s in samples if s.id.provider == name)
        if provider.price:
            row["cost_usd"] = round(provider.price.cost(row["input_tokens"], row["output_tokens"]), 4)
    return out
