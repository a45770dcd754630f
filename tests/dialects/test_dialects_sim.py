"""Every dialect end to end against the simulator: recorded, scored, replayed through stock vcrpy, verified,
packed, diffed against a chat-completions run; the fault matrix per dialect."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner
from simkit import fixture_scenarios, profiles, providers_for

from replaykit import RecordOptions, load_run, normalize, record, score_runs
from replaykit.cli import main
from replaykit.share.pack import pack_run
from replaykit.share.verify import verify_run
from replaykit.sim import SimServer

DIALECTS = ("anthropic-messages", "openai-responses", "gemini")
# every way a dialect streams: Gemini also without alt=sse, one JSON array (`stream_format = "json-array"`)
STREAMS = (*DIALECTS, "gemini-json-array")
EFFECT_CLASS = {
    "server_error": "server_error", "rate_limited": "rate_limited", "timeout": "timeout",
    "malformed_body": "malformed_body", "stream_cut": "stream_cut", "stream_error": "stream_error",
}


def dialect_providers(sim: SimServer, api: str, *names: str, **overrides: Any) -> list[Any]:
    """Providers of the dialect: Gemini's base URL is `/v1beta`, the others `/v1` (routing pins the profile)."""
    if api == "gemini-json-array":
        api, overrides = "gemini", {**overrides, "stream_format": "json-array"}
    base = f"{sim.url}/v1beta" if api == "gemini" else f"{sim.url}/v1"
    return providers_for(base, *names, api=api, **overrides)


@pytest.mark.parametrize("api", STREAMS)
@pytest.mark.parametrize("stream", [True, False])
def test_a_clean_provider_scores_perfectly_in_every_dialect(tmp_path: Path, api: str, stream: bool) -> None:
    scenarios = fixture_scenarios()
    with SimServer(profiles=profiles(clean={}), scenarios=scenarios, time_scale=0) as sim:
        providers = dialect_providers(sim, api, "clean", stream=stream)
        run = record(list(scenarios), providers, tmp_path / "run", options=RecordOptions(repeat=2))
    data = score_runs([run.root]).data["providers"]["clean"]
    assert data["success"]["value"] == 1.0, data
    assert data["error_rate"]["value"] == 0.0
    for cassette in run.iter_cassettes():
        assert not isinstance(cassette, Exception)
        for attempt in cassette.attempts:
            assert normalize(attempt).usage["completion_tokens"] > 0
            if stream:
                assert attempt.timing["ttft_ms"] is not None


@pytest.mark.parametrize("api", DIALECTS)
def test_multi_turn_sends_the_native_turn_back_and_results_in_the_dialect(tmp_path: Path, api: str) -> None:
    scenarios = fixture_scenarios().select(category="multi_turn")
    with SimServer(profiles=profiles(ok={}), scenarios=scenarios, time_scale=0) as sim:
        run = record(list(scenarios), dialect_providers(sim, api, "ok"), tmp_path / "run")
    seen = 0
    for cassette in run.iter_cassettes():
        assert not isinstance(cassette, Exception)
        first, second = cassette.attempts[0], cassette.attempts[1]
        body = orjson.loads(second.request["body"])
        native = normalize(first).native_turn
        calls = normalize(first).calls
        if api == "anthropic-messages":
            assert body["messages"][1] == {"role": "assistant", "content": native}
            results = [b for b in body["messages"][2]["content"] if b["type"] == "tool_result"]
            assert [b["tool_use_id"] for b in results] == [c.id for c in calls]
        elif api == "openai-responses":
            assert body["input"][1:1 + len(native)] == native
            outputs = [i for i in body["input"] if i.get("type") == "function_call_output"]
            assert [o["call_id"] for o in outputs] == [c.id for c in calls]
        else:
            assert body["contents"][1] == native
            responses = body["contents"][2]["parts"]
            assert [p["functionResponse"]["name"] for p in responses] == [c.name for c in calls]
        seen += 1
    assert seen


def _expected(record_: dict[str, Any]) -> str:
    fault = next((f for f in record_["faults"] if f in EFFECT_CLASS), None)
    if fault == "stream_error" and not record_["stream"]:
        return "server_error"  # a 200 JSON body carrying an error is classified by what it says
    return EFFECT_CLASS[fault] if fault else "ok"


@pytest.mark.parametrize("api", STREAMS)
def test_fault_matrix_every_injected_fault_is_on_disk_with_its_class(tmp_path: Path, api: str) -> None:
    table = {"effects": {"server_error": 0.10, "rate_limited": {"rate": 0.08, "retry_after_s": 0.01},
                         "stream_cut": 0.08, "stream_error": 0.08, "malformed_body": 0.08,
                         "timeout": {"rate": 0.04, "stall_s": 6.0}, "invalid_json_args": 0.1}}
    scenarios = fixture_scenarios()
    with SimServer(profiles=profiles(faulty=table), scenarios=scenarios, seed=3, time_scale=1.0) as sim:
        # a generous client timeout: on a loaded machine a normal answer must not pass for a stalled one
        providers = dialect_providers(sim, api, "faulty", timeout=2.5)
        for stream in (True, False):
            opts = RecordOptions(repeat=8, seed=1, max_retries=2, backoff_base=0.0, stream=stream)
            record(list(scenarios), providers, tmp_path / f"run-{stream}", options=opts)
        served = sim.counts()["faulty"]
        ledger = sim.ledger()
    classes: Counter[str] = Counter()
    on_disk = 0
    for stream in (True, False):
        for cassette in load_run(tmp_path / f"run-{stream}").iter_cassettes():
            assert not isinstance(cassette, Exception)
            for attempt in cassette.attempts:
                on_disk += 1
                classes[normalize(attempt).error_class or "ok"] += 1
    assert on_disk == served, "attempts on disk must equal the requests the simulator served"
    assert classes == Counter(_expected(r) for r in ledger if r["profile"] == "faulty")
    for cls in EFFECT_CLASS.values():
        assert classes[cls] > 0, f"the test should have seen {cls}"


@pytest.mark.parametrize("api", STREAMS)
def test_replays_verifies_packs_and_diffs_against_chat(tmp_path: Path, api: str) -> None:
    scenarios = fixture_scenarios()
    table = {"effects": {"wrong_type": 0.3, "stream_cut": 0.1, "invalid_json_args": 0.1}}
    with SimServer(profiles=profiles(p={**table}), scenarios=scenarios, seed=2, time_scale=0) as sim:
        chat = providers_for(sim.base_url, "p")
        record(list(scenarios), chat, tmp_path / "chat", options=RecordOptions(repeat=2, max_retries=1))
        other = dialect_providers(sim, api, "p")
        run = record(list(scenarios), other, tmp_path / "other", options=RecordOptions(repeat=2, max_retries=1))
    report = verify_run(run.root, replay=True)
    assert report.ok, report
    pack_run(run.root, tmp_path / "run.tar.gz")
    assert (tmp_path / "run.tar.gz").stat().st_size > 0
    result = CliRunner().invoke(main, ["diff", f"{tmp_path / 'chat'}:p", f"{run.root}:p", "--json"])
    assert result.exit_code == 0, result.output
    assert orjson.loads(result.output)


@pytest.mark.parametrize(("api", "header"), [("anthropic-messages", "x-api-key"), ("gemini", "x-goog-api-key"),
                                             ("openai-responses", "authorization")])
def test_each_dialects_key_header_is_sent_and_never_stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           api: str, header: str) -> None:
    key = "sk-dialect-secret-0123456789abcdef"
    monkeypatch.setenv("DIALECT_TEST_KEY", key)
    scenarios = fixture_scenarios().select(category="single")
    with SimServer(profiles=profiles(ok={}), scenarios=scenarios, time_scale=0) as sim:
        providers = dialect_providers(sim, api, "ok", api_key_env="DIALECT_TEST_KEY")
        run = record(list(scenarios), providers, tmp_path / "run")
    for path in run.cassette_files():
        assert key.encode() not in path.read_bytes()
    for cassette in run.iter_cassettes():
        assert not isinstance(cassette, Exception)
        headers = cassette.attempts[0].request["headers"]
        assert headers[header] == ["<redacted>"]
        if api == "anthropic-messages":
            assert headers["anthropic-version"] == ["2023-06-01"]


def test_a_provider_file_names_its_dialect_and_a_wrong_one_is_refused(tmp_path: Path) -> None:
    from replaykit.errors import ProviderConfigError
    from replaykit.packaged import packaged
    from replaykit.providers import load_providers, parse_providers

    shipped = load_providers(packaged("providers/anthropic-compatible.toml"))
    assert {p.api for p in shipped} == {"anthropic-messages"}
    assert all(p.base_url.endswith("/v1") and p.api_key_env for p in shipped)
    with pytest.raises(ProviderConfigError, match="api") as err:
        parse_providers({"providers": {"x": {"base_url": "https://h/v1", "model": "m", "api": "anthropic"}}}, "f")
    assert "providers.x.api" in str(err.value)


def test_the_dialect_of_a_recorded_request_is_told_by_its_url() -> None:
    from replaykit.normalize.dialects import api_of

    assert api_of({"uri": "https://api.anthropic.com/v1/messages?beta=true"}) == "anthropic-messages"
    assert api_of({"uri": "https://api.openai.com/v1/responses"}) == "openai-responses"
    assert api_of({"uri": "https://api.openai.com/v1/responses/resp_1?stream=false"}) == "openai-responses"
    assert api_of({"uri": "https://g/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"}) == "gemini"
    assert api_of({"uri": "https://openrouter.ai/api/v1/chat/completions"}) == "openai-chat"
    assert api_of({"uri": None}) == "openai-chat"


def test_gemini_without_alt_sse_streams_one_json_array_timed_by_element(tmp_path: Path) -> None:
    scenarios = fixture_scenarios()
    with SimServer(profiles=profiles(slow={"ttft_ms": {"median": 400}, "tps": {"median": 60}}),
                   scenarios=scenarios, time_scale=1.0) as sim:
        run = record(list(scenarios.select(category="single")), dialect_providers(sim, "gemini-json-array", "slow"),
                     tmp_path / "run")
    seen = 0
    for cassette in run.iter_cassettes():
        assert not isinstance(cassette, Exception)
        for attempt in cassette.attempts:
            assert attempt.request["uri"].endswith(":streamGenerateContent")  # no alt=sse
            assert attempt.response_headers["content-type"] == ["application/json"]
            body = attempt.body
            assert body.startswith("[{\n") and "\n,\r\n{\n" in body and body.endswith("\n]")
            elements = orjson.loads(body)
            assert isinstance(elements, list) and len(elements) == len(attempt.timing["events_ms"]) >= 2
            outcome = normalize(attempt)
            assert outcome.ok and outcome.calls and outcome.finish_reason == "tool_calls"
            # TTFT is the first element with text or a functionCall: the simulated 400 ms, not the `[` at once
            ttft = attempt.timing["ttft_ms"]
            assert ttft is not None and 350 <= ttft <= attempt.timing["events_ms"][-1]
            assert attempt.timing["ttfb_ms"] < ttft - 200
            seen += 1
    assert seen
