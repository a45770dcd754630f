"""The simulator's decisions for one chat request: route, recognise, decide faults, time, render.

The result is a `Script` (scripts.py), plain data that the server plays on the wire. Keeping the decisions
here and the I/O in server.py makes every decision testable without a socket. Everything here runs on the
server's event loop thread, so the counters need no lock.
"""

from __future__ import annotations

import hashlib
import logging
import string
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from replaykit.canonical import canonical_json
from replaykit.cassettes.model import SERVER_WARNING_HEADER
from replaykit.scenarios import ScenarioSet
from replaykit.sim import scripts, signatures, wire
from replaykit.sim.answers import ScenarioIndex
from replaykit.sim.clock import SimClock, TokenBucket, in_burst, in_downtime
from replaykit.sim.dialects import WireDialect, wire_dialect
from replaykit.sim.faults import Answer, Draws, build_answer, http_fault
from replaykit.sim.profiles import Profile, ProfileSet
from replaykit.sim.scripts import Script

_ALNUM = string.ascii_letters + string.digits
SIGNATURE_REJECTED = "signature_rejected"  # the ledger's name for a request refused for its history's signature
_JSON = b"application/json"
UNKNOWN_SCENARIO = ("unknown scenario: no scenario served here has this first user message and tool set, so the "
                    "answer is plain text; serve yours with `replaykit sim serve --scenarios DIR`")
_log = logging.getLogger("replaykit.sim")
LEDGER_LIMIT = 1_000_000  # truth records kept (a request's is a few hundred bytes)
# With the request clock, a request's moment is drawn uniformly over one simulated day: downtime and burst
# windows then hit their long-run share of requests (60 of every 600 s: 10%), the same requests in every run.
REQUEST_CLOCK_SPAN_S = 86_400.0


@dataclass
class Request:
    """One routed chat request and the per-request facts every renderer needs."""

    body: dict[str, Any]
    raw_len: int
    profile: Profile
    draws: Draws
    stream: bool
    meta: wire.Meta
    record: dict[str, Any]
    ttft_s: float
    tps: float
    wire: WireDialect = field(default_factory=lambda: wire_dialect("openai-chat"))  # renders the answer


class Engine:
    def __init__(self, profiles: ProfileSet, scenarios: ScenarioSet, seed: int = 0, time_scale: float = 1.0,
                 clock: Callable[[], float] | None = None, ledger_limit: int = LEDGER_LIMIT,
                 request_clock: bool = False) -> None:
        self.profiles, self.seed, self.time_scale = profiles, seed, max(0.0, time_scale)
        self.request_clock = request_clock
        self.index = ScenarioIndex(scenarios)
        self.signing_key = signatures.key_for(seed)
        self.clock = SimClock(self.time_scale, clock)
        self.counts: dict[str, int] = {p.name: 0 for p in profiles}
        # the newest records only: a `sim serve` left running for days must not grow without bound
        self.ledger: deque[dict[str, Any]] = deque(maxlen=ledger_limit)
        self.requests = 0
        self._ordinals: dict[bytes, int] = defaultdict(int)
        self._buckets: dict[str, TokenBucket] = {}
        self._warned: set[bytes] = set()

    # -- routing ------------------------------------------------------------------------------------------
    def route(self, body: dict[str, Any]) -> tuple[Profile | None, str | None]:
        """The profile named by `provider.only` or else `provider.order` (first entry); none: the first."""
        routing = body.get("provider")
        wanted = None
        if isinstance(routing, dict):
            for key in ("only", "order"):
                entries = routing.get(key)
                if isinstance(entries, list) and entries:
                    wanted = str(entries[0])
                    break
        if wanted is None:
            return self.profiles.profiles[0], None
        return self.profiles.find(wanted), wanted

    # -- the request --------------------------------------------------------------------------------------
    def chat(self, raw: bytes) -> Script:
        return self.serve(raw, "openai-chat")

    def serve(self, raw: bytes, api: str, model: str | None = None, stream: bool | None = None) -> Script:
        """A request in dialect `api` (`model` and `stream` from the URL, for Gemini): read back as a chat
        body, decided as one, rendered in the dialect."""
        dialect = wire_dialect(api)
        try:
            native = orjson.loads(raw)
            body = dialect.to_chat(native, model, stream)
        except orjson.JSONDecodeError:
            native = body = None
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
            return self._refuse(400, "Invalid request: the body must be a JSON object with a messages list",
                                dialect)
        profile, wanted = self.route(body)
        if profile is None:
            return self._refuse(404, f"No endpoints found matching your provider routing (only: {wanted!r}). "
                                     f"Available: {', '.join(self.profiles.names())}", dialect)
        req = self._prepare(body, len(raw), profile)
        req.wire = dialect
        problem = dialect.signature_problem(native, self.signing_key) if profile.thinks else None
        if problem is not None:
            return self._reject(req, problem)
        return self._answer(req)

    def _reject(self, req: Request, problem: str) -> Script:
        """A history whose reasoning signature does not verify: the dialect's 400, as a thinking model's API
        answers it (the fault is the earlier answer's, which carried the bad signature)."""
        req.record.update(faults=[SIGNATURE_REJECTED], status=400)
        script = scripts.error(req, 400, problem, None)
        script.record = req.record
        self._log(req.record)
        return script

    def _prepare(self, body: dict[str, Any], raw_len: int, profile: Profile) -> Request:
        canon = canonical_json(body)
        key = hashlib.sha256(profile.name.encode() + b"\x00" + canon).digest()
        ordinal = self._ordinals[key]
        self._ordinals[key] = ordinal + 1
        self.counts[profile.name] += 1
        # A request that carries `seed` asks for OpenAI's seed semantics: the same request, the same answer,
        # however often it is repeated (a resumed run re-sends in-flight requests and must get their answers).
        draws = Draws(self.seed, profile.name, canon, 0 if "seed" in body else ordinal)
        ids = draws.rng("meta")
        meta = wire.Meta(id="gen-" + "".join(ids.choice(_ALNUM) for _ in range(24)),
                         created=int(time.time()), model=str(body.get("model") or self.profiles.models[0]),
                         provider=profile.display_name, key=self.signing_key)
        timing = draws.rng("timing")
        ttft_s, tps = profile.ttft_ms.sample(timing) / 1000.0, profile.tps.sample(timing)
        stream = bool(body.get("stream"))
        record: dict[str, Any] = {
            "profile": profile.name, "scenario": None, "faults": [], "status": 200, "stream": stream,
            "mode": None, "calls": 0, "ordinal": ordinal, "id": meta.id,
            "ttft_ms": round(ttft_s * 1000, 3), "tps": round(tps, 3), "completion_tokens": 0}
        return Request(body, raw_len, profile, draws, stream, meta, record, ttft_s, tps)

    def _refuse(self, status: int, message: str, dialect: WireDialect) -> Script:
        record: dict[str, Any] = {"profile": None, "scenario": None, "faults": [], "status": status,
                                  "stream": False}
        self._log(record)
        return Script(status, [(b"content-type", _JSON)], [(0.0, dialect.error_body(status, message))],
                      record=record)

    def _answer(self, req: Request) -> Script:
        intended = self.index.intended(req.body)
        req.record.update(scenario=intended.scenario, mode=intended.mode, calls=len(intended.calls))
        fault = self._clock_fault(req) or http_fault(req.profile, req.draws.rng("http").random())
        if fault:
            req.record["faults"].append(fault)
        tools = req.body.get("tools")
        load = (len(tools) if isinstance(tools, list) else 0, max(1, req.raw_len // 4))
        answer = build_answer(intended, req.profile, req.draws, perturb=fault is None, load=load)
        req.record["faults"].extend(answer.faults)
        script = self._render(req, answer, fault)
        if intended.scenario is None:
            self._warn_unknown(req, script)
        req.record["status"] = script.status
        script.record = req.record
        self._log(req.record)
        return script

    def _warn_unknown(self, req: Request, script: Script) -> None:
        """Answering a scenario it doesn't know would silently score ~25%: say so, in the response and (once
        per first message) on the server's log."""
        script.headers.append((SERVER_WARNING_HEADER.encode(), UNKNOWN_SCENARIO.encode()))
        messages = req.body.get("messages")
        key = hashlib.sha256(orjson.dumps(messages[:2] if isinstance(messages, list) else None,
                                          default=str)).digest()[:8]
        if key not in self._warned and len(self._warned) < 10_000:  # bounded: `sim serve` may run for days
            self._warned.add(key)
            _log.warning("replaykit simulator: %s (profile %s)", UNKNOWN_SCENARIO, req.profile.name)

    def _log(self, record: dict[str, Any]) -> None:
        self.requests += 1
        self.ledger.append(record)

    def _clock_fault(self, req: Request) -> str | None:
        """Downtime, bursts and the token bucket. On the request clock the moment is the request's own draw
        (the same in every run: what the demo needs) and there is no bucket, which depends on arrival order."""
        profile = req.profile
        if self.request_clock:
            now = req.draws.rng("clock").random() * REQUEST_CLOCK_SPAN_S
            req.record["clock_s"] = round(now, 3)
        else:
            now = self.clock.now()
        if profile.rate_limit is not None and not self.request_clock:
            bucket = self._buckets.setdefault(profile.name, TokenBucket(profile.rate_limit, now))
            wait = bucket.take(now)
            if wait is not None:
                req.record["retry_after_s"] = wait * self.clock.clock_scale
                return "rate_limit"
        if in_downtime(profile, self.seed, now):
            return "downtime"
        if in_burst(profile, self.seed, now):
            return "server_error_burst"
        return None

    # -- rendering ----------------------------------------------------------------------------------------
    def _render(self, req: Request, answer: Answer, fault: str | None) -> Script:
        tokens = max(1, len(answer.output_text()) // 4)
        req.record["completion_tokens"] = tokens
        prompt_tokens = max(1, req.raw_len // 4)
        include = isinstance(req.body.get("usage"), dict) and req.body["usage"].get("include") is True
        cost = req.profile.cost(prompt_tokens, tokens) if include else None
        use = wire.usage(prompt_tokens, tokens, cost)
        gen_s = tokens / req.tps
        return scripts.render(req, answer, fault, use, gen_s, self.time_scale, self.clock.clock_scale)

    def stats(self) -> dict[str, Any]:
        return {"requests": self.requests, "ledger_dropped": self.requests - len(self.ledger),
                "counts": dict(self.counts)}

