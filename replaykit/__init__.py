"""replaykit: record-and-replay evaluation of LLM providers' tool calling.

The public Python API is what this module exports; everything else is private and may change. Most names
are imported on first use (PEP 562), so that `replaykit score` does not pay for the recorder's HTTP stack:
`from replaykit import record` works as it always does.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from replaykit.errors import (
    BadInputError,
    CassetteError,
    ProfileError,
    ProviderConfigError,
    RecordError,
    ReplaykitError,
    ScenarioError,
)

# `normalize` is both a subpackage and a function: bound now, or importing the subpackage later would
# replace the function with the module.
from replaykit.normalize import Call, Outcome, normalize

__version__ = "0.1.0"

_LAZY = {
    "Attempt": "replaykit.cassettes", "Cassette": "replaykit.cassettes", "Run": "replaykit.cassettes",
    "load_run": "replaykit.cassettes",
    "Provider": "replaykit.providers", "ProviderSet": "replaykit.providers", "load_providers": "replaykit.providers",
    "RecordOptions": "replaykit.recorder", "record": "replaykit.recorder", "resume": "replaykit.recorder",
    "Recording": "replaykit.recorder.capture", "recording": "replaykit.recorder.capture",
    "Scenario": "replaykit.scenarios", "ScenarioSet": "replaykit.scenarios", "load_scenarios": "replaykit.scenarios",
    "ScoreOptions": "replaykit.score", "ScoreResult": "replaykit.score", "score_runs": "replaykit.score",
}

if TYPE_CHECKING:
    from replaykit.cassettes import Attempt, Cassette, Run, load_run
    from replaykit.providers import Provider, ProviderSet, load_providers
    from replaykit.recorder import RecordOptions, record, resume
    from replaykit.recorder.capture import Recording, recording
    from replaykit.scenarios import Scenario, ScenarioSet, load_scenarios
    from replaykit.score import ScoreOptions, ScoreResult, score_runs


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'replaykit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # once: later lookups are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "Attempt", "BadInputError", "Call", "Cassette", "CassetteError", "Outcome", "ProfileError", "Provider",
    "ProviderConfigError", "ProviderSet", "RecordError", "RecordOptions", "Recording", "ReplaykitError", "Run",
    "Scenario", "ScenarioError", "ScenarioSet", "ScoreOptions", "ScoreResult", "__version__", "load_providers",
    "load_run", "load_scenarios", "normalize", "record", "recording", "resume", "score_runs",
]
