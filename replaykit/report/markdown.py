"""A Markdown report: tables and key figures, ready to paste into a GitHub issue (GitHub-flavoured tables)."""

from __future__ import annotations

import re
from typing import Any

from replaykit.report.format import interval, ms, num, pct, ranked, usd
from replaykit.report.significance import FOOTNOTE
from replaykit.report.terminal import COLUMNS, any_significant, leaderboard_rows

_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def _cell(text: str) -> str:
    """One table cell: Markdown's special characters escaped, on one line, never empty."""
    return _SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ").strip() or " "


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def render(data: dict[str, Any]) -> str:
    run = data["run"]
    out = [f"# replaykit results: {_cell(', '.join(run['ids']))}", "",
           f"{run['samples']} samples, scored with replaykit {run['scored_with']}. Rates are shown with "
           "their 95% interval (Wilson, clustered by scenario).", ""]
    out += _key_figures(data)
    out += ["## Leaderboard", ""]
    out += _table(list(COLUMNS), leaderboard_rows(data))
    out += ["", "`failed`: failed attempts / attempts, and the most frequent error class."]
    if any_significant(data):
        out += ["", _cell(FOOTNOTE)]
    out += _consistency(data)
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
                  [[n, ms(m["latency_ms"]), ms(m["latency_ms"], "p90"), ms(m["ttft_ms"]),
                    num(m["output_tps"]), usd(m["cost_usd"]["total"])] for n, m in ranked(data["providers"])])
    out += ["", "## Answer faults", ""]
    faults = sorted({f for m in data["providers"].values() for f in m["faults"]})
    if faults:
        out += _table(["provider", *faults], [[n, *(pct(m["fault_rates"].get(f)) for f in faults)]
                                              for n, m in ranked(data["providers"])])
    else:
        out.append("No answer faults.")
    out.append("")
    return "\n".join(out)


def _consistency(data: dict[str, Any]) -> list[str]:
    """pass^k and the flaky scenarios, when scenarios were repeated."""
    rows = [(n, m) for n, m in ranked(data["providers"]) if (m.get("pass_k") or {}).get("value") is not None]
    if not rows:
        return []
    k = rows[0][1]["pass_k"]["k"]
    out = ["", "## Consistency across repetitions", "",
           f"pass^{k}: the chance that all {k} repetitions of a scenario succeed (unbiased C(c, k)/C(n, k) per "
           "scenario, averaged; 95% interval over scenarios). Flaky: scenarios passed on some repetitions and "
           "failed on others.", ""]
    out += _table(["provider", "success", f"pass^{k}", "flaky", "most flaky"],
                  [[n, interval(m["success"]), interval(m["pass_k"]), f"{m['flaky']['count']}/{m['flaky']['of']}",
                    ", ".join(m["flaky"]["scenarios"][:5]) or "–"] for n, m in rows])
    return out


def _key_figures(data: dict[str, Any]) -> list[str]:
    """A few bullet points: the best, the fastest, the cheapest, the least reliable."""
    providers = ranked(data["providers"])
    if not providers:
        return []
    best, m = providers[0]
    lines = [f"- **Most successful:** {_cell(best)}, {pct(m['success'], interval=True)} of samples "
             "fully correct"]
    timed = [(p, v["latency_ms"]["p50"]) for p, v in providers if v["latency_ms"]["p50"] is not None]
    if timed:
        name, value = min(timed, key=lambda kv: kv[1])
        lines.append(f"- **Fastest (median latency):** {_cell(name)}, {ms({'p50': value})}")
    priced = [(p, v["cost_usd"]["per_sample"]) for p, v in providers if v["cost_usd"]["attempts_priced"]]
    if priced:
        name, cost = min(priced, key=lambda kv: kv[1] or 0)
        lines.append(f"- **Cheapest per sample:** {_cell(name)}, {usd(cost)}")
    failing = [(p, v["error_rate"]["value"]) for p, v in providers if v["error_rate"]["value"]]
    if failing:
        name, rate = max(failing, key=lambda kv: kv[1])
        lines.append(f"- **Most failed attempts:** {_cell(name)}, {100 * rate:.1f}% of attempts")
    return [*lines, ""]
