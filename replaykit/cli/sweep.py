"""`replaykit sweep`: where each provider breaks, from runs of stress variants."""

from __future__ import annotations

import click
import orjson

from replaykit.cli.options import pooling
from replaykit.report.sweep import METRICS, render, render_all, sweep


@click.command("sweep")
@click.argument("runs", nargs=-1, required=True, type=click.Path())
@click.option("--metric", type=click.Choice([*METRICS, "all"]), default="success", show_default=True,
              help="The metric of the Markdown tables (all: every one).")
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True,
              help="Markdown tables (value [95% interval] n=N per load level), or every metric as JSON.")
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.option("--scenarios", "scenarios_path", multiple=True, type=click.Path(),
              help="Score against these scenario files instead of the run's own snapshot.")
@pooling
def sweep_(runs: tuple[str, ...], metric: str, fmt: str, as_json: bool, scenarios_path: tuple[str, ...],
           all_samples: bool, intersect: bool) -> None:
    """Success, schema validity or calls leaked as text against context length and tool count, per provider,
    with 95% intervals clustered by base scenario (runs of `replaykit scenarios stress` variants). The samples
    are the ones `score` pools; the HTML and Markdown reports chart the same numbers."""
    data = sweep(list(runs), scenarios=list(scenarios_path) or None, all_samples=all_samples, intersect=intersect)
    if as_json or fmt == "json":
        click.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode())
    else:
        click.echo(render_all(data) if metric == "all" else render(data, metric))
