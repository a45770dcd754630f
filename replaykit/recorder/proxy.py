"""`replaykit capture`: a local proxy that an agent talks to as if it were the provider.

Each request is forwarded to the provider named in the user's provider file (the key comes from the
environment, never from the agent), the answer streams back chunk by chunk as it arrives, and the exchange
is written — timed, redacted, atomically — as one cassette of a normal run, with a replay scenario built
from the request and its answer (see reference.py).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from replaykit import __version__
from replaykit.canonical import content_hash
from replaykit.cassettes.model import Attempt, Cassette, SampleId
from replaykit.cassettes.run import Run
from replaykit.errors import BadInputError
from replaykit.providers.config import Provider
from replaykit.recorder.clients import ClientPool
from replaykit.recorder.dialects import request_dialect
from replaykit.recorder.http import StreamClock
from replaykit.recorder.redact import Redactor
from replaykit.recorder.request import USER_AGENT
from replaykit.scenarios.reference import chat_form, reference_scenario, session_of
from replaykit.sim.server import listen

# Request headers the agent may set that reach the provider; its own credentials never do.
FORWARDED = ("content-type", "accept", "anthropic-version", "anthropic-beta", "openai-beta", "x-stainless-lang")
# Hop-by-hop or rewritten response headers (the body is relayed as received, uncompressed).
DROPPED = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive", "content-encoding"})
SAVE_EVERY_S = 2.0


def upstream_url(base_url: str, path: str, query: str) -> str:
    """The agent's path appended to the provider's base URL; a `/v1` the base already ends with is not
    doubled (agents are pointed at `http://127.0.0.1:P/v1` or at the bare root)."""
    base = base_url.rstrip("/")
    if base.endswith("/v1") and (path == "/v1" or path.startswith("/v1/")):
        path = path[3:]
    return base + path + (f"?{query}" if query else "")


class CaptureProxy:
    """The proxy's state: one provider, one run folder, a counter per session."""

    def __init__(self, provider: Provider, out: str | Path, *, keep_model: bool = False) -> None:
        self.provider, self.keep_model = provider, keep_model
        root = Path(out)
        if (root / "run.json").exists():
            raise BadInputError("a run already exists here; capture into a new folder", source=str(root))
        root.mkdir(parents=True, exist_ok=True)
        self.run = Run(root, {"run_id": root.name, "replaykit_version": __version__, "status": "running",
                              "started_at": _now(), "ended_at": None,
                              "providers": {provider.name: provider.sanitized()}, "scenarios": {},
                              "params": {"capture": True, "keep_model": keep_model}, "cassettes": {}})
        self.redactor = Redactor(provider.secrets(), provider.headers)  # every secret the proxy sends
        self.sessions: Counter[str] = Counter()
        self.scenarios: list[dict[str, Any]] = []
        self.requests = 0
        self._saved = time.monotonic()
        self.clients = ClientPool()  # one connection per request in flight (see recorder/clients.py)
        self.dialect = request_dialect(provider.api)
        self.app = Starlette(routes=[Route("/{path:path}", self.handle, methods=["GET", "POST"])],
                             lifespan=self._lifespan)

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        yield
        await self.close()

    async def handle(self, request: Request) -> Response:
        content = await request.body()
        body = _json(content)
        if isinstance(body, dict) and not self.keep_model:
            content = self._pin(body)
        url = upstream_url(self.provider.base_url, request.url.path, request.url.query)
        headers = self._headers(request)
        attempt = Attempt(request={"method": request.method, "uri": url, "body": content.decode("utf-8", "replace"),
                                   "headers": {k: [v] for k, v in headers.items()}}, provider=self.provider.name)
        started, t0 = time.time(), time.perf_counter()
        attempt.timing = {"started_at": round(started, 6)}
        client = self.clients.take(self.provider.name)
        try:
            upstream = await client.send(client.build_request(request.method, url, headers=headers,
                                                              content=content), stream=True)
        except httpx.HTTPError as err:
            self.clients.give(self.provider.name, client)
            kind = "timeout" if isinstance(err, httpx.TimeoutException) else "connection"
            attempt.error = {"kind": kind, "message": f"{type(err).__name__}: {err}"}
            attempt.timing["total_ms"] = _ms(t0)
            self._store(request.url.path, _json(content), attempt)
            # what the agent would see from an unreachable OpenAI-style endpoint
            return JSONResponse({"error": {"message": f"replaykit capture: the provider could not be reached "
                                                      f"({type(err).__name__})", "type": "proxy_error",
                                           "code": 502}}, status_code=502)
        attempt.status, attempt.reason = upstream.status_code, upstream.reason_phrase
        attempt.timing["ttfb_ms"] = _ms(t0)
        for name, value in upstream.headers.multi_items():
            attempt.response_headers.setdefault(name, []).append(value)
        relay = self._relay(client, upstream, attempt, t0, request.url.path, _json(content))
        passed = {k: v for k, v in upstream.headers.items() if k.lower() not in DROPPED}
        return StreamingResponse(relay, status_code=upstream.status_code, headers=passed)

    async def _relay(self, client: httpx.AsyncClient, upstream: httpx.Response, attempt: Attempt, t0: float,
                     path: str, body: Any) -> AsyncIterator[bytes]:
        clock, chunks = StreamClock(t0, has_token=self.dialect.has_token), []
        try:
            async for chunk in upstream.aiter_raw():
                chunks.append(chunk)
                clock.feed(chunk, time.perf_counter())
                yield chunk
        except httpx.HTTPError as err:
            attempt.error = {"kind": "stream_cut", "message": f"{type(err).__name__}: {err}"}
        finally:
            await upstream.aclose()
            self.clients.give(self.provider.name, client)
            attempt.body = b"".join(chunks).decode("utf-8", "replace")
            attempt.timing.update(ttft_ms=clock.ttft_ms, total_ms=_ms(t0), events_ms=clock.events_ms)
            self._store(path, body, attempt)

    def _pin(self, body: dict[str, Any]) -> bytes:
        """The provider file decides the model and routing, as in `record` (the agent's choice is kept in
        the recorded request only with --keep-model)."""
        if self.provider.model:
            body["model"] = self.provider.model
        if self.provider.routing and "provider" not in body:
            body["provider"] = self.provider.routing
        return orjson.dumps(body)

    def _headers(self, request: Request) -> dict[str, str]:
        """The provider's own headers as `record` sends them (its dialect's key header, from the environment),
        with what the agent says about its request (content type, accept, API version and betas)."""
        headers = self.dialect.build_headers(self.provider)
        headers.update({k.lower(): v for k, v in request.headers.items() if k.lower() in FORWARDED})
        headers.update({"accept-encoding": "identity", "user-agent": f"{USER_AGENT} capture"})
        return headers

    def _store(self, path: str, body: Any, attempt: Attempt) -> None:
        """One cassette per request, named by session and order; written before the agent sees the end."""
        session = session_of(body) if isinstance(body, dict) else "other"
        self.sessions[session] += 1
        sid = f"capture.{session}.{self.sessions[session]:04d}"
        attempt.request = self.redactor.request(attempt.request)
        attempt.response_headers = self.redactor.headers(attempt.response_headers)
        attempt.body = self.redactor.body(attempt.body) if attempt.body else attempt.body
        scenario_hash = ""
        chat = chat_form(path, body)
        if chat is not None:
            raw = reference_scenario(sid, chat, attempt, self.provider.name)
            scenario_hash = content_hash(raw)  # what build_scenario would give; validated by from-run
            self.scenarios.append(raw)
            self.run.manifest["scenarios"][sid] = scenario_hash
        cassette = Cassette(SampleId(self.provider.name, sid, 0, scenario_hash, "native"), [attempt], complete=True)
        self.run.write_cassette(cassette)
        self.requests += 1
        if time.monotonic() - self._saved > SAVE_EVERY_S:
            self.save()

    def save(self) -> None:
        self.run.write_scenarios(self.scenarios)
        self.run.save()
        self._saved = time.monotonic()

    async def close(self) -> None:
        await self.clients.aclose()
        self.run.manifest.update(status="complete", ended_at=_now())
        self.save()


class CaptureServer:
    """The proxy on a loopback port in a background thread (the CLI runs it in the foreground)."""

    def __init__(self, proxy: CaptureProxy, host: str = "127.0.0.1", port: int = 0) -> None:
        self.proxy, self.host, self.port = proxy, host, port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def config(self) -> tuple[uvicorn.Config, Any]:
        sock = listen(self.host, self.port)
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.proxy.app, log_level="warning", lifespan="on", access_log=False,
                                http="h11", loop="asyncio", ws="none", log_config=None,
                                timeout_graceful_shutdown=5)
        logging.getLogger("uvicorn.error").setLevel(logging.WARNING)
        return config, sock

    def __enter__(self) -> CaptureServer:
        config, sock = self.config()
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the capture proxy did not start")
            time.sleep(0.002)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=15)


def _json(content: bytes) -> Any:
    try:
        return orjson.loads(content) if content else None
    except orjson.JSONDecodeError:
        return None


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 3)


def _now() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).isoformat(timespec="milliseconds")
