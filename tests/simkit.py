"""What tests across folders need to run against the simulator: fixture scenarios, profiles, providers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from replaykit.providers import Provider, parse_providers
from replaykit.scenarios import ScenarioSet, load_scenarios
from replaykit.sim import ProfileSet, parse_profiles

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "scenarios"


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


def providers_for(base_url: str, *names: str, price: dict[str, float] | None = None,
                  **overrides: Any) -> list[Provider]:
    """One provider per profile name, pinned to it with OpenRouter's routing object."""
    table: dict[str, dict[str, Any]] = {n: {"routing": {"only": [n], "allow_fallbacks": False}} for n in names}
    if price:
        for entry in table.values():
            entry["price"] = price
    defaults = {"base_url": base_url, "model": "qwen/qwen3-coder", "timeout": 10.0, "max_concurrency": 8,
                **overrides}
    return list(parse_providers({"defaults": defaults, "providers": table}, "<test>"))
