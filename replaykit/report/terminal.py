"""The terminal leaderboard (rich), sized for 100 columns; `plain` for logs and CI.

Sorted by success (with its 95% interval); a `*` marks success significantly below the best provider's;
`failed` is the share of failed attempts, drawn as a bar split by error class.
"""

from __future__ import annotations

import textwrap
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from replaykit.report.agreement import lines as agreement_lines
from replaykit.report.format import SHORT, consistency_lines, cost, interval, pct, ranked, speed
from replaykit.report.notes import run_notes
from replaykit.report.significance import FOOTNOTE, MARK, versus_best

WIDTH = 100
COLUMNS = ("provider", "success % (CI)", "avail", "recall", "args", "schema", "failed", "p50", "ttft", "tps",
           "$/smpl", "$/ok")
BAR_CELLS = 6
SWEEP_HINT = "load sweep of the stress variants: `replaykit sweep RUN --metric all`, or the HTML report's charts"
PROVIDER_MAX = 20
CLASS_STYLE = {
    "rate_limited": "yellow", "server_error": "red", "client_error": "magenta", "timeout": "bright_blue",
    "connection": "cyan", "stream_cut": "bright_red",
    "stream_error": "dark_orange", "malformed_body": "grey62",
}


def success_cell(m: dict[str, Any], significant: bool) -> str:
    return interval(m["success"]) + (MARK if significant else "")


def failed_text(m: dict[str, Any]) -> str:
    """`42% 5xx`: the failed-attempt rate and its most frequent class."""
    rate = m["error_rate"]
    if not m["errors"]:
        return pct(rate, digits=0) if rate.get("value") is not None else "-"
    top = sorted(m["errors"].items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    return f"{pct(rate, digits=0)} {SHORT.get(top, top)}"


def leaderboard_rows(data: dict[str, Any]) -> list[list[str]]:
    """The leaderboard as text, best success first (shared by plain text and Markdown)."""
    tests = versus_best(data)
    rows = []
    for name, m in ranked(data["providers"]):
        rows.append([
            name, success_cell(m, tests[name].significant), pct(m["availability"], digits=0),
            pct(m["tool_recall"], digits=0), pct(m["param_accuracy"], digits=0),
            pct(m["schema_validity"], digits=0), failed_text(m),
            speed(m, "latency_ms"), speed(m, "ttft_ms"), speed(m, "output_tps"), cost(m), cost(m, "per_success"),
        ])
    return rows


def any_significant(data: dict[str, Any]) -> bool:
    return any(v.significant for v in versus_best(data).values())


def title(data: dict[str, Any]) -> str:
    run = data["run"]
    partial = " · PARTIAL" if run.get("partial") else ""
    text = f"replaykit · {', '.join(run['ids'])} · {run['samples']} samples{partial}"
    return text if len(text) <= WIDTH else text[: WIDTH - 1] + "…"


def render(data: dict[str, Any], console: Console, plain: bool = False) -> None:
    if plain:
        _render_plain(data, console)
    else:
        _render_rich(data, console)


def _render_plain(data: dict[str, Any], console: Console) -> None:
    rows = leaderboard_rows(data)
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(COLUMNS)]
    spare = WIDTH - (sum(widths) + len(widths) - 1)
    if spare < 0:  # shorten provider names rather than overflow
        widths[0] = max(8, widths[0] + spare)
    for line in (title(data), *_plain_lines([list(COLUMNS), *rows], widths), *_footer(data, plain=True)):
        console.print(line, markup=False, highlight=False, soft_wrap=True)


def _plain_lines(rows: list[list[str]], widths: list[int]) -> list[str]:
    out = []
    for row in rows:
        cells = [_clip(v, w).ljust(w) for v, w in zip(row, widths, strict=True)]
        out.append(" ".join(cells).rstrip())
    return out


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _render_rich(data: dict[str, Any], console: Console) -> None:
    table = Table(title=title(data), title_justify="left", box=box.SIMPLE_HEAD, show_edge=False,
                  pad_edge=False, padding=(0, 0), collapse_padding=True)
    for col in COLUMNS:
        table.add_column(col, justify="left" if col in ("provider", "failed") else "right", no_wrap=True,
                         overflow="ellipsis", max_width=PROVIDER_MAX if col == "provider" else None)
    tests = versus_best(data)
    peak = max((m["error_rate"]["value"] or 0 for m in data["providers"].values()), default=0)
    for row, (name, m) in zip(leaderboard_rows(data), ranked(data["providers"]), strict=True):
        success = Text(interval(m["success"]))
        if tests[name].significant:
            success.append(MARK, style="bold red")
        table.add_row(row[0], success, *row[2:6], _bar(m, peak), *row[7:])
    console.print(table)
    for line in _footer(data, plain=False):
        console.print(line, highlight=False)


def _bar(m: dict[str, Any], peak: float) -> Text:
    """Failed attempts as a bar (scaled to the worst provider), split by error class, then the rate."""
    rate = m["error_rate"]["value"] or 0
    text = Text()
    total = sum(m["errors"].values())
    cells = 0 if not total or not peak else max(1, round(BAR_CELLS * rate / peak))
    drawn = cumulative = 0
    for cls, count in sorted(m["errors"].items(), key=lambda kv: (-kv[1], kv[0])):
        cumulative += count
        end = round(cells * cumulative / total)
        text.append("█" * (end - drawn), style=CLASS_STYLE.get(cls, "white"))
        drawn = end
    text.append(" " * (BAR_CELLS - drawn) + f" {pct(m['error_rate'], digits=0):>4}")
    return text


def _footer(data: dict[str, Any], plain: bool) -> list[str | Text]:
    lines: list[str | Text] = []
    classes = sorted({c for m in data["providers"].values() for c in m["errors"]})
    if classes and not plain:
        legend = Text("failed attempts: ")
        for cls in classes:
            legend.append("█", style=CLASS_STYLE.get(cls, "white"))
            legend.append(f" {cls}  ")
        lines.append(legend)
    if any_significant(data):
        lines.append(FOOTNOTE)
    # Text, not str, in rich mode: a scenario id is no markup
    lines += [_clip(line, WIDTH) if plain else Text(_clip(line, WIDTH)) for line in consistency_lines(data)]
    lines += [_clip(line, WIDTH) if plain else Text(_clip(line, WIDTH)) for line in agreement_lines(data)]
    if data.get("sweep"):
        lines.append(Text(SWEEP_HINT) if not plain else SWEEP_HINT)
    for note in run_notes(data):  # wrapped here: plain output is printed as is (logs, CI)
        lines += textwrap.wrap(f"note: {note}", WIDTH, subsequent_indent="      ", break_on_hyphens=False)
    return lines
