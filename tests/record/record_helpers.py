"""Shared pieces of the recorder tests: a simulator with test profiles, providers pointing at it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from replaykit.providers import Provider, parse_providers
from replaykit.scenarios import ScenarioSet, load_scenarios
from replaykit.sim import ProfileSet, parse_profiles

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "scenarios"

# What each HTTP-level effect the simulator injects must be classified as, once on disk.
EFFECT_CLASS = {
    "server_error": "server_error", "server_error_burst": "server_error", "downtime": "server_error",
    "rate_limited": "rate_limited", "timeout": "timeout", "malformed_body": "malformed_body",
    "stream_cut": "stream_cut", "stream_error": "stream_error",
}


def fixture_scenarios() -> ScenarioSet:
    return load_scenarios(FIXTURES)


def profiles(**tables: dict[str, Any]) -> ProfileSet:
    """Profiles by name; each table gets a display name and fast, tight timing unless given."""
    full = {}
    for name, table in tables.items():
        full[name] = {"display_name": name.title(), "ttft_ms": {"median": 20, "sigma": 0.0},
                      "tps": {"median": 5000, "sigma": 0.0},
                      "price": {"input_per_mtok": 1.0, "output_per_mtok": 2.0}, **table}
    return parse_profiles({"profiles": full}, "<test>")


def providers_for(base_url: str, *names: str, **overrides: Any) -> list[Provider]:
    table = {n: {"routing": {"only": [n], "allow_fallbacks": False}} for n in names}
    defaults = {"base_url": base_url, "model": "qwen/qwen3-coder", "timeout": 10.0, "max_concurrency": 8,
                **overrides}
    return list(parse_providers({"defaults": defaults, "providers": table}, "<test>"))
