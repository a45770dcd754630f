"""What `inspect` shows of a cassette: each attempt normalized, without needing its scenario."""

from __future__ import annotations

from typing import Any

from replaykit.cassettes.model import Cassette
from replaykit.normalize import normalize
from replaykit.share.secrets import redact_shown


def attempt_lines(cassette: Cassette, *, redact: bool = True) -> list[dict[str, Any]]:
    """One JSON-ready dict per attempt. `redact`: with every secret the scan finds in what it shows replaced
    (the joined stream, the parsed arguments): a cassette may hide a key that only decoding reveals."""
    lines = []
    for index, attempt in enumerate(cassette.attempts):
        outcome = normalize(attempt, mode=cassette.sample.mode)
        calls = outcome.effective_calls(cassette.sample.mode)
        lines.append({
            "attempt": index, "sample": {"provider": cassette.sample.provider, "scenario": cassette.sample.scenario,
                                         "repetition": cassette.sample.repetition},
            "step": attempt.step, "retry": attempt.retry, "routed_to": attempt.provider or None,
            "status": attempt.status, "error_class": outcome.error_class, "error": outcome.error_message,
            "faults": outcome.faults, "calls": [c.to_json() for c in calls],
            "text_calls": [c.to_json() for c in outcome.text_calls] if calls is not outcome.text_calls else [],
            "text": outcome.text, "finish_reason": outcome.finish_reason,
            "native_finish_reason": outcome.native_finish_reason, "provider": outcome.provider,
            "model": outcome.model, "usage": outcome.usage, "cost": outcome.cost,
            "timing": {k: v for k, v in (attempt.timing or {}).items() if k != "events_ms"}
            | {"events": len((attempt.timing or {}).get("events_ms") or [])},
        })
    return redact_shown(lines) if redact else lines
