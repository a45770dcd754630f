"""A Markdown report: tables and key figures, ready to paste into a GitHub issue (GitHub-flavoured tables)."""

from __future__ import annotations

import re
from typing import Any

from replaykit.report import agreement
from replaykit.report.format import cost, interval, leaders, named, pct, ranked, speed
from replaykit.report.notes import run_notes, speeds_comparable
from replaykit.report.significance import FOOTNOTE
from replaykit.report.sweep import render_all
from replaykit.report.terminal import COLUMNS, any_significant, leaderboard_rows

_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")


def _cell(text: str) -> str:
    """One table cell: Markdown's special characters escaped, on one line, never empty."""
    return _SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ").strip() or " "


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A GitHub-flavoured table, every cell escaped (for other Markdown outputs: `diff --format markdown`)."""
    return _table(header, rows)


def render(data: dict[str, Any]) -> str:
    run = data["run"]
    out = [f"# replaykit results: {_cell(', '.join(run['ids']))}", "",
           f"{run['samples']} samples, scored with replaykit {run['scored_with']}. Rates are shown with "
           "their 95% interval (Wilson, clustered by scenario).", ""]
    notes = run_notes(data)
    if notes:
        out += [f"> **{'Partial run. ' if data['run'].get('partial') else ''}Read first:**", ">"]
        out += [f"> - {_cell(line)}" for line in notes]
        out.append("")
    out += _key_figures(data)
    out += ["## Leaderboard", ""]
    out += _table(list(COLUMNS), leaderboard_rows(data))
    out += ["", "`failed`: failed attempts / attempts, and the most frequent error class."]
    if any_significant(data):
        out += ["", _cell(FOOTNOTE)]
    out += _consistency(data)
    out += _agreement(data)
    out += _sweep(data)
    out += ["", "## Errors by class", ""]
    classes = sorted({c for m in data["providers"].values() for c in m["errors"]})
    if classes:
        out += _table(["provider", *classes, "attempts"],
                      [[n, *(str(m["errors"].get(c, 0)) for c in classes), str(m["attempts"])]
                       for n, m in ranked(data["providers"])])
    else:
        out.append("No failed attempts.")
    out += ["", "## Speed and cost", ""]
    out += _table(["provider", "latency p50", "latency p90", "TTFT p50", "TPS p50", "cost / sample",
                   "cost / fully correct", "cost total"],
                  [[n, speed(m, "latency_ms"), speed(m, "latency_ms", "p90"), speed(m, "ttft_ms"),
                    speed(m, "output_tps"), cost(m), cost(m, "per_success"), cost(m, "total")]
                   for n, m in ranked(data["providers"])])
    out += ["", "## Answer faults", ""]
    faults = sorted({f for m in data["providers"].values() for f in m["faults"]})
    if faults:
        out += _table(["provider", *faults], [[n, *(pct(m["fault_rates"].get(f)) for f in faults)]
                                              for n, m in ranked(data["providers"])])
    else:
        out.append("No answer faults.")
    out.append("")
    return "\n".join(out)


def _agreement(data: dict[str, Any]) -> list[str]:
    """Trigger and call agreement with the reference, when the run has replay scenarios."""
    if not agreement.has_agreement(data):
        return []
    out = ["", "## Agreement with the reference", "", _cell(agreement.note(data)), ""]
    return out + _table(["provider", *(label for label, _ in agreement.COLUMNS)], agreement.rows(data))


def _sweep(data: dict[str, Any]) -> list[str]:
    """The load sweep's tables (as `replaykit sweep`), when the runs hold stress variants."""
    if not data.get("sweep"):
        return []
    return ["", "## Where each provider breaks: load sweep", "",
            "Rates at each load level of the stress variants, `value [95% interval] n=N`, clustered by base "
            "scenario (the numbers of `replaykit sweep`).", "", render_all(data["sweep"]).rstrip()]


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
    metrics = dict(providers)
    best = leaders({p: v["success"]["value"] or 0 for p, v in providers}, "max")
    lines = [f"- **Most successful:** {_cell(named(best))}, {pct(metrics[best[0]]['success'], interval=True)} "
             "of samples fully correct"]
    timed = {p: v["latency_ms"]["p50"] for p, v in providers if v["latency_ms"]["p50"] is not None}
    if timed and speeds_comparable(data):
        fast = leaders(timed)
        lines.append(f"- **Fastest (median latency):** {_cell(named(fast))}, {speed(metrics[fast[0]], 'latency_ms')}")
    priced = {p: v["cost_usd"]["per_sample"] for p, v in providers if v["cost_usd"]["attempts_priced"]}
    if priced:
        cheap = leaders(priced)
        lines.append(f"- **Cheapest per sample:** {_cell(named(cheap))}, {cost(metrics[cheap[0]])}")
    correct = {p: v["cost_usd"]["per_success"] for p, v in providers if v["cost_usd"].get("per_success")}
    if correct:
        cheap = leaders(correct)
        lines.append(f"- **Cheapest per fully correct answer:** {_cell(named(cheap))}, "
                     f"{cost(metrics[cheap[0]], 'per_success')}")
    failing = {p: v["error_rate"]["value"] for p, v in providers if v["error_rate"]["value"]}
    if failing:
        worst = leaders(failing, "max")
        lines.append(f"- **Most failed attempts:** {_cell(named(worst))}, {100 * failing[worst[0]]:.1f}% of attempts")
    return [*lines, ""]
