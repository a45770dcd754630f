"""A Markdown report: tables and key figures, ready to paste into a GitHub issue."""

from __future__ import annotations

from typing import Any

from replaykit.report.format import ms, num, pct, ranked, usd
from replaykit.report.terminal import COLUMNS, leaderboard_rows


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def render(data: dict[str, Any]) -> str:
    run = data["run"]
    out = [f"# replaykit results: {', '.join(run['ids'])}", "",
           f"{run['samples']} samples, scored with replaykit {run['scored_with']}. Rates are shown with their "
           "95% interval (Wilson, clustered by scenario).", "", "## Leaderboard", ""]
    out += _table(list(COLUMNS), leaderboard_rows(data))
    out += ["", "## Errors by class", ""]
    classes = sorted({c for m in data["providers"].values() for c in m["errors"]})
    if classes:
        out += _table(["provider", *classes, "attempts"],
                      [[n, *(str(m["errors"].get(c, 0)) for c in classes), str(m["attempts"])]
                       for n, m in ranked(data["providers"])])
    else:
        out.append("No failed attempts.")
    out += ["", "## Speed and cost", ""]
    out += _table(["provider", "latency p50", "latency p90", "TTFT p50", "TPS p50", "cost total"],
                  [[n, ms(m["latency_ms"]), ms(m["latency_ms"], "p90"), ms(m["ttft_ms"]), num(m["output_tps"]),
                    usd(m["cost_usd"]["total"])] for n, m in ranked(data["providers"])])
    out += ["", "## Answer faults", ""]
    faults = sorted({f for m in data["providers"].values() for f in m["faults"]})
    if faults:
        out += _table(["provider", *faults],
                      [[n, *(pct(m["fault_rates"].get(f)) for f in faults)] for n, m in ranked(data["providers"])])
    else:
        out.append("No answer faults.")
    out.append("")
    return "\n".join(out)
