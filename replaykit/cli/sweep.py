"""`replaykit sweep`: where each provider breaks, from runs of stress variants."""

from __future__ import annotations

import click
import orjson

from replaykit.report.sweep import METRICS, render, sweep


@click.command("sweep")
@click.argument("runs", nargs=-1, required=True, type=click.Path())
@click.option("--metric", type=click.Choice(METRICS), default="success", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Every metric, machine-readable.")
def sweep_(runs: tuple[str, ...], metric: str, as_json: bool) -> None:
    """Success, schema validity or calls leaked as text against context length and tool count, per provider,
    with 95% intervals clustered by base scenario (runs of `replaykit scenarios stress` variants)."""
    data = sweep(list(runs))
    if as_json:
        click.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode())
    else:
        click.echo(render(data, metric))
