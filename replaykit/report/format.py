"""Formatting shared by every report: rates with intervals, durations, money."""

from __future__ import annotations

from typing import Any


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


def usd(value: float | None) -> str:
    if value is None:
        return "-"
    if value < 0.01:
        return f"{value * 100:.3f}¢"
    return f"${value:.2f}"


SHORT = {"rate_limited": "429", "server_error": "5xx", "client_error": "4xx", "timeout": "timeout",
         "connection": "conn", "stream_cut": "cut",
         "stream_error": "stream-err", "malformed_body": "malformed"}


def ranked(providers: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Best success first; ties by name, so the order is stable."""
    return sorted(providers.items(), key=lambda kv: (-(kv[1]["success"]["value"] or 0), kv[0]))
