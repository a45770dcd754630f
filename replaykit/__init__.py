"""replaykit: record-and-replay evaluation of LLM providers' tool calling.

The public Python API is what this module exports; everything else is private and may change.
"""

__version__ = "0.1.0"

from replaykit.cassettes import Attempt, Cassette, Run, load_run
from replaykit.errors import (
    BadInputError,
    CassetteError,
    ProfileError,
    ProviderConfigError,
    RecordError,
    ReplaykitError,
    ScenarioError,
)
from replaykit.normalize import Call, Outcome, normalize
from replaykit.providers import Provider, ProviderSet, load_providers
from replaykit.record import RecordOptions, record, resume
from replaykit.record.capture import Recording, recording
from replaykit.scenarios import Scenario, ScenarioSet, load_scenarios
from replaykit.score import ScoreOptions, ScoreResult, score_runs

__all__ = [
    "Attempt", "BadInputError", "Call", "Cassette", "CassetteError", "Outcome", "ProfileError", "Provider",
    "ProviderConfigError", "ProviderSet", "RecordError", "RecordOptions", "Recording", "ReplaykitError", "Run",
    "Scenario", "ScenarioError", "ScenarioSet", "ScoreOptions", "ScoreResult", "__version__", "load_providers",
    "load_run", "load_scenarios", "normalize", "record", "recording", "resume", "score_runs",
]
