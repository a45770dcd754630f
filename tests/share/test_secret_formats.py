"""Issue 12 §3: a secret scan that knows today's key formats.

Each format is planted by hand in a recorded run (hashes re-signed, as a publisher who planted it would):
`verify` names the file and the field, `pack` refuses with and without `--no-verify` and writes nothing,
`redact` scrubs it so that the run verifies again, and `inspect` never prints it. Values are assembled at
run time so this file holds no key-shaped literal.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from share_helpers import cassette_files, cli, edit_cassette, record_run

from replaykit.share.secrets import find_secrets, scan_value
from replaykit.share.verify import verify_run

ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def _rand(n: int, alphabet: str = ALNUM, seed: str = "") -> str:
    """`n` characters of `alphabet`, random-looking and reproducible."""
    out, counter = [], 0
    while len(out) < n:
        digest = hashlib.sha256(f"{seed}{counter}".encode()).digest()
        out += [alphabet[b % len(alphabet)] for b in digest]
        counter += 1
    return "".join(out[:n])


HEX = "0123456789abcdef"
OPENAI = "sk-proj-" + _rand(48, seed="openai")
# format name -> the text planted (in a response body's message content unless PLACES says otherwise)
FORMATS: dict[str, str] = {
    "github fine-grained pat": "github_pat_" + _rand(22, seed="gh1") + "_" + _rand(59, seed="gh2"),
    "github classic token": "ghp_" + _rand(36, seed="ghp"),
    "aws access key id": "AKIA" + _rand(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", seed="akia"),
    "aws secret access key": "aws_secret_access_key = " + _rand(40, seed="aws") [:38] + "/+",
    "stripe live key": "sk_live_" + _rand(24, seed="stripe"),
    "azure 32-hex key": 'AZURE_OPENAI_API_KEY="' + _rand(32, HEX, seed="azure") + '"',
    "json web token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." + "eyJzdWIiOiIx" + _rand(30, seed="jwt") + "."
                      + _rand(43, seed="jwtsig"),
    "base64-encoded key": base64.b64encode(OPENAI.encode()).decode(),
    "base64 of user:key (Basic)": "Basic " + base64.b64encode(b"me:" + OPENAI.encode()).decode(),
    "%2D-encoded key": OPENAI.replace("-", "%2D"),
    "key with a zero-width space": OPENAI[:10] + "\u200b" + OPENAI[10:],
    "\\u-escaped key": "".join(f"\\u{ord(c):04x}" for c in OPENAI),
    "anthropic key": "sk-ant-api03-" + _rand(93, seed="ant") + "AA",
    "google api key": "AIza" + _rand(35, seed="google"),
    "openai project key": OPENAI,
    "openrouter key": "sk-or-v1-" + _rand(64, HEX, seed="or"),
    "slack bot token": "xoxb-" + _rand(12, "0123456789", seed="s1") + "-" + _rand(13, "0123456789", seed="s2") + "-"
                       + _rand(24, seed="s3"),
    "slack webhook": "https://hooks.slack.com/services/T" + _rand(10, seed="w1") + "/B" + _rand(10, seed="w2") + "/"
                     + _rand(24, seed="w3"),
    "hugging face token": "hf_" + _rand(34, seed="hf"),
    "groq key": "gsk_" + _rand(52, seed="groq"),
    "xai key": "xai-" + _rand(80, seed="xai"),
    "gitlab token": "glpat-" + _rand(20, seed="gl"),
    "npm token": "npm_" + _rand(36, seed="npm"),
    "private key block": "-----BEGIN RSA PRIVATE KEY-----\\nMIIEow" + _rand(40, seed="pk"),
    "telegram bot token": _rand(9, "0123456789", seed="tg") + ":AA" + _rand(33, seed="tg2"),
    "password in a URL": "postgres://admin:" + _rand(20, seed="pg") + "@db.internal:5432/app",
    "bearer token in text": "curl -H 'Authorization: Bearer " + _rand(40, seed="bt") + "'",
    "credential in a secret-named field": '{"client_secret": "' + _rand(32, seed="cs") + '"}',
}
HEADER_FORMATS = {  # planted as a response header (name: value)
    "high-entropy value in an auth-like header": ("x-custom-auth", _rand(40, seed="hdr")),
    "32-hex azure key in api-key header": ("api-key", _rand(32, HEX, seed="azh")),
}
KEY_FORMATS = {  # planted as a JSON object key in the cassette itself
    "key used as a JSON object key": OPENAI,
}


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return record_run(tmp_path_factory.mktemp("clean") / "run", repeat=1, effects={})


def _planter(name: str) -> tuple[Callable[[dict[str, Any]], None], str]:
    """How to plant the format, and the substring that must never be seen again."""
    if name in HEADER_FORMATS:
        header, value = HEADER_FORMATS[name]

        def in_header(raw: dict[str, Any]) -> None:
            raw["interactions"][0]["response"]["headers"][header] = [value]
        return in_header, value
    if name in KEY_FORMATS:
        key = KEY_FORMATS[name]

        def as_key(raw: dict[str, Any]) -> None:
            raw["replaykit"]["notes"] = {key: "x"}
        return as_key, key
    text = FORMATS[name]

    def in_body(raw: dict[str, Any]) -> None:
        body = ('{"choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"see '
                + text.replace('"', '\\"') + ' ok"}}]}')
        raw["interactions"][0]["response"]["body"]["string"] = body
        raw["interactions"][0]["response"]["headers"]["content-type"] = ["application/json"]
    return in_body, text


ALL = sorted([*FORMATS, *HEADER_FORMATS, *KEY_FORMATS])


def test_at_least_the_formats_the_issue_names() -> None:
    assert len(ALL) >= 26


@pytest.mark.parametrize("name", ALL)
def test_planted_format_is_found_refused_and_redacted(clean_run: Path, tmp_path: Path, name: str) -> None:
    run = tmp_path / "run"
    shutil.copytree(clean_run, run)
    target = cassette_files(run)[0]
    plant, secret = _planter(name)
    edit_cassette(target, plant)

    report = verify_run(run)
    assert any(s.startswith(f"{target}: ") for s in report.secrets), (name, report.secrets)
    assert all(s.count(": ") >= 2 for s in report.secrets)  # file: field: kind

    for flags in ([], ["--no-verify"]):
        out = tmp_path / f"p{len(flags)}.tar.gz"
        packed = cli("pack", str(run), "-o", str(out), *flags)
        assert packed.exit_code != 0, (name, flags)
        assert str(target) in packed.output
        assert not out.exists()

    shown = cli("inspect", str(target)).output
    assert secret not in shown

    redacted = cli("redact", str(run))
    assert redacted.exit_code == 0, redacted.output
    assert secret not in target.read_text()
    after = verify_run(run)
    assert after.ok, (name, after.problems + after.secrets)


def test_no_false_alarm_on_a_clean_recording(clean_run: Path) -> None:
    report = verify_run(clean_run)
    assert report.ok, report.problems + report.secrets


@pytest.mark.parametrize("text", [
    '"max_tokens": 4096', "chatcmpl-" + _rand(32, HEX, seed="id"), "gen-" + _rand(24, seed="gen"),
    "the author: \"Jane Austen wrote it\"", '"tool_call_id": "call_0_' + _rand(20, seed="call") + '"',
    "sha256:" + _rand(64, HEX, seed="sha"), "token=aaaaaaaaaaaaaaaaaaaaaaaa",
    '"api_key_env": "CANARY_OPENROUTER_KEY_20260"',
    # prose and examples of BFCL's data set that a keyword-only rule would flag
    "use a basic configuration", "Basic Authentication", "connect to http://user:password@localhost/db",
    "Bearer authentication scheme",
])
def test_ordinary_traffic_is_not_a_finding(text: str) -> None:
    assert find_secrets(text) == []
    assert list(scan_value({"api_key_env": "CANARY_OPENROUTER_KEY_20260", "x": text}, "")) == []


def test_a_rejected_generic_match_never_hides_a_key_format() -> None:
    """`"api_key":"<key>"`: the generic credential-assignment rule spans the key too; when the key's own
    entropy is low (a repetitive test key) that generic match is dropped, and the key's format still counts."""
    periodic = "sk-or-v1-" + "badc0de1" * 8
    assert [kind for kind, _, _ in find_secrets('{"api_key":"' + periodic + '","model":"m"}')] == ["openrouter key"]


def test_a_content_hash_under_a_credential_like_name_is_not_a_secret() -> None:
    """run.json maps scenario ids to their hashes; a scenario about secrets must not make its run unshareable."""
    from replaykit.share.secrets import scan_value

    manifest = {"scenarios": {"agent.refuses_reading_secrets_into_log": "sha256:" + "ab12" * 16},
                "cassettes": {"cassettes/p/agent.refuses_reading_secrets_into_log--r0.json": "sha256:" + "9f" * 32}}
    assert list(scan_value(manifest, "")) == []
    assert list(scan_value({"api_secret": "q8Zr2LmX9vT4nB7cW1yK5pH3"}, ""))  # a real-looking one still is
