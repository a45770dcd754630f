"""`replaykit providers list|show|discover|export`."""

from __future__ import annotations

import shutil
import sys

import click
import orjson

from replaykit.cli.options import shipped_or_given
from replaykit.providers import load_providers


@click.group()
def providers() -> None:
    """Inspect provider configs (keys are shown as their variable name, never their value). A FILE under
    providers/ that is not here is read from the examples shipped with replaykit (`providers export DIR`)."""


@providers.command("list")
@click.argument("file", type=click.Path())
def list_(file: str) -> None:
    """A table of the providers: name, model, routing, precision, price, mode, key status."""
    from rich.console import Console
    from rich.table import Table

    table = Table(box=None, pad_edge=False, header_style="bold")
    for header in ("provider", "model", "routing", "precision", "$/Mtok in/out", "mode", "key"):
        table.add_column(header, no_wrap=header in ("provider", "key"), overflow="fold")
    for p in load_providers(shipped_or_given(file)):
        route = ",".join((p.routing or {}).get("only", []) or (p.routing or {}).get("order", [])) or "-"
        price = f"${p.price.input_per_mtok:g}/${p.price.output_per_mtok:g}" if p.price else "-"
        table.add_row(p.name, p.model, route, p.quantization or "-", price, p.mode, p.key_status())
    # on a terminal, its width (a long model name wraps inside its column); piped, one line a provider
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else 250
    Console(width=width).print(table)


@providers.command()
@click.argument("file", type=click.Path())
@click.argument("names", nargs=-1)
def show(file: str, names: tuple[str, ...]) -> None:
    """Every field of the providers (all, or the NAMES given) as JSON."""
    chosen = load_providers(shipped_or_given(file)).select(list(names))
    out = {p.name: {**p.sanitized(), "api_key": p.key_status()} for p in chosen}
    click.echo(orjson.dumps(out, option=orjson.OPT_INDENT_2).decode())


@providers.command()
@click.argument("model")
@click.option("--base-url", default="https://openrouter.ai/api/v1", show_default=True,
              help="OpenRouter-compatible API root.")
@click.option("--api-key-env", default="OPENROUTER_API_KEY", show_default=True,
              help="Environment variable the written file names for the key.")
@click.option("-o", "--output", type=click.Path(), help="Write here instead of printing.")
def discover(model: str, base_url: str, api_key_env: str, output: str | None) -> None:
    """Read OpenRouter's endpoint listing for MODEL (author/slug) and write a providers TOML: one provider
    pinned per endpoint, with quantization, price and context length."""
    from pathlib import Path

    from replaykit.providers.discover import discover_toml

    text = discover_toml(model, base_url, api_key_env)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


@providers.command("export")
@click.argument("dest", type=click.Path())
def export(dest: str) -> None:
    """Copy the example provider files shipped with replaykit (OpenRouter, direct APIs, the simulator and its
    profiles) into DEST (absent or empty), to edit them."""
    from replaykit.packaged import export as export_packaged

    written = export_packaged("providers", dest)
    for path in written:
        click.echo(f"wrote {path}")
