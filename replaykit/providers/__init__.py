"""Provider configs: the model, the TOML loader, OpenRouter endpoint discovery."""

from replaykit.providers.config import Price, Provider
from replaykit.providers.loader import ProviderSet, load_providers, parse_providers

__all__ = ["Price", "Provider", "ProviderSet", "load_providers", "parse_providers"]
