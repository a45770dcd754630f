"""Client-side helpers for the simulator tests: request bodies, a real async client, and a wire parser that
classifies what came back without looking at the simulator's own bookkeeping."""

from __future__ import annotations

import asyncio
import math
import re
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
from simkit import FIXTURES as FIXTURES
from simkit import REPO as REPO
from simkit import fixture_scenarios as fixture_scenarios

from replaykit.packaged import packaged
from replaykit.promptmode import to_prompt_messages
from replaykit.scenarios import Scenario
from replaykit.sim import ProfileSet, parse_profiles
from replaykit.sim.signatures import thinking_text

PROFILES = packaged("providers/sim-profiles.toml")


def ideal_profiles(ttft_ms: float = 200.0, tps: float = 100.0, sigma: float = 0.0,
                   **profile: Any) -> ProfileSet:
    """One faultless profile named `ideal` (plus `other`, to test routing)."""
    table = {"display_name": "Ideal", "price": {"input_per_mtok": 1.0, "output_per_mtok": 3.0},
             "ttft_ms": {"median": ttft_ms, "sigma": sigma},
             "tps": {"median": tps, "sigma": sigma}, **profile}
    return parse_profiles({"profiles": {"ideal": table, "other": {"display_name": "Other Cloud"}}}, "<test>")


def intended_calls(scenario: Scenario, step: int = 0) -> list[tuple[str, Any]]:
    return [(c.name, c.args.example(scenario.tool_schema(c.name))) for c in scenario.steps[step].calls]


def conversation(scenario: Scenario, step: int, reasoning: bool = False) -> list[dict[str, Any]]:
    """The scenario's messages plus `step` perfect turns (calls and canned results), as the recorder sends;
    `reasoning`: to a thinking model, whose turns carry their `reasoning_content` back."""
    messages = [dict(m) for m in scenario.messages]
    for i in range(step):
        calls = intended_calls(scenario, i)
        ids = [f"call_{i}_{j}" for j in range(len(calls))]
        messages.append({"role": "assistant", "content": None, "tool_calls": [
            {"id": cid, "type": "function", "function": {"name": n, "arguments": orjson.dumps(a).decode()}}
            for cid, (n, a) in zip(ids, calls, strict=True)]})
        if reasoning:
            messages[-1]["reasoning_content"] = thinking_text(calls)
        for cid, (n, a) in zip(ids, calls, strict=True):
            result = scenario.result_for(n, a)
            content = result if isinstance(result, str) else orjson.dumps(result).decode()
            messages.append({"role": "tool", "tool_call_id": cid, "content": content})
    return messages


def body_for(scenario: Scenario, *, mode: str = "native", stream: bool = False, step: int = 0,
             profile: str | None = None, seed: int | None = None, usage: bool = False,
             reasoning: bool = False) -> dict[str, Any]:
    messages = conversation(scenario, step, reasoning)
    body: dict[str, Any] = {"model": "qwen/qwen3-coder", "temperature": 0.0}
    if mode == "prompt":
        body["messages"] = to_prompt_messages(messages, list(scenario.tools))
    else:
        body["messages"], body["tools"] = messages, list(scenario.tools)
    if stream:
        body["stream"], body["stream_options"] = True, {"include_usage": True}
    if profile:
        body["provider"] = {"only": [profile], "allow_fallbacks": False}
    if seed is not None:
        body["seed"] = seed
    if usage:
        body["usage"] = {"include": True}
    return body


@dataclass
class Wire:
    """What one request got back, read only from the wire."""

    status: int = 0
    kind: str = "answer"            # answer | http_error | malformed | cut | stream_error
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    content: str | None = None
    calls: list[tuple[str, str]] | None = None   # (name, raw arguments); None: no tool_calls field
    finish_reason: str | None = None
    usage: dict[str, Any] | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    first_byte: float | None = None  # seconds from sending to the first body byte
    ttft: float | None = None       # seconds to the first content or tool-call delta
    total: float | None = None      # seconds to the last byte

    @property
    def generation_id(self) -> str:
        return self.headers.get("x-generation-id", "")


async def fetch(client: httpx.AsyncClient, url: str, body: dict[str, Any]) -> Wire:
    out, start = Wire(), time.monotonic()
    chunks: list[tuple[float, bytes]] = []
    try:
        async with client.stream("POST", url, json=body) as response:
            out.status, out.headers = response.status_code, dict(response.headers)
            async for chunk in response.aiter_raw():
                chunks.append((time.monotonic() - start, chunk))
    except (httpx.RemoteProtocolError, httpx.ReadError):
        out.kind = "cut"
    out.body = b"".join(c for _, c in chunks)
    out.first_byte, out.total = (chunks[0][0], chunks[-1][0]) if chunks else (None, None)
    if out.kind == "cut":
        return out
    if out.status != 200:
        out.kind = "http_error"
    elif out.headers.get("content-type", "").startswith("text/event-stream"):
        _read_sse(out, chunks)
    else:
        _read_json(out)
    return out


def _read_json(out: Wire) -> None:
    try:
        data = orjson.loads(out.body)
    except orjson.JSONDecodeError:
        out.kind = "malformed"
        return
    choice = data["choices"][0]
    if "error" in data or choice["finish_reason"] == "error":
        out.kind = "stream_error"
    message = choice["message"]
    out.content, out.finish_reason = message.get("content"), choice["finish_reason"]
    out.usage = data.get("usage")
    if "tool_calls" in message:
        out.calls = [(c["function"]["name"], c["function"]["arguments"]) for c in message["tool_calls"]]
    out.events = [data]


def _read_sse(out: Wire, chunks: list[tuple[float, bytes]]) -> None:
    buffer, done, calls = b"", False, {}
    content: list[str] = []
    for at, chunk in chunks:
        buffer += chunk
        *complete, buffer = buffer.split(b"\n\n")
        for raw in complete:
            if raw.startswith(b":") or not raw:
                continue
            payload = raw.removeprefix(b"data: ")
            if payload == b"[DONE]":
                done = True
                continue
            try:
                event = orjson.loads(payload)
            except orjson.JSONDecodeError:
                out.kind = "malformed"
                continue
            out.events.append(event)
            _apply_event(out, event, at, content, calls)
    if out.kind == "answer" and not done:
        out.kind = "cut"
    out.content = "".join(content) if content else None
    if calls or out.finish_reason == "tool_calls":
        out.calls = [(calls[i]["name"], calls[i]["arguments"]) for i in sorted(calls)]


def _apply_event(out: Wire, event: dict[str, Any], at: float, content: list[str],
                 calls: dict[int, dict[str, str]]) -> None:
    if "error" in event:
        out.kind = "stream_error"
    if event.get("usage"):
        out.usage = event["usage"]
    for choice in event.get("choices", []):
        delta = choice.get("delta", {})
        if delta.get("content") or delta.get("tool_calls"):
            out.ttft = at if out.ttft is None else out.ttft
        if delta.get("content"):
            content.append(delta["content"])
        for tc in delta.get("tool_calls") or []:
            slot = calls.setdefault(tc["index"], {"name": "", "arguments": ""})
            slot["name"] += tc.get("function", {}).get("name") or ""
            slot["arguments"] += tc.get("function", {}).get("arguments") or ""
        if choice.get("finish_reason"):
            out.finish_reason = choice["finish_reason"]


async def run_all(url: str, bodies: list[dict[str, Any]], concurrency: int = 8, timeout: float = 30.0,
                  clients: int = 1) -> list[Wire]:
    """Every body through real async httpx clients, `concurrency` in flight. Several clients share the
    connections when many are wanted: httpx's pool costs grow with its size."""
    per_client = -(-concurrency // clients)
    limits = httpx.Limits(max_connections=per_client, max_keepalive_connections=per_client)
    gate = asyncio.Semaphore(concurrency)
    pool = [httpx.AsyncClient(limits=limits, timeout=timeout) for _ in range(clients)]

    async def one(i: int, body: dict[str, Any]) -> Wire:
        async with gate:
            return await fetch(pool[i % clients], url, body)
    try:
        return await asyncio.gather(*(one(i, b) for i, b in enumerate(bodies)))
    finally:
        for client in pool:
            await client.aclose()


_BLOCK = re.compile(r"<tool_call>\n(.*?)\n</tool_call>", re.S)


def prompt_calls(text: str | None) -> list[tuple[str, str]]:
    """Calls written in the prompt-mode convention, as (name, raw arguments)."""
    out = []
    for block in _BLOCK.findall(text or ""):
        try:
            data = orjson.loads(block)
            out.append((data["name"], orjson.dumps(data["arguments"]).decode()))
        except orjson.JSONDecodeError:
            name = re.search(r'"name":"([^"]*)"', block)
            out.append((name.group(1) if name else "", block))
    return out


def binomial_interval(n: int, p: float, confidence: float = 0.99) -> tuple[int, int]:
    """Exact two-sided interval of Binomial(n, p) counts: each tail outside holds at most (1-conf)/2."""
    if p <= 0.0:
        return 0, 0
    if p >= 1.0:
        return n, n
    alpha = (1.0 - confidence) / 2
    log_p, log_q = math.log(p), math.log1p(-p)
    cdf, low, high = 0.0, None, n
    for k in range(n + 1):
        cdf += math.exp(math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * log_p
                        + (n - k) * log_q)
        if low is None and cdf > alpha:
            low = k
        if cdf >= 1.0 - alpha:
            high = k
            break
    return low or 0, high
