"""`replaykit scenarios list|validate|show|export`."""

from __future__ import annotations

from typing import Any

import click
import orjson

from replaykit.cli.options import scenario_filters, shipped_or_given
from replaykit.errors import ScenarioError
from replaykit.packaged import export as export_packaged
from replaykit.scenarios import Scenario, load_scenarios, validate_paths

DEFAULT_PATH = "scenarios"


def _paths(paths: tuple[str, ...]) -> list[str]:
    """The given paths, or `scenarios` (here, else the library shipped with replaykit)."""
    return [shipped_or_given(p) for p in paths or (DEFAULT_PATH,)]


@click.group()
def scenarios() -> None:
    """List, validate, show and export tool-calling scenarios. Without a PATH: ./scenarios if there is one,
    else the library shipped with replaykit."""


@scenarios.command("list")
@click.argument("paths", nargs=-1, type=click.Path())
@scenario_filters
def list_(paths: tuple[str, ...], filter_: str | None, category: tuple[str, ...], tag: tuple[str, ...]) -> None:
    """One line per scenario: id, category, tools offered, expected calls, tags."""
    chosen = load_scenarios(_paths(paths)).select(pattern=filter_, category=category, tags=tag)
    width = max((len(s.id) for s in chosen), default=2)
    for s in chosen:
        calls = sum(len(step.calls) for step in s.steps)
        click.echo(f"{s.id:<{width}}  {s.category:<17}  tools={len(s.tools):<3} calls={calls:<2} "
                   f"{','.join(s.tags)}")
    click.echo(f"{len(chosen)} scenarios", err=True)


@scenarios.command()
@click.argument("paths", nargs=-1, type=click.Path())
def validate(paths: tuple[str, ...]) -> None:
    """Check every scenario file; list every bad file and exit 2 if any, or if there is no scenario at all."""
    chosen = _paths(paths)
    count, errors = validate_paths(chosen)
    for err in errors:
        click.echo(f"error: {err}", err=True)
    click.echo(f"{count} valid scenarios, {len(errors)} errors")
    if not count and not errors:
        raise ScenarioError("nothing to check: no scenario file (*.yaml, *.yml) there",
                            source=", ".join(chosen))
    if errors:
        raise SystemExit(2)


@scenarios.command()
@click.argument("scenario_id")
@click.option("--scenarios", "path", default=DEFAULT_PATH, show_default=True, type=click.Path(),
              help="Scenario file or folder.")
def show(scenario_id: str, path: str) -> None:
    """Print one scenario as JSON: its source file, content hash, and everything it expects (argument matchers,
    multi-turn steps, canned tool results) as written."""
    found = load_scenarios(shipped_or_given(path)).get(scenario_id)
    if found is None:
        raise ScenarioError(f"no scenario with id {scenario_id!r}", source=path)
    click.echo(orjson.dumps(_shown(found), option=orjson.OPT_INDENT_2).decode())


def _shown(found: Scenario) -> dict[str, Any]:
    raw = found.raw
    data = {"id": found.id, "hash": found.hash, "source": found.source, "category": found.category,
            "tags": list(found.tags), "description": found.description, "tools": list(found.tools),
            "messages": list(found.messages),
            "expected_calls": [[c.name for c in step.calls] for step in found.steps]}
    # the expectation as written: matchers and all (`expect` for one turn, `steps` for multi-turn)
    data.update({key: raw[key] for key in ("expect", "steps", "tool_results", "tool_choice") if key in raw})
    return data


@scenarios.command("export")
@click.argument("dest", type=click.Path())
def export(dest: str) -> None:
    """Copy the scenario library shipped with replaykit into DEST (absent or empty), to edit or extend it."""
    written = export_packaged("scenarios", dest)
    click.echo(f"wrote {len(written)} scenario files to {dest}  (use them: --scenarios {dest})")
