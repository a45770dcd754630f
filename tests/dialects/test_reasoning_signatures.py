"""Signed reasoning between tool calls: the recorder sends every signature back exactly as received, the
simulator signs its thinking and refuses a history whose signature fails, and the scorer names that 400 as
`reasoning_signature`, charged to the provider whose earlier answer carried the bad signature."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from simkit import fixture_scenarios, profiles, providers_for
from test_dialects_sim import dialect_providers

from replaykit import RecordOptions, normalize, record, score_runs
from replaykit.cassettes.model import Attempt
from replaykit.errors import ProfileError
from replaykit.normalize.classify import status_error_class
from replaykit.score.sample import SampleScore
from replaykit.sim import SimServer, parse_profiles

APIS = ("openai-chat", "anthropic-messages", "openai-responses", "gemini")
SIGNED = ("signature", "encrypted_content", "thoughtSignature", "reasoning_content")


def _providers(sim: SimServer, api: str, name: str = "p", **overrides: Any) -> list[Any]:
    if api == "openai-chat":
        return providers_for(sim.base_url, name, **overrides)
    return dialect_providers(sim, api, name, **overrides)


def _signed(value: Any) -> Iterator[str]:
    """Every signature-like string in a native turn."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in SIGNED and isinstance(item, str):
                yield item
            else:
                yield from _signed(item)
    elif isinstance(value, list):
        for item in value:
            yield from _signed(item)


def _contains(haystack: Any, needle: Any) -> bool:
    """`needle` appears as a value somewhere inside `haystack` (the native turn inside the next request)."""
    if haystack == needle:
        return True
    if isinstance(haystack, dict):
        return any(_contains(v, needle) for v in haystack.values())
    if isinstance(haystack, list):
        return any(_contains(v, needle) for v in haystack) or (
            isinstance(needle, list) and len(needle) <= len(haystack)
            and any(haystack[i:i + len(needle)] == needle for i in range(len(haystack))))
    return False


def _native_part(attempt: Attempt, api: str) -> Any:
    """What of an answer's native turn goes back as it is: the whole turn (chat: its reasoning_content)."""
    native = normalize(attempt).native_turn
    return native["reasoning_content"] if api == "openai-chat" else native


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize("stream", [True, False])
def test_the_recorder_sends_every_signature_back_byte_exact_over_a_3_turn_chain(
        tmp_path: Path, api: str, stream: bool) -> None:
    scenarios = fixture_scenarios().select(category="multi_turn")
    with SimServer(profiles=profiles(p={"thinking": True}), scenarios=scenarios, time_scale=0) as sim:
        run = record(list(scenarios), _providers(sim, api, stream=stream), tmp_path / "run",
                     options=RecordOptions(repeat=2))
        ledger = sim.ledger()
    assert all(r["status"] == 200 and not r["faults"] for r in ledger), ledger  # every signature verified
    chains = 0
    for cassette in run.iter_cassettes():
        assert not isinstance(cassette, Exception)
        attempts = cassette.attempts
        assert [a.step for a in attempts] == [0, 1, 2] and all(normalize(a).ok for a in attempts)
        for previous, following in itertools.pairwise(attempts):
            sent = following.request["body"]
            native = _native_part(previous, api)
            signatures = list(_signed(normalize(previous).native_turn))
            assert signatures and all(signatures), "a thinking answer carries a signature"
            for signature in signatures:  # byte for byte in the next request's body
                assert signature in sent or orjson.dumps(signature).decode()[1:-1] in sent
            assert _contains(orjson.loads(sent), native), "the turn goes back exactly as received"
        chains += 1
    assert chains == 2


def _samples(root: Path) -> list[SampleScore]:
    found: list[SampleScore] = []
    score_runs([root], on_sample=found.append, jobs=1)
    return found


ERROR_SHAPE = {
    "openai-chat": lambda body: body["error"]["code"] == 400,
    "anthropic-messages": lambda body: body["type"] == "error" and body["error"]["type"] == "invalid_request_error",
    "openai-responses": lambda body: body["error"]["type"] == "invalid_request_error",
    "gemini": lambda body: body["error"]["code"] == 400 and body["error"]["status"] == "INVALID_ARGUMENT",
}


@pytest.mark.parametrize("api", APIS)
def test_a_bad_signature_is_refused_next_turn_and_charged_to_the_answer_that_carried_it(
        tmp_path: Path, api: str) -> None:
    scenarios = fixture_scenarios()
    table = {"thinking": True, "effects": {"reasoning_signature": 1.0}}
    with SimServer(profiles=profiles(p=table), scenarios=scenarios, time_scale=0, seed=5) as sim:
        run = record(list(scenarios), _providers(sim, api), tmp_path / "run", options=RecordOptions(repeat=10))
        ledger = sim.ledger()
    rejected = [r for r in ledger if "signature_rejected" in r["faults"]]
    assert rejected and all(r["status"] == 400 for r in rejected)
    messages = set()
    refused = 0
    for cassette in run.iter_cassettes():
        assert not isinstance(cassette, Exception)
        for attempt in cassette.attempts:
            outcome = normalize(attempt)
            if attempt.status == 400:
                assert outcome.error_class == "reasoning_signature", outcome.error_message
                assert ERROR_SHAPE[api](orjson.loads(attempt.body))
                assert attempt.step > 0  # the turn that sent the bad signature back, not the one that made it
                messages.add(outcome.error_message)
                refused += 1
        steps = [a.step for a in cassette.attempts]
        assert len(steps) == len(set(steps)), "a refused signature is not retried: the same history fails again"
    assert refused == len(rejected)
    if api != "openai-chat":  # corrupted, empty and missing signatures are each refused in the dialect's words
        assert len(messages) >= 2, messages
    data = score_runs([run.root]).data["providers"]["p"]
    assert data["errors"]["reasoning_signature"] == refused
    blamed = [s for s in _samples(run.root) if s.signature_from]
    assert len(blamed) == refused and all(s.to_json()["reasoning_signature_from"] == ["p"] for s in blamed)
    assert all(not s.usable for s in blamed)


def test_the_blame_goes_to_the_provider_whose_answer_carried_the_signature(tmp_path: Path) -> None:
    """The refused attempt's facts name the provider of the previous turn's answer (the one that signed)."""
    scenarios = fixture_scenarios().select(category="multi_turn")
    table = {"thinking": True, "effects": {"reasoning_signature": 1.0}}
    with SimServer(profiles=profiles(p=table), scenarios=scenarios, time_scale=0) as sim:
        run = record(list(scenarios), _providers(sim, "anthropic-messages"), tmp_path / "run")
    samples = _samples(run.root)
    assert samples and all(s.signature_from == ["p"] for s in samples)
    facts = [a for s in samples for a in s.attempts if a.error_class == "reasoning_signature"]
    assert facts and all(a.blame == "p" and a.step == 1 for a in facts)


@pytest.mark.parametrize(("status", "message", "expected"), [
    (400, "messages.1.content.0: Invalid `signature` in `thinking` block", "reasoning_signature"),
    (400, "messages.3.content.0.thinking.signature: Field required", "reasoning_signature"),
    (400, "Corrupted thought signature.", "reasoning_signature"),
    (400, "Function call is missing a thought_signature in functionCall parts.", "reasoning_signature"),
    (400, "The encrypted content for item rs_1 could not be verified.", "reasoning_signature"),
    (400, "Missing `reasoning_content` field in the assistant message at message index 2", "reasoning_signature"),
    (400, "max_tokens: must be positive", "client_error"),
    (401, "invalid signature on the API key", "client_error"),
    (500, "signature service down", "server_error"),
])
def test_a_400_about_reasoning_signatures_is_its_own_class(status: int, message: str, expected: str) -> None:
    assert status_error_class(status, message) == expected


def test_the_thinking_key_is_checked() -> None:
    with pytest.raises(ProfileError, match=r"profiles\.p\.thinking"):
        parse_profiles({"profiles": {"p": {"thinking": "yes"}}}, "f.toml")
    assert parse_profiles({"profiles": {"p": {"effects": {"reasoning_signature": 0.1}}}}).profiles[0].thinks


@pytest.mark.parametrize("second", ["anthropic-messages", "openai-chat"])
def test_in_a_fallback_chain_the_blame_goes_to_the_hop_that_signed_not_the_one_refused(
        tmp_path: Path, second: str) -> None:
    """a+b, where a signs badly: the next turn is refused by a and then by b (the history still holds a's
    answer; b of the same dialect or another), and both refusals are charged to a — b only received it."""
    scenarios = fixture_scenarios().select(category="multi_turn")
    table = {"a": {"thinking": True, "effects": {"reasoning_signature": 1.0}}, "b": {"thinking": True}}
    with SimServer(profiles=profiles(**table), scenarios=scenarios, time_scale=0) as sim:
        providers = [*dialect_providers(sim, "anthropic-messages", "a"), *_providers(sim, second, "b")]
        run = record(list(scenarios), providers, tmp_path / "run", options=RecordOptions(fallback=["a", "b"]))
    samples = _samples(run.root)
    assert samples and all(s.provider == "a+b" for s in samples)
    refused = [a for s in samples for a in s.attempts if a.error_class == "reasoning_signature"]
    assert {a.provider for a in refused} == {"a", "b"}  # each hop refused the history a signed
    assert refused and all(a.blame == "a" for a in refused), [(a.provider, a.blame) for a in refused]
    assert all(s.signature_from == ["a"] for s in samples if any(a.error_class for a in s.attempts))
