"""`replaykit.recording(...)`: the openai SDK inside someone's own loop, captured into a run score reads."""

from __future__ import annotations

import os
from pathlib import Path

import openai
from record_helpers import fixture_scenarios, profiles

import replaykit
from replaykit.sim import SimServer

CANARY = "sk-canary-capture-0123456789abcdef0123456789"


def test_openai_sdk_traffic_becomes_a_scored_run(tmp_path: Path) -> None:
    scenarios = fixture_scenarios().select(category="single")
    out = tmp_path / "captured"
    with SimServer(profiles=profiles(p={}), scenarios=scenarios, time_scale=0) as sim:
        client = openai.OpenAI(base_url=sim.base_url, api_key=CANARY, max_retries=0)
        with replaykit.recording(out, provider="my-agent") as rec:
            for scenario in scenarios:
                for rep, stream in enumerate((False, True)):
                    with rec.sample(scenario, repetition=rep):
                        kwargs = {"model": "qwen/qwen3-coder", "messages": list(scenario.messages),
                                  "tools": list(scenario.tools), "extra_body": {"provider": {"only": ["p"]}}}
                        if stream:
                            for _ in client.chat.completions.create(stream=True, **kwargs):
                                pass
                        else:
                            client.chat.completions.create(**kwargs)
    result = replaykit.score_runs([out])
    metrics = result.data["providers"]["my-agent"]
    assert metrics["samples"] == 2 * len(scenarios)
    assert metrics["success"]["value"] == 1.0
    assert metrics["ttft_ms"]["n"] == len(scenarios)  # the streamed half has a live TTFT
    for path in out.rglob("*"):
        if path.is_file():
            assert CANARY not in path.read_text(errors="replace"), path
    assert os.path.exists(out / "run.json")
