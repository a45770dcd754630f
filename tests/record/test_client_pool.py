"""The recorder's clients: one connection per request in flight, kept alive across samples, all closed."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from record_helpers import fixture_scenarios, profiles, providers_for

from replaykit import RecordOptions, load_run, record
from replaykit.recorder.clients import ClientPool
from replaykit.sim import SimServer


@contextmanager
def counting_forwarder(target_port: int) -> Iterator[tuple[int, list[int]]]:
    """A loopback TCP relay in front of the simulator that counts the connections clients open."""
    accepted: list[int] = []
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    loop = asyncio.new_event_loop()

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def relay(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(1)
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", target_port)
        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    async def serve() -> asyncio.Server:
        return await asyncio.start_server(relay, sock=listener)

    server = loop.run_until_complete(serve())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield port, accepted
    finally:
        loop.call_soon_threadsafe(server.close)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)


def test_connections_stay_within_the_concurrency_and_are_reused(tmp_path: Path) -> None:
    scenarios = [s for s in fixture_scenarios() if len(s.steps) == 1]
    with SimServer(profiles=profiles(steady={}), scenarios=fixture_scenarios(), seed=1, time_scale=0.0) as sim:
        sim_port = int(sim.base_url.rsplit(":", 1)[1].split("/")[0])
        with counting_forwarder(sim_port) as (port, accepted):
            providers = providers_for(f"http://127.0.0.1:{port}/v1", "steady", max_concurrency=3)
            record(scenarios, providers, tmp_path / "run", options=RecordOptions(repeat=4, max_retries=0))
    samples = len(load_run(tmp_path / "run").cassette_files())
    assert samples == 4 * len(scenarios) >= 12
    # the pre-flight's own client opens one; the samples share at most one connection per worker
    assert len(accepted) <= 3 + 1, (len(accepted), samples)


def test_a_pool_lends_idle_clients_and_closes_every_one() -> None:
    async def scenario() -> tuple[int, int, bool]:
        pool = ClientPool()
        async with pool.lend("a") as first:
            pass
        async with pool.lend("a") as again:  # the idle client comes back, not a new one
            reused = again is first
        async with pool.lend("a") as one, pool.lend("a") as two, pool.lend("b") as other:
            distinct = len({id(one), id(two), id(other)})
        clients = list(pool._all)
        await pool.aclose()
        return distinct, len(clients), reused and all(c.is_closed for c in clients)

    distinct, made, ok = asyncio.run(scenario())
    assert (distinct, made, ok) == (3, 3, True)


def test_pool_clients_share_one_tls_context() -> None:
    """Loading the CA bundle costs ~20 ms: once per run, not once per client."""

    async def scenario() -> set[int]:
        pool = ClientPool()
        async with pool.lend("a") as one, pool.lend("a") as two:
            contexts = {id(client._transport._pool._ssl_context) for client in (one, two)}  # type: ignore[attr-defined]
        await pool.aclose()
        return contexts

    assert len(asyncio.run(scenario())) == 1
