"""Plain-text rendering of the compare results, for a terminal of WIDTH columns (no line is longer)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from replaykit.compare.outcomes import render_change
from replaykit.compare.paired import BINARY, RATIOS, TRIGGER, fmt_p

WIDTH = 100


def fit(line: str, width: int = WIDTH) -> str:
    line = line.rstrip()
    return line if len(line) <= width else line[: width - 1] + "…"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], align: str, width: int = WIDTH,
          shrink: int = 0) -> list[str]:
    """Columns two spaces apart; column `shrink` (a name) is shortened when the table would be too wide."""
    cols = len(headers)
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(cols)]
    overflow = sum(widths) + 2 * (cols - 1) - width
    if overflow > 0:
        widths[shrink] = max(8, widths[shrink] - overflow)
    lines = []
    for row in [headers, *rows]:
        cells = []
        for i, value in enumerate(row):
            text = str(value)
            if len(text) > widths[i]:
                text = text[: widths[i] - 1] + "…"
            cells.append(text.ljust(widths[i]) if align[i] == "l" else text.rjust(widths[i]))
        lines.append(fit("  ".join(cells)))
    return lines


# --- values ------------------------------------------------------------------------------------------

def pct(r: dict[str, Any] | None, interval: bool = True) -> str:
    if not r or r.get("value") is None:
        return "-"
    text = f"{100 * r['value']:.1f}"
    return text + f" ({100 * r['low']:.0f}–{100 * r['high']:.0f})" if interval else text


def ms(v: float | None) -> str:
    if v is None:
        return "-"
    return f"{v / 1000:.2f}s" if abs(v) >= 1000 else f"{v:.0f}ms"


def signed_ms(v: float | None) -> str:
    if v is None:
        return "-"
    return f"{v / 1000:+.2f}s" if abs(v) >= 1000 else f"{v:+.0f}ms"


def cents(v: float | None, signed: bool = False) -> str:
    if v is None:
        return "-"
    return f"{100 * v:+.4f}¢" if signed else f"{100 * v:.4f}¢"


def _metric_value(metric: str, v: float | None, signed: bool = False) -> str:
    if v is None:
        return "-"
    if metric in BINARY or metric in RATIOS or metric in TRIGGER or metric == "pass_k":
        return f"{100 * v:+.1f}" if signed else f"{100 * v:.1f}"
    if metric == "cost_usd":
        return cents(v, signed)
    if metric == "output_tps":
        return f"{v:+.0f}/s" if signed else f"{v:.0f}/s"
    return signed_ms(v) if signed else ms(v)


def _side(metric: str, value: Any) -> str:
    if isinstance(value, dict):
        return pct(value)
    return _metric_value(metric, value)


def _diff(metric: str, row: dict[str, Any]) -> str:
    if row.get("diff") is None:
        return "-"
    text = _metric_value(metric, row["diff"], signed=True)
    if row.get("low") is None:
        return text
    return f"{text} [{_metric_value(metric, row['low'], True)}, {_metric_value(metric, row['high'], True)}]"


LABELS = {"latency_ms": "latency p50", "ttft_ms": "ttft p50", "output_tps": "tps p50", "cost_usd": "$/sample"}


def metric_rows(metrics: dict[str, dict[str, Any]]) -> list[list[str]]:
    rows = []
    for m, r in metrics.items():
        verdict = f"{r['better']} better" if r["better"] else ("-" if r["p"] is None else "n.s.")
        label = f"pass^{r['k'] or 'k'}" if m == "pass_k" else LABELS.get(m, m)
        if r.get("not_compared"):
            verdict = "scales differ"
        rows.append([label, _side(m, r["a"]), _side(m, r["b"]), _diff(m, r), fmt_p(r["p"]),
                     verdict])
    return rows


def metric_headers(alpha: float) -> tuple[str, ...]:
    """The interval is at 1 − alpha, the level at which its verdict is said."""
    return ("metric", "A", "B", f"B − A [{100 * (1 - alpha):g}% CI]", "p", "verdict")


# --- diff --------------------------------------------------------------------------------------------

def render_diff(data: dict[str, Any], limit: int = 20) -> list[str]:
    lines: list[str] = []
    for i, c in enumerate(data["comparisons"]):
        if i:
            lines += ["", "─" * WIDTH, ""]
        lines += _comparison(c, data, limit)
    return [fit(line) for line in lines]


def _comparison(c: dict[str, Any], data: dict[str, Any], limit: int) -> list[str]:
    s = c["summary"]
    lines = [f"diff  A = {c['a']}", f"      B = {c['b']}",
             f"paired {c['n']} samples over {c['scenario_count']} scenarios (by scenario and repetition); "
             f"unpaired: A {c['unpaired']['a']}, B {c['unpaired']['b']}"]
    if c["dropped_scenarios"]:
        lines.append(f"left out (--intersect): {', '.join(c['dropped_scenarios'])}")
    lines += [f"pairs: {s['regressed']} regressed · {s['improved']} improved · {s['changed']} changed · "
              f"{s['same']} same (B against A)",
              f"scenarios: {s['scenarios_changed']} changed, {s['scenarios_same']} same", ""]
    lines += table(metric_headers(data["alpha"]), metric_rows(c["metrics"]), "lrrrrl")
    apart = next((r["not_compared"] for r in c["metrics"].values() if r.get("not_compared")), None)
    if apart:
        lines.append(f"speeds {apart}")
    lines += ["", c["verdict"]]
    others = [f"{m} ({c['metrics'][m]['better']} better)" for m in c["significant"] if m != "success"]
    if others:
        lines.append("also significant: " + ", ".join(others))
    lines += [f"tests (alpha {data['alpha']}), paired and clustered by scenario: whole scenarios' sides swapped "
              "(rates, pass^k,", f"  cost), scenarios resampled (speed); {data['resamples']} draws, seed "
              f"{data['seed']} (docs/compare.md)"]
    lines += _scenarios(c["scenarios"], limit)
    return lines


def _scenarios(rows: list[dict[str, Any]], limit: int) -> list[str]:
    if not rows:
        return ["", "scenarios: every pair has the same outcome"]
    lines = ["", f"scenarios that changed, regressions first ({len(rows)}):"]
    for row in rows[:limit]:
        lines.append(f"{row['scenario']}  [{row['category']}]  regressed {row['regressed']} · improved "
                     f"{row['improved']} · changed {row['changed']} · of {row['pairs']}")
        for g in row["groups"][:3]:
            reps = ", ".join(f"r{r}" for r in g["repetitions"][:6]) + (" …" if g["count"] > 6 else "")
            lines.append(f"  {g['direction']} ×{g['count']} ({reps})")
            for change in g["changes"][:4]:
                lines.append("    " + render_change(change, WIDTH - 4))
            if len(g["changes"]) > 4:
                lines.append(f"    … {len(g['changes']) - 4} more changes")
        if len(row["groups"]) > 3:
            lines.append(f"  … {len(row['groups']) - 3} more kinds of change (see --json)")
    if len(rows) > limit:
        lines.append(f"… {len(rows) - limit} more scenarios (see --json, or --limit)")
    return lines


# --- reference ---------------------------------------------------------------------------------------

def render_reference(data: dict[str, Any]) -> list[str]:
    lines = [f"reference agreement  run {data['run']} · reference {data['reference']} "
             f"(schema accuracy {pct(data['reference_schema_accuracy'])})",
             "trigger = called a tool where the reference did (per answered turn); "
             "F1 with a bootstrap 95% CI",
             ""]
    headers = ("provider", "turns", "precision", "recall", "F1", "schema acc", "args agree", "unans")
    rows = []
    for name, r in sorted(data["providers"].items(), key=lambda kv: (-(kv[1]["f1"]["value"] or 0), kv[0])):
        f1 = r["f1"]
        f1_text = "-" if f1["value"] is None else (
            f"{100 * f1['value']:.1f}" + (f" ({100 * f1['low']:.0f}–{100 * f1['high']:.0f})"
                                          if f1["low"] is not None else ""))
        rows.append([name, str(r["turns"]), pct(r["precision"]), pct(r["recall"]), f1_text,
                     pct(r["schema_accuracy"], False), pct(r["arg_agreement"], False), str(r["unanswered"])])
    lines += table(headers, rows, "lrrrrrrr")
    lines += ["", "rates in % (95% interval); schema acc = the provider's calls valid against the tool "
                  "schema;", "args agree = the reference's calls reproduced exactly; unans = samples the "
                  "provider did not answer"]
    return [fit(line) for line in lines]


# --- trend -------------------------------------------------------------------------------------------

def render_trend(data: dict[str, Any]) -> list[str]:
    lines = [f"trend  {data['provider']} over {len(data['runs'])} runs, oldest first", ""]
    headers = ("run", "started", "n", "success", "avail", "errors", "recall", "args", "p50", "$/sample")
    rows = []
    for r in data["runs"]:
        rows.append([r["run"], str(r["started_at"] or "-")[:16].replace("T", " "), str(r["samples"]),
                     pct(r["success"]), pct(r["availability"], False), pct(r["error_rate"], False),
                     pct(r["tool_recall"], False), pct(r["param_accuracy"], False),
                     ms(r["latency_ms"]["p50"]), cents(r["cost_usd"]["per_sample"])])
    lines += table(headers, rows, "llrrrrrrrr")
    if data["changes"]:
        lines += ["", "between consecutive runs (paired by scenario and repetition):"]
    for step in data["changes"]:
        lines.append(f"{step['from']} → {step['to']}  (n = {step['n']})")
        significant = sorted(step["significant"], key=lambda m: (m != "success", m))
        if "success" not in significant:
            lines.append(f"  {step['verdict']}")
        if not significant:
            lines.append(f"  no significant difference in any metric (alpha = {data['alpha']})")
        for m in significant:
            r = step["metrics"][m]
            way = "better" if r["better"] == "B" else "worse"
            lines.append(f"  {LABELS.get(m, m)}: {way} by {_diff(m, r)}, p = {fmt_p(r['p'])}")
    return [fit(line) for line in lines]


# --- fallback ----------------------------------------------------------------------------------------

FALLBACK_HEADERS = ("route", "availability", "success", "p50 (95% CI)", "p90", "lost", "$/sample", "hops")


def ms_interval(value: float | None, interval: list[float] | None) -> str:
    """`46 (8–51)ms`: one unit for the three numbers, seconds from one second up."""
    if value is None:
        return "-"
    if not interval:
        return ms(value)
    scale, unit, digits = (1000, "s", 2) if max(value, *interval) >= 1000 else (1, "ms", 0)
    lo, hi = (f"{v / scale:.{digits}f}" for v in interval)
    return f"{value / scale:.{digits}f} ({lo}–{hi}){unit}"


def _fallback_row(label: str, r: dict[str, Any]) -> list[str]:
    lat = r["latency_ms"]
    return [label, pct(r["availability"]), pct(r["success"]),
            ms_interval(lat["p50"], lat.get("p50_interval")), ms(lat["p90"]), ms(r["lost_ms"]["mean"]),
            cents(r["cost_usd"]["per_sample"]),
            f"{r['hops']['mean']:.2f}" if r["hops"]["mean"] else "-"]


def render_fallback(data: dict[str, Any]) -> list[str]:
    timeout = f" · timeout {data['timeout_s']:g}s a hop" if data["timeout_s"] else ""
    if "ranking" in data:
        return _render_ranking(data, timeout)
    r = data["result"]
    lines = [f"fallback  {data['run']} · chain {' → '.join(data['chain'])} · {data['policy']}"
             f"{timeout} · {r['samples']} samples", ""]
    rows = [[f"{name} alone", *_fallback_row("", data["alone"][name])[1:]] for name in data["chain"]]
    rows.append(_fallback_row("chain", r))
    lines += table(FALLBACK_HEADERS, rows, "lrrrrrrr")
    answered = ", ".join(f"{name} {count}" for name, count in r["answered_by"].items())
    lines += ["", f"answered by: {answered}"]
    skipped = {k: v for k, v in data["skipped"].items() if v}
    if skipped:
        lines.append("left out (not recorded for every provider of the chain): "
                     + ", ".join(f"{k} {v}" for k, v in skipped.items()))
    lines += _assumptions(data)
    return [fit(line) for line in lines]


def _render_ranking(data: dict[str, Any], timeout: str) -> list[str]:
    rows = data["ranking"]
    lines = [f"fallback  {data['run']} · every chain of length ≤ 2 · {data['policy']}{timeout} · "
             f"{rows[0]['samples'] if rows else 0} samples", ""]
    # no hops column here: the route says how many providers it has, and its name needs the room
    cells = [[str(r["rank"]), *_fallback_row("", r)[1:-1]] for r in rows]
    headers = ("#", *FALLBACK_HEADERS[1:-1])
    room = WIDTH - sum(max(len(c[i]) for c in [headers, *cells]) for i in range(len(headers))) - 2 * len(headers)
    labels, legend = route_labels(sorted({n for r in rows for n in r["chain"]}), room)
    table_rows = [[c[0], " → ".join(labels[n] for n in r["chain"]), *c[1:]] for c, r in zip(cells, rows)]
    lines += table(("#", "route", *headers[1:]), table_rows, "rlrrrrrr", shrink=1)
    lines += legend
    lines.append("ranked by success, then availability, p50 latency, cost")
    lines += _assumptions(data)
    return [fit(line) for line in lines]


def route_labels(names: Sequence[str], room: int) -> tuple[dict[str, str], list[str]]:
    """Labels for provider names in routes of up to two hops that fit in `room` columns and stay distinct:
    the names; else without their common prefix; else cut, if still distinct; else letters. A legend names
    what was cut or lettered (never two routes both shown as `sim-…`)."""
    budget = max(2, (room - 3) // 2)
    if not names or max(map(len, names)) <= budget:
        return {n: n for n in names}, []
    prefix = _common_prefix(names)
    stripped = {n: n[len(prefix):] or n for n in names}
    note = [f"routes name providers without their common prefix {prefix!r}"] if prefix else []
    if max(map(len, stripped.values())) <= budget:
        return stripped, note
    cut = {n: v if len(v) <= budget else v[:budget - 1] + "…" for n, v in stripped.items()}
    if len(set(cut.values())) < len(names):
        cut, note = {n: _letter(i) for i, n in enumerate(names)}, []
    legend = ", ".join(f"{cut[n]} = {n}" for n in names if cut[n] != stripped[n])
    return cut, note + _wrap("providers: " + legend, "  ")


def _common_prefix(names: Sequence[str]) -> str:
    """The longest common beginning that ends with a separator (`sim-`, `org/`), or ''."""
    first, last = min(names), max(names)
    i = 0
    while i < min(len(first), len(last)) and first[i] == last[i]:
        i += 1
    cut = max(first.rfind(sep, 0, i) for sep in "-_./:")
    return first[:cut + 1] if len(names) > 1 and cut >= 0 else ""


def _letter(i: int) -> str:
    return chr(ord("A") + i % 26) + (str(i // 26) if i >= 26 else "")


def _assumptions(data: dict[str, Any]) -> list[str]:
    lines = ["", "rates in % (95% interval); p50 latency with a distribution-free 95% interval;",
             "lost = mean time per sample in failed attempts, retry waits and abandoned hops", "assumptions:"]
    for a in data["assumptions"]:
        lines += _wrap("- " + a, "  ")
    return lines


def _wrap(text: str, indent: str) -> list[str]:
    words, lines, line = text.split(), [], ""
    for word in words:
        candidate = f"{line} {word}" if line else word
        if len(candidate) > WIDTH:
            lines.append(line)
            line = indent + word
        else:
            line = candidate
    return [*lines, line] if line else lines


# --- plan --------------------------------------------------------------------------------------------

def render_plan(data: dict[str, Any]) -> list[str]:
    psi = data["discordance"]
    lines = [
        f"plan  detect {data['baseline']:g} → {data['target']:g} (delta {data['delta']:+g}) with power "
        f"{data['power']:g} at alpha {data['alpha']:g}, paired (McNemar)",
        "",
        f"samples per provider: {data['n']}   (discordance {psi['value']:g}, {psi['assumption']})",
    ]
    if data.get("repeat"):
        lines.append(f"  clustered by scenario (icc {data['icc']:g}, design effect {data['design_effect']:g}): "
                     f"{data['scenario_count']} scenarios × --repeat {data['repeat']} = {data['samples']} samples")
    elif "scenario_count" in data:
        lines.append(f"  {data['scenario_count']} scenarios are too few at icc {data['icc']:g} (no --repeat "
                     f"suffices): at least {data['scenarios_needed']} are needed")
    lines += [
        f"at least discordance (|delta|): {data['n_least_discordance']}    unpaired design: "
        f"{data['n_unpaired']} per provider",
        f"power of McNemar's exact test at n = {data['n']}: {data['exact_power']:.3f} ({data['power_method']})",
        "",
        f"formula: {data['formula']}",
        "discordance = share of samples where the two providers disagree; set it with --discordance",
    ]
    return [fit(line) for line in lines]
