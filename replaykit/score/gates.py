"""Quality gates for CI: `--gate "error_rate<=0.05" --gate "success>=0.9" --gate "ttft_ms.p50<=800"`.

A gate reads the way it is written, whatever the metric's direction (`--fail-under error_rate=0.1` used to
fail the provider with 0.75% errors and pass the one with 26%). `PROVIDER:` in front restricts a gate to one
provider; otherwise every provider must pass it. A provider without a value for a gated metric (no streamed
attempt for TTFT, nothing priced for cost) fails the gate, said as such. Results can be written as JUnit XML
(one test case per provider and gate) so CI systems show each one.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from replaykit.errors import BadInputError
from replaykit.score.metrics import RATES

OPS: dict[str, Callable[[float, float], bool]] = {"<=": operator.le, ">=": operator.ge, "<": operator.lt,
                                                   ">": operator.gt}
DISTRIBUTIONS = {"latency_ms", "ttft_ms", "output_tps"}
PERCENTILES = ("p50", "p90", "p99")
COSTS = ("per_sample", "total")
_SPEC = re.compile(r"^\s*(?:(?P<provider>[^:<>=]+):)?\s*(?P<metric>[a-z_0-9.]+)\s*(?P<op><=|>=|<|>)\s*"
                   r"(?P<value>\S+)\s*$")
HELP = ("METRIC is a rate (" + ", ".join((*RATES, "pass_k")) + "), latency_ms|ttft_ms|output_tps.p50|p90|p99, "
        "or cost_usd.per_sample|total")


@dataclass(frozen=True)
class Gate:
    text: str
    provider: str | None
    metric: str  # as written: "success", "ttft_ms.p50", "cost_usd.per_sample"
    op: str
    limit: float

    def value(self, metrics: dict[str, Any]) -> float | None:
        head, _, tail = self.metric.partition(".")
        entry = metrics.get(head)
        if not isinstance(entry, dict):
            return None
        found = entry.get(tail or "value")
        return float(found) if isinstance(found, int | float) else None


@dataclass(frozen=True)
class Verdict:
    gate: Gate
    provider: str
    value: float | None

    @property
    def passed(self) -> bool:
        return self.value is not None and OPS[self.gate.op](self.value, self.gate.limit)

    @property
    def message(self) -> str:
        if self.value is None:
            return f"{self.provider}: {self.gate.metric} has no value (nothing measured), gate {self.gate.text}"
        word = "passes" if self.passed else "fails"
        return f"{self.provider}: {self.gate.metric} = {self.value:g} {word} {self.gate.op} {self.gate.limit:g}"


def parse_gate(text: str) -> Gate:
    """`[PROVIDER:]METRIC OP VALUE`; a rate's VALUE must be in [0, 1], a speed's or cost's non-negative."""
    match = _SPEC.match(text)
    if not match:
        raise BadInputError(f"want [PROVIDER:]METRIC<=VALUE (or >=, <, >), got {text!r}", field="--gate")
    metric, raw = match["metric"], match["value"]
    head, _, tail = metric.partition(".")
    is_rate = head in (*RATES, "pass_k") and not tail
    known = is_rate or (head in DISTRIBUTIONS and tail in PERCENTILES) or (head == "cost_usd" and tail in COSTS)
    if not known:
        raise BadInputError(f"unknown metric {metric!r} in {text!r}; {HELP}", field="--gate")
    try:
        limit = float(raw)
    except ValueError:
        raise BadInputError(f"{raw!r} is not a number in {text!r}", field="--gate") from None
    if not math.isfinite(limit) or limit < 0 or (is_rate and limit > 1):
        where = "in [0, 1] for a rate" if is_rate else "a non-negative number"
        raise BadInputError(f"{raw} is out of range in {text!r}: the limit must be {where}", field="--gate")
    provider = match["provider"].strip() if match["provider"] else None
    return Gate(text.strip(), provider, metric, match["op"], limit)


def from_fail_under(item: str) -> Gate:
    """The old `--fail-under METRIC=VALUE`: METRIC ≥ VALUE, for the rates where higher is better only."""
    name, _, number = item.partition("=")
    if name in ("error_rate",):
        raise BadInputError(f"{item!r}: error_rate is better when lower; use --gate \"error_rate<={number}\"",
                            field="--fail-under")
    if name not in RATES:
        raise BadInputError(f"wants METRIC=VALUE with METRIC in {', '.join(r for r in RATES if r != 'error_rate')}"
                            f", got {item!r}", field="--fail-under")
    return parse_gate(f"{name}>={number}")


def evaluate(gates: Sequence[Gate], providers: dict[str, dict[str, Any]]) -> list[Verdict]:
    unknown = sorted({g.provider for g in gates if g.provider and g.provider not in providers})
    if unknown:
        raise BadInputError(f"no provider {unknown[0]!r} in the scored runs (providers: {', '.join(providers)})",
                            field="--gate")
    return [Verdict(g, name, g.value(providers[name])) for g in gates for name in sorted(providers)
            if g.provider in (None, name)]


def junit_xml(verdicts: Sequence[Verdict]) -> str:
    """One <testcase> per provider and gate, a <failure> for each gate not met."""
    from xml.sax.saxutils import escape, quoteattr  # 15 ms of imports (urllib, http, ssl) most scores skip

    failures = sum(not v.passed for v in verdicts)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             f'<testsuites name="replaykit gates" tests="{len(verdicts)}" failures="{failures}">',
             f'  <testsuite name="replaykit gates" tests="{len(verdicts)}" failures="{failures}" errors="0">']
    for v in verdicts:
        case = f"    <testcase classname={quoteattr(v.provider)} name={quoteattr(v.gate.text)}"
        if v.passed:
            lines.append(case + f"><system-out>{escape(v.message)}</system-out></testcase>")
        else:
            lines.append(case + f"><failure message={quoteattr(v.message)}/></testcase>")
    lines += ["  </testsuite>", "</testsuites>", ""]
    return "\n".join(lines)
