"""Shared pieces of the compare tests: simulator runs, and runs written by hand for exact expectations."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import simkit
from click.testing import CliRunner, Result
from simkit import fixture_scenarios, profiles

from replaykit import RecordOptions, record
from replaykit.cassettes.model import Attempt, Cassette, SampleId
from replaykit.cassettes.run import Run
from replaykit.cli import main
from replaykit.providers import Provider
from replaykit.scenarios import ScenarioSet
from replaykit.sim import SimServer

URL = "http://127.0.0.1:9/api/v1/chat/completions"


PRICE = {"input_per_mtok": 1.0, "output_per_mtok": 2.0}


def providers_for(base_url: str, *names: str, **overrides: Any) -> list[Provider]:
    """Priced providers: the compare tests check cost differences."""
    return simkit.providers_for(base_url, *names, price=PRICE, **overrides)


def sim_run(out: Path, tables: dict[str, dict[str, Any]], *, repeat: int, seed: int = 0, record_seed: int = 0,
            scenarios: ScenarioSet | None = None, time_scale: float = 0.0, **options: Any) -> Run:
    """Record every profile of `tables` (one provider each) against a fresh simulator."""
    chosen = scenarios or fixture_scenarios()
    with SimServer(profiles=profiles(**tables), scenarios=chosen, seed=seed, time_scale=time_scale) as sim:
        providers = providers_for(sim.base_url, *tables)
        opts = RecordOptions(repeat=repeat, seed=record_seed, backoff_base=0.0, **options)
        return record(list(chosen), providers, out, options=opts)


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def cli_json(*args: str) -> dict[str, Any]:
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def assert_fits(text: str, width: int = 100) -> None:
    for line in text.splitlines():
        assert len(line) <= width, f"{len(line)} columns: {line!r}"


# --- runs written by hand ----------------------------------------------------------------------------

def call(name: str, args: dict[str, Any] | str) -> dict[str, Any]:
    raw = args if isinstance(args, str) else json.dumps(args)
    return {"id": f"call_{re.sub(r'[^a-z]', '', name)}", "type": "function",
            "function": {"name": name, "arguments": raw}}


def answer(calls: Sequence[dict[str, Any]] = (), *, total_ms: float = 100.0, wait_ms: float = 0.0,
           cost: float | None = None, text: str | None = None, step: int = 0, provider: str = "",
           retry: int = 0) -> Attempt:
    """A 200 JSON chat completion with these tool calls (or text)."""
    message = {"role": "assistant", "content": text, "tool_calls": list(calls) or None}
    body: dict[str, Any] = {"id": "gen-1", "object": "chat.completion", "model": "qwen/qwen3-coder",
                            "choices": [{"index": 0, "message": message,
                                         "finish_reason": "tool_calls" if calls else "stop"}]}
    if cost is not None:
        body["usage"] = {"prompt_tokens": 10, "completion_tokens": 5, "cost": cost}
    return _attempt(200, json.dumps(body), total_ms, wait_ms, step, provider, retry)


def failure(status: int = 503, *, total_ms: float = 50.0, wait_ms: float = 0.0, step: int = 0,
            provider: str = "", retry: int = 0, cost: float | None = None) -> Attempt:
    body: dict[str, Any] = {"error": {"code": status, "message": "unavailable"}}
    if cost is not None:  # some providers bill failed attempts
        body["usage"] = {"prompt_tokens": 10, "completion_tokens": 0, "cost": cost}
    return _attempt(status, json.dumps(body), total_ms, wait_ms, step, provider, retry)


def _attempt(status: int, body: str, total_ms: float, wait_ms: float, step: int, provider: str,
             retry: int) -> Attempt:
    return Attempt(request={"method": "POST", "uri": URL, "body": "{}", "headers": {}}, status=status,
                   reason="OK" if status == 200 else "Error",
                   response_headers={"Content-Type": ["application/json"]}, body=body,
                   timing={"started_at": 0.0, "ttfb_ms": total_ms, "ttft_ms": None, "total_ms": total_ms},
                   step=step, provider=provider, retry=retry, wait_ms=wait_ms)


def write_run(out: Path, samples: dict[str, dict[tuple[str, int], list[Attempt]]],
              scenarios: ScenarioSet | None = None) -> Path:
    """A run folder holding exactly these samples: provider -> (scenario, repetition) -> attempts."""
    chosen = scenarios or fixture_scenarios()
    run = Run(out, {"run_id": out.name, "status": "complete", "started_at": "2025-01-01T00:00:00+00:00",
                    "providers": {p: {"model": "qwen/qwen3-coder"} for p in samples},
                    "scenarios": {s.id: s.hash for s in chosen}, "params": {}, "cassettes": {}})
    out.mkdir(parents=True, exist_ok=True)
    run.write_scenarios([s.raw for s in chosen])
    for provider, by_key in samples.items():
        for (sid, rep), attempts in by_key.items():
            scenario = chosen.get(sid)
            assert scenario is not None, sid
            for a in attempts:
                a.provider = a.provider or provider
            run.write_cassette(Cassette(SampleId(provider, sid, rep, scenario.hash), attempts))
    run.save()
    return out


WEATHER_OK = {"city": "Paris", "days": 3}
WRONG = {"city": "Paris", "days": "3"}  # the wrong-type fault: "3" for 3


def weather_copies(count: int) -> ScenarioSet:
    """`count` scenarios like fx.weather (fx.weather.00, .01, …): one sample per scenario is one cluster."""
    from replaykit.scenarios.loader import scenarios_from_snapshot

    raw = fixture_scenarios().select(pattern="fx.weather").scenarios[0].raw
    return scenarios_from_snapshot([raw | {"id": f"fx.weather.{i:02d}"} for i in range(count)], "copies")
