"""`replaykit plan`: Connor's sample size, checked by hand, and the power it buys, checked by simulation."""

from __future__ import annotations

import math
import random

import pytest
from compare_helpers import assert_fits, cli, cli_json

from replaykit.compare.plan import PlanInput, exact_power, plan
from replaykit.compare.significance import mcnemar_exact

Z975 = 1.959963984540054
Z80 = 0.8416212335729143


def test_sample_size_equals_the_hand_computed_connor_formula() -> None:
    # baseline 0.80 → 0.90; independent outcomes: ψ = 0.8·0.1 + 0.9·0.2 = 0.26
    # n = (1.959964·√0.26 + 0.841621·√(0.26 − 0.01))² / 0.01 = (0.999389 + 0.420811)² / 0.01 = 201.70 → 202
    by_hand = (Z975 * math.sqrt(0.26) + Z80 * math.sqrt(0.25)) ** 2 / 0.01
    assert by_hand == pytest.approx(201.70, abs=0.01)
    result = plan(PlanInput(baseline=0.8, delta=0.1))
    assert result["discordance"]["value"] == pytest.approx(0.26)
    assert result["n"] == 202
    # the least discordance, ψ = |δ| = 0.1: (1.959964·0.316228 + 0.841621·0.3)² / 0.01 = 76.09 → 77
    assert result["n_least_discordance"] == 77
    # two independent groups: (1.959964·√(2·0.85·0.15) + 0.841621·√(0.16 + 0.09))² / 0.01 = 198.96 → 199
    assert result["n_unpaired"] == 199


def test_a_drop_needs_the_same_size_as_a_rise_of_the_same_margins() -> None:
    up = plan(PlanInput(baseline=0.8, delta=0.1))
    down = plan(PlanInput(baseline=0.9, delta=-0.1))
    assert up["n"] == down["n"] == 202


def test_given_discordance_and_repeats_per_scenario() -> None:
    result = plan(PlanInput(baseline=0.9, delta=-0.1, discordance=0.1, scenario_count=7, icc=0.0))
    assert result["n"] == 77
    assert result["repeat"] == 11  # ⌈77 / 7⌉: independent repetitions
    assert result["samples"] == 77 and result["design_effect"] == 1


def test_repetitions_of_a_scenario_are_not_independent_pairs() -> None:
    """`diff` clusters by scenario, so `plan` sizes that design: n effective pairs = K·r / (1 + (r − 1)ρ)."""
    result = plan(PlanInput(baseline=0.8, delta=0.1, scenario_count=138, icc=0.1))
    # n = 202: r = ⌈202·0.9 / (138 − 20.2)⌉ = ⌈1.54⌉ = 2; 276 samples, design effect 1.1: 250.9 ≥ 202
    assert (result["repeat"], result["samples"], result["design_effect"]) == (2, 276, 1.1)
    too_few = plan(PlanInput(baseline=0.8, delta=0.1, scenario_count=7, icc=0.1))
    assert too_few["repeat"] is None and too_few["scenarios_needed"] == 21  # K > 202 · 0.1
    five = plan(PlanInput(baseline=0.5, delta=0.4, scenario_count=5, icc=0.0))
    assert five["repeat"] is None and five["min_scenarios"] == 6  # 2 / 2^5 > 0.05: never significant


def test_any_delta_is_planned_in_under_a_second() -> None:
    import time

    for delta in (0.01, 0.001, 0.0001):
        start = time.process_time()
        result = plan(PlanInput(baseline=0.8, delta=delta))
        assert time.process_time() - start < 1.0, delta
        assert result["power_method"] == "normal approximation"
        assert 0.79 < result["exact_power"] < 0.81


def test_the_normal_approximation_joins_the_exact_power() -> None:
    n = 2000
    exact = exact_power(n, 0.03, 0.2, 0.05)
    approx = exact_power(n + 1, 0.03, 0.2, 0.05)
    assert abs(exact - approx) < 0.015  # the exact test is discrete and a little conservative


def test_exact_power_by_hand_on_a_tiny_case() -> None:
    # n = 10, ψ = 0.5, δ = 0.5: every discordant pair favours B. The exact test rejects (p < 0.05) from
    # m = 6 discordant pairs on (2/64 = 0.031; m = 5 gives 2/32 = 0.0625), so power = P(Bin(10, ½) ≥ 6)
    assert exact_power(10, 0.5, 0.5, 0.05) == pytest.approx((210 + 120 + 45 + 10 + 1) / 1024)


def test_planned_n_has_the_promised_power_in_simulation() -> None:
    # 0.8 → 0.9 with ψ = 0.26: p(A right, B wrong) = 0.08, p(A wrong, B right) = 0.18
    n = plan(PlanInput(baseline=0.8, delta=0.1))["n"]
    rng = random.Random(7)
    trials, rejected = 2000, 0
    for _ in range(trials):
        a_only = b_only = 0
        for _ in range(n):
            u = rng.random()
            a_only += u < 0.08
            b_only += 0.08 <= u < 0.26
        rejected += mcnemar_exact(a_only, b_only) < 0.05
    simulated = rejected / trials
    expected = exact_power(n, 0.1, 0.26, 0.05)
    assert abs(simulated - expected) < 0.03, (simulated, expected)
    assert 0.74 < simulated < 0.86  # the exact test is conservative, a little under the 0.8 target


def test_plan_cli_text_and_json() -> None:
    result = cli("plan", "--baseline", "0.8", "--delta", "0.1", "--scenario-count", "138")
    assert result.exit_code == 0, result.output
    assert "samples per provider: 202" in result.output
    assert "138 scenarios × --repeat 2 = 276 samples" in result.output
    assert_fits(result.output)
    data = cli_json("plan", "--baseline", "0.8", "--delta", "0.1", "--power", "0.9", "--alpha", "0.01")
    # (2.575829·√0.26 + 1.281552·√0.25)² / 0.01 = (1.313419 + 0.640776)² / 0.01 = 381.89 → 382
    assert data["n"] == 382


@pytest.mark.parametrize(("args", "field"), [
    (["--baseline", "1.2", "--delta", "0.1"], "--baseline"),
    (["--baseline", "0.95", "--delta", "0.1"], "--delta"),
    (["--baseline", "0.8", "--delta", "0"], "--delta"),
    (["--baseline", "0.8", "--delta", "0.1", "--power", "1"], "--power"),
    (["--baseline", "0.8", "--delta", "0.1", "--discordance", "0.05"], "--discordance"),
])
def test_plan_bad_input_exits_2_with_one_line(args: list[str], field: str) -> None:
    result = cli("plan", *args)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and field in result.stderr
    assert "Traceback" not in result.output
