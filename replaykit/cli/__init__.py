"""The command line: click commands only. Each module parses options and calls the core."""

from __future__ import annotations

import sys
from typing import Any

import click

from replaykit import __version__
from replaykit.errors import BadInputError, ReplaykitError


class _Group(click.Group):
    """Turns replaykit's own errors into one line on stderr: exit 2 for bad input, 1 otherwise."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BadInputError as err:
            click.echo(f"error: {err}", err=True)
            sys.exit(2)
        except ReplaykitError as err:
            click.echo(f"error: {err}", err=True)
            sys.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="replaykit")
def main() -> None:
    """Record and replay LLM providers' tool calling, and score it offline."""


def _register() -> None:
    from replaykit.cli import demo, importing, inspect, providers, record, report, scenarios, score, sim, verify

    main.add_command(scenarios.scenarios)
    main.add_command(providers.providers)
    main.add_command(importing.import_)
    main.add_command(record.record)
    main.add_command(score.score)
    main.add_command(inspect.inspect)
    main.add_command(demo.demo)
    main.add_command(verify.verify)
    main.add_command(sim.sim)
    main.add_command(report.report)

    from replaykit.cli import compare

    main.add_command(compare.diff)
    main.add_command(compare.trend)
    main.add_command(compare.fallback)
    main.add_command(compare.plan_)

    from replaykit.cli import share

    main.add_command(share.redact)
    main.add_command(share.pack)
    main.add_command(share.unpack)
    main.add_command(share.merge)


_register()
