"""`replaykit fallback RUN --chain A,B`: what routing A, then B on failure, would have given — from the
recorded attempts alone, with no new request.

For each (scenario, repetition) recorded for every provider of the chain, the hops are walked in order:
the hop's attempts as recorded (its retries and their waits included); if the hop gave no acceptable
answer, the next provider's recorded sample of the same scenario and repetition follows.

- policy `on-error`: a hop is acceptable when it answered (a usable response).
- policy `on-error-or-bad-call`: also when its answer is fully correct (`success`) — an oracle router
  that knows the expected calls, so an upper bound for a router that validates calls itself.
- When no hop is acceptable the chain returns the last usable answer it got (a bad answer beats an error);
  when there is none, the sample is unavailable.
- latency = the time until the chain's answer: every attempt's total time plus the waits before retries,
  over every hop tried. `--timeout S` caps each hop at S seconds: a hop that had not answered by then is
  cut there (its time counted as S, attempts finished by then paid) and counts as failed.
- cost = every attempt's cost over the hops tried.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from replaykit.compare.pairing import Key, RunSamples
from replaykit.compare.significance import mean_interval, median_interval
from replaykit.errors import BadInputError
from replaykit.score.sample import SampleScore
from replaykit.score.stats import distribution, rate

POLICIES = ("on-error", "on-error-or-bad-call")
ASSUMPTIONS = (
    "samples of the same scenario and repetition are treated as the same request on every provider",
    "each hop replays the provider's own recorded retries and waits; hops are whole samples, so a "
    "multi-turn scenario falls back as a whole, not turn by turn",
    "providers are independent: a failure of A says nothing about B at that moment",
)


@dataclass(frozen=True)
class HopResult:
    elapsed_ms: float
    cost: float | None  # None: no attempt was priced
    usable: bool
    success: bool
    answer_ms: float  # time of the answering attempts (not lost)


@dataclass
class ChainSample:
    available: bool = False
    success: bool = False
    answered_by: str | None = None
    latency_ms: float = 0.0
    lost_ms: float = 0.0
    cost: float = 0.0
    priced: bool = False  # some attempt reported or was given a price
    hops: int = 0


def walk_hop(s: SampleScore, cap_ms: float | None) -> HopResult:
    """One provider's recorded sample as a hop, cut at `cap_ms` when given."""
    elapsed = answer = 0.0
    cost: float | None = None
    for a in s.attempts:
        end = elapsed + a.wait_ms + (a.total_ms or 0.0)
        if cap_ms is not None and end > cap_ms:
            return HopResult(cap_ms, cost, False, False, 0.0)
        elapsed = end
        if a.cost_usd is not None:
            cost = (cost or 0.0) + a.cost_usd
        if a.error_class is None:
            answer += a.total_ms or 0.0
    return HopResult(elapsed, cost, s.usable, s.success, answer)


def simulate_sample(hops: Sequence[tuple[str, SampleScore]], policy: str,
                    cap_ms: float | None) -> ChainSample:
    out = ChainSample()
    last_usable: tuple[str, HopResult] | None = None
    for name, sample in hops:
        hop = walk_hop(sample, cap_ms)
        out.hops += 1
        out.latency_ms += hop.elapsed_ms
        if hop.cost is not None:
            out.cost += hop.cost
            out.priced = True
        acceptable = hop.usable if policy == "on-error" else hop.success
        if acceptable:
            return _answered(out, name, hop)
        if hop.usable:
            last_usable = (name, hop)
    if last_usable is not None:  # no acceptable answer: the router keeps the last one it got
        return _answered(out, *last_usable)
    out.lost_ms = out.latency_ms
    return out


def _answered(out: ChainSample, name: str, hop: HopResult) -> ChainSample:
    out.available, out.success, out.answered_by = True, hop.success, name
    out.lost_ms = out.latency_ms - hop.answer_ms
    return out


@dataclass
class ChainSummary:
    chain: tuple[str, ...]
    samples: list[tuple[Key, ChainSample]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        available: dict[str, list[float]] = {}
        success: dict[str, list[float]] = {}
        for (scenario, _), s in self.samples:
            for clusters, hit in ((available, s.available), (success, s.success)):
                cell = clusters.setdefault(scenario, [0.0, 0.0])
                cell[0] += hit
                cell[1] += 1
        latencies = sorted(s.latency_ms for _, s in self.samples if s.available)
        # As `score`'s cost per sample: unpriced attempts (error bodies carry no usage) cost nothing;
        # only a route where nothing at all was priced has an unknown cost.
        priced = sum(1 for _, s in self.samples if s.priced)
        costs = [s.cost for _, s in self.samples] if priced else []
        answered = {name: sum(1 for _, s in self.samples if s.answered_by == name) for name in self.chain}
        return {
            "chain": list(self.chain), "samples": len(self.samples),
            "availability": rate(available), "success": rate(success),
            "latency_ms": distribution(latencies) | {"p50_interval": _rounded(median_interval(latencies))},
            "lost_ms": {"mean": _mean([s.lost_ms for _, s in self.samples]),
                        "total": round(sum(s.lost_ms for _, s in self.samples), 3)},
            "cost_usd": {"per_sample": _mean(costs, 8), "interval": _rounded(mean_interval(costs), 8),
                         "total": round(sum(costs), 8) if costs else None, "priced_samples": priced},
            "hops": {"mean": _mean([float(s.hops) for _, s in self.samples])},
            "answered_by": answered | {"none": sum(1 for _, s in self.samples if not s.available)},
        }


def _mean(values: Sequence[float], digits: int = 3) -> float | None:
    return round(sum(values) / len(values), digits) if values else None


def _rounded(pair: tuple[float, float] | None, digits: int = 3) -> list[float] | None:
    return None if pair is None else [round(pair[0], digits), round(pair[1], digits)]


def parse_chain(text: str, run: RunSamples) -> tuple[str, ...]:
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    if not names:
        raise BadInputError("wants provider names separated by commas, e.g. a,b", field="--chain")
    if len(set(names)) != len(names):
        raise BadInputError(f"names a provider twice: {text!r}", field="--chain")
    for n in names:
        if n not in run.samples:
            raise BadInputError(f"names unknown provider {n!r} "
                                f"(providers: {', '.join(run.providers())})",
                                source=str(run.run.root), field="--chain")
    return names


def common_keys(run: RunSamples, names: Sequence[str]) -> list[Key]:
    keys = set(run.of(names[0]))
    for n in names[1:]:
        keys &= set(run.of(n))
    if not keys:
        raise BadInputError(f"no scenario and repetition was recorded for every one of {', '.join(names)}",
                            source=str(run.run.root))
    return sorted(keys)


def simulate(run: RunSamples, chain: Sequence[str], keys: Sequence[Key], policy: str,
             cap_ms: float | None) -> ChainSummary:
    summary = ChainSummary(tuple(chain))
    for key in keys:
        hops = [(name, run.of(name)[key]) for name in chain]
        summary.samples.append((key, simulate_sample(hops, policy, cap_ms)))
    return summary


def fallback_result(run: RunSamples, chain_text: str | None, policy: str, timeout_s: float | None,
                    all_chains: bool) -> dict[str, Any]:
    if policy not in POLICIES:
        raise BadInputError(f"unknown policy {policy!r} (use {' or '.join(POLICIES)})", field="--policy")
    if timeout_s is not None and timeout_s <= 0:
        raise BadInputError("must be a positive number of seconds", field="--timeout")
    cap = timeout_s * 1000 if timeout_s is not None else None
    base = {"run": run.label, "policy": policy, "timeout_s": timeout_s, "assumptions": list(ASSUMPTIONS)}
    if all_chains:
        return base | {"ranking": rank_all(run, policy, cap)}
    if not chain_text:
        raise BadInputError("give --chain A,B (or --all to rank every chain of length up to 2)")
    chain = parse_chain(chain_text, run)
    keys = common_keys(run, chain)
    skipped = {n: len(run.of(n)) - len(keys) for n in chain}
    singles = {n: simulate(run, (n,), keys, policy, cap).to_json() for n in chain}
    result = simulate(run, chain, keys, policy, cap).to_json()
    return base | {"chain": list(chain), "skipped": skipped, "result": result, "alone": singles}


def rank_all(run: RunSamples, policy: str, cap: float | None) -> list[dict[str, Any]]:
    """Every provider alone and every ordered pair, on the samples all providers share; best first:
    success, then availability, then p50 latency, then cost per sample."""
    names = run.providers()
    keys = common_keys(run, names)
    chains = [(n,) for n in names] + list(itertools.permutations(names, 2))
    rows = [simulate(run, c, keys, policy, cap).to_json() for c in chains]
    rows.sort(key=_rank_key)
    for i, row in enumerate(rows, 1):
        row["rank"] = i
    return rows


def _rank_key(row: dict[str, Any]) -> tuple[float, float, float, float, str]:
    p50 = row["latency_ms"]["p50"]
    cost = row["cost_usd"]["per_sample"]
    return (-(row["success"]["value"] or 0.0), -(row["availability"]["value"] or 0.0),
            p50 if p50 is not None else float("inf"), cost if cost is not None else float("inf"),
            "+".join(row["chain"]))
