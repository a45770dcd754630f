"""Writes a score result to a file chosen by its extension."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from replaykit.errors import BadInputError

EXTENSIONS = (".json", ".md", ".csv", ".html")


def to_json(data: dict[str, Any]) -> bytes:
    """The canonical score JSON: sorted keys, two-space indent, trailing newline (byte-stable)."""
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n"


def render(data: dict[str, Any], suffix: str, samples: Any = None) -> bytes:
    """The report bytes for a file type; `samples` (a `report.samples.ReportSamples`) feeds the HTML
    drill-down and is ignored by the other types."""
    if suffix == ".json":
        return to_json(data)
    if suffix == ".md":
        from replaykit.report.markdown import render as md

        return md(data).encode()
    if suffix == ".csv":
        from replaykit.report.csv import render as csv

        return csv(data).encode()
    if suffix == ".html":
        from replaykit.report.html import render as html

        return html(data, samples).encode()
    raise BadInputError(f"unknown report type {suffix!r} (use {', '.join(EXTENSIONS)})")


def write_report(data: dict[str, Any], path: str | Path, samples: Any = None) -> Path:
    target = Path(path)
    payload = render(data, target.suffix.lower(), samples)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(payload)
    except OSError as err:
        raise BadInputError(f"cannot write: {err.strerror or err}", source=str(target)) from None
    return target
