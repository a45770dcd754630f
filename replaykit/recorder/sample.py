"""One sample, start to finish: every turn of the scenario, every retry and fallback hop, in order."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from replaykit.cassettes.model import Attempt, Cassette, SampleId
from replaykit.normalize import Outcome, normalize
from replaykit.providers.config import Provider
from replaykit.recorder.clients import ClientPool
from replaykit.recorder.dialects import request_dialect
from replaykit.recorder.http import send
from replaykit.recorder.limiter import AdaptiveLimiter
from replaykit.recorder.redact import Redactor
from replaykit.recorder.request import NATIVE, attempt_seed, encode_body
from replaykit.recorder.retry import RetryPolicy
from replaykit.scenarios.model import Scenario


@dataclass
class RecordContext:
    """What every sample of a run shares: a limiter per provider and the pool of clients (recorder/clients.py)."""

    redactor: Redactor
    policy: RetryPolicy
    seed: int = 0
    limiters: dict[str, AdaptiveLimiter] = field(default_factory=dict)
    clients: ClientPool = field(default_factory=ClientPool)

    def limiter(self, provider: Provider) -> AdaptiveLimiter:
        if provider.name not in self.limiters:
            self.limiters[provider.name] = AdaptiveLimiter(provider.max_concurrency)
        return self.limiters[provider.name]

    async def aclose(self) -> None:
        await self.clients.aclose()


@dataclass
class SampleResult:
    cassette: Cassette
    error_classes: list[str | None]  # per attempt, as the normalizer judged it live


async def record_sample(ctx: RecordContext, scenario: Scenario, chain: Sequence[Provider],
                        sample: SampleId) -> SampleResult:
    """Run the scenario's turns against the chain (one provider, or a fallback chain)."""
    attempts: list[Attempt] = []
    classes: list[str | None] = []
    messages: list[dict[str, Any]] = [dict(m) for m in scenario.messages]
    rng = random.Random(f"{ctx.seed}|{sample.key}")
    for step in range(len(scenario.steps)):
        answered = await _turn(ctx, scenario, chain, sample, step, messages, attempts, classes, rng)
        if answered is None:
            break
        outcome, provider = answered
        calls = outcome.effective_calls(provider.mode)
        if not calls or step + 1 == len(scenario.steps):
            break
        messages.extend(_follow_up(scenario, outcome, provider, step))
    return SampleResult(Cassette(sample, attempts, complete=True), classes)


async def _turn(ctx: RecordContext, scenario: Scenario, chain: Sequence[Provider], sample: SampleId, step: int,
                messages: list[dict[str, Any]], attempts: list[Attempt], classes: list[str | None],
                rng: random.Random) -> tuple[Outcome, Provider] | None:
    """One model turn: retries on a provider, then the next provider of the chain. None if all failed."""
    wait = 0.0
    for provider in chain:
        for retry in range(ctx.policy.max_retries + 1):
            seed = attempt_seed(ctx.seed, sample.provider, sample.scenario, sample.repetition, step, len(attempts))
            body = request_dialect(provider.api).build_body(scenario, provider, messages, seed)
            attempt = await _attempt(ctx, provider, body)
            attempt.step, attempt.provider, attempt.retry, attempt.wait_ms = step, provider.name, retry, wait
            attempts.append(attempt)
            outcome = normalize(attempt, tools=list(scenario.tools), mode=provider.mode)
            classes.append(outcome.error_class)
            if outcome.ok:
                return outcome, provider
            wait = 0.0
            if not ctx.policy.should_retry(outcome.error_class, retry):
                break
            wait = ctx.policy.wait(attempt, outcome.error_class, retry, rng)
            await asyncio.sleep(wait)
            wait = round(wait * 1000, 3)
    return None


async def _attempt(ctx: RecordContext, provider: Provider, body: dict[str, Any]) -> Attempt:
    limiter = ctx.limiter(provider)
    await limiter.acquire()
    attempt: Attempt | None = None
    try:
        dialect = request_dialect(provider.api)
        async with ctx.clients.lend(provider.name) as client:
            attempt = await send(client, dialect.url(provider), dialect.build_headers(provider),
                                 encode_body(body), timeout=provider.timeout, has_token=dialect.has_token)
    finally:
        await limiter.release(rate_limited=attempt is not None and attempt.status == 429)
    return _redacted(ctx.redactor, attempt)


def _redacted(redactor: Redactor, attempt: Attempt) -> Attempt:
    attempt.request = redactor.request(attempt.request)
    attempt.response_headers = redactor.headers(attempt.response_headers)
    if attempt.body:
        attempt.body = redactor.body(attempt.body)
    if attempt.error:
        attempt.error = {k: redactor.text(v) for k, v in attempt.error.items()}
    return attempt


def _follow_up(scenario: Scenario, outcome: Outcome, provider: Provider, step: int) -> list[dict[str, Any]]:
    """The assistant's calls and the canned results, in native form (prompt mode rewrites them on send).
    The assistant turn as the dialect returned it rides along, for that dialect to send back exactly."""
    mode = provider.mode
    calls = outcome.effective_calls(mode)
    ids = [c.id or f"call_{step}_{i}" for i, c in enumerate(calls)]
    assistant: dict[str, Any] = {
        "role": "assistant",
        "content": outcome.text or None,
        "tool_calls": [{"id": i, "type": "function", "function": {"name": c.name, "arguments": c.raw_arguments}}
                       for i, c in zip(ids, calls)],
    }
    if outcome.native_turn is not None and mode == "native":
        assistant[NATIVE] = {"api": provider.api, "turn": outcome.native_turn}
    results = []
    for call_id, call in zip(ids, calls):
        content = scenario.result_for(call.name, call.arguments)
        text = content if isinstance(content, str) else orjson.dumps(content).decode()
        results.append({"role": "tool", "tool_call_id": call_id, "content": text})
    return [assistant, *results]
