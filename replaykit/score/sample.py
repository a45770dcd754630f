"""One sample scored: its attempts normalized, its answers checked turn by turn."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from replaykit.cassettes.model import Attempt, Cassette
from replaykit.normalize import Outcome, normalize
from replaykit.normalize.outcome import HARNESS, REASONING_SIGNATURE, Call
from replaykit.providers.config import Price
from replaykit.scenarios.matchers import DEFAULT_RULES, Rules
from replaykit.scenarios.model import Expectation, Scenario
from replaykit.score.bfcl_checker import bfcl_truth, check_bfcl
from replaykit.score.checker import StepVerdict, check_step
from replaykit.score.schema import SchemaChecker


@dataclass
class ScoreOptions:
    rules: Rules = DEFAULT_RULES
    greedy: bool = False  # BFCL's first-fit assignment
    prices: dict[str, Price] = field(default_factory=dict)
    bfcl: bool = False  # BFCL's own verdict on scenarios imported from BFCL (bfcl_checker)


@dataclass(slots=True)
class AttemptFacts:
    provider: str
    step: int
    error_class: str | None
    latency_ms: float | None
    ttft_ms: float | None
    output_tps: float | None
    cost_usd: float | None
    stream: bool
    total_ms: float | None = None  # every attempt, failed ones too: fallback what-ifs count the time lost
    wait_ms: float = 0.0  # waited before the attempt (backoff, Retry-After)
    # what exports (one row per attempt) show besides the metrics' inputs
    status: int | None = None
    retry: int = 0
    started_at: float | None = None  # epoch seconds: failures cluster in time (bursts, downtime)
    input_tokens: int | None = None
    output_tokens: int | None = None
    faults: tuple[str, ...] = ()
    blame: str | None = None  # reasoning_signature: the provider whose earlier answer carried the bad signature


@dataclass(slots=True)
class SampleScore:
    provider: str
    scenario: str
    repetition: int
    category: str
    tags: tuple[str, ...]
    attempts: list[AttemptFacts]
    usable: bool
    expected: int = 0
    matched: int = 0
    returned: int = 0
    args_ok: int = 0
    schema_ok: int = 0
    success: bool = False
    answered_turns: int = 0
    faults: list[str] = field(default_factory=list)  # per answered turn, repeated across turns
    per_tool: dict[str, list[int]] = field(default_factory=dict)  # expected tool -> [matched, expected]
    steps: list[dict[str, Any]] = field(default_factory=list)
    path: str = ""  # the cassette this sample was read from
    # "" for a hand-written scenario; "replay": the expectation is a reference provider's answer;
    # "pending": a replay scenario whose reference is not recorded yet (its calls are never judged)
    reference: str = ""
    extra: Any = None  # what the scoring was asked to build beside the score (score.tally.Extra)

    @property
    def signature_from(self) -> list[str]:
        """The providers whose answers carried a reasoning signature that a later turn was refused for."""
        return sorted({a.blame for a in self.attempts if a.blame})

    @property
    def harness_cut(self) -> bool:
        """Unusable, with an attempt that failed on the recording machine's side: no verdict on the
        provider, so it counts in no provider rate and no success comparison (docs/metrics.md)."""
        return not self.usable and any(a.error_class == HARNESS for a in self.attempts)

    def to_json(self) -> dict[str, Any]:
        return {
            "provider": self.provider, "scenario": self.scenario, "repetition": self.repetition,
            "category": self.category, "tags": list(self.tags), "usable": self.usable, "success": self.success,
            "attempts": len(self.attempts), "error_classes": [a.error_class for a in self.attempts if a.error_class],
            "expected_calls": self.expected, "matched_calls": self.matched, "returned_calls": self.returned,
            "correct_args": self.args_ok, "schema_valid_calls": self.schema_ok,
            "faults": sorted(set(self.faults)), "steps": self.steps,
            "latency_ms": next((a.latency_ms for a in reversed(self.attempts) if a.error_class is None), None),
            "cost_usd": round(sum(a.cost_usd or 0.0 for a in self.attempts), 8),
            **({"reference": self.reference} if self.reference else {}),
            **({"reasoning_signature_from": self.signature_from} if self.signature_from else {}),
        }


def score_sample(cassette: Cassette, scenario: Scenario, opts: ScoreOptions, schemas: SchemaChecker, *,
                 detail: bool = True) -> SampleScore:
    """The sample's score; `detail=False` leaves out `steps` (calls, verdicts, text per turn), which only
    per-sample views read, and which costs a fifth of the checking."""
    mode = cassette.sample.mode
    attempts = cassette.attempts
    facts = []
    answers: dict[int, Outcome] = {}  # each turn's answer: its successful attempt (the recorder stops there)
    answered_by: dict[int, str] = {}
    for attempt in attempts:
        outcome = normalize(attempt, tools=scenario.tools, mode=mode)
        fact = _facts(attempt, outcome, opts)
        facts.append(fact)
        if outcome.error_class is None:
            answers[attempt.step] = outcome
            answered_by[attempt.step] = attempt.provider
        elif outcome.error_class == REASONING_SIGNATURE:  # the turn sent back what an earlier answer signed
            fact.blame = answered_by.get(attempt.step - 1, attempt.provider)
    failed_step = any(a.step not in answers for a in attempts)
    score = SampleScore(cassette.sample.provider, scenario.id, cassette.sample.repetition, scenario.category,
                        scenario.tags, facts, usable=bool(attempts) and not failed_step, path=cassette.path,
                        reference=reference_kind(scenario))
    if score.usable and score.reference != "pending":
        _check_turns(score, scenario, answers, mode, opts, schemas, detail)
    return score


def score_cassette(data: bytes, scenario: Scenario, options: ScoreOptions | None = None, *,
                   source: str = "<cassette>") -> SampleScore:
    """The scorer's unit of work, pure: one cassette's bytes and its scenario in, the sample's score out
    (what a distributed map calls per file; `replaykit.score.partial` merges the results)."""
    from replaykit.cassettes.codec import decode

    cassette = decode(data, source, walkers=False)
    return score_sample(cassette, scenario, options or ScoreOptions(), _SCHEMAS)


_SCHEMAS = SchemaChecker()


def reference_kind(scenario: Scenario) -> str:
    reference = scenario.meta.get("reference")
    if not isinstance(reference, dict):
        return ""
    return "pending" if reference.get("pending") else "replay"


def _check_turns(score: SampleScore, scenario: Scenario, answers: dict[int, Outcome], mode: str,
                 opts: ScoreOptions, schemas: SchemaChecker, detail: bool) -> None:
    all_correct = True
    per_tool = score.per_tool
    for step, expect in enumerate(scenario.steps):
        score.expected += len(expect.calls)
        for call in expect.calls:
            per_tool.setdefault(call.name, [0, 0])[1] += 1
        outcome = answers.get(step)
        if outcome is None:  # the model stopped early: the rest of the chain was never reached
            all_correct = False
            if detail:
                score.steps.append({"step": step, "answered": False})
            continue
        calls = outcome.effective_calls(mode)
        verdict = step_verdict(scenario, expect, calls, opts)
        for v in verdict.verdicts:
            if v.returned is not None:
                score.matched += 1
                score.args_ok += v.correct  # not `failures`: their reasons may be computed lazily
                per_tool[expect.calls[v.expected].name][0] += 1
        problems = [schemas.problem(scenario, c) for c in calls]
        score.schema_ok += problems.count(None)
        faults = verdict.faults + [f for f in outcome.faults if not (mode == "prompt" and f == "text_tool_call")]
        if any(p and c.name in scenario.offered and c.arguments is not None for p, c in zip(problems, calls)):
            faults.append("schema_violation")
        if faults:
            faults = sorted(set(faults))
            score.faults += faults
        score.answered_turns += 1
        score.returned += len(calls)
        all_correct = all_correct and verdict.correct
        if detail:
            score.steps.append(_step_json(step, calls, verdict, problems, faults, outcome))
    score.success = all_correct


def step_verdict(scenario: Scenario, expect: Expectation, calls: list[Call], opts: ScoreOptions) -> StepVerdict:
    """The verdict on one turn: BFCL's own in compat mode for an imported BFCL scenario, else the checker's."""
    truth = bfcl_truth(scenario) if opts.bfcl else None
    if truth is not None:
        verdict = check_bfcl(truth, calls, scenario.offered)
    else:
        verdict = check_step(expect, calls, scenario.offered, rules=opts.rules, greedy=opts.greedy)
    if scenario.meta.get("bfcl_unanswerable"):  # BFCL fails every answer to it; so do we, in both modes
        verdict.faults.append("no_right_answer")
        verdict.bfcl = False
    return verdict


def _step_json(step: int, calls: list[Any], verdict: Any, problems: list[str | None], faults: list[str],
               outcome: Outcome) -> dict[str, Any]:
    return {
        "step": step, "answered": True, "correct": verdict.correct, "faults": faults,
        "calls": [c.to_json() for c in calls],
        "verdicts": [{"expected": v.expected, "returned": v.returned,
                      "failures": [list(f) for f in v.failures]} for v in verdict.verdicts],
        "schema_problems": problems, "finish_reason": outcome.finish_reason,
        "text": outcome.text[:500],
        # calls written as text in native mode: no agent would run them, but the reader must see them
        "text_calls": [c.to_json() for c in outcome.text_calls] if "text_tool_call" in faults else [],
    }


def _facts(attempt: Attempt, outcome: Outcome, opts: ScoreOptions) -> AttemptFacts:
    timing = attempt.timing or {}
    total = timing.get("total_ms")
    stream = attempt.is_stream
    ok = outcome.error_class is None
    ttft = timing.get("ttft_ms") if stream and ok else None
    tps = None
    if ttft is not None and total is not None and total > ttft and outcome.usage:
        out_tokens = outcome.usage.get("completion_tokens")
        if out_tokens:
            tps = out_tokens / ((total - ttft) / 1000)
    usage = outcome.usage or {}
    return AttemptFacts(attempt.provider, attempt.step, outcome.error_class, total if ok else None, ttft, tps,
                        _cost(outcome, attempt.provider, opts), stream, total, attempt.wait_ms, attempt.status,
                        attempt.retry, _number(timing.get("started_at")), _count(usage.get("prompt_tokens")),
                        _count(usage.get("completion_tokens")), tuple(outcome.faults))


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _cost(outcome: Outcome, provider: str, opts: ScoreOptions) -> float | None:
    if outcome.cost is not None:
        return float(outcome.cost)
    usage = outcome.usage or {}
    price = opts.prices.get(provider)
    if price is None or not usage:
        return None
    return price.cost(usage.get("prompt_tokens") or 0, usage.get("completion_tokens") or 0)  # whole: see clean_usage
