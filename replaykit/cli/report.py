"""`replaykit report RUN... -o FILE`: score runs and write reports (by extension: .html .md .csv .json)."""

from __future__ import annotations

import sys

import click
from rich.console import Console

from replaykit.cli.options import pooling
from replaykit.errors import BadInputError, printable
from replaykit.report.files import EXTENSIONS, write_report
from replaykit.report.sweep import attach, sweep_scoring
from replaykit.report.terminal import render as render_terminal


@click.command()
@click.argument("runs", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", "outputs", multiple=True, type=click.Path(),
              help="Write a report; type by extension: .html .md .csv .json (repeatable). "
                   "Without it, print the leaderboard.")
@click.option("--scenarios", "scenarios_path", multiple=True, type=click.Path(),
              help="Score against these scenario files instead of the run's own snapshot.")
@click.option("--plain", is_flag=True, help="Plain text leaderboard (for logs and CI).")
@pooling
def report(runs: tuple[str, ...], outputs: tuple[str, ...], scenarios_path: tuple[str, ...],
           plain: bool, all_samples: bool, intersect: bool) -> None:
    """Report on recorded runs: one self-contained HTML file (charts, per-sample drill-down, provider diff),
    Markdown ready for a GitHub issue, CSV, or the score JSON."""
    for path in outputs:
        suffix = "." + path.rsplit(".", 1)[-1].lower() if "." in path else ""
        if suffix not in EXTENSIONS:
            raise BadInputError(f"unknown report type {suffix or path!r} (use {', '.join(EXTENSIONS)})",
                                source=path)
    scenarios = list(scenarios_path) or None
    samples = None
    tally, on_sample = sweep_scoring(list(runs), scenarios)  # stress variants: the sweep charts and tables
    if any(p.lower().endswith(".html") for p in outputs):
        from replaykit.report.samples import collect

        result, samples = collect(list(runs), scenarios=scenarios, on_sample=on_sample, all_samples=all_samples,
                                  intersect=intersect)
    else:
        from replaykit.score import score_runs

        result = score_runs(list(runs), scenarios=scenarios, on_sample=on_sample, all_samples=all_samples,
                            intersect=intersect)
    attach(result, tally)
    for warning in result.warnings:
        click.echo(f"warning: {printable(warning)}", err=True)
    for path in outputs:
        write_report(result.data, path, samples)
        click.echo(f"wrote {path}", err=True)
    if not outputs:
        render_terminal(result.data, Console(width=100), plain=plain or not sys.stdout.isatty())
