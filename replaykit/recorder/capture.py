"""`replaykit.recording(...)`: record any httpx traffic (an `openai` SDK client inside your own agent loop,
say) into a run of the same format as `replaykit record`.

The transports of httpx — and of httpx2, which recent `openai` SDKs use instead — are patched for the
duration, as vcrpy does; each response stream is wrapped so timing is measured as the caller reads it, and
the bytes are kept even when the stream breaks.
"""

from __future__ import annotations

import contextlib
import importlib
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx

from replaykit import __version__
from replaykit.cassettes.model import Attempt, Cassette, SampleId
from replaykit.cassettes.run import Run
from replaykit.recorder.http import StreamClock
from replaykit.recorder.redact import Redactor
from replaykit.scenarios.model import Scenario


class Recording:
    """A run being captured. Requests made inside `with rec.sample(scenario):` form that sample's cassette;
    others each become a sample of their own, named `capture.<n>`."""

    def __init__(self, out: str | Path, *, provider: str = "captured", scenarios: list[Scenario] | None = None,
                 mode: str = "native") -> None:
        self.run = Run(Path(out), {"run_id": Path(out).name, "replaykit_version": __version__,
                                   "status": "running", "providers": {provider: {"captured": True}},
                                   "scenarios": {}, "params": {"capture": True}, "cassettes": {}})
        self.provider, self.mode = provider, mode
        self.scenarios = {s.id: s for s in scenarios or []}
        self.redactor = Redactor()
        self._current: Cassette | None = None
        self._loose = 0
        # attempt -> (its cassette, whether it is a sample of its own, written when the attempt ends)
        self._owners: dict[int, tuple[Cassette, bool]] = {}
        self._lock = threading.Lock()
        self._saved: dict[str, tuple[ModuleType, Any, Any]] = {}

    @contextlib.contextmanager
    def sample(self, scenario: str | Scenario, repetition: int = 0) -> Iterator[Cassette]:
        sid = scenario.id if isinstance(scenario, Scenario) else scenario
        if isinstance(scenario, Scenario):
            self.scenarios[sid] = scenario
        known = self.scenarios.get(sid)
        cassette = Cassette(SampleId(self.provider, sid, repetition, known.hash if known else "", self.mode), [])
        self._current = cassette
        try:
            yield cassette
        finally:
            self._current = None
            self._write(cassette)

    def _write(self, cassette: Cassette) -> None:
        with self._lock:
            # every credential the sample's requests carried is learnt before any body is scrubbed, so an
            # echo in an early attempt of a key sent again later is caught too
            for attempt in cassette.attempts:
                self.redactor = self.redactor.learn_request(attempt.request)
            for attempt in cassette.attempts:
                self._redact(attempt)
            self.run.write_cassette(cassette)

    def _redact(self, attempt: Attempt) -> None:
        attempt.request = self.redactor.request(attempt.request)
        attempt.response_headers = self.redactor.headers(attempt.response_headers)
        attempt.body = self.redactor.body(attempt.body) if attempt.body else attempt.body
        if attempt.error:
            attempt.error = {k: self.redactor.text(v) for k, v in attempt.error.items()}

    def _attempt_started(self, request: Any) -> Attempt:
        body = request.content.decode("utf-8", "replace")
        attempt = Attempt(request={"method": request.method, "uri": str(request.url), "body": body,
                                   "headers": {k: [v] for k, v in request.headers.items()}},
                          provider=self.provider)
        target, loose = self._current, self._current is None
        if target is None:
            self._loose += 1
            target = Cassette(SampleId(self.provider, f"capture.{self._loose}", 0, "", self.mode), [])
        attempt.step = len(target.attempts)
        target.attempts.append(attempt)
        self._owners[id(attempt)] = (target, loose)
        return attempt

    def _attempt_done(self, attempt: Attempt) -> None:
        cassette, loose = self._owners.pop(id(attempt))
        if loose:
            self._write(cassette)

    def __enter__(self) -> Recording:
        self.run.root.mkdir(parents=True, exist_ok=True)
        for mod in _http_modules():
            sync, asyn = mod.HTTPTransport.handle_request, mod.AsyncHTTPTransport.handle_async_request
            self._saved[mod.__name__] = (mod, sync, asyn)
            mod.HTTPTransport.handle_request = self._sync_handler(mod, sync)
            mod.AsyncHTTPTransport.handle_async_request = self._async_handler(mod, asyn)
        return self

    def __exit__(self, *exc: object) -> None:
        for mod, sync, asyn in self._saved.values():
            mod.HTTPTransport.handle_request = sync
            mod.AsyncHTTPTransport.handle_async_request = asyn
        self._saved.clear()
        self.run.manifest["scenarios"] = {s.id: s.hash for s in self.scenarios.values()}
        self.run.write_scenarios([s.raw for s in self.scenarios.values()])
        self.run.manifest["status"] = "complete"
        self.run.save()

    def _sync_handler(self, mod: ModuleType, original: Any) -> Any:
        rec, tap = self, _taps(mod)[0]

        def handle_request(transport: Any, request: Any) -> Any:
            attempt, t0 = rec._attempt_started(request), time.perf_counter()
            try:
                response = original(transport, request)
            except mod.TransportError as err:
                rec._failed(attempt, t0, err)
                raise
            rec._headers(attempt, response, t0)
            response.stream = tap(response.stream, rec, attempt, t0, mod.TransportError)
            return response

        return handle_request

    def _async_handler(self, mod: ModuleType, original: Any) -> Any:
        rec, tap = self, _taps(mod)[1]

        async def handle_async_request(transport: Any, request: Any) -> Any:
            attempt, t0 = rec._attempt_started(request), time.perf_counter()
            try:
                response = await original(transport, request)
            except mod.TransportError as err:
                rec._failed(attempt, t0, err)
                raise
            rec._headers(attempt, response, t0)
            response.stream = tap(response.stream, rec, attempt, t0, mod.TransportError)
            return response

        return handle_async_request

    def _headers(self, attempt: Attempt, response: Any, t0: float) -> None:
        attempt.status = response.status_code
        attempt.reason = response.reason_phrase
        attempt.response_headers = {}
        for name, value in response.headers.multi_items():
            attempt.response_headers.setdefault(name, []).append(value)
        attempt.timing.update(started_at=round(time.time(), 6),
                              ttfb_ms=round((time.perf_counter() - t0) * 1000, 3))

    def _failed(self, attempt: Attempt, t0: float, err: Exception) -> None:
        kind = "timeout" if "timeout" in type(err).__name__.lower() else "connection"
        attempt.error = {"kind": kind, "message": f"{type(err).__name__}: {err}"}
        attempt.timing.update(started_at=round(time.time(), 6), total_ms=round((time.perf_counter() - t0) * 1000, 3))
        self._attempt_done(attempt)

    def _finish(self, attempt: Attempt, clock: StreamClock, chunks: list[bytes], t0: float,
                err: BaseException | None) -> None:
        attempt.body = b"".join(chunks).decode("utf-8", "replace")
        if err is not None:
            attempt.error = {"kind": "stream_cut", "message": f"{type(err).__name__}: {err}"}
        attempt.timing.update(ttft_ms=clock.ttft_ms, total_ms=round((time.perf_counter() - t0) * 1000, 3),
                              events_ms=clock.events_ms)
        self._attempt_done(attempt)


def _http_modules() -> list[ModuleType]:
    mods = [httpx]
    with contextlib.suppress(ImportError):
        mods.append(importlib.import_module("httpx2"))
    return mods


_TAPS: dict[str, tuple[type, type]] = {}


def _taps(mod: ModuleType) -> tuple[type, type]:
    """Stream wrappers deriving from the module's own byte-stream classes (its Response checks them)."""
    if mod.__name__ not in _TAPS:
        _TAPS[mod.__name__] = (type("SyncTap", (_SyncTap, mod.SyncByteStream), {}),
                               type("AsyncTap", (_AsyncTap, mod.AsyncByteStream), {}))
    return _TAPS[mod.__name__]


class _SyncTap:
    def __init__(self, inner: Any, rec: Recording, attempt: Attempt, t0: float,
                 errors: type[BaseException]) -> None:
        self.inner, self.rec, self.attempt, self.t0, self.errors = inner, rec, attempt, t0, errors

    def __iter__(self) -> Iterator[bytes]:
        clock, chunks, error = StreamClock(self.t0), [], None
        try:
            for chunk in self.inner:
                chunks.append(chunk)
                clock.feed(chunk, time.perf_counter())
                yield chunk
        except self.errors as err:
            error = err
            raise
        finally:
            self.rec._finish(self.attempt, clock, chunks, self.t0, error)

    def close(self) -> None:
        self.inner.close()


class _AsyncTap:
    def __init__(self, inner: Any, rec: Recording, attempt: Attempt, t0: float,
                 errors: type[BaseException]) -> None:
        self.inner, self.rec, self.attempt, self.t0, self.errors = inner, rec, attempt, t0, errors

    async def __aiter__(self) -> AsyncIterator[bytes]:
        clock, chunks, error = StreamClock(self.t0), [], None
        try:
            async for chunk in self.inner:
                chunks.append(chunk)
                clock.feed(chunk, time.perf_counter())
                yield chunk
        except self.errors as err:
            error = err
            raise
        finally:
            self.rec._finish(self.attempt, clock, chunks, self.t0, error)

    async def aclose(self) -> None:
        await self.inner.aclose()


def recording(out: str | Path, *, provider: str = "captured", scenarios: list[Scenario] | None = None,
              mode: str = "native") -> Recording:
    """Capture httpx traffic inside the `with` block into a run folder at `out`."""
    return Recording(out, provider=provider, scenarios=scenarios, mode=mode)
