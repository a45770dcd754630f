"""Issue 12 §2: no secret reaches disk, a report or a pack, in any encoding.

The recorder runs against the simulator as a real loopback server that echoes every credential it gets —
raw, base64 at an odd alignment, every byte percent-encoded, JSON `\\u` escapes, and split across stream
events — with a provider file holding a key, secret-named and credential-looking header values, a password
in `base_url`, and secret `extra_body` values. Nothing of them may be left on disk, in the outputs of every
reader, or in the pack. A hand-made hostile run (a key only decoding reveals) must be caught by `verify`,
refused by `pack` whatever the flags, and never printed by a reader.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import orjson
import pytest
from share_helpers import FIXTURE_SCENARIOS, cassette_files, cli, edit_cassette, fixture_scenarios, record_run

import replaykit
from replaykit.share.verify import verify_run
from replaykit.sim import SimServer, parse_profiles

KEY = "sk-or-v1-" + "5ec7e7" * 11
PASSWORD = "Pw0rd-" + "a1B2c3D4e5F6" * 2
SECRETS = {
    "key": KEY,
    "password": PASSWORD,
    "x-goog-api-key": "AIzaSy" + "Q9r8S7t6" * 4 + "xyz",
    "x-auth-token": "auth-" + "7f3e9a1c" * 4,
    "x-custom-token": "cust-" + "Zq1Wx2Ec3Rv4" * 2,
    "extra_body": "ebs-" + "4d5e6f7a8b9c" * 2,
    "extra_nested": "nst-" + "Kk9Jj8Hh7Gg6" * 2,
}


def encodings(secret: str) -> dict[str, str]:
    """Every form a reader could turn back into the secret, long enough to be unmistakable."""
    forms = {"raw": secret, "percent": "".join(f"%{b:02X}" for b in secret.encode()),
             "percent-lower": "".join(f"%{b:02x}" for b in secret.encode()),
             "unicode": "".join(f"\\u{ord(c):04x}" for c in secret)}
    for align in range(3):
        encoded = base64.b64encode(b"\0" * align + secret.encode()).decode()
        forms[f"base64+{align}"] = encoded[4:-4]  # the middle: depends on the secret alone
        forms[f"base64url+{align}"] = encoded[4:-4].translate(str.maketrans("+/", "-_"))
    return forms


def assert_clean(text: str, where: str) -> None:
    for name, secret in SECRETS.items():
        for form, value in encodings(secret).items():
            assert value not in text, f"{where}: {name} as {form}"
        assert secret[: len(secret) // 2] not in text, f"{where}: the first half of {name}"


def _providers_file(tmp: Path, port: int) -> Path:
    path = tmp / "providers.toml"
    s = SECRETS
    path.write_text(f"""
[defaults]
model = "qwen/qwen3-coder"
timeout = 10.0
max_concurrency = 4
routing = {{ only = ["leaky"], allow_fallbacks = false }}

[providers.keyed]
base_url = "http://127.0.0.1:{port}/api/v1"
api_key_env = "RK_ISSUE12_KEY"

[providers.keyed.extra_body]
api_token = "{s['extra_body']}"
metadata = {{ note = "plain", credentials = {{ value = "{s['extra_nested']}" }} }}

[providers.keyed.headers]
x-goog-user-project = "{s['x-goog-api-key']}"
x-auth-token = "{s['x-auth-token']}"
x-custom-token = "{s['x-custom-token']}"
http-referer = "https://example.org/replaykit"

[providers.keyed-json]
base_url = "http://127.0.0.1:{port}/api/v1"
api_key_env = "RK_ISSUE12_KEY"
stream = false
headers = {{ x-custom-token = "{s['x-custom-token']}" }}

[providers.basic]
base_url = "http://alice:{s['password']}@127.0.0.1:{port}/api/v1"
""")
    return path


@pytest.fixture(scope="module")
def leaky_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    tmp = tmp_path_factory.mktemp("leaky")
    table = {"display_name": "Leaky", "echo_credentials": True, "ttft_ms": {"median": 5, "sigma": 0.0},
             "tps": {"median": 5000, "sigma": 0.0}, "effects": {"server_error": 0.25}}
    profiles = parse_profiles({"profiles": {"leaky": table}}, "<test>")
    with SimServer(profiles=profiles, scenarios=fixture_scenarios(), seed=12, time_scale=0) as sim:
        providers = _providers_file(tmp, sim.port)
        out = tmp / "run"
        recorded = subprocess.run(
            [sys.executable, "-m", "replaykit", "record", "--providers", str(providers), "--scenarios",
             str(FIXTURE_SCENARIOS), "--backoff", "0", "--plain", "--out", str(out)],
            capture_output=True, text=True, timeout=300, env={**os.environ, "RK_ISSUE12_KEY": KEY})
        ledger = sim.ledger()
    assert recorded.returncode == 0, recorded.stderr
    assert any(r["status"] >= 400 for r in ledger) and any(r["status"] == 200 for r in ledger)
    return out, recorded.stdout + recorded.stderr


def test_the_simulator_really_echoes_every_form(leaky_run: tuple[Path, str]) -> None:
    """The test is only worth something if the server did send the secrets back in those forms: the
    recorded cassettes hold the placeholders where the echoes were."""
    out, _ = leaky_run
    text = "".join(p.read_text() for p in cassette_files(out))
    for header in ("x-debug-echo-0-b64", "x-debug-echo-0-url", "set-cookie", "x-debug-authorization"):
        assert f'"{header}": [\n' in text or f'"{header}"' in text
    assert "Incorrect API key provided: <redacted> (<redacted>)" in text


def test_no_secret_on_disk_in_any_encoding(leaky_run: tuple[Path, str]) -> None:
    out, output = leaky_run
    assert_clean(output, "record's output")
    files = [p for p in out.rglob("*") if p.is_file()]
    assert len(files) > 5
    for path in files:
        assert_clean(path.read_text(errors="replace"), str(path))
    report = verify_run(out)
    assert report.ok, report.problems + report.secrets


def test_run_json_keeps_header_names_not_values(leaky_run: tuple[Path, str]) -> None:
    out, _ = leaky_run
    manifest = orjson.loads((out / "run.json").read_bytes())
    keyed = manifest["providers"]["keyed"]
    assert keyed["headers"] == {"x-goog-user-project": "<redacted>", "x-auth-token": "<redacted>",
                                "x-custom-token": "<redacted>", "http-referer": "<redacted>"}
    assert keyed["extra_body"]["api_token"] == "<redacted>"
    assert keyed["extra_body"]["metadata"] == {"note": "plain", "credentials": {"value": "<redacted>"}}
    assert manifest["providers"]["basic"]["base_url"].startswith("http://alice:<redacted>@127.0.0.1:")
    assert keyed["api_key_env"] == "RK_ISSUE12_KEY"  # the variable's name is not a secret


def test_readers_print_no_secret(leaky_run: tuple[Path, str], tmp_path: Path) -> None:
    out, _ = leaky_run
    html, md, samples = tmp_path / "x.html", tmp_path / "x.md", tmp_path / "s.jsonl"
    outputs = []
    for args in (["score", str(out), "--json", "-o", str(html), "--samples", str(samples)],
                 ["report", str(out), "-o", str(tmp_path / "r.html"), "-o", str(md)]):
        done = subprocess.run([sys.executable, "-m", "replaykit", *args], capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, done.stderr
        outputs += [done.stdout, done.stderr]
    for file in cassette_files(out):
        result = cli("inspect", str(file))
        assert result.exit_code == 0
        outputs.append(result.output)
    for path in (html, md, samples, tmp_path / "r.html"):
        outputs.append(path.read_text())
    for i, text in enumerate(outputs):
        assert_clean(text, f"output {i}")


def test_pack_holds_no_secret(leaky_run: tuple[Path, str], tmp_path: Path) -> None:
    out, _ = leaky_run
    result = cli("pack", str(out), "-o", str(tmp_path / "p.tar.gz"))
    assert result.exit_code == 0, result.output
    with tarfile.open(tmp_path / "p.tar.gz") as tar:
        for member in tar.getmembers():
            data = tar.extractfile(member)
            assert data is not None
            assert_clean(data.read().decode(errors="replace"), member.name)


# ------------------------------------------------------------------ a hostile run: keys only decoding reveals

PLANTED = "sk-or-v1-" + hashlib.sha256(b"planted").hexdigest()  # not periodic: any 32 characters are its own


def _sse(*pieces: str, tool_args: tuple[str, ...] = ()) -> str:
    events = [{"choices": [{"index": 0, "delta": {"content": p}}]} for p in pieces]
    if tool_args:
        events.append({"choices": [{"index": 0, "delta": {"tool_calls": [
            {"index": 0, "id": "c1", "type": "function", "function": {"name": "read_file", "arguments": ""}}]}}]})
        events += [{"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": a}}]}}]}
                   for a in tool_args]
    events.append({"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls" if tool_args else "stop"}]})
    return "".join("data: " + orjson.dumps(e).decode() + "\n\n" for e in events) + "data: [DONE]\n\n"


_ESCAPED = "".join(f"\\u{ord(c):04x}" for c in PLANTED)
HIDDEN = {
    "split across stream deltas": _sse("your key is ", PLANTED[:11], PLANTED[11:40], PLANTED[40:], " ok"),
    "split inside streamed tool arguments": _sse(tool_args=('{"path": "', PLANTED[:20], PLANTED[20:], '"}')),
    "\\u-escaped in tool arguments": _sse(tool_args=('{"path": "' + _ESCAPED + '"}',)),
    "\\u-escaped in a JSON body": '{"choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant",'
                                  '"content":"' + _ESCAPED + '"}}]}',
    "a \\u-escaped JSON object key": '{"choices":[{"index":0,"finish_reason":"stop","message":{"role":'
                                    '"assistant","content":"hi"}}],"' + _ESCAPED + '":1}',
}


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return record_run(tmp_path_factory.mktemp("clean") / "run", repeat=1, effects={})


@pytest.mark.parametrize("how", sorted(HIDDEN))
def test_a_key_only_decoding_reveals_is_found_and_never_shown(clean_run: Path, tmp_path: Path, how: str) -> None:
    run = tmp_path / "run"
    shutil.copytree(clean_run, run)
    target = cassette_files(run)[0]
    stream = HIDDEN[how].startswith("data:")

    def plant(raw: dict) -> None:
        raw["interactions"][0]["response"]["body"]["string"] = HIDDEN[how]
        raw["interactions"][0]["response"]["headers"]["content-type"] = \
            ["text/event-stream" if stream else "application/json"]

    edit_cassette(target, plant)
    assert PLANTED not in target.read_text()  # on disk the key is split or escaped, never whole

    report = verify_run(run)
    assert report.secrets, f"verify missed a key {how}"
    assert any(str(target) in s and "openrouter key" in s for s in report.secrets), report.secrets

    for flags in ([], ["--no-verify"]):
        packed = cli("pack", str(run), "-o", str(tmp_path / f"p{len(flags)}.tar.gz"), *flags)
        assert packed.exit_code != 0, f"pack {flags} wrote a run with a key {how}"
        assert str(target) in packed.output and "openrouter key" in packed.output
        assert not (tmp_path / f"p{len(flags)}.tar.gz").exists()

    shown = [cli("inspect", str(target)).output]
    html = tmp_path / "x.html"
    samples = tmp_path / "s.jsonl"
    scored = subprocess.run([sys.executable, "-m", "replaykit", "score", str(run), "--json", "-o", str(html),
                             "--samples", str(samples)], capture_output=True, text=True, timeout=300)
    reported = subprocess.run([sys.executable, "-m", "replaykit", "report", str(run), "-o", str(tmp_path / "r.md")],
                              capture_output=True, text=True, timeout=300)
    shown += [scored.stdout, scored.stderr, reported.stdout, reported.stderr, samples.read_text(),
              (tmp_path / "r.md").read_text(), _html_text(html)]
    for text in shown:
        at = max(text.find(PLANTED), text.find(PLANTED[9:41]))
        assert at < 0, (how, text[at - 500:at + 100])
    if "object key" not in how:  # inspect does not show unknown body fields; everything else it shows
        assert "<redacted>" in shown[0]


def _html_text(path: Path) -> str:
    """The HTML report with its embedded data blobs decoded, as the page's script decodes them."""
    text = path.read_text()
    blobs = []
    for blob in re.findall(r">([A-Za-z0-9+/=]{40,})<", text):
        try:
            blobs.append(gzip.decompress(base64.b64decode(blob)).decode(errors="replace"))
        except (OSError, ValueError):
            continue
    return text + "".join(blobs)


def test_recording_keeps_no_key_in_query_or_custom_auth_header(tmp_path: Path) -> None:
    """`replaykit.recording()` around raw httpx calls: a `?k=` key and an `x-custom-auth` header, echoed
    back by the server in every form, are gone from every file."""
    import httpx

    query_key, header_key = "qk-" + "9a8b7c6d5e4f" * 2, "ca-" + "Mn0Bv9Cx8Zl7" * 2
    table = {"display_name": "Leaky", "echo_credentials": True, "ttft_ms": {"median": 5, "sigma": 0.0},
             "tps": {"median": 5000, "sigma": 0.0}}
    profiles = parse_profiles({"profiles": {"leaky": table}}, "<test>")
    out = tmp_path / "captured"
    with (SimServer(profiles=profiles, scenarios=fixture_scenarios(), time_scale=0) as sim,
          replaykit.recording(out, provider="agent")):
        for stream in (False, True):
            body = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "stream": stream,
                    "provider": {"only": ["leaky"]}}
            response = httpx.post(f"{sim.base_url}/chat/completions?k={query_key}", json=body,
                                  headers={"x-custom-auth": header_key}, timeout=10)
            assert response.status_code == 200
            assert "x-debug-echo-0-b64" in response.headers  # the server did echo them
    files = [p for p in out.rglob("*") if p.is_file()]
    assert len(files) >= 3
    for path in files:
        text = path.read_text(errors="replace")
        for secret in (query_key, header_key):
            for form, value in encodings(secret).items():
                assert value not in text, f"{path}: {form}"
    assert verify_run(out).secrets == []
