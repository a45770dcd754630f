"""What every report must say before its numbers are read: a partial run, samples left out so that providers
are compared on the same cells, scenarios dropped, set-ups kept apart, speeds measured on a scaled clock.

The terminal, Markdown and HTML reports print these same lines (docs/metrics.md, "What is compared").
"""

from __future__ import annotations

from typing import Any

SCALED = "~"  # after a speed figure rescaled from a simulator time scale


def run_notes(data: dict[str, Any]) -> list[str]:
    run = data.get("run") or {}
    out = [_partial(r) for r in run.get("runs") or [] if r.get("partial")]
    comparable = run.get("comparable") or {}
    left = comparable.get("samples_left_out") or 0
    if comparable.get("mode") == "no_shared_cells":
        out.append("No (scenario, repetition) was recorded for every provider: every sample is scored, and the "
                   "providers are not compared on the same samples.")
    elif comparable.get("mode") == "all_samples":
        out.append("All samples scored (--all-samples): providers that lack some (scenario, repetition) cells "
                   "are not compared on the same samples.")
    elif left:
        who = ", ".join(f"{p} {n}" for p, n in (comparable.get("left_out") or {}).items() if n)
        out.append(f"Compared on the {comparable.get('cells')} (scenario, repetition) cells every provider "
                   f"completed: {left} samples of {comparable.get('cells_left_out')} other cells left out "
                   f"({who}); --all-samples scores them.")
    dropped = comparable.get("dropped_scenarios") or []
    if dropped:
        out.append(f"Scored on the scenarios all runs share (--intersect): {len(dropped)} left out "
                   f"({', '.join(dropped[:3])}{', …' if len(dropped) > 3 else ''}).")
    tagged = sorted(n for n in data.get("providers") or {} if "@" in n)
    if tagged:
        out.append(f"Recorded with different settings under one name, kept apart: {', '.join(tagged)}.")
    out += speed_notes(data)
    return out


def _partial(run: dict[str, Any]) -> str:
    planned = run.get("samples_planned")
    of = f" of {planned} planned" if planned else ""
    return (f"PARTIAL RUN {run.get('id')} ({run.get('status')}): {run.get('samples_recorded')}{of} samples "
            "recorded.")


def scales(data: dict[str, Any]) -> dict[str, float | None]:
    """Provider -> the simulator time scale its speed was measured at (None: real time)."""
    return {name: (m.get("config") or {}).get("time_scale") for name, m in (data.get("providers") or {}).items()}


def speeds_comparable(data: dict[str, Any]) -> bool:
    return len(set(scales(data).values())) <= 1


def speed_notes(data: dict[str, Any]) -> list[str]:
    found = sorted({s for s in scales(data).values() if s}, reverse=True)
    out = []
    if found:
        out.append(f"{SCALED} speed measured on the simulator at {', '.join(f'{s:g}' for s in found)}× real time "
                   "and rescaled to simulated time (latency ÷ scale, tokens/s × scale; the client's own overhead "
                   "is scaled up with it).")
    if not speeds_comparable(data):
        out.append("Speeds were measured at different time scales: they are not compared (no fastest provider).")
    return out


def scaled_distribution(m: dict[str, Any], metric: str) -> tuple[dict[str, Any], bool]:
    """A speed distribution in the time of the profile: measured ÷ scale (tokens/s × scale) for a run recorded
    on a scaled simulator clock; whether it was rescaled."""
    dist = m.get(metric) or {}
    scale = (m.get("config") or {}).get("time_scale")
    if not scale:
        return dist, False
    factor = scale if metric == "output_tps" else 1 / scale
    return {k: (v * factor if k != "n" and isinstance(v, int | float) else v) for k, v in dist.items()}, True
