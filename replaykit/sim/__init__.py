"""The provider simulator: an OpenAI/OpenRouter-compatible HTTP server on loopback whose simulated providers
(profiles) answer the scenario library with configured speed, errors and broken tool calls.

    from replaykit.sim import SimServer
    with SimServer(profiles="providers/sim-profiles.toml", scenarios="scenarios", seed=0) as sim:
        sim.base_url      # http://127.0.0.1:PORT/api/v1
        sim.counts()      # {profile: requests served}
        sim.ledger()      # [{"profile", "scenario", "faults", "status", "stream", ...}] per request
"""

from replaykit.sim.profiles import EFFECTS, Profile, ProfileSet, load_profiles, parse_profiles
from replaykit.sim.server import SimServer

__all__ = ["EFFECTS", "Profile", "ProfileSet", "SimServer", "load_profiles", "parse_profiles"]
