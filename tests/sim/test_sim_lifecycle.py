"""SimServer starts fast, serves both URL prefixes, and stops cleanly even with requests in flight."""

from __future__ import annotations

import threading
import time

import httpx
import pytest
from sim_helpers import PROFILES, body_for, fixture_scenarios, ideal_profiles

from replaykit.errors import BadInputError
from replaykit.sim import SimServer

SCENARIOS = fixture_scenarios()


def _sim_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("replaykit-sim-")]


def test_starts_fast_and_stops_without_leaking_threads() -> None:
    start = time.monotonic()
    sim = SimServer(PROFILES, SCENARIOS, time_scale=0).start()
    assert time.monotonic() - start < 1.0
    assert sim.base_url == f"http://127.0.0.1:{sim.port}/api/v1" and sim.port > 0
    assert httpx.get(sim.url + "/v1/models").status_code == 200
    sim.stop()
    assert not _sim_threads()
    with pytest.raises(httpx.ConnectError):
        httpx.get(sim.url + "/v1/models")


def test_stop_with_a_stalled_request_in_flight() -> None:
    profiles = ideal_profiles(effects={"timeout": {"rate": 1.0, "stall_s": 60}})
    scenario = SCENARIOS.get("fx.weather")
    assert scenario is not None
    with SimServer(profiles, SCENARIOS, time_scale=1.0) as sim:
        outcome: list[object] = []

        def call() -> None:
            try:
                response = httpx.post(sim.base_url + "/chat/completions", json=body_for(scenario), timeout=30)
                outcome.append(response.status_code)
            except httpx.HTTPError as err:
                outcome.append(err)
        caller = threading.Thread(target=call)
        caller.start()
        time.sleep(0.3)
        start = time.monotonic()
    assert time.monotonic() - start < 5.0 and not _sim_threads()
    caller.join(timeout=10)
    assert not caller.is_alive() and outcome  # the stalled client got its answer: 503, or a closed connection
    assert outcome[0] == 503 or isinstance(outcome[0], httpx.HTTPError)


def test_a_busy_port_is_bad_input() -> None:
    with SimServer(PROFILES, SCENARIOS, time_scale=0) as sim, \
            pytest.raises(BadInputError, match="cannot listen"):
        SimServer(PROFILES, SCENARIOS, port=sim.port).start()
