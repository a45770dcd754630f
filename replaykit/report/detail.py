"""One sample in detail, for the HTML drill-down: its checked steps and every attempt's timing and raw
traffic (redacted, long bodies cut in the middle).

Bodies are kept as their head and tail (`Body`) with their full length, so that a size budget can cut them
shorter later (`clip`) without reading the cassettes again. What needs the cassette (`Drill`) is built where
the scorer reads it — on its workers (`drill`, passed as `score_runs(extra=...)`) — so the report never
reads a cassette twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

import orjson

from replaykit.canonical import file_hash
from replaykit.cassettes.codec import decode
from replaykit.cassettes.model import Attempt, Cassette
from replaykit.cassettes.persist import read_bounded
from replaykit.errors import CassetteError
from replaykit.memo import memoized_up_to
from replaykit.recorder.redact import Redactor
from replaykit.redaction.forms import PLACEHOLDER
from replaykit.score.sample import SampleScore
from replaykit.share.secrets import all_clean, redact_body, redact_shown

BODY_LIMIT = 16_000  # characters of a request or response body shown, at most
BODY_TAIL = 3_000  # of which this many from the end
BODY_FLOOR = 500  # the shortest limit a size budget may impose
_REDACT = Redactor()


@dataclass(frozen=True)
class Body:
    kept: str  # the whole body, or its first and last characters when longer than BODY_LIMIT
    length: int  # the whole body's length
    shown: str | None = None  # the whole body as the report prints it (`shown_text`), made where it is kept


def keep(body: Any) -> Body:
    return _kept("" if body is None else body if isinstance(body, str) else str(body))


# bodies up to 64 KB memoized: a run sends each request once per repetition
@memoized_up_to(65_536, maxsize=256)
def _kept(raw: str) -> Body:
    """Cassettes are redacted when recorded; this also redacts what the secret scan finds (foreign cassettes,
    keys hidden in an encoding or split across a stream's events)."""
    text, kinds = redact_body(raw)
    if len(text) > BODY_LIMIT:
        return Body(text[: BODY_LIMIT - BODY_TAIL] + text[-BODY_TAIL:], len(text))
    # nothing found: the text is the body, and scanning it again would find nothing again
    return Body(text, len(text), redact_shown(text) if kinds else text)


def shown_clip(body: Body, limit: int = BODY_LIMIT) -> str:
    """`clip` with the last scan for secrets (`redact_shown`) applied, as every text the report prints."""
    if body.shown is not None and body.length <= limit:
        return body.shown
    return str(redact_shown(clip(body, limit)))


def clip(body: Body, limit: int = BODY_LIMIT) -> str:
    """The body as the report shows it: whole, or cut in the middle to `limit` characters, saying how much."""
    if body.length <= limit:
        return body.kept
    tail = min(BODY_TAIL, limit // 5)
    head = limit - tail
    return (f"{body.kept[:head]}\n… [{body.length - limit} of {body.length} characters cut by the report] …\n"
            f"{body.kept[len(body.kept) - tail:]}")


@dataclass
class Drill:
    """What the drill-down takes from a sample's cassette: the file's sha256, each attempt's detail, each
    attempt's (started_at, failed) for the errors-over-time chart, and why the cassette could not be read
    whole (then the rest is empty)."""

    digest: str = ""
    # as the report prints them (`redact_shown`; the bodies stay `Body` objects), and its steps likewise
    attempts: list[dict[str, Any]] = field(default_factory=list)
    steps: Any = field(default_factory=list)  # `Serialized` once built
    starts: list[tuple[float, bool]] = field(default_factory=list)
    warning: str | None = None


def drill(s: SampleScore, cassette: Cassette, data: bytes, raw: Any) -> Drill:
    """The sample's `Drill`, from the cassette the scorer read (its bytes; `raw`, its parsed data, is not
    needed). No depth walk of the file: the drill-down prints only fields that decoding type-checked flat
    (strings, lists of strings, numbers) and the scorer's own output, whatever the rest of the file holds
    (tests/share/test_hostile_sweep.py nests every field past the recursion limit)."""
    return _drill_of(s, cassette, file_hash(data))


def read_drill(s: SampleScore) -> Drill:
    """The sample's `Drill`, its cassette read again (for samples scored without `drill`: packs)."""
    try:
        data = read_bounded(Path(s.path))
        cassette = decode(data, s.path)
    except CassetteError as err:
        return Drill(warning=str(err))
    return _drill_of(s, cassette, file_hash(data))


def _drill_of(s: SampleScore, cassette: Cassette, digest: str) -> Drill:
    pairs = list(zip(cassette.attempts, s.attempts, strict=False))
    starts = [(float(started), facts.error_class is not None) for a, facts in pairs
              if isinstance(started := (a.timing or {}).get("started_at"), int | float)]
    return Drill(digest, [attempt_detail(a, f.error_class, f.cost_usd) for a, f in pairs],
                 _json(redact_shown([_compact_step(step) for step in s.steps])), starts)


class Serialized(bytes):
    """A part of the drill-down serialized where it is made (`dumps` embeds it as is): the workers send the
    report a few bytes objects per sample instead of hundreds of small ones, which the report's process
    unpickled one by one (half its time)."""


def _json(value: Any) -> Serialized:
    return Serialized(orjson.dumps(value))


def _embedded(value: Any) -> orjson.Fragment:
    if isinstance(value, Serialized):
        return orjson.Fragment(bytes(value))
    raise TypeError(f"{type(value).__name__} is not JSON")


def dumps(value: Any) -> bytes:
    """JSON of a drill-down payload, `Serialized` parts embedded."""
    return orjson.dumps(value, default=_embedded)


def sample_detail(got: Drill, rel: str, recorded: str | None) -> dict[str, Any]:
    """The sample's drill-down record as the report prints it (`redact_shown`); request and response bodies
    are `Body` objects until chunked."""
    # the digest is replaykit's own hash of the file: only the manifest's copy, when it differs, is the run's text
    manifest = recorded if recorded == got.digest else redact_shown(recorded)
    return {"cassette": redact_shown(rel), "sha256": got.digest, "manifest_sha256": manifest,
            "steps": got.steps, "attempts": got.attempts}


def _compact_step(step: dict[str, Any]) -> dict[str, Any]:
    """Drops each call's parsed `arguments` where they are just its raw arguments parsed (the page parses)."""
    if not step.get("calls"):
        return step
    return {**step, "calls": [_compact_call(c) for c in step["calls"]]}


def _compact_call(call: dict[str, Any]) -> dict[str, Any]:
    try:
        same = orjson.loads(call["raw_arguments"]) == call["arguments"]
    except (orjson.JSONDecodeError, TypeError):
        same = False
    return {k: v for k, v in call.items() if not (same and k == "arguments")}


def attempt_detail(a: Attempt, error_class: str | None, cost: float | None) -> dict[str, Any]:
    """One attempt as the report prints it: the cassette's strings and headers passed through `redact_shown`
    (its step, retry and status are whole numbers, checked when decoded), bodies kept as `Body`."""
    timing = a.timing or {}
    events = timing.get("events_ms") or []
    method, uri = a.request.get("method", ""), _REDACT.url(a.request.get("uri", ""))
    sent, got = _flat(a.request.get("headers") or {}), _flat(a.response_headers)
    # the short strings in one scan: clean, as nearly always, they print as they are (no field of them is
    # named like a credential but the secret headers, already replaced)
    plain = all_clean([method, uri, a.provider, a.reason, *chain.from_iterable(sent.items()),
                       *chain.from_iterable(got.items())])
    shown = _as_is if plain else redact_shown
    return {
        "step": a.step, "provider": shown(a.provider), "retry": a.retry, "wait_ms": rounded(a.wait_ms),
        "status": a.status, "reason": shown(a.reason),
        "error_class": error_class, "error": redact_shown(a.error), "cost_usd": rounded(cost, 8),
        "timing": _json({"started_at": rounded(timing.get("started_at"), 3),
                         "ttfb_ms": rounded(timing.get("ttfb_ms")), "ttft_ms": rounded(timing.get("ttft_ms")),
                         "total_ms": rounded(timing.get("total_ms")), "events": len(events),
                         "last_event_ms": rounded(events[-1] if events else None)}),
        "request": {"method": shown(method), "uri": shown(uri), "headers": _json(shown(sent)),
                    "body": keep(a.request.get("body"))},
        "response": {"headers": _json(shown(got)), "body": keep(a.body)},
    }


def _as_is(value: Any) -> Any:
    return value


def _flat(headers: dict[str, list[str]]) -> dict[str, str]:
    """Headers as printed: sorted, each one's values (strings: checked when decoded) joined, the values of
    headers named like credentials replaced."""
    return {k: ", ".join([PLACEHOLDER] * len(v) if _REDACT.is_secret_header(k) else v)
            for k, v in sorted(headers.items())}


def rounded(value: Any, digits: int = 1) -> Any:
    return round(float(value), digits) if isinstance(value, int | float) else None
