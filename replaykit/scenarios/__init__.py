"""Scenarios: the model, the loader, matchers and the canonical hash."""

from replaykit.scenarios.loader import (
    ScenarioSet,
    load_file,
    load_scenarios,
    scenario_files,
    scenarios_from_snapshot,
    validate_paths,
)
from replaykit.scenarios.model import CATEGORIES, Expectation, ExpectedCall, Scenario, ToolResult

__all__ = [
    "CATEGORIES", "Expectation", "ExpectedCall", "Scenario", "ScenarioSet", "ToolResult", "load_file",
    "load_scenarios", "scenario_files", "scenarios_from_snapshot", "validate_paths",
]
