"""Rate limits, timeouts, downtime, bursts and in-stream errors, seen by real clients over loopback."""

from __future__ import annotations

import time
from typing import Any

import httpx
import openai
import pytest
from sim_helpers import body_for, fixture_scenarios, ideal_profiles

from replaykit.sim import SimServer

SCENARIOS = fixture_scenarios()
WEATHER = SCENARIOS.get("fx.weather")
assert WEATHER is not None


HTTP = httpx.Client()  # one client: a new one per request costs ~0.1 s of TLS setup, which skews timing


def _post(sim: SimServer, seed: int, **kwargs: Any) -> httpx.Response:
    return HTTP.post(sim.base_url + "/chat/completions", json=body_for(WEATHER, seed=seed), **kwargs)


def test_token_bucket_429_with_retry_after_then_success() -> None:
    profiles = ideal_profiles(ttft_ms=1, tps=1e6, rate_limit={"requests": 5, "per_s": 1})
    with SimServer(profiles, SCENARIOS, time_scale=1.0) as sim:
        statuses = [_post(sim, i) for i in range(8)]
        assert [r.status_code for r in statuses] == [200] * 5 + [429] * 3
        limited = statuses[-1]
        assert limited.headers["retry-after"] == "1"  # real headers carry whole seconds
        error = limited.json()["error"]
        assert error["code"] == 429 and error["metadata"]["provider_name"] == "Ideal"
        time.sleep(int(limited.headers["retry-after"]))
        assert [_post(sim, 100 + i).status_code for i in range(5)] == [200] * 5
        assert _post(sim, 200).status_code == 429
        faults = [r["faults"] for r in sim.ledger()]
        assert faults.count(["rate_limit"]) == 4 and sim.counts()["ideal"] == 14


def test_scaled_retry_after_is_a_decimal_and_honouring_it_succeeds() -> None:
    profiles = ideal_profiles(ttft_ms=1, tps=1e6, rate_limit={"requests": 2, "per_s": 10})
    with SimServer(profiles, SCENARIOS, time_scale=0.05) as sim:  # 2 per 0.5 real seconds
        assert [_post(sim, i).status_code for i in range(3)] == [200, 200, 429]
        wait = float(_post(sim, 3).headers["retry-after"])
        assert 0 < wait <= 0.25
        time.sleep(wait + 0.02)
        assert _post(sim, 4).status_code == 200


def test_random_rate_limited_effect_scales_its_retry_after() -> None:
    profiles = ideal_profiles(effects={"rate_limited": {"rate": 1.0, "retry_after_s": 4}})
    with SimServer(profiles, SCENARIOS, time_scale=0.5) as sim:
        response = _post(sim, 1)
        assert response.status_code == 429 and response.headers["retry-after"] == "2.000"
        assert sim.ledger()[-1]["faults"] == ["rate_limited"]


def test_timeout_stalls_until_the_client_gives_up() -> None:
    profiles = ideal_profiles(effects={"timeout": {"rate": 1.0, "stall_s": 3}})
    with SimServer(profiles, SCENARIOS, time_scale=1.0) as sim:
        start = time.monotonic()
        with pytest.raises(httpx.ReadTimeout):
            _post(sim, 1, timeout=0.5)
        assert 0.45 < time.monotonic() - start < 2.0
    with SimServer(profiles, SCENARIOS, time_scale=0) as sim:  # unscaled away: the stall ends in a 408
        response = _post(sim, 1)
        assert response.status_code == 408 and response.json()["error"]["code"] == 408


def test_downtime_windows_follow_the_clock() -> None:
    now = [0.0]
    profiles = ideal_profiles(effects={"downtime": {"period_s": 100, "down_s": 25}})
    with SimServer(profiles, SCENARIOS, time_scale=0, clock=lambda: now[0]) as sim:
        down = []
        for i in range(400):  # four periods, one request per simulated second
            now[0] = float(i)
            response = _post(sim, i)
            assert response.status_code in (200, 503)
            down.append(response.status_code == 503)
    assert sum(down) == 100
    for period in range(4):  # one contiguous window per period (modulo wrap-around)
        window = down[period * 100:(period + 1) * 100]
        assert sum(a != b for a, b in zip(window, window[1:] + window[:1], strict=True)) == 2


def test_bursts_fail_whole_windows() -> None:
    now = [0.0]
    profiles = ideal_profiles(effects={"server_error_burst": {"rate": 0.3, "burst_s": 10}})
    with SimServer(profiles, SCENARIOS, time_scale=0, clock=lambda: now[0]) as sim:
        windows: dict[int, set[int]] = {}
        for i in range(300):
            now[0] = i / 2
            windows.setdefault(int(now[0] // 10), set()).add(_post(sim, i).status_code)
    kinds = [frozenset(s) for s in windows.values()]
    assert all(k == {200} or k <= {500, 502, 503} for k in kinds)
    assert 2 <= sum(k != {200} for k in kinds) <= 25


def test_server_error_reaches_the_sdk_with_openrouter_metadata() -> None:
    profiles = ideal_profiles(effects={"server_error": 1.0})
    with SimServer(profiles, SCENARIOS, time_scale=0) as sim, \
            openai.OpenAI(base_url=sim.base_url, api_key="unused", max_retries=0) as client:
        with pytest.raises(openai.APIStatusError) as caught:
            client.chat.completions.create(model="qwen/qwen3-coder", messages=list(WEATHER.messages),
                                           tools=list(WEATHER.tools))  # type: ignore[arg-type]
        assert caught.value.status_code in (500, 502, 503)
        body = caught.value.body
        assert isinstance(body, dict) and body["metadata"]["provider_name"] == "Ideal"


def test_stream_error_is_a_200_stream_ending_in_an_error_event() -> None:
    profiles = ideal_profiles(effects={"stream_error": 1.0})
    with SimServer(profiles, SCENARIOS, time_scale=0) as sim:
        response = HTTP.post(sim.base_url + "/chat/completions", json=body_for(WEATHER, stream=True))
        assert response.status_code == 200
        last = response.text.strip().split("\n\n")[-1]
        assert '"finish_reason":"error"' in last and '"error":{' in last and "[DONE]" not in response.text
        with openai.OpenAI(base_url=sim.base_url, api_key="unused", max_retries=0) as client, \
                pytest.raises(openai.APIError):
            for _ in client.chat.completions.create(model="m", messages=list(WEATHER.messages),  # type: ignore
                                                    tools=list(WEATHER.tools), stream=True):  # type: ignore
                pass


def test_stream_cut_drops_the_connection_mid_stream() -> None:
    profiles = ideal_profiles(effects={"stream_cut": 1.0})
    with SimServer(profiles, SCENARIOS, time_scale=0) as sim:
        for stream in (True, False):
            with httpx.Client() as client, pytest.raises(httpx.RemoteProtocolError), \
                    client.stream("POST", sim.base_url + "/chat/completions",
                                  json=body_for(WEATHER, stream=stream)) as response:
                assert response.status_code == 200
                response.read()


def test_the_ledger_keeps_the_newest_records_and_counts_the_rest() -> None:
    with SimServer(ideal_profiles(ttft_ms=1, tps=1e6), SCENARIOS, time_scale=0, ledger_limit=3) as sim:
        ids = [_post(sim, i).json()["id"] for i in range(5)]
        assert [r["id"] for r in sim.ledger()] == ids[-3:]
        stats = sim.stats()
        assert stats["requests"] == 5 and stats["ledger_dropped"] == 2
        over_http = HTTP.get(sim.url + "/sim/ledger")
        assert [r["id"] for r in over_http.json()] == ids[-3:]
