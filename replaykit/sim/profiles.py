"""Simulated provider profiles: the model and the TOML loader, every field checked.

A profile is one simulated provider: its speed (TTFT and output tokens/s as lognormal distributions), its
price and precision, and its effects, each with a rate in [0, 1]. Effect names are a contract shared with
the ledger, the docs and the scorer's tests, so an unknown name is an error, never ignored.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from replaykit.errors import ProfileError
from replaykit.providers.tomlfile import read_toml

# Mutually exclusive HTTP-level faults, decided by one uniform draw cut into disjoint intervals in this order,
# so each configured rate is exactly its marginal rate (their sum must stay <= 1).
HTTP_FAULTS = ("rate_limited", "server_error", "timeout", "malformed_body", "stream_cut", "stream_error")
# Calls written as text instead of structured calls (native mode only); one draw, disjoint intervals.
TEXT_FAULTS = ("text_tool_call_xml", "text_tool_call_hermes")
# Independent answer perturbations, applied in this order (see faults.py).
ARG_FAULTS = ("missing_call", "drop_optional", "wrong_type", "unknown_tool", "invalid_json_args",
              "extra_call")
# Decided by the (simulated) wall clock, not by the request: the documented exceptions to determinism.
CLOCK_FAULTS = ("downtime", "server_error_burst")
# A thinking answer whose signature is corrupted, empty or missing (the next turn that sends it back gets a 400).
SIGNATURE_FAULT = "reasoning_signature"
EFFECTS = (*HTTP_FAULTS, *CLOCK_FAULTS, *TEXT_FAULTS, "empty_tool_calls", *ARG_FAULTS, SIGNATURE_FAULT)
ANSWER_EFFECTS = (*TEXT_FAULTS, "empty_tool_calls", *ARG_FAULTS, SIGNATURE_FAULT)
# An answer effect may fire only past a load: more tools offered, or more prompt tokens (≈ bytes / 4), than this.
GATES = ("above_tools", "above_tokens")

_PROFILE_KEYS = {"display_name", "quantization", "price", "ttft_ms", "tps", "context_length", "rate_limit",
                 "echo_credentials", "thinking",
                 "effects", "description"}
# Extra parameters an effect table may carry besides `rate`, with their defaults.
_EFFECT_PARAMS: dict[str, dict[str, float]] = {
    "timeout": {"stall_s": 30.0},
    "rate_limited": {"retry_after_s": 2.0},
    "server_error_burst": {"burst_s": 20.0},
}


@dataclass(frozen=True)
class Dist:
    """A lognormal distribution given by its median and sigma (sigma 0 = always the median)."""

    median: float
    sigma: float = 0.0

    def sample(self, rng: random.Random) -> float:
        return self.median * math.exp(self.sigma * rng.gauss(0.0, 1.0)) if self.sigma else self.median


@dataclass(frozen=True)
class Downtime:
    """Every `period_s` simulated seconds, `down_s` seconds of 503s; long-run rate down_s / period_s."""

    period_s: float
    down_s: float

    @property
    def rate(self) -> float:
        return self.down_s / self.period_s


@dataclass(frozen=True)
class RateLimit:
    """A token bucket: `requests` per `per_s` simulated seconds, bursts up to `requests`."""

    requests: int
    per_s: float


@dataclass(frozen=True)
class Profile:
    name: str
    display_name: str
    quantization: str = "bf16"
    input_per_mtok: float = 0.0
    output_per_mtok: float = 0.0
    ttft_ms: Dist = Dist(300.0)
    tps: Dist = Dist(100.0)
    context_length: int = 262144
    rates: dict[str, float] = field(default_factory=dict)
    params: dict[str, float] = field(default_factory=dict)
    downtime: Downtime | None = None
    rate_limit: RateLimit | None = None
    description: str = ""
    echo_credentials: bool = False  # echo the caller's key back, as careless providers do (redaction tests)
    # the model thinks: native answers carry signed reasoning, and a history whose signature fails is refused
    thinking: bool = False
    # answer effect -> (above_tools, above_tokens): it fires only on requests past both thresholds (stress sweeps)
    gates: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)

    def rate(self, effect: str) -> float:
        return self.rates.get(effect, 0.0)

    def rate_for(self, effect: str, tools: int, tokens: int) -> float:
        """The effect's rate on a request offering `tools` tools with about `tokens` prompt tokens."""
        gate = self.gates.get(effect)
        if gate is not None:
            above_tools, above_tokens = gate
            if above_tools is not None and tools <= above_tools:
                return 0.0
            if above_tokens is not None and tokens <= above_tokens:
                return 0.0
        return self.rates.get(effect, 0.0)

    @property
    def thinks(self) -> bool:
        """Answers carry signed reasoning: `thinking = true`, or a signature fault to inject."""
        return self.thinking or self.rate(SIGNATURE_FAULT) > 0

    def param(self, name: str) -> float:
        return self.params[name]

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (prompt_tokens * self.input_per_mtok + completion_tokens * self.output_per_mtok) / 1e6

    def expected_uptime(self) -> float:
        """Share of requests expected to succeed at the HTTP level, as OpenRouter's uptime figure."""
        failing = sum(self.rate(e) for e in HTTP_FAULTS) + self.rate("server_error_burst")
        failing += self.downtime.rate if self.downtime else 0.0
        return max(0.0, 1.0 - failing)


@dataclass(frozen=True)
class ProfileSet:
    profiles: tuple[Profile, ...]
    source: str = ""
    models: tuple[str, ...] = ("qwen/qwen3-coder",)

    def __iter__(self) -> Iterator[Profile]:
        return iter(self.profiles)

    def __len__(self) -> int:
        return len(self.profiles)

    def names(self) -> list[str]:
        return [p.name for p in self.profiles]

    def find(self, wanted: str) -> Profile | None:
        """By name or display name, case-insensitively (OpenRouter accepts either form)."""
        key = wanted.strip().lower()
        for p in self.profiles:
            if key in (p.name.lower(), p.display_name.lower()):
                return p
        return None


def load_profiles(path: str | Path) -> ProfileSet:
    return parse_profiles(read_toml(path, ProfileError), str(path))


def parse_profiles(data: dict[str, Any], source: str = "<profiles>") -> ProfileSet:
    extra = sorted(set(data) - {"profiles", "models"})
    if extra:
        raise ProfileError("unknown key (allowed: models, [profiles.NAME])", source=source, field=extra[0])
    tables = data.get("profiles")
    if not isinstance(tables, dict) or not tables:
        raise ProfileError("no profiles: add at least one [profiles.NAME] table", source=source)
    models = data.get("models", ["qwen/qwen3-coder"])
    if not isinstance(models, list) or not models or not all(isinstance(m, str) and "/" in m for m in models):
        raise ProfileError("must be a non-empty list of author/slug model ids", source=source, field="models")
    profiles = tuple(_build(name, table, _Ctx(source, name)) for name, table in tables.items())
    return ProfileSet(profiles, source, tuple(models))


class _Ctx:
    def __init__(self, source: str, name: str) -> None:
        self.source, self.name = source, name

    def fail(self, key: str, message: str) -> ProfileError:
        return ProfileError(message, source=self.source, item=self.name, field=f"profiles.{self.name}.{key}")


def _build(name: str, table: Any, ctx: _Ctx) -> Profile:
    if not isinstance(table, dict):
        raise ctx.fail("", "must be a table")
    unknown = sorted(set(table) - _PROFILE_KEYS)
    if unknown:
        raise ctx.fail(unknown[0], f"unknown key (allowed: {', '.join(sorted(_PROFILE_KEYS))})")
    price = _table(table.get("price", {}), "price", {"input_per_mtok", "output_per_mtok"}, ctx)
    rates, params, downtime = _effects(table.get("effects", {}), ctx)
    gates = _gates(table.get("effects", {}), ctx)
    return Profile(
        name=name, display_name=_str(table, "display_name", name, ctx),
        quantization=_str(table, "quantization", "bf16", ctx),
        input_per_mtok=_number(price, "input_per_mtok", 0.0, ctx, "price."),
        output_per_mtok=_number(price, "output_per_mtok", 0.0, ctx, "price."),
        ttft_ms=_dist(table.get("ttft_ms"), "ttft_ms", Dist(300.0), ctx),
        tps=_dist(table.get("tps"), "tps", Dist(100.0), ctx),
        context_length=int(_number(table, "context_length", 262144, ctx)),
        rates=rates, params=params, downtime=downtime, rate_limit=_rate_limit(table.get("rate_limit"), ctx),
        description=_str(table, "description", "", ctx), echo_credentials=_bool(table, "echo_credentials", ctx),
        gates=gates, thinking=_bool(table, "thinking", ctx),
    )


def _bool(table: dict[str, Any], key: str, ctx: _Ctx) -> bool:
    value = table.get(key, False)
    if not isinstance(value, bool):
        raise ctx.fail(key, f"must be true or false, got {value!r}")
    return value


def _str(table: dict[str, Any], key: str, default: str, ctx: _Ctx) -> str:
    value = table.get(key, default)
    if not isinstance(value, str):
        raise ctx.fail(key, "must be a string")
    return value


def _number(table: dict[str, Any], key: str, default: float, ctx: _Ctx, prefix: str = "") -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or math.isnan(value):
        raise ctx.fail(prefix + key, f"must be a non-negative number, got {value!r}")
    return float(value)


def _table(value: Any, key: str, allowed: set[str], ctx: _Ctx) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ctx.fail(key, f"must be a table with {', '.join(sorted(allowed))}")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise ctx.fail(f"{key}.{unknown[0]}", f"unknown key (allowed: {', '.join(sorted(allowed))})")
    return value


def _dist(value: Any, key: str, default: Dist, ctx: _Ctx) -> Dist:
    if value is None:
        return default
    table = _table(value, key, {"median", "sigma"}, ctx)
    median = _number(table, "median", default.median, ctx, f"{key}.")
    if median <= 0:
        raise ctx.fail(f"{key}.median", "must be positive")
    return Dist(median, _number(table, "sigma", 0.0, ctx, f"{key}."))


def _rate_limit(value: Any, ctx: _Ctx) -> RateLimit | None:
    if value is None:
        return None
    table = _table(value, "rate_limit", {"requests", "per_s"}, ctx)
    requests, per_s = table.get("requests"), _number(table, "per_s", 0.0, ctx, "rate_limit.")
    if not isinstance(requests, int) or isinstance(requests, bool) or requests < 1:
        raise ctx.fail("rate_limit.requests", f"must be a positive integer, got {requests!r}")
    if per_s <= 0:
        raise ctx.fail("rate_limit.per_s", "must be positive")
    return RateLimit(requests, per_s)


def _effects(value: Any, ctx: _Ctx) -> tuple[dict[str, float], dict[str, float], Downtime | None]:
    if not isinstance(value, dict):
        raise ctx.fail("effects", "must be a table of effect = rate")
    rates: dict[str, float] = {}
    params: dict[str, float] = {k: v for p in _EFFECT_PARAMS.values() for k, v in p.items()}
    downtime = None
    for effect, spec in value.items():
        if effect not in EFFECTS:
            raise ctx.fail(f"effects.{effect}", f"unknown effect (known: {', '.join(EFFECTS)})")
        if effect == "downtime":
            downtime = _downtime(spec, ctx)
            continue
        rates[effect] = _effect_rate(effect, spec, params, ctx)
    _check_sums(rates, ctx)
    return rates, params, downtime


def _effect_rate(effect: str, spec: Any, params: dict[str, float], ctx: _Ctx) -> float:
    where = rate_field = f"effects.{effect}"
    if isinstance(spec, dict):
        gated = GATES if effect in ANSWER_EFFECTS else ()
        table = _table(spec, where, {"rate", *_EFFECT_PARAMS.get(effect, {}), *gated}, ctx)
        for key in _EFFECT_PARAMS.get(effect, {}):
            if key in table:
                params[key] = _number(table, key, 0.0, ctx, f"{where}.")
        spec, rate_field = table.get("rate"), f"{where}.rate"
    if isinstance(spec, bool) or not isinstance(spec, (int, float)) or not 0.0 <= spec <= 1.0:
        raise ctx.fail(rate_field, f"rate must be a number in [0, 1], got {spec!r}")
    return float(spec)


def _gates(value: dict[str, Any], ctx: _Ctx) -> dict[str, tuple[int | None, int | None]]:
    """`above_tools` / `above_tokens` of answer effects (already checked to be allowed keys)."""
    out = {}
    for effect, spec in value.items():
        if not isinstance(spec, dict) or not any(k in spec for k in GATES):
            continue
        limits = []
        for key in GATES:
            limit = spec.get(key)
            if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
                raise ctx.fail(f"effects.{effect}.{key}", f"must be a non-negative integer, got {limit!r}")
            limits.append(limit)
        out[effect] = (limits[0], limits[1])
    return out


def _downtime(spec: Any, ctx: _Ctx) -> Downtime:
    table = _table(spec, "effects.downtime", {"period_s", "down_s"}, ctx)
    period = _number(table, "period_s", 0.0, ctx, "effects.downtime.")
    down = _number(table, "down_s", 0.0, ctx, "effects.downtime.")
    if period <= 0 or down > period:
        raise ctx.fail("effects.downtime",
                       f"needs period_s > 0 and 0 <= down_s <= period_s, got {period:g} and {down:g}")
    return Downtime(period, down)


def _check_sums(rates: dict[str, float], ctx: _Ctx) -> None:
    for group, names in (("HTTP-level", HTTP_FAULTS), ("text-call", TEXT_FAULTS)):
        total = sum(rates.get(n, 0.0) for n in names)
        if total > 1.0 + 1e-9:
            raise ctx.fail("effects", f"the {group} effects ({', '.join(names)}) are mutually exclusive: "
                                      f"their rates must sum to at most 1, got {total:g}")
