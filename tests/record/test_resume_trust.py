"""`record --resume` on a run folder that may be hostile: what is sent comes only from the user's provider
file; run.json's copies are compared, never used. Two real loopback servers: the simulator (the user's
provider) and an attacker's listener that counts every request it gets."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import yaml
from record_helpers import FIXTURES, fixture_scenarios, profiles, provider_file

from replaykit import load_run
from replaykit.sim import SimServer

SECRET = "sk-rk-test-attacker-wants-this-0123456789"


class _Listener(BaseHTTPRequestHandler):
    seen: ClassVar[list[tuple[str, str, dict[str, str]]]] = []

    def _any(self) -> None:
        self.seen.append((self.command, self.path, dict(self.headers)))
        self.send_response(200)
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    do_GET = do_POST = do_HEAD = _any

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def attacker() -> Iterator[tuple[str, list[tuple[str, str, dict[str, str]]]]]:
    seen: ClassVar[list[tuple[str, str, dict[str, str]]]] = []
    handler = type("Handler", (_Listener,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", seen
    finally:
        server.shutdown()
        server.server_close()


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RK_OTHER_SECRET": SECRET, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    return subprocess.run([sys.executable, "-m", "replaykit", *args], capture_output=True, text=True, timeout=120,
                          env=env, cwd=cwd)


def _interrupted_run(tmp: Path, base_url: str) -> tuple[Path, Path, str]:
    """A recorded run with one sample taken out again, as an interrupted run looks; returns the run folder,
    the provider file and the missing cassette's relative path."""
    providers = provider_file(tmp / "mine" / "providers.toml", base_url)
    out = tmp / "run"
    first = _run("record", "--providers", str(providers), "--scenarios", str(FIXTURES), "--category", "single",
                 "--plain", "--out", str(out))
    assert first.returncode == 0, first.stderr
    run = load_run(out)
    rel = sorted(run.manifest["cassettes"])[0]
    (out / rel).unlink()
    del run.manifest["cassettes"][rel]
    run.manifest["status"] = "interrupted"
    run.save()  # recomputes the digest: `verify` would say ok
    return out, providers, rel


def _tamper(out: Path, base_url: str) -> None:
    run = load_run(out)
    cfg = run.manifest["providers"]["p"]
    cfg["base_url"] = base_url
    cfg["api_key_env"] = "RK_OTHER_SECRET"
    cfg["headers"] = {"x-evil": "1"}
    run.save()


def test_an_edited_run_json_sends_nothing_to_the_address_it_names(tmp_path: Path) -> None:
    with SimServer(profiles=profiles(p={}), scenarios=fixture_scenarios(), time_scale=0) as sim, \
            attacker() as (evil_url, seen):
        out, providers, rel = _interrupted_run(tmp_path, sim.base_url)
        _tamper(out, evil_url)
        before = sim.counts().get("p", 0)
        for extra in ((), ("--providers", str(providers))):  # the recorded file found by path+hash, or given
            result = _run("record", "--resume", str(out), "--plain", *extra)
            assert result.returncode == 2, result.stderr
            assert "Traceback" not in result.stderr
            line = result.stderr.strip()
            assert "base_url" in line and evil_url in line and sim.base_url in line
            assert "api_key_env" in line and "RK_OTHER_SECRET" in line
            assert "headers.x-evil: only in run.json" in line
            assert SECRET not in result.stderr + result.stdout
        assert seen == [], "the attacker's server was contacted"
        assert sim.counts().get("p", 0) == before  # refused before anything was sent anywhere
    assert not (out / rel).exists()


def test_a_provider_file_shipped_inside_the_run_is_not_used(tmp_path: Path) -> None:
    with SimServer(profiles=profiles(p={}), scenarios=fixture_scenarios(), time_scale=0) as sim, \
            attacker() as (evil_url, seen):
        out, _providers, _rel = _interrupted_run(tmp_path, sim.base_url)
        _tamper(out, evil_url)
        planted = out / "providers.toml"  # the attacker's own file, matching the edited run.json
        planted.write_text(f'[providers.p]\nbase_url = "{evil_url}"\nmodel = "m"\napi_key_env = "RK_OTHER_SECRET"\n'
                           'routing = { only = ["p"] }\nheaders = { x-evil = "1" }\n')
        run = load_run(out)
        from replaykit.recorder.resuming import provider_file_identity

        run.manifest["params"]["providers_file"], run.manifest["params"]["providers_file_hash"] = \
            provider_file_identity(planted)
        run.save()
        result = _run("record", "--resume", str(out), "--plain")
        assert result.returncode == 2, result.stderr
        assert "inside the run folder" in result.stderr and "--providers FILE" in result.stderr
        assert seen == []


def test_resume_works_from_any_folder_and_sends_to_the_users_file(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with SimServer(profiles=profiles(p={}), scenarios=fixture_scenarios(), time_scale=0) as sim:
        out, _providers, rel = _interrupted_run(tmp_path, sim.base_url)
        result = _run("record", "--resume", str(out), "--plain", cwd=elsewhere)
        assert result.returncode == 0, result.stderr
    n = len(load_run(out).manifest["scenarios"])
    assert f"resuming {out}: {n - 1} of {n} samples done, 1 to record" in result.stderr
    assert f"record p: {n}/{n} samples" in result.stderr  # the run's progress, not the session's 1/1
    assert len([line for line in result.stderr.splitlines() if line.startswith("record p:")]) == 1
    assert (out / rel).exists()
    assert load_run(out).manifest["status"] == "complete"
    again = _run("record", "--resume", str(out), cwd=elsewhere)
    assert again.returncode == 0, again.stderr
    assert "nothing to do: the run is complete" in again.stdout


def test_a_changed_provider_file_is_refused_unless_given_and_equal(tmp_path: Path) -> None:
    with SimServer(profiles=profiles(p={}), scenarios=fixture_scenarios(), time_scale=0) as sim:
        out, providers, _rel = _interrupted_run(tmp_path, sim.base_url)
        providers.write_text(providers.read_text() + "# a comment changes the hash, not the settings\n")
        found = _run("record", "--resume", str(out), "--plain")
        assert found.returncode == 2 and "changed since the run was recorded" in found.stderr, found.stderr
        given = _run("record", "--resume", str(out), "--plain", "--providers", str(providers))
        assert given.returncode == 0, given.stderr


def test_flags_are_honoured_or_refused_with_a_reason(tmp_path: Path) -> None:
    with SimServer(profiles=profiles(p={}), scenarios=fixture_scenarios(), time_scale=0) as sim:
        out, _providers, _rel = _interrupted_run(tmp_path, sim.base_url)
        for flags, needle in ((["--only", "p"], "--only cannot be used with --resume: a resumed run records "
                                                "the providers it started with"),
                              (["--seed", "3"], "--seed cannot be used with --resume"),
                              (["--category", "single"], "keeps its scenario set"),
                              (["--repeat", "1"], None)):
            result = _run("record", "--resume", str(out), "--plain", *flags, "--dry-run")
            if needle:
                assert result.returncode == 2 and needle in result.stderr, result.stderr
            else:
                assert result.returncode == 0, result.stderr
        n = len(load_run(out).manifest["scenarios"])
        more = _run("record", "--resume", str(out), "--plain", "--repeat", "2")
        assert more.returncode == 0, more.stderr
        assert f"{n - 1} of {2 * n} samples done, {n + 1} to record" in more.stderr
        run = load_run(out)
        assert len(run.cassette_files()) == 2 * n and run.manifest["params"]["repeat"] == 2
        fewer = _run("record", "--resume", str(out), "--plain", "--repeat", "1")
        assert fewer.returncode == 2 and "can extend a run, not shrink it" in fewer.stderr


def test_scenario_drift_is_bad_input(tmp_path: Path) -> None:
    with SimServer(profiles=profiles(p={}), scenarios=fixture_scenarios(), time_scale=0) as sim:
        out, _providers, _rel = _interrupted_run(tmp_path, sim.base_url)
        first = next(iter(load_run(out).manifest["scenarios"]))
        changed = tmp_path / "changed"
        changed.mkdir()
        for path in FIXTURES.glob("*.yaml"):
            docs = yaml.safe_load(path.read_text())
            for doc in docs:
                if doc["id"] == first:
                    doc["messages"][-1]["content"] += " (edited since)"
            (changed / path.name).write_text(yaml.safe_dump(docs))
        result = _run("record", "--resume", str(out), "--plain", "--scenarios", str(changed))
        assert result.returncode == 2, result.stderr
        assert f"scenario {first} changed since the run started" in result.stderr
        assert "Traceback" not in result.stderr
        snapshot = out / "scenarios.json"
        snapshot.write_text(snapshot.read_text().replace(f'"{first}"', '"renamed.scenario"', 1))
        tampered = _run("record", "--resume", str(out), "--plain")
        assert tampered.returncode == 2, tampered.stderr
        assert f"scenario {first} of this run is not there" in tampered.stderr


def test_a_run_recorded_with_base_url_resumes_with_the_same_flag(tmp_path: Path) -> None:
    with SimServer(profiles=profiles(p={}), scenarios=fixture_scenarios(), time_scale=0) as sim, \
            attacker() as (elsewhere, seen):
        providers = provider_file(tmp_path / "providers.toml", elsewhere)  # the file's own URL is not used
        out = tmp_path / "run"
        first = _run("record", "--providers", str(providers), "--base-url", sim.base_url, "--scenarios",
                     str(FIXTURES), "--category", "single", "--plain", "--out", str(out))
        assert first.returncode == 0, first.stderr
        run = load_run(out)
        rel = sorted(run.manifest["cassettes"])[0]
        (out / rel).unlink()
        run.manifest["status"] = "interrupted"
        run.save()
        without = _run("record", "--resume", str(out), "--plain")
        assert without.returncode == 2 and "base_url" in without.stderr, without.stderr
        again = _run("record", "--resume", str(out), "--plain", "--base-url", sim.base_url)
        assert again.returncode == 0, again.stderr
        assert seen == []
    assert (out / rel).exists()


def test_a_redacted_part_of_a_stored_value_matches_in_linear_time() -> None:
    from replaykit.recorder.resuming import _same

    assert _same("https://u:<redacted>@h/v1", "https://u:pw@h/v1")
    assert not _same("https://u:<redacted>@h/v1", "https://u:pw@evil/v1")
    assert _same("a<redacted>b<redacted>c", "aXbYc") and not _same("a<redacted>b<redacted>c", "acb")
    assert not _same("ab<redacted>ba", "aba")  # prefix and suffix may not overlap
    assert _same({"x-team": "<redacted>"}, {"x-team": "t1"}) and not _same({"x-team": "t"}, {"x-team": "t1"})
    hostile = "x" + "<redacted>x" * 20000 + "y"  # a regex of 20,000 `.*` would never finish
    assert not _same(hostile, "x" * 60)
