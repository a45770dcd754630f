"""`replaykit diff --format markdown`: a comparison as GitHub-flavoured Markdown, ready for an issue or a PR —
the same figures as the text and JSON outputs (each metric's difference, interval, p and verdict)."""

from __future__ import annotations

from typing import Any

from replaykit.compare.text import metric_headers, metric_rows
from replaykit.report.markdown import table


def render_diff_markdown(data: dict[str, Any], limit: int = 20) -> str:
    out: list[str] = []
    for c in data["comparisons"]:
        out += _comparison(c, data, limit)
    return "\n".join(out) + "\n"


def _comparison(c: dict[str, Any], data: dict[str, Any], limit: int) -> list[str]:
    s = c["summary"]
    out = [f"## diff: `{c['a']}` → `{c['b']}`", "",
           f"**{c['verdict']}**", "",
           f"Paired {c['n']} samples over {c['scenario_count']} scenarios (by scenario and repetition; unpaired: "
           f"A {c['unpaired']['a']}, B {c['unpaired']['b']}). Pairs: {s['regressed']} regressed, {s['improved']} "
           f"improved, {s['changed']} changed, {s['same']} same.", ""]
    out += table(list(metric_headers(data["alpha"])), metric_rows(c["metrics"]))
    out += ["", f"Rates in %, with their 95% interval clustered by scenario. Every difference is B − A with its "
                f"{100 * (1 - data['alpha']):g}% interval and p from one paired test, clustered by scenario "
                f"(sign flip of whole scenarios; bootstrap for speed; {data['resamples']} draws, seed "
                f"{data['seed']}): docs/compare.md.", ""]
    rows = c["scenarios"][:limit]
    if rows:
        out += [f"### Scenarios that changed ({len(c['scenarios'])}, regressions first)", ""]
        out += table(["scenario", "category", "regressed", "improved", "changed", "pairs"],
                     [[r["scenario"], r["category"], str(r["regressed"]), str(r["improved"]), str(r["changed"]),
                       str(r["pairs"])] for r in rows])
        if len(c["scenarios"]) > limit:
            out += ["", f"… {len(c['scenarios']) - limit} more (`--format json` lists them all)."]
        out.append("")
    return out
