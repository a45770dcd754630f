"""Gates on constructed score results: direction as written, per provider, missing values said as such."""

from __future__ import annotations

from replaykit.score.gates import evaluate, junit_xml, parse_gate

PROVIDERS = {
    "good": {"error_rate": {"value": 0.0075}, "success": {"value": 0.95}, "ttft_ms": {"p50": 420.0},
             "cost_usd": {"per_sample": 0.0004}},
    "bad": {"error_rate": {"value": 0.26}, "success": {"value": 0.7}, "ttft_ms": {"p50": None},
            "cost_usd": {"per_sample": None}},
}


def test_lower_is_better_gates_fail_the_worse_provider() -> None:
    """`--fail-under error_rate=0.1` failed the provider with 0.75% errors and passed the one with 26%."""
    (good, bad) = sorted(evaluate([parse_gate("error_rate<=0.1")], PROVIDERS), key=lambda v: v.provider != "good")
    assert good.passed and not bad.passed


def test_a_missing_value_fails_and_says_so() -> None:
    verdicts = {v.provider: v for v in evaluate([parse_gate("ttft_ms.p50<=800")], PROVIDERS)}
    assert verdicts["good"].passed
    assert not verdicts["bad"].passed
    assert verdicts["bad"].message == "bad: ttft_ms.p50 has no value (nothing measured), gate ttft_ms.p50<=800"


def test_a_named_provider_is_the_only_one_gated() -> None:
    verdicts = evaluate([parse_gate("good:success>=0.9"), parse_gate("cost_usd.per_sample<=0.001")], PROVIDERS)
    assert [(v.provider, v.gate.metric, v.passed) for v in verdicts] == [
        ("good", "success", True), ("bad", "cost_usd.per_sample", False), ("good", "cost_usd.per_sample", True)]


def test_junit_has_one_case_per_provider_and_gate() -> None:
    xml = junit_xml(evaluate([parse_gate("success>=0.9")], PROVIDERS))
    assert 'tests="2" failures="1"' in xml
    assert '<testcase classname="bad" name="success&gt;=0.9"><failure message="bad: success = 0.7 fails' in xml
