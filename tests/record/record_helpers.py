"""Shared pieces of the recorder tests (the simulator helpers themselves are in tests/simkit.py)."""

from __future__ import annotations

from pathlib import Path

from simkit import FIXTURES, REPO, fixture_scenarios, profiles, providers_for

__all__ = ["EFFECT_CLASS", "FIXTURES", "REPO", "fixture_scenarios", "profiles", "provider_file", "providers_for"]

# What each HTTP-level effect the simulator injects must be classified as, once on disk.
EFFECT_CLASS = {
    "server_error": "server_error", "server_error_burst": "server_error", "downtime": "server_error",
    "rate_limited": "rate_limited", "timeout": "timeout", "malformed_body": "malformed_body",
    "stream_cut": "stream_cut", "stream_error": "stream_error",
}


def provider_file(path: Path, base_url: str, extra: str = "") -> Path:
    """A provider file with one provider `p` pinned to the simulator's profile `p`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'[defaults]\nbase_url = "{base_url}"\nmodel = "m"\n{extra}\n'
                    '[providers.p]\nrouting = { only = ["p"] }\n')
    return path
