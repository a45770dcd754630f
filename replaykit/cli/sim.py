"""`replaykit sim serve`: the provider simulator in the foreground."""

from __future__ import annotations

import time

import click

from replaykit.cli.options import shipped_or_given
from replaykit.errors import BadInputError

SIM_TOML_PORT = 8377  # the port providers/sim.toml names


@click.group()
def sim() -> None:
    """The provider simulator: an OpenAI/OpenRouter-compatible server on loopback (no key needed)."""


@sim.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (keep it loopback).")
@click.option("--port", default=SIM_TOML_PORT, show_default=True, type=click.IntRange(0, 65535),
              help="Port (0: any free port). providers/sim.toml expects 8377; on another port, record with "
                   "--base-url.")
@click.option("--profiles", "profiles", default="providers/sim-profiles.toml", show_default=True,
              type=click.Path(), help="Simulated provider profiles (TOML; not here: the ones shipped with replaykit).")
@click.option("--scenarios", "scenarios", multiple=True, type=click.Path(),
              help="Scenario folder the simulator answers from (repeatable; default: ./scenarios, else the "
                   "library shipped with replaykit).")
@click.option("--seed", default=0, show_default=True, type=int, help="Seed of every random decision.")
@click.option("--time-scale", default=1.0, show_default=True, type=click.FloatRange(min=0.0),
              help="Multiplies every simulated delay (0: none; 0.01: a hundred times faster).")
@click.option("--request-clock", is_flag=True,
              help="Downtime and bursts hit by each request's own seeded moment, not the wall clock, and no "
                   "token bucket: the same faults in every recording (as the demo runs).")
def serve(host: str, port: int, profiles: str, scenarios: tuple[str, ...], seed: int, time_scale: float,
          request_clock: bool) -> None:
    """Serve /api/v1/chat/completions (and /v1/...), /v1/messages, /v1/responses and Gemini's
    /v1beta/models/M:generateContent until Ctrl-C. A request for a scenario the simulator does not know still
    gets an answer, with a warning on this log and an X-Replaykit-Sim-Warning header."""
    from replaykit.sim import SimServer

    folders = [shipped_or_given(p) for p in scenarios or ("scenarios",)]
    server = SimServer(profiles=shipped_or_given(profiles), scenarios=folders, seed=seed, time_scale=time_scale,
                       host=host, port=port, request_clock=request_clock)
    if not len(server.engine.index):
        raise BadInputError("nothing to serve: no scenario there", source=", ".join(folders))
    server.start()
    names = ", ".join(server.engine.profiles.names())
    click.echo(f"replaykit simulator on {server.base_url}  (profiles: {names}; "
               f"{len(server.engine.index)} scenarios; seed {seed}; time scale {time_scale:g})")
    if server.port != SIM_TOML_PORT:
        click.echo(f"record against it: replaykit record --providers providers/sim.toml --base-url {server.base_url}")
    click.echo("Ctrl-C to stop.")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        counts = ", ".join(f"{k}={v}" for k, v in server.counts().items())
        click.echo(f"stopped; requests served: {counts}")
