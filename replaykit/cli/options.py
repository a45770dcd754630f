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
