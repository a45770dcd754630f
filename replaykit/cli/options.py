"""Options shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from replaykit.packaged import locate
from replaykit.scenarios import CATEGORIES


def scenario_filters(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--filter GLOB --category C --tag T (repeatable)."""
    fn = click.option("--tag", "tag", multiple=True,
                      help="Only scenarios with this tag (repeatable: scenarios carrying every tag given).")(fn)
    fn = click.option("--category", "category", multiple=True, type=click.Choice(CATEGORIES),
                      help="Only scenarios of this category (repeatable: any of the categories given).")(fn)
    fn = click.option("--filter", "filter_", metavar="GLOB", help="Only scenario ids matching this glob.")(fn)
    return fn


def shipped_or_given(path: str) -> str:
    """`path`, or replaykit's packaged copy when `path` is `scenarios` or `providers/...` and not here; says on
    stderr which one it used, so nobody records against the wrong library unawares."""
    found = locate(path)
    if found.packaged:
        kind = Path(path).parts[0]
        click.echo(f"note: no {path} in {Path.cwd()}; using the one shipped with replaykit ({found.path}). "
                   f"Copy it out to edit: replaykit {kind} export DIR", err=True)
    return str(found.path)


class ShardType(click.ParamType):
    """`I/N`: the I-th of N shares of a plan (1-based)."""

    name = "I/N"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> tuple[int, int]:
        if isinstance(value, tuple):
            return value
        index, sep, count = str(value).partition("/")
        if not (sep and index.isdigit() and count.isdigit() and 1 <= int(index) <= int(count)):
            self.fail(f"{value!r} is not I/N with 1 <= I <= N (e.g. 2/4)", param, ctx)
        return int(index), int(count)


def pooling(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--all-samples --intersect: what `score` and `report` pool (docs/metrics.md, "What is compared")."""
    fn = click.option("--intersect", is_flag=True,
                      help="Runs with different scenario sets: score on the scenarios all of them share "
                           "(without it they are refused, as by diff).")(fn)
    fn = click.option("--all-samples", is_flag=True,
                      help="Score every sample, also the (scenario, repetition) cells some provider lacks "
                           "(default: only the cells every provider completed, so providers are compared on "
                           "the same samples).")(fn)
    return fn
