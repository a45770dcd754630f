"""Options shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from replaykit.scenarios import CATEGORIES


def scenario_filters(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--filter GLOB --category C --tag T (repeatable)."""
    fn = click.option("--tag", "tag", multiple=True, help="Only scenarios with this tag (repeatable).")(fn)
    fn = click.option("--category", type=click.Choice(CATEGORIES), help="Only scenarios of this category.")(fn)
    fn = click.option("--filter", "filter_", metavar="GLOB", help="Only scenario ids matching this glob.")(fn)
    return fn


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
