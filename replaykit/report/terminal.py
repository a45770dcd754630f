"""The terminal leaderboard (rich), sized for 100 columns; `plain` for logs and CI."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from replaykit.report.format import interval, ms, num, pct, ranked, top_errors, usd

COLUMNS = ("provider", "success %", "avail", "recall", "args", "schema", "errors", "p50", "ttft", "tps", "$/smpl")


def leaderboard_rows(data: dict[str, Any]) -> list[list[str]]:
    rows = []
    for name, m in ranked(data["providers"]):
        rows.append([
            name, interval(m["success"]), pct(m["availability"], digits=0),
            pct(m["tool_recall"], digits=0), pct(m["param_accuracy"], digits=0),
            pct(m["schema_validity"], digits=0), top_errors(m["errors"], 1),
            ms(m["latency_ms"]), ms(m["ttft_ms"]), num(m["output_tps"]), usd(m["cost_usd"]["per_sample"]),
        ])
    return rows


def render(data: dict[str, Any], console: Console, plain: bool = False) -> None:
    rows = leaderboard_rows(data)
    run = data["run"]
    title = f"replaykit · {', '.join(run['ids'])} · {run['samples']} samples"
    if plain:
        widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(COLUMNS)]
        console.print(title, markup=False, highlight=False)
        for line in (list(COLUMNS), *rows):
            console.print(" ".join(v.ljust(w) for v, w in zip(line, widths)).rstrip(), markup=False,
                          highlight=False)
        return
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 0),
                  collapse_padding=True)
    for col in COLUMNS:
        table.add_column(col, justify="left" if col in ("provider", "errors") else "right", no_wrap=True,
                         overflow="ellipsis", max_width=22 if col == "provider" else None)
    for row in rows:
        table.add_row(*row)
    console.print(table)
