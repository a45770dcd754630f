"""Shared pieces of the recorder tests (the simulator helpers themselves are in tests/simkit.py)."""

from __future__ import annotations

from simkit import FIXTURES, REPO, fixture_scenarios, profiles, providers_for

__all__ = ["EFFECT_CLASS", "FIXTURES", "REPO", "fixture_scenarios", "profiles", "providers_for"]

# What each HTTP-level effect the simulator injects must be classified as, once on disk.
EFFECT_CLASS = {
    "server_error": "server_error", "server_error_burst": "server_error", "downtime": "server_error",
    "rate_limited": "rate_limited", "timeout": "timeout", "malformed_body": "malformed_body",
    "stream_cut": "stream_cut", "stream_error": "stream_error",
}
