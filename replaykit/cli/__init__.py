"""The command line: click commands only. Each module parses options and calls the core."""

from __future__ import annotations

import errno
import importlib
import sys
from typing import Any

import click

from replaykit import __version__
from replaykit.errors import BadInputError, ReplaykitError

# name -> "module:attribute". A command's module is imported when the command runs (or for --help), so
# that `replaykit score` does not load the recorder, the simulator or deepdiff.
COMMANDS = {
    "scenarios": "scenarios:scenarios", "providers": "providers:providers", "import": "importing:import_",
    "record": "record:record", "capture": "capture:capture", "score": "score:score", "inspect": "inspect:inspect",
    "demo": "demo:demo",
    "verify": "verify:verify", "sim": "sim:sim", "report": "report:report",
    "diff": "compare:diff", "trend": "compare:trend", "fallback": "compare:fallback", "plan": "compare:plan_",
    "sweep": "sweep:sweep_",
    "export": "export:export",
    "redact": "share:redact", "pack": "share:pack", "unpack": "share:unpack", "merge": "share:merge",
}


class _Group(click.Group):
    """Loads commands on demand, and turns replaykit's own errors into one line on stderr: exit 2 for bad
    input, 1 otherwise."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attribute = target.split(":")
        command: click.Command = getattr(importlib.import_module(f"replaykit.cli.{module}"), attribute)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BadInputError as err:
            click.echo(f"error: {err}", err=True)
            sys.exit(2)
        except ReplaykitError as err:
            click.echo(f"error: {err}", err=True)
            sys.exit(1)
        except OSError as err:
            if err.errno not in (errno.ENOSPC, errno.EDQUOT):
                raise
            # a full disk: the commands write atomically (nothing half-written is left), so one line will do
            where = f" writing {err.filename}" if err.filename else ""
            click.echo(f"error: disk full{where}: {err.strerror}; free space and run the command again", err=True)
            sys.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="replaykit")
def main() -> None:
    """Record and replay LLM providers' tool calling, and score it offline."""
