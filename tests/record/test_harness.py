"""The harness's failures are never charged to a provider: a dead network or endpoint stops `record` before
it spends (pre-flight), a provider never reached is said loudly with a non-zero exit, and attempts that
failed on this machine's side are reported as `harness`, outside error_rate, availability and success."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from record_helpers import FIXTURES, fixture_scenarios, profiles, providers_for

from replaykit import load_run, normalize, score_runs
from replaykit.cassettes.model import Attempt
from replaykit.normalize.classify import transport_class
from replaykit.recorder import RecordOptions, record
from replaykit.sim import SimServer


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "replaykit", *args], capture_output=True, text=True,
                          timeout=120, env=dict(os.environ))


def _free_port() -> int:
    with socket.socket() as sock:  # free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _providers(tmp: Path, tables: dict[str, str]) -> Path:
    path = tmp / "providers.toml"
    path.write_text("".join(f'[providers.{name}]\nbase_url = "{url}"\nmodel = "m"\nrouting = {{ only = ["p"] }}\n'
                            for name, url in tables.items()))
    return path


class _ModelsOnly(BaseHTTPRequestHandler):
    """Answers the pre-flight's GET, then drops every chat request without a response."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def do_POST(self) -> None:
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def _models_only() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ModelsOnly)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def test_a_dead_endpoint_stops_before_spending_exit_2(tmp_path: Path) -> None:
    for url in (f"http://127.0.0.1:{_free_port()}/v1", "http://replaykit-test.invalid/v1"):
        out = tmp_path / "run"
        result = _run("record", "--providers", str(_providers(tmp_path, {"p": url})), "--scenarios", str(FIXTURES),
                      "--plain", "--out", str(out))
        assert result.returncode == 2, result.stderr
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
        assert "no provider answered the pre-flight request" in lines[0] and "on this machine's side" in lines[0]
        assert not out.exists()  # nothing recorded, nothing to mistake for the provider's failures


def test_one_dead_provider_is_said_loudly_and_the_others_are_recorded(tmp_path: Path) -> None:
    with SimServer(profiles=profiles(p={}), scenarios=fixture_scenarios(), time_scale=0) as sim:
        dead = f"http://127.0.0.1:{_free_port()}/v1"
        providers = _providers(tmp_path, {"p": sim.base_url, "q": dead})
        out = tmp_path / "run"
        result = _run("record", "--providers", str(providers), "--scenarios", str(FIXTURES), "--plain",
                      "--out", str(out))
    assert result.returncode == 1, result.stderr
    assert "error: provider q was never reached" in result.stderr and "Traceback" not in result.stderr
    run = load_run(out)
    assert run.manifest["status"] == "interrupted"  # q's samples are still to record
    assert set(run.manifest["unreachable"]) == {"q"}
    assert {Path(p).parent.name for p in run.cassette_files()} == {"p"}


def _record_dropped(tmp: Path, *flags: str) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """Record against a server that answers the pre-flight and drops every chat request."""
    with _models_only() as url:
        out = tmp / "run"
        return out, _run("record", "--providers", str(_providers(tmp, {"p": url})), "--scenarios", str(FIXTURES),
                         *flags, "--max-retries", "1", "--backoff", "0", "--plain", "--out", str(out))


def test_every_attempt_failing_at_connection_level_is_loud(tmp_path: Path) -> None:
    out, result = _record_dropped(tmp_path, "--category", "single")
    assert result.returncode == 2, result.stderr
    assert "provider p was never reached: all" in result.stderr and "failed at connection level" in result.stderr
    cassettes = [c for c in load_run(out).iter_cassettes() if not isinstance(c, Exception)]
    assert cassettes and all(normalize(a).error_class == "connection" for c in cassettes for a in c.attempts)


def test_local_failures_are_classified_harness_even_in_old_runs() -> None:
    def judged(message: str, uri: str) -> str | None:
        attempt = Attempt(request={"method": "POST", "uri": uri, "body": "", "headers": {}},
                          error={"kind": "connection", "message": message})
        return normalize(attempt).error_class

    assert judged("ConnectError: [Errno -2] Name or service not known", "https://api.example.com/v1") == "harness"
    assert judged("ConnectError: [Errno 101] Network is unreachable", "https://api.example.com/v1") == "harness"
    refused = "ConnectError: All connection attempts failed"
    assert judged(refused, "http://127.0.0.1:9/v1/chat/completions") == "harness"
    assert judged(refused, "http://localhost:9/v1/chat/completions") == "harness"
    assert judged(refused, "https://203.0.113.7/v1/chat/completions") == "connection"  # a reachable host said no
    assert judged("RemoteProtocolError: Server disconnected", "http://127.0.0.1:9/v1") == "connection"
    assert transport_class({"kind": "harness"}, None, None) == "harness"


def test_harness_attempts_are_reported_and_never_counted_against_the_provider(tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{_free_port()}/v1"
    with SimServer(profiles=profiles(p={}), scenarios=fixture_scenarios(), time_scale=0) as sim:
        live = providers_for(sim.base_url, "p")
        gone = providers_for(dead, "p")[0].with_overrides(name="q")
        out = tmp_path / "run"
        opts = RecordOptions(max_retries=1, backoff_base=0, preflight=False)
        record(fixture_scenarios(), [*live, gone], out, options=opts)
    cassettes = [c for c in load_run(out).iter_cassettes() if not isinstance(c, Exception)]
    assert {normalize(a).error_class for c in cassettes if c.sample.provider == "q" for a in c.attempts} == \
        {"harness"}
    result = score_runs([out])
    q, p = result.data["providers"]["q"], result.data["providers"]["p"]
    n = len(fixture_scenarios())
    assert q["harness"] == {"attempts": 2 * n, "samples_not_counted": n}
    for metric in ("error_rate", "availability", "success"):
        assert q[metric]["n"] == 0 and q[metric]["value"] is None, metric
    assert "harness" not in q["errors"]
    assert "harness" not in p and p["availability"]["n"] == n
    assert any(w.startswith("q: ") and "not counted against the provider" in w for w in result.warnings)
    # nor in the per-scenario success cells that paired comparisons (the leaderboard's `*`) are drawn from
    assert all("q" not in row["success"] and "p" in row["success"] for row in result.data["scenarios"])
    from replaykit.report.significance import versus_best

    assert not versus_best(result.data)["q"].significant
    # and `diff` pairs nothing the harness cut short: no verdict on q at all
    from click.testing import CliRunner

    from replaykit.cli import main

    compared = CliRunner().invoke(main, ["diff", f"{out}:p", f"{out}:q"])
    assert compared.exit_code == 2 and "no sample in common" in compared.output, compared.output


def test_every_provider_failing_at_connection_level_stops_early(tmp_path: Path) -> None:
    out, result = _record_dropped(tmp_path, "--repeat", "20")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "stopped early: none of the first" in result.stderr and f"--resume {out}" in result.stderr
    run = load_run(out)
    assert run.manifest["status"] == "interrupted"
    assert 0 < len(run.cassette_files()) < 20 * len(fixture_scenarios()) // 2
    assert set(run.manifest["cassettes"]) == {p.relative_to(out).as_posix() for p in run.cassette_files()}
