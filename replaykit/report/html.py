"""One self-contained HTML report: works offline, no CDN, no external library.

The template, stylesheet, script and metric definitions live in `replaykit/report/assets/`. The score JSON is
embedded as plain JSON; the per-sample payload (`report.samples`) as gzip-compressed, base64-encoded JSON
blocks that the page inflates with the browser's `DecompressionStream`: the index of every sample when the
page opens, each detail chunk only when one of its samples is opened. Rows are drawn virtually (only the
visible ones are in the DOM), so a 10,000-sample run stays small and fast.
"""

from __future__ import annotations

import base64
import gzip
import html
import os
import re
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from importlib import resources
from typing import Any

import orjson

from replaykit import __version__
from replaykit.report import agreement
from replaykit.report.detail import BODY_FLOOR, BODY_LIMIT, dumps
from replaykit.report.notes import run_notes, speeds_comparable
from replaykit.report.samples import Chunk, ReportSamples
from replaykit.report.significance import versus_best

# Replaced in one pass, so that inserted text (scenario prompts, bodies) is never scanned for a placeholder.
_PLACEHOLDER = re.compile(r"\{\{(TITLE|VERSION|CSS|JS|DATA|BLOBS|DEFINITIONS)\}\}")
MAX_BYTES = 9_500_000  # the file stays under 10 MB: bodies are cut shorter past this


@cache
def asset(name: str) -> str:
    return resources.files("replaykit.report").joinpath("assets", name).read_text(encoding="utf-8")


def script_json(value: Any) -> str:
    """JSON that is safe inside a <script> element (every `<` escaped, which JSON allows in strings)."""
    return orjson.dumps(value).decode().replace("<", "\\u003c")


def blob(value: Any) -> str:
    """gzip (deterministic: no timestamp) + base64 of the JSON."""
    return base64.b64encode(gzip.compress(dumps(value), compresslevel=6, mtime=0)).decode()


def _blob_tag(ident: str, value: Any) -> str:
    return f'<script type="application/x-gzip-base64" id="{ident}">{blob(value)}</script>'


def _report_data(data: dict[str, Any], samples: ReportSamples | None) -> dict[str, Any]:
    tests = versus_best(data)
    return {
        "score": data,
        "significance": {name: {"best": v.best, "diff": v.diff, "p": v.p, "p_holm": v.p_holm,
                                "significant": v.significant}
                         for name, v in tests.items()},
        "has_samples": samples is not None,
        "chunks": len(samples.chunks) if samples else 0,
        "timing": samples.timing if samples else None,
        "recall_by_category": samples.recall_by_category if samples else None,
        "notes": run_notes(data),
        "agreement": _agreement(data),
        "speeds_comparable": speeds_comparable(data),
    }


def _agreement(data: dict[str, Any]) -> dict[str, Any] | None:
    """The agreement table's note and columns (label, path in a provider's score), for replay runs."""
    if not agreement.has_agreement(data):
        return None
    return {"note": agreement.note(data), "columns": [[label, list(path)] for label, path in agreement.COLUMNS]}


def _chunk_tag(i: int, chunk: Chunk, limit: int) -> str:
    return _blob_tag(f"rk-chunk-{i}", chunk.to_json(limit))


def _blobs(samples: ReportSamples | None, budget: int) -> str:
    """The index, then the detail chunks; bodies are cut shorter (halving their limit) until the blocks fit
    the budget."""
    if samples is None:
        return ""
    index = _blob_tag("rk-index", samples.index_json())
    limit = BODY_LIMIT
    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:  # zlib compresses without the GIL
        while True:
            chunks = list(pool.map(_chunk_tag, range(len(samples.chunks)), samples.chunks,
                                   [limit] * len(samples.chunks)))
            size = len(index) + sum(len(c) + 1 for c in chunks)
            if size <= budget or limit <= BODY_FLOOR:
                return "\n".join([index, *chunks])
            limit = max(BODY_FLOOR, limit // 2)


def render(data: dict[str, Any], samples: ReportSamples | None = None, max_bytes: int = MAX_BYTES) -> str:
    """The report as one HTML document. Without `samples` it has every aggregate chart but no drill-down.
    With them, long bodies are cut shorter if needed to keep the file under `max_bytes`."""
    title = "replaykit report · " + ", ".join(data["run"]["ids"])
    parts = {
        "{{TITLE}}": html.escape(title), "{{VERSION}}": html.escape(__version__),
        "{{CSS}}": asset("report.css"), "{{JS}}": asset("report.js").replace("</script", "<\\/script"),
        "{{DATA}}": script_json(_report_data(data, samples)), "{{BLOBS}}": "",
        "{{DEFINITIONS}}": asset("definitions.html"),
    }
    template = asset("report.html")
    rest = len(_PLACEHOLDER.sub(lambda m: parts[m.group(0)], template).encode())
    parts["{{BLOBS}}"] = _blobs(samples, max_bytes - rest)
    return _PLACEHOLDER.sub(lambda m: parts[m.group(0)], template)
