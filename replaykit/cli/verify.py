"""`replaykit verify RUN`."""

from __future__ import annotations

import sys

import click

from replaykit.errors import printable
from replaykit.share.verify import verify_run


@click.command()
@click.argument("run", type=click.Path())
@click.option("--replay", is_flag=True, help="Also replay every cassette through stock vcrpy and compare.")
def verify(run: str, replay: bool) -> None:
    """Check a run: every file's sha256 against run.json, scenario hashes, structure, and a secret scan;
    with --replay, a full replay through vcrpy that must reproduce every outcome."""
    report = verify_run(run, replay=replay)
    for line in report.problems:
        click.echo(f"problem: {printable(line)}")
    for line in report.secrets:
        click.echo(f"secret: {printable(line)}")
    replayed = f", {report.replayed} replayed through vcrpy" if replay else ""
    verdict = "ok" if report.ok else f"FAILED ({len(report.problems)} problems, {len(report.secrets)} secrets)"
    click.echo(f"verify {printable(report.run)}: {report.files} cassettes checked{replayed}: {verdict}")
    if not report.ok:
        sys.exit(1)
