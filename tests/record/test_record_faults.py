"""Recording against the simulator: every injected fault lands on disk with the right class; nothing is lost."""

from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path

from record_helpers import EFFECT_CLASS, fixture_scenarios, profiles, providers_for

from replaykit import RecordOptions, load_run, normalize, record
from replaykit.sim import SimServer

FAULTY = {
    "effects": {
        "server_error": 0.10, "rate_limited": {"rate": 0.08, "retry_after_s": 0.01}, "stream_cut": 0.08,
        "stream_error": 0.06, "malformed_body": 0.06, "timeout": {"rate": 0.04, "stall_s": 3.0},
        "wrong_type": 0.2, "invalid_json_args": 0.1, "text_tool_call_hermes": 0.1,
    },
}


def _classes_on_disk(run_root: Path) -> tuple[Counter[str], dict[str, str | None], int]:
    run = load_run(run_root)
    by_generation: dict[str, str | None] = {}
    classes: Counter[str] = Counter()
    total = 0
    for cassette in run.iter_cassettes():
        assert not isinstance(cassette, Exception), cassette
        for attempt in cassette.attempts:
            total += 1
            outcome = normalize(attempt, mode=cassette.sample.mode)
            classes[outcome.error_class or "ok"] += 1
            gen = attempt.header.get("x-generation-id")
            if gen:
                by_generation[gen] = outcome.error_class
    return classes, by_generation, total


def _expected_class(ledger_record: dict[str, object]) -> str | None:
    faults = ledger_record["faults"]
    assert isinstance(faults, list)
    fault = next((f for f in faults if f in EFFECT_CLASS), None)
    if fault == "stream_error" and not ledger_record["stream"]:
        return "server_error"  # a 200 JSON body carrying an error envelope is classified by its code (502)
    return EFFECT_CLASS[fault] if fault else None


def test_every_injected_fault_is_on_disk_with_its_class(tmp_path: Path) -> None:
    scenarios = fixture_scenarios()
    with SimServer(profiles=profiles(faulty=FAULTY), scenarios=scenarios, seed=3, time_scale=1.0) as sim:
        providers = providers_for(sim.base_url, "faulty", timeout=1.0)
        for stream in (True, False):
            opts = RecordOptions(repeat=12, seed=1, max_retries=2, backoff_base=0.0, stream=stream)
            record(list(scenarios), providers, tmp_path / f"run-{stream}", options=opts)
        served = sim.counts()["faulty"]
        ledger = sim.ledger()
    classes = Counter[str]()
    by_generation: dict[str, str | None] = {}
    on_disk = 0
    for stream in (True, False):
        c, g, n = _classes_on_disk(tmp_path / f"run-{stream}")
        classes += c
        by_generation |= g
        on_disk += n
    assert on_disk == served, "attempts on disk must equal the requests the simulator served"
    expected = Counter(_expected_class(r) or "ok" for r in ledger if r["profile"] == "faulty")
    assert classes == expected
    for record_ in ledger:  # attempt by attempt, where the response carried its generation id
        if record_.get("id") in by_generation:
            assert by_generation[record_["id"]] == _expected_class(record_), record_
    for cls in ("server_error", "rate_limited", "stream_cut", "stream_error", "malformed_body", "timeout"):
        assert classes[cls] > 0, f"the test should have seen {cls}"


def test_cut_stream_is_on_disk_with_its_partial_body(tmp_path: Path) -> None:
    scenarios = fixture_scenarios()
    with SimServer(profiles=profiles(cutter={"effects": {"stream_cut": 1.0}}), scenarios=scenarios,
                   time_scale=0) as sim:
        providers = providers_for(sim.base_url, "cutter")
        run = record(list(scenarios)[:3], providers, tmp_path / "run",
                     options=RecordOptions(max_retries=1, backoff_base=0.0, stream=True))
    cassettes = [c for c in run.iter_cassettes() if not isinstance(c, Exception)]
    assert len(cassettes) == 3
    for cassette in cassettes:
        assert len(cassette.attempts) == 2  # the first try and one retry, both cut
        for attempt in cassette.attempts:
            assert attempt.status == 200
            assert attempt.body and attempt.body.startswith(": OPENROUTER PROCESSING")
            assert "[DONE]" not in attempt.body
            assert normalize(attempt).error_class == "stream_cut"


def test_retry_after_is_honoured_and_recorded(tmp_path: Path) -> None:
    scenarios = fixture_scenarios()
    table = {"effects": {"rate_limited": {"rate": 0.5, "retry_after_s": 1.0}}}
    with SimServer(profiles=profiles(limited=table), scenarios=scenarios, seed=5, time_scale=1.0) as sim:
        providers = providers_for(sim.base_url, "limited")
        run = record(list(scenarios), providers, tmp_path / "run",
                     options=RecordOptions(repeat=2, max_retries=5, backoff_base=0.0))
    waits = []
    for cassette in run.iter_cassettes():
        assert not isinstance(cassette, Exception)
        attempts = cassette.attempts
        for before, after in itertools.pairwise(attempts):
            if before.status == 429 and after.step == before.step:
                waits.append(after.wait_ms)
                assert after.retry == before.retry + 1
    assert waits, "some attempt should have been rate limited and retried"
    # Retry-After: 1 honoured as a floor, with jitter on top (up to 20% here: the backoff base is 0), so that
    # workers rate limited together do not all retry at the same instant
    assert all(1000.0 <= w <= 1200.0 for w in waits), waits
    assert len(set(waits)) == len(waits), waits
