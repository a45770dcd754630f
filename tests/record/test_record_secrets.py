"""No secret reaches a file or an output: the key from the environment, and the copies of it a careless
provider echoes back (error messages, cookies, debug headers), are all scrubbed before anything is written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from record_helpers import FIXTURES, fixture_scenarios, profiles

from replaykit.share.verify import verify_run
from replaykit.sim import SimServer

CANARY = "sk-or-v1-" + "c0ffee" * 11


def test_canary_key_never_reaches_disk_or_output(tmp_path: Path) -> None:
    table = {"echo_credentials": True, "effects": {"server_error": 0.3, "rate_limited": 0.2}}
    with SimServer(profiles=profiles(leaky=table), scenarios=fixture_scenarios(), seed=9, time_scale=0) as sim:
        providers = tmp_path / "providers.toml"
        providers.write_text(f'[defaults]\nbase_url = "{sim.base_url}"\nmodel = "m"\n'
                             'api_key_env = "RK_CANARY_KEY"\n'
                             '[providers.leaky]\nrouting = { only = ["leaky"] }\n')
        out = tmp_path / "run"
        env = {**os.environ, "RK_CANARY_KEY": CANARY}
        recorded = subprocess.run([sys.executable, "-m", "replaykit", "record", "--providers", str(providers),
                                   "--scenarios", str(FIXTURES), "--repeat", "3", "--backoff", "0", "--plain",
                                   "--out", str(out)], capture_output=True, text=True, timeout=120, env=env)
        assert recorded.returncode == 0, recorded.stderr
        ledger = sim.ledger()
    assert any(r["status"] >= 400 for r in ledger), "the simulator should have echoed the key in errors"
    outputs = [recorded.stdout, recorded.stderr]
    for command in (["score", str(out), "--json"], ["verify", str(out)]):
        done = subprocess.run([sys.executable, "-m", "replaykit", *command], capture_output=True, text=True,
                              timeout=120)
        outputs += [done.stdout, done.stderr]
    files = [p for p in out.rglob("*") if p.is_file()]
    assert len(files) > 10
    for path in files:
        assert CANARY not in path.read_text(errors="replace"), path
        assert "c0ffee" * 3 not in path.read_text(errors="replace"), path
    for text in outputs:
        assert CANARY not in text
    report = verify_run(out)
    assert report.ok, report.problems + report.secrets
    cassette = next((out / "cassettes" / "leaky").glob("*.json")).read_text()
    assert "<redacted>" in cassette  # the authorization header, at least
