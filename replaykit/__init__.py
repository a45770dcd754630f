"""replaykit: record-and-replay evaluation of LLM providers' tool calling.

The public Python API is what this module exports; everything else is private and may change.
"""

__version__ = "0.1.0"

from replaykit.errors import (  # noqa: E402
    BadInputError,
    CassetteError,
    ProviderConfigError,
    ReplaykitError,
    ScenarioError,
)
from replaykit.providers import Provider, ProviderSet, load_providers  # noqa: E402
from replaykit.scenarios import Scenario, ScenarioSet, load_scenarios  # noqa: E402

__all__ = [
    "BadInputError", "CassetteError", "Provider", "ProviderConfigError", "ProviderSet", "ReplaykitError",
    "Scenario", "ScenarioError", "ScenarioSet", "__version__", "load_providers", "load_scenarios",
]
