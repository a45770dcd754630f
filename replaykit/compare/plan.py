"""`replaykit plan --baseline RATE --delta D`: how many samples per provider a paired comparison needs to
detect a difference of D in a rate (e.g. `success`) with the given power, before paying for a run.

Connor's (1987) sample size for McNemar's test, n pairs:

    n = ( z(1−α/2)·√ψ + z(power)·√(ψ − δ²) )² / δ²

δ = p_B − p_A (the difference to detect) and ψ = P(the two providers disagree on a sample), the
discordance. ψ is not known before a run; by default the two providers' outcomes are taken as independent
given the rates, ψ = p_A(1 − p_B) + p_B(1 − p_A) (conservative when failures concentrate on hard
scenarios, as they do); `--discordance` sets it; ψ = |δ| is the least possible (one provider is never
right where the other is wrong), which gives the smallest n.

The exact power of McNemar's exact test at the n found is also given (it is discrete and conservative,
so it can fall a little short of the normal approximation's target); past EXACT_UP_TO pairs, where the
enumeration would take seconds to minutes and the two agree to a few thousandths, its normal approximation.

`diff` clusters by scenario: repetitions of a scenario are not independent pairs. With K scenarios × r
repetitions and an intra-scenario correlation ρ of the paired outcome (`--icc`), the design effect is
1 + (r − 1)ρ, so K·r / (1 + (r − 1)ρ) effective pairs must reach n: r = ⌈n(1 − ρ) / (K − nρ)⌉, which needs
K > nρ scenarios; and the sign-flip test needs at least log2(2/alpha) scenarios to reach p < alpha at all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from statistics import NormalDist
from typing import Any

from replaykit.compare.significance import binom_logpmf
from replaykit.errors import BadInputError


@dataclass(frozen=True)
class PlanInput:
    baseline: float
    delta: float
    power: float = 0.8
    alpha: float = 0.05
    discordance: float | None = None
    scenario_count: int | None = None
    icc: float = 0.1  # a modest correlation within scenarios; a guess until measured on a pilot run

EXACT_UP_TO = 2000  # pairs: beyond, the power is the normal approximation's


def z(q: float) -> float:
    return NormalDist().inv_cdf(q)


def connor_n(delta: float, psi: float, alpha: float, power: float) -> int:
    """Pairs needed (Connor 1987), rounded up."""
    za, zb = z(1 - alpha / 2), z(power)
    return math.ceil((za * math.sqrt(psi) + zb * math.sqrt(psi - delta * delta)) ** 2 / (delta * delta))


def unpaired_n(p1: float, p2: float, alpha: float, power: float) -> int:
    """Per group, two independent proportions (normal approximation, no continuity correction)."""
    za, zb = z(1 - alpha / 2), z(power)
    bar = (p1 + p2) / 2
    spread = za * math.sqrt(2 * bar * (1 - bar)) + zb * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    return math.ceil(spread ** 2 / (p2 - p1) ** 2)


def independent_discordance(p1: float, p2: float) -> float:
    return p1 * (1 - p2) + p2 * (1 - p1)


def max_discordance(p1: float, p2: float) -> float:
    """The largest ψ the margins allow: P(A right, B wrong) ≤ min(p1, 1−p2), and the mirror."""
    return min(p1, 1 - p2) + min(p2, 1 - p1)


def exact_power(n: int, delta: float, psi: float, alpha: float) -> float:
    """Power of the two-sided exact McNemar test with n pairs: sum over the number m of discordant pairs
    (Binomial(n, ψ)) of P(reject | m), where B's share of them is Binomial(m, (ψ + δ)/(2ψ)). Past
    EXACT_UP_TO pairs, the normal approximation Φ((|δ|√n − z(1−α/2)√ψ) / √(ψ − δ²))."""
    if n > EXACT_UP_TO:
        spread = math.sqrt(max(psi - delta * delta, 1e-12))
        return NormalDist().cdf((abs(delta) * math.sqrt(n) - z(1 - alpha / 2) * math.sqrt(psi)) / spread)
    share = (psi + abs(delta)) / (2 * psi)
    sd = math.sqrt(n * psi * (1 - psi))
    lo, hi = max(0, math.floor(n * psi - 10 * sd) - 1), min(n, math.ceil(n * psi + 10 * sd) + 1)
    total = 0.0
    for m in range(lo, hi + 1):
        k = _critical(m, alpha)
        if k < 0:
            continue
        reject = _cdf(k, m, share) + _cdf(k, m, 1 - share)  # C ≤ k, or m − C ≤ k
        total += math.exp(binom_logpmf(m, n, psi)) * reject
    return min(1.0, total)


def _critical(m: int, alpha: float) -> int:
    """The largest k with exact two-sided p = 2·P(X ≤ k) < alpha for X ~ Binomial(m, 1/2); −1 if none."""
    # 2·Σ C(m, i) / 2^m < alpha, compared in integers (alpha as an exact fraction): no overflow, no rounding.
    frac = Fraction(alpha)
    whole = frac.numerator * 2 ** m
    k, tail, term = -1, 0, 1
    while k + 1 < m:
        tail += term  # term = C(m, k + 1)
        if 2 * tail * frac.denominator >= whole:
            break
        k += 1
        term = term * (m - k) // (k + 1)
    return k


def _cdf(k: int, m: int, p: float) -> float:
    return sum(math.exp(binom_logpmf(i, m, p)) for i in range(k + 1))


def check(inp: PlanInput) -> None:
    if not 0 <= inp.baseline <= 1:
        raise BadInputError(f"must be a rate in [0, 1], got {inp.baseline}", field="--baseline")
    if inp.delta == 0 or not 0 <= inp.baseline + inp.delta <= 1:
        raise BadInputError(f"must be non-zero and keep baseline + delta in [0, 1], got {inp.delta}",
                            field="--delta")
    if not 0 < inp.power < 1:
        raise BadInputError(f"must be in (0, 1), got {inp.power}", field="--power")
    if not 0 < inp.alpha < 1:
        raise BadInputError(f"must be in (0, 1), got {inp.alpha}", field="--alpha")
    if inp.scenario_count is not None and inp.scenario_count < 1:
        raise BadInputError("must be at least 1", field="--scenario-count")
    if not 0 <= inp.icc < 1:
        raise BadInputError(f"must be in [0, 1), got {inp.icc}", field="--icc")
    if inp.discordance is not None:
        p1, p2 = inp.baseline, inp.baseline + inp.delta
        top = max_discordance(p1, p2)
        if not abs(inp.delta) <= inp.discordance <= top + 1e-12:
            raise BadInputError(f"must lie between |delta| = {abs(inp.delta):g} and {top:g} for these rates, "
                                f"got {inp.discordance}", field="--discordance")


def plan(inp: PlanInput) -> dict[str, Any]:
    check(inp)
    p1, p2 = inp.baseline, inp.baseline + inp.delta
    psi = inp.discordance if inp.discordance is not None else independent_discordance(p1, p2)
    n = connor_n(inp.delta, psi, inp.alpha, inp.power)
    least = connor_n(inp.delta, abs(inp.delta), inp.alpha, inp.power)
    out: dict[str, Any] = {
        "baseline": inp.baseline, "target": round(p2, 6), "delta": inp.delta, "alpha": inp.alpha,
        "power": inp.power,
        "discordance": {"value": round(psi, 6), "assumption": "given" if inp.discordance is not None
                        else "independent outcomes"},
        "n": n, "n_least_discordance": least, "n_unpaired": unpaired_n(p1, p2, inp.alpha, inp.power),
        "exact_power": round(exact_power(n, inp.delta, psi, inp.alpha), 4),
        "power_method": "exact" if n <= EXACT_UP_TO else "normal approximation",
        "formula": "n = (z(1-alpha/2)*sqrt(psi) + z(power)*sqrt(psi - delta^2))^2 / delta^2 (Connor 1987)",
    }
    if inp.scenario_count:
        out |= clustered_design(n, inp.scenario_count, inp.icc, inp.alpha)
    return out


def clustered_design(n: int, scenarios: int, icc: float, alpha: float) -> dict[str, Any]:
    """The --repeat that gives n effective pairs over `scenarios` clusters, or why none does."""
    least = math.floor(math.log2(2 / alpha)) + 1  # 2 / 2^m < alpha
    out: dict[str, Any] = {"scenario_count": scenarios, "icc": icc, "min_scenarios": least}
    if scenarios <= n * icc or scenarios < least:
        needed = max(least, math.floor(n * icc) + 1)
        return out | {"repeat": None, "samples": None, "scenarios_needed": needed}
    repeat = max(1, math.ceil(n * (1 - icc) / (scenarios - n * icc)))
    return out | {"repeat": repeat, "samples": scenarios * repeat, "design_effect": round(1 + (repeat - 1) * icc, 4)}
