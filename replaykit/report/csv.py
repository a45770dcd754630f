"""CSV: one row per provider and metric, for spreadsheets."""

from __future__ import annotations

import csv
import io
from typing import Any

from replaykit.score.metrics import RATES, TRIGGER_RATES


def render(data: dict[str, Any]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["provider", "metric", "value", "low", "high", "n"])
    for name, m in sorted(data["providers"].items()):
        for metric in (*RATES, *(t for t in TRIGGER_RATES if t in m)):  # trigger rates: replay runs only
            r = m[metric]
            writer.writerow([name, metric, r["value"], r["low"], r["high"], r["n"]])
        for metric in ("latency_ms", "ttft_ms", "output_tps"):
            for q in ("p50", "p90", "p99"):
                writer.writerow([name, f"{metric}_{q}", m[metric][q], "", "", m[metric]["n"]])
        for cls, count in sorted(m["errors"].items()):
            writer.writerow([name, f"errors.{cls}", count, "", "", m["attempts"]])
        writer.writerow([name, "cost_usd_total", m["cost_usd"]["total"], "", "", m["samples"]])
    return buf.getvalue()
