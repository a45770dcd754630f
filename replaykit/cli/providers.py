"""`replaykit providers list|show|discover`."""

from __future__ import annotations

import click
import orjson

from replaykit.providers import load_providers


@click.group()
def providers() -> None:
    """Inspect provider configs (keys are shown as their variable name, never their value)."""


@providers.command("list")
@click.argument("file", type=click.Path())
def list_(file: str) -> None:
    """One line per provider: name, model, routing, precision, price, key status."""
    for p in load_providers(file):
        route = ",".join((p.routing or {}).get("only", []) or (p.routing or {}).get("order", [])) or "-"
        price = f"${p.price.input_per_mtok:g}/${p.price.output_per_mtok:g}" if p.price else "-"
        click.echo(f"{p.name:<22} {p.model:<28} {route:<22} {p.quantization or '-':<8} {price:<14} "
                   f"{p.mode:<7} key={p.key_status()}")


@providers.command()
@click.argument("file", type=click.Path())
@click.argument("names", nargs=-1)
def show(file: str, names: tuple[str, ...]) -> None:
    """Every field of the providers (all, or the NAMES given) as JSON."""
    chosen = load_providers(file).select(list(names))
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
