"""The simulator in a child process: its CPU no longer competes with the client's for the GIL, so latencies
measured against it are the simulated ones (the demo's leaderboard shows them)."""

from __future__ import annotations

import contextlib
import multiprocessing
from collections.abc import Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx

from replaykit.errors import ReplaykitError


def _serve(conn: Connection, profiles: str, scenarios: str | list[str] | None, seed: int, time_scale: float,
           request_clock: bool) -> None:
    from replaykit.sim.server import SimServer

    try:
        server = SimServer(profiles, scenarios, seed=seed, time_scale=time_scale, request_clock=request_clock).start()
    except Exception as err:  # reported to the parent, which raises it as one line
        conn.send(("error", f"{type(err).__name__}: {err}"))
        return
    conn.send(("ready", server.base_url))
    conn.recv()  # any message means stop
    server.stop()


class SimProcess:
    """`with SimProcess(profiles=..., scenarios=...) as sim:` — like SimServer, in its own process."""

    def __init__(self, profiles: str | Path, scenarios: str | Path | Sequence[str | Path] | None = "scenarios", *,
                 seed: int = 0, time_scale: float = 1.0, request_clock: bool = False) -> None:
        served = scenarios if scenarios is None or isinstance(scenarios, str | Path) else [str(p) for p in scenarios]
        self.args = (str(profiles), str(served) if isinstance(served, Path) else served, seed, time_scale,
                     request_clock)
        self.base_url = ""
        self._conn: Connection | None = None
        self._proc: Any = None

    def __enter__(self) -> SimProcess:
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, args=(child, *self.args), daemon=True)
        self._proc.start()
        if not self._conn.poll(60):
            self.__exit__()
            raise ReplaykitError("the simulator process did not start within 60 s")
        kind, value = self._conn.recv()
        if kind != "ready":
            self.__exit__()
            raise ReplaykitError(f"the simulator process failed: {value}")
        self.base_url = value
        return self

    def counts(self) -> dict[str, int]:
        root = self.base_url.rsplit("/api/v1", 1)[0]
        return dict(httpx.get(f"{root}/sim/counts", timeout=10).json())

    def __exit__(self, *exc: object) -> None:
        if self._conn is not None:
            with contextlib.suppress(BrokenPipeError, OSError):
                self._conn.send("stop")
        if self._proc is not None:
            self._proc.join(10)
            if self._proc.is_alive():
                self._proc.kill()
