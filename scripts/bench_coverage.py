"""Do replaykit's intervals and tests keep their promise? Coverage and false-positive rates by simulation,
each measured for the method replaykit uses now and the one it used before, side by side in one run.

    python scripts/bench_coverage.py [--runs N]

1. `error_rate` when failures cluster in time: attempts spread evenly over a run, failing when the
   simulator's own clock functions (`replaykit.sim.clock.in_burst`, `in_downtime`) say the profile is in a
   5xx burst or down, with a new simulator seed per run. Coverage of the true long-run rate (0.10) by the
   scored 95% interval: two-way clustered (scenario × time block) against clustered by scenario only.
2. `success` with few scenarios: scenario difficulties drawn around a mean, 10 repetitions each. Coverage
   of the mean by Wilson at the clustered effective size with t(m − 1), against z.
3. Leaderboard stars on identical providers: any `*` in a leaderboard of 6 or 10 providers with the same
   per-scenario success probabilities; Holm over all pairs of the clustered paired test, against the best
   tested against each other one by an unadjusted two-proportion z-test.
4. `diff` with a provider × scenario interaction and no average difference: how often `success` is called
   significant at 5%; the clustered sign-flip test against McNemar's exact test on the pairs.

Binomial standard errors are printed with each rate; every figure is a fraction of N simulated runs.
"""

from __future__ import annotations

import argparse
import math
import random

from replaykit.compare.significance import Draws, mcnemar_exact
from replaykit.report.significance import versus_best
from replaykit.score.clustered import ratio_sign_flip
from replaykit.score.metrics import ProviderMetrics
from replaykit.score.sample import AttemptFacts, SampleScore
from replaykit.score.stats import Z95, effective_n, rate, rate_interval, wilson
from replaykit.sim.clock import in_burst, in_downtime
from replaykit.sim.profiles import parse_profiles

PROFILES = parse_profiles({"profiles": {
    "bursts": {"effects": {"server_error_burst": {"rate": 0.10, "burst_s": 20}}},
    "downtime": {"effects": {"downtime": {"period_s": 600, "down_s": 60}}},
}})


def _share(hits: int, n: int) -> str:
    p = hits / n
    return f"{p:.3f} ± {math.sqrt(p * (1 - p) / n):.3f}"


def timed_run(profile: str, seed: int, duration_s: float, scenarios: int = 40, reps: int = 50) -> ProviderMetrics:
    """One provider's run: scenarios × reps samples in shuffled order, one attempt each, evenly in time."""
    prof = PROFILES.find(profile)
    assert prof is not None
    order = [(s, r) for s in range(scenarios) for r in range(reps)]
    random.Random(seed).shuffle(order)
    metrics = ProviderMetrics()
    for i, (s, r) in enumerate(order):
        t = (i + 0.5) / len(order) * duration_s
        down = in_burst(prof, seed, t) or in_downtime(prof, seed, t)
        attempt = AttemptFacts("p", 0, "server_error" if down else None, None if down else 100.0, None, None,
                               None, False, started_at=1.7e9 + t)
        metrics.add(SampleScore("p", f"s{s}", r, "single", (), [attempt], usable=not down, success=not down))
    return metrics


def scenario_only(metrics: ProviderMetrics) -> tuple[float, float]:
    by_scenario: dict[str, list[float]] = {}
    for (scenario, _), (k, n) in metrics.timed["error_rate"].items():
        pair = by_scenario.setdefault(scenario, [0.0, 0.0])
        pair[0] += k
        pair[1] += n
    r = rate(by_scenario)
    return r["low"], r["high"]


def time_coverage(runs: int) -> None:
    print("1. error_rate, failures clustered in time (truth 0.10; 2,000 attempts, 40 scenarios)")
    print(f"   {'profile':<34} {'two-way (now)':>16} {'by scenario':>16} {'mean width now/before':>22}")
    for profile, duration, label in (("bursts", 21200.0, "20 s 5xx bursts, ~106 per run"),
                                     ("bursts", 6000.0, "20 s 5xx bursts, ~30 per run"),
                                     ("bursts", 1400.0, "20 s 5xx bursts, ~7 per run"),
                                     ("downtime", 2700.0, "60 s down every 600 s, 4.5 periods"),
                                     ("downtime", 11700.0, "60 s down every 600 s, 19.5 periods")):
        now = before = 0
        width_now = width_before = 0.0
        for seed in range(runs):
            metrics = timed_run(profile, seed, duration)
            r = metrics.result()["error_rate"]
            low, high = scenario_only(metrics)
            now += r["low"] <= 0.10 <= r["high"]
            before += low <= 0.10 <= high
            width_now += r["high"] - r["low"]
            width_before += high - low
        print(f"   {label:<34} {_share(now, runs):>16} {_share(before, runs):>16} "
              f"{width_now / runs:>10.3f} / {width_before / runs:.3f}")


def few_scenarios(runs: int) -> None:
    print("2. success with few scenarios (difficulty ~ Beta(8, 2), mean 0.8; 10 repetitions each)")
    print(f"   {'scenarios':<10} {'t(m-1) (now)':>16} {'z (before)':>16}")
    rng = random.Random(2)
    for m in (2, 3, 4, 5, 10, 30):
        now = before = 0
        for _ in range(runs):
            cells = {}
            for s in range(m):
                p = rng.betavariate(8, 2)
                cells[f"s{s}"] = [float(sum(rng.random() < p for _ in range(10))), 10.0]
            low, high = rate_interval(list(map(tuple, cells.values())))  # type: ignore[arg-type]
            now += low <= 0.8 <= high
            k = sum(c[0] for c in cells.values())
            n_eff = effective_n(list(map(tuple, cells.values())))  # type: ignore[arg-type]
            zl, zh = wilson(k / (10 * m) * n_eff, n_eff, Z95)
            before += zl <= 0.8 <= zh
        print(f"   {m:<10} {_share(now, runs):>16} {_share(before, runs):>16}")


def _board(rng: random.Random, providers: int, scenarios: int = 20, reps: int = 3) -> dict[str, object]:
    rows = []
    for s in range(scenarios):
        p = rng.uniform(0.3, 0.95)
        rows.append({"id": f"s{s}", "success": {f"p{i}": {"k": sum(rng.random() < p for _ in range(reps)),
                                                          "n": reps} for i in range(providers)}})
    totals = {f"p{i}": sum(r["success"][f"p{i}"]["k"] for r in rows) / (scenarios * reps) for i in range(providers)}
    return {"providers": {n: {"success": {"value": v}} for n, v in totals.items()}, "scenarios": rows}


def _unadjusted_star(data: dict[str, object]) -> bool:
    providers = data["providers"]
    order = sorted(providers, key=lambda n: -providers[n]["success"]["value"])  # type: ignore[index]
    n = sum(r["success"][order[0]]["n"] for r in data["scenarios"])  # type: ignore[attr-defined]
    k1 = providers[order[0]]["success"]["value"] * n  # type: ignore[index]
    for other in order[1:]:
        k2 = providers[other]["success"]["value"] * n  # type: ignore[index]
        pooled = (k1 + k2) / (2 * n)
        var = pooled * (1 - pooled) * 2 / n
        if var > 0 and (k1 - k2) / n / math.sqrt(var) > 1.959963984540054:
            return True
    return False


def false_stars(runs: int) -> None:
    print("3. leaderboard stars on identical providers (20 scenarios × 3 repetitions)")
    print(f"   {'providers':<10} {'Holm, paired (now)':>20} {'best vs each, z (before)':>26}")
    rng = random.Random(4)
    for k in (6, 10):
        now = before = 0
        for _ in range(runs):
            data = _board(rng, k)
            now += any(v.significant for v in versus_best(data).values())
            before += _unadjusted_star(data)
        print(f"   {k:<10} {_share(now, runs):>20} {_share(before, runs):>26}")


def interaction(runs: int) -> None:
    print("4. diff, B better on half the scenarios and worse on the rest by 0.25 (30 scenarios × 10 reps)")
    rng = random.Random(11)
    now = before = 0
    for trial in range(runs):
        sums: dict[str, list[float]] = {}
        a_only = b_only = 0
        for s in range(30):
            base, shift = rng.uniform(0.3, 0.7), (0.25 if rng.random() < 0.5 else -0.25)
            ka = kb = 0
            for _ in range(10):
                ya, yb = rng.random() < base, rng.random() < base + shift
                ka, kb = ka + ya, kb + yb
                a_only, b_only = a_only + (ya and not yb), b_only + (yb and not ya)
            sums[f"s{s}"] = [ka, 10, kb, 10]
        now += (ratio_sign_flip(sums, Draws(1000, trial), 0.05).p or 1) < 0.05
        before += mcnemar_exact(a_only, b_only) < 0.05
    print(f"   significant at 5%: clustered sign flip (now) {_share(now, runs)}, "
          f"McNemar on pairs (before) {_share(before, runs)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=400, help="simulated runs per figure (default 400)")
    args = parser.parse_args()
    for step in (time_coverage, few_scenarios, false_stars, interaction):
        step(args.runs)
        print()


if __name__ == "__main__":
    main()
