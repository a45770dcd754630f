"""Formatting shared by every report: rates with intervals, durations, money."""

from __future__ import annotations

from typing import Any

from replaykit.report.notes import SCALED, scaled_distribution


def pct(r: dict[str, Any] | None, interval: bool = False, digits: int = 1) -> str:
    if not r or r.get("value") is None:
        return "-"
    text = f"{100 * r['value']:.{digits}f}%"
    if interval:
        text += f" [{100 * r['low']:.0f}–{100 * r['high']:.0f}]"
    return text


def interval(r: dict[str, Any] | None) -> str:
    """`99.6 (98–100)`: the value and its 95% interval, in percent."""
    if not r or r.get("value") is None:
        return "-"
    return f"{100 * r['value']:.1f} ({100 * r['low']:.0f}–{100 * r['high']:.0f})"


def consistency_lines(data: dict[str, Any]) -> list[str]:
    """Per provider: pass^k with its interval and the flaky scenarios; nothing when no scenario repeats."""
    providers = [(n, m) for n, m in ranked(data["providers"]) if (m.get("pass_k") or {}).get("value") is not None]
    if not providers:
        return []
    k = providers[0][1]["pass_k"]["k"]
    lines = [f"consistency: pass^{k} = all {k} repetitions of a scenario pass; flaky = some pass, some fail"]
    for name, m in providers:
        f = m["flaky"]
        shown = ", ".join(f["scenarios"][:3]) + (", …" if f["count"] > 3 else "")
        lines.append(f"  {name}: pass^{m['pass_k']['k']} {interval(m['pass_k'])}; "
                     f"flaky {f['count']}/{f['of']}" + (f" ({shown})" if shown else ""))
    return lines


def ms(dist: dict[str, Any] | None, key: str = "p50") -> str:
    if not dist or dist.get(key) is None:
        return "-"
    value = dist[key]
    return f"{value / 1000:.1f}s" if value >= 1000 else f"{value:.0f}ms"


def num(dist: dict[str, Any] | None, key: str = "p50") -> str:
    if not dist or dist.get(key) is None:
        return "-"
    return f"{dist[key]:.0f}"


UNPRICED = "–"  # a provider without a price: its cost is unknown, not zero


def usd(value: float | None) -> str:
    if value is None:
        return "-"
    if value < 0.01:
        return f"{value * 100:.3f}¢"
    return f"${value:.2f}"


SHORT = {"rate_limited": "429", "server_error": "5xx", "client_error": "4xx", "timeout": "timeout",
         "connection": "conn", "stream_cut": "cut",
         "stream_error": "stream-err", "malformed_body": "malformed", "reasoning_signature": "sig"}


def ranked(providers: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Best success first; ties by name, so the order is stable."""
    return sorted(providers.items(), key=lambda kv: (-(kv[1]["success"]["value"] or 0), kv[0]))


def speed(m: dict[str, Any], metric: str, key: str = "p50") -> str:
    """A speed figure of a provider: ms for latency/TTFT, a count for tokens/s; rescaled to the simulated time
    and marked when its run was recorded at a time scale (report.notes)."""
    dist, scaled = scaled_distribution(m, metric)
    text = num(dist, key) if metric == "output_tps" else ms(dist, key)
    return text + SCALED if scaled and text != "-" else text


def cost(m: dict[str, Any], key: str = "per_sample") -> str:
    """Cost per sample (or per fully correct sample, `per_success`); "–" when nothing was priced."""
    c = m.get("cost_usd") or {}
    if not c.get("attempts_priced"):
        return UNPRICED
    return usd(c.get(key))


def leaders(values: dict[str, float], best: str = "min") -> list[str]:
    """The providers with the best value: one name, or several when they tie."""
    if not values:
        return []
    top = min(values.values()) if best == "min" else max(values.values())
    return sorted(name for name, v in values.items() if v == top)


def named(names: list[str]) -> str:
    """`a`, or `tie: a, b` — a tie is never settled by alphabetical order."""
    return names[0] if len(names) == 1 else "tie: " + ", ".join(names)
