"""Returned calls against one expectation: one-to-one matching, verdicts per call and per parameter.

An expected call is matched by a returned call of the same name. The default assignment is optimal: as many
matches as names allow, and among those as many fully correct pairs as possible (bipartite matching). With
`greedy=True` it is BFCL's: each expected call in order consumes the first unconsumed returned call that
passes, which can reject a correct answer given in another order.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from replaykit.normalize.outcome import Call
from replaykit.scenarios.matchers import DEFAULT_RULES, Rules
from replaykit.scenarios.model import Expectation, ExpectedCall


@dataclass(frozen=True, slots=True)
class CallVerdict:
    """One expected call: which returned call matched it, and what is wrong with its arguments."""

    expected: int
    returned: int | None
    failures: tuple[tuple[str, str], ...] = ()

    @property
    def correct(self) -> bool:
        return self.returned is not None and not self.failures


@dataclass(slots=True)
class StepVerdict:
    verdicts: list[CallVerdict]
    unknown: list[int] = field(default_factory=list)  # returned calls naming a tool not offered
    extra: list[int] = field(default_factory=list)  # returned calls left over
    faults: list[str] = field(default_factory=list)
    bfcl: bool | None = None  # BFCL's own verdict (--bfcl-compat on an imported BFCL scenario): it decides

    @property
    def correct(self) -> bool:
        if self.bfcl is not None:
            return self.bfcl
        return all(v.correct for v in self.verdicts) and not self.unknown and not self.extra \
            and "wrong_order" not in self.faults


def check_step(expect: Expectation, calls: Sequence[Call], offered: Collection[str], *,
               rules: Rules = DEFAULT_RULES, greedy: bool = False) -> StepVerdict:
    if _all_right_in_order(expect.calls, calls, rules):  # most answers: every assignment agrees on this one
        return StepVerdict([CallVerdict(i, i) for i in range(len(calls))])
    failures = _Failures(expect.calls, calls, rules)
    assign = _assign_greedy if greedy else _assign_optimal
    pairs = assign(expect.calls, calls, failures)
    verdicts = [CallVerdict(i, pairs.get(i), failures.of(i, pairs[i]) if i in pairs else ())
                for i in range(len(expect.calls))]
    unknown: list[int] = []
    extra: list[int] = []
    if len(pairs) < len(calls):
        used = set(pairs.values())
        for j, call in enumerate(calls):
            if j not in used:
                (extra if call.name in offered else unknown).append(j)
    verdict = StepVerdict(verdicts, unknown, extra)
    verdict.faults = faults_of(verdict, expect.order)
    return verdict


def _all_right_in_order(expected: Sequence[ExpectedCall], calls: Sequence[Call], rules: Rules) -> bool:
    if len(calls) != len(expected):
        return False
    for exp, call in zip(expected, calls):
        if call.name != exp.name or call.arguments is None or exp.args.check_fields(call.arguments, rules):
            return False
    return True


class _Failures:
    """Argument failures of each same-name (expected, returned) pair, computed once and shared by the
    assignment and the verdicts."""

    def __init__(self, expected: Sequence[ExpectedCall], calls: Sequence[Call], rules: Rules) -> None:
        self.expected, self.calls, self.rules = expected, calls, rules
        self._memo: dict[tuple[int, int], tuple[tuple[str, str], ...]] = {}

    def of(self, i: int, j: int) -> tuple[tuple[str, str], ...]:
        key = (i, j)
        found = self._memo.get(key)
        if found is None:
            call = self.calls[j]
            if call.arguments is None:
                found = (("", "arguments are not a valid JSON object"),)
            else:
                found = tuple(self.expected[i].args.check_fields(call.arguments, self.rules))
            self._memo[key] = found
        return found

    def passes(self, i: int, j: int) -> bool:
        return self.calls[j].name == self.expected[i].name and not self.of(i, j)


def _augment(i: int, seen: set[int], good: dict[int, list[int]], owner: dict[int, int]) -> bool:
    """Kuhn's step. A function of its own, not a closure: a recursive closure is a reference cycle, which only
    the cycle collector frees — and scoring pauses it (engine.gc_paused), so each call's would pile up."""
    for j in good[i]:
        if j in seen:
            continue
        seen.add(j)
        if j not in owner or _augment(owner[j], seen, good, owner):
            owner[j] = i
            return True
    return False


def _assign_optimal(expected: Sequence[ExpectedCall], calls: Sequence[Call], failures: _Failures) -> dict[int, int]:
    """Max matches by name, maximising fully correct pairs first (Kuhn's augmenting paths)."""
    good = {i: [j for j in range(len(calls)) if failures.passes(i, j)] for i in range(len(expected))}
    owner: dict[int, int] = {}  # returned -> expected
    for i in range(len(expected)):
        _augment(i, set(), good, owner)
    pairs = {i: j for j, i in owner.items()}
    for i, exp in enumerate(expected):  # pair the rest by name, in order
        if i in pairs:
            continue
        for j, call in enumerate(calls):
            if j not in owner and call.name == exp.name:
                owner[j], pairs[i] = i, j
                break
    return pairs


def _assign_greedy(expected: Sequence[ExpectedCall], calls: Sequence[Call], failures: _Failures) -> dict[int, int]:
    pairs: dict[int, int] = {}
    taken: set[int] = set()
    for i in range(len(expected)):
        for j in range(len(calls)):
            if j not in taken and failures.passes(i, j):
                pairs[i] = j
                taken.add(j)
                break
    for i, exp in enumerate(expected):  # BFCL fails these; we still say which call it was
        if i in pairs:
            continue
        for j, call in enumerate(calls):
            if j not in taken and call.name == exp.name:
                pairs[i] = j
                taken.add(j)
                break
    return pairs


def faults_of(v: StepVerdict, order: str) -> list[str]:
    missing = wrong_args = 0
    for x in v.verdicts:
        if x.returned is None:
            missing += 1
        elif not x.correct:
            wrong_args = 1
    faults = fault_names(missing, len(v.extra), len(v.unknown), bool(wrong_args))
    if order == "strict":
        seq = [x.returned for x in v.verdicts if x.returned is not None]
        if seq != sorted(seq):
            faults.append("wrong_order")
    return faults


def fault_names(missing: int, extra: int, unknown: int, wrong_args: bool) -> list[str]:
    """The faults of a turn from its counts: expected calls unmatched, returned calls left over (of an
    offered tool or not), and whether a matched pair has wrong arguments."""
    faults: list[str] = []
    wrong_tool = min(missing, extra + unknown)
    if unknown:
        faults.append("unknown_tool")
    if wrong_tool:
        faults.append("wrong_tool")
    if extra > max(0, wrong_tool - unknown):
        faults.append("extra_call")
    if missing > wrong_tool:
        faults.append("missing_call")
    if wrong_args:
        faults.append("wrong_args")
    return faults
