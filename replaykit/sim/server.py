"""The HTTP side: a Starlette app that plays the engine's scripts, and `SimServer`, which runs it with uvicorn
on a loopback port in a background thread (its own event loop) for tests, the demo and `sim serve`.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from replaykit.errors import BadInputError, ScenarioError
from replaykit.packaged import locate
from replaykit.scenarios import ScenarioSet, load_scenarios
from replaykit.sim import wire
from replaykit.sim.engine import LEDGER_LIMIT, Engine
from replaykit.sim.profiles import ProfileSet, load_profiles
from replaykit.sim.scripts import Script, echo_credentials, request_credentials

_CUT_MESSAGE = "ASGI callable returned without completing response."
# Sent on every chat answer of a scaled simulator: its delays are not real time (docs/metrics.md, "Time scale").
TIME_SCALE_HEADER = b"x-sim-time-scale"


class _QuietCuts(logging.Filter):
    """A cut stream is the simulator's intent, not an application error: keep uvicorn from logging it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != _CUT_MESSAGE


class StreamStats:
    """Streams open right now and the most ever open at once (to show concurrency was really held)."""

    def __init__(self) -> None:
        self.open = 0
        self.max_open = 0

    def enter(self) -> None:
        self.open += 1
        self.max_open = max(self.max_open, self.open)

    def leave(self) -> None:
        self.open -= 1


class ScriptResponse(Response):
    """Plays a `Script`: waits, sends the status line, sends each part at its offset, maybe drops the
    connection. Offsets are from the request's arrival, so slow handling never stretches the timeline."""

    def __init__(self, script: Script, arrived: float, stats: StreamStats) -> None:
        self.script, self.arrived, self.stats = script, arrived, stats
        self.status_code = script.status
        self.background = None
        self.started = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        streaming = self.script.stream and self.script.status == 200
        if streaming:
            self.stats.enter()
        try:
            await self._play(send)
        except asyncio.CancelledError:
            # The server is stopping with this request in flight (a stall, a slow stream): answer 503 if
            # nothing went out yet, else end here like a cut; either way no traceback in the log.
            if not self.started:
                body = wire.error_body(503, "The simulator is shutting down")
                await send({"type": "http.response.start", "status": 503,
                            "headers": [(b"content-type", b"application/json")]})
                await send({"type": "http.response.body", "body": body, "more_body": False})
        finally:
            if streaming:
                self.stats.leave()

    async def _play(self, send: Send) -> None:
        loop = asyncio.get_running_loop()
        script = self.script

        async def wait_until(at: float) -> None:
            delay = self.arrived + at - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)

        await wait_until(script.head_at)
        self.started = True
        await send({"type": "http.response.start", "status": script.status, "headers": script.headers})
        pending = b""
        for at, data in script.parts:
            if self.arrived + at > loop.time() + 0.0005:  # a pause comes: flush what is due first
                if pending:
                    await send({"type": "http.response.body", "body": pending, "more_body": True})
                    pending = b""
                await wait_until(at)
            pending += data
        if script.complete:
            await send({"type": "http.response.body", "body": pending, "more_body": False})
        elif pending:  # a cut: send what got through, then return without finishing; uvicorn closes
            await send({"type": "http.response.body", "body": pending, "more_body": True})


def _json(value: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(value), status_code=status, media_type="application/json")


def build_app(engine: Engine, stats: StreamStats) -> Starlette:
    async def chat(request: Request) -> Response:
        arrived = asyncio.get_running_loop().time()
        script = engine.chat(await request.body())
        if engine.time_scale > 0 and engine.time_scale != 1:  # the recorder writes it into run.json
            script.headers.append((TIME_SCALE_HEADER, f"{engine.time_scale:g}".encode()))
        profile = engine.profiles.find(str(script.record.get("profile") or ""))
        if profile is not None and profile.echo_credentials:
            echo_credentials(script, *request_credentials(request.headers, request.query_params))
        return ScriptResponse(script, arrived, stats)

    def dialect_route(api: str) -> Callable[[Request], Any]:
        async def handle(request: Request) -> Response:
            arrived = asyncio.get_running_loop().time()
            return ScriptResponse(engine.serve(await request.body(), api), arrived, stats)
        return handle

    async def gemini(request: Request) -> Response:
        """`/v1beta/models/{model}:generateContent` and `:streamGenerateContent` (SSE with alt=sse, else a
        streamed JSON array)."""
        arrived = asyncio.get_running_loop().time()
        model, _, method = request.path_params["call"].rpartition(":")
        if method not in ("generateContent", "streamGenerateContent") or not model:
            return Response(b'{"error":{"code":404,"message":"Not found","status":"NOT_FOUND"}}', 404,
                            media_type="application/json")
        stream = method != "generateContent"
        api = "gemini-array" if stream and request.query_params.get("alt") != "sse" else "gemini"
        script = engine.serve(await request.body(), api, model=model, stream=stream)
        return ScriptResponse(script, arrived, stats)

    async def models(request: Request) -> Response:
        return Response(wire.models_list(engine.profiles), media_type="application/json")

    async def endpoints(request: Request) -> Response:
        model = f"{request.path_params['author']}/{request.path_params['slug']}"
        if model not in engine.profiles.models:
            body = wire.error_body(404, f"Model {model} not found")
            return Response(body, 404, media_type="application/json")
        return Response(wire.endpoints(model, engine.profiles), media_type="application/json")

    async def ledger(request: Request) -> Response:
        return _json(list(engine.ledger))

    async def counts(request: Request) -> Response:
        return _json(engine.counts)

    async def stats_view(request: Request) -> Response:
        return _json({"open_streams": stats.open, "max_open_streams": stats.max_open, **engine.stats()})

    routes = [Route(f"{prefix}/chat/completions", chat, methods=["POST"]) for prefix in ("/v1", "/api/v1")]
    for prefix in ("/v1", "/api/v1"):
        routes.append(Route(f"{prefix}/messages", dialect_route("anthropic-messages"), methods=["POST"]))
        routes.append(Route(f"{prefix}/responses", dialect_route("openai-responses"), methods=["POST"]))
    for prefix in ("/v1beta", "/v1", "/api/v1"):  # POST only: GET .../models/... stays the listings
        routes.append(Route(prefix + "/models/{call:path}", gemini, methods=["POST"]))
    for prefix in ("/v1", "/api/v1"):
        routes.append(Route(f"{prefix}/models", models))
        routes.append(Route(prefix + "/models/{author}/{slug}/endpoints", endpoints))
    routes += [Route("/sim/ledger", ledger), Route("/sim/counts", counts), Route("/sim/stats", stats_view)]
    return Starlette(routes=routes)


class SimServer:
    """The simulator on a loopback port, in a background thread. Use as a context manager.

    `profiles` and `scenarios` take a path or an already-loaded ProfileSet / ScenarioSet (`None`: no
    scenarios, every request gets a plain text answer). `time_scale` multiplies every simulated delay
    (0: none). `clock` replaces the simulated wall clock (seconds) that downtime, bursts and the rate
    limiter read. `ledger_limit`: the newest truth records kept. `request_clock`: downtime and bursts hit by
    each request's own seeded moment instead of the wall clock, and no token bucket, so that a recording
    gets the same faults in every run however fast it goes (the demo).
    """

    def __init__(self, profiles: str | Path | ProfileSet = "providers/sim-profiles.toml",
                 scenarios: str | Path | Sequence[str | Path] | ScenarioSet | None = "scenarios", *, seed: int = 0,
                 time_scale: float = 1.0, host: str = "127.0.0.1", port: int = 0,
                 clock: Callable[[], float] | None = None, ledger_limit: int = LEDGER_LIMIT,
                 request_clock: bool = False) -> None:
        profile_set = profiles if isinstance(profiles, ProfileSet) else load_profiles(locate(profiles).path)
        self.engine = Engine(profile_set, _scenarios(scenarios), seed=seed, time_scale=time_scale,
                             clock=clock, ledger_limit=ledger_limit, request_clock=request_clock)
        self.stream_stats = StreamStats()
        self.app = build_app(self.engine, self.stream_stats)
        self.host, self.port = host, port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """OpenRouter-style base URL; `/v1/...` is served as well."""
        return f"{self.url}/api/v1"

    def start(self) -> SimServer:
        sock = listen(self.host, self.port)
        self._socket, self.port = sock, sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="warning", lifespan="off", access_log=False, http="h11",
                                loop="asyncio", ws="none", log_config=None, timeout_graceful_shutdown=1,
                                timeout_keep_alive=30, backlog=4096)
        logging.getLogger("uvicorn.error").addFilter(_QUIET)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]},
                                        name=f"replaykit-sim-{self.port}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the simulator did not start")
            time.sleep(0.002)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=15)
        if self._socket is not None:
            self._socket.close()
        self._server, self._thread, self._socket = None, None, None

    def __enter__(self) -> SimServer:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def counts(self) -> dict[str, int]:
        """Requests served per profile (every request routed to it, whatever the outcome)."""
        return dict(self.engine.counts)

    def ledger(self) -> list[dict[str, Any]]:
        """One truth record per request, in arrival order."""
        return [dict(r, faults=list(r["faults"])) for r in list(self.engine.ledger)]

    def stats(self) -> dict[str, Any]:
        return {"open_streams": self.stream_stats.open, "max_open_streams": self.stream_stats.max_open,
                **self.engine.stats()}


_QUIET = _QuietCuts()


def _scenarios(value: str | Path | Sequence[str | Path] | ScenarioSet | None) -> ScenarioSet:
    if value is None:
        return ScenarioSet(())
    if isinstance(value, ScenarioSet):
        return value
    folders = [locate(v).path for v in ([value] if isinstance(value, str | Path) else value)]
    for folder in folders:
        if not folder.exists():
            raise ScenarioError("no such scenario file or folder (give --scenarios DIR)", source=str(folder))
    return load_scenarios(folders)


def listen(host: str, port: int) -> socket.socket:
    # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY on accepted sockets only when the proto says TCP,
    # and without it every response waits ~40 ms on Nagle + delayed ACK.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        raise BadInputError(f"cannot listen on {host}:{port}: {err.strerror or err}") from None
    sock.listen(4096)
    sock.setblocking(False)
    return sock
