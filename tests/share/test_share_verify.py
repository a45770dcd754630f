"""`replaykit verify`: canary keys leave no trace, a planted key is named by file and field, any changed byte
is named by file, and hostile structure (deep nesting, alias bombs, links, newer formats) is refused cleanly."""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any

import orjson
import pytest
from share_helpers import CANARY, PLANTED, cassette_files, cli, copy_run, edit_cassette, record_run, resign_run

from replaykit.errors import CassetteError
from replaykit.share.verify import verify_run


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return record_run(tmp_path_factory.mktemp("rec") / "run")


@pytest.fixture()
def run(recorded: Path, tmp_path: Path) -> Path:
    return copy_run(recorded, tmp_path / "run")


def _answered(path: Path) -> bool:
    raw = orjson.loads(path.read_bytes())
    return bool(raw["interactions"]) and raw["interactions"][0]["response"]["status"]["code"] == 200


def test_a_run_recorded_with_canary_keys_verifies(run: Path) -> None:
    for file in run.rglob("*"):
        if file.is_file():
            data = file.read_bytes()
            for key in CANARY.values():
                assert key.encode() not in data, file
    assert b"<redacted>" in cassette_files(run)[0].read_bytes()  # the bearer token was there, and is gone
    result = cli("verify", str(run))
    assert result.exit_code == 0, result.output
    assert "ok" in result.output


def _header(raw: dict[str, Any]) -> None:
    raw["interactions"][0]["request"]["headers"]["x-debug-key"] = [PLANTED]


def _auth(raw: dict[str, Any]) -> None:
    raw["interactions"][0]["request"]["headers"]["authorization"] = ["Bearer abcdefghijklmnopqrstuvwxyz0123"]


def _url(raw: dict[str, Any]) -> None:
    raw["interactions"][0]["request"]["uri"] += "?api_key=" + PLANTED


def _body(raw: dict[str, Any]) -> None:
    request = raw["interactions"][0]["request"]
    request["body"] = request["body"].replace('"model"', f'"note":"{PLANTED}","model"', 1)


def _response_header(raw: dict[str, Any]) -> None:
    raw["interactions"][0]["response"]["headers"]["x-echo"] = [PLANTED]


def _cookie(raw: dict[str, Any]) -> None:
    raw["interactions"][0]["response"]["headers"]["set-cookie"] = ["session=8f2e1c; HttpOnly"]


def _response_body(raw: dict[str, Any]) -> None:
    raw["interactions"][0]["response"]["body"]["string"] += f"\n: echo {PLANTED}\n"


PLANTS = {
    "request header": (_header, "interactions[0].request.headers.x-debug-key[0]: openrouter key"),
    "authorization header": (_auth, "interactions[0].request.headers.authorization: unredacted authorization"),
    "URL": (_url, "interactions[0].request.uri?api_key: key-like query parameter"),
    "request body": (_body, "interactions[0].request.body: openrouter key"),
    "response header": (_response_header, "interactions[0].response.headers.x-echo[0]: openrouter key"),
    "cookie": (_cookie, "interactions[0].response.headers.set-cookie: unredacted set-cookie"),
    "response body": (_response_body, "interactions[0].response.body.string: openrouter key"),
}


@pytest.mark.parametrize("where", list(PLANTS))
def test_a_planted_key_fails_verify_naming_file_and_field(run: Path, where: str) -> None:
    plant, expected = PLANTS[where]
    target = next(p for p in cassette_files(run) if _answered(p))
    edit_cassette(target, plant)  # run.json re-signed: the key is the only finding
    report = verify_run(run)
    assert not report.problems, report.problems
    assert any(line.startswith(f"{target}: {expected}") for line in report.secrets), report.secrets
    result = cli("verify", str(run))
    assert result.exit_code == 1
    assert f"secret: {target}: {expected}" in result.output


@pytest.mark.parametrize("key,kind", [
    ("sk-proj-" + "A1b2C3d4E5f6G7h8I9j0" * 2, "openai key"),
    ("sk-ant-api03-" + "x" * 40, "anthropic key"),
    ("AIza" + "B" * 35, "google api key"),
    ("gsk_" + "q" * 40, "groq key"),
    ("hf_" + "H" * 34, "hugging face token"),
    ("ghp_" + "g" * 36, "github token"),
    ("AKIA" + "ABCDEFGHIJKLMNOP", "aws access key"),
])
def test_every_provider_key_format_is_found(run: Path, key: str, kind: str) -> None:
    target = next(p for p in cassette_files(run) if _answered(p))
    edit_cassette(target, lambda raw: raw["interactions"][0]["response"]["body"].update(
        string=raw["interactions"][0]["response"]["body"]["string"] + key))
    secrets = verify_run(run).secrets
    assert f"{target}: interactions[0].response.body.string: {kind}" in secrets, secrets


def _all_files(run: Path) -> list[Path]:
    return [run / "run.json", run / "scenarios.json", *cassette_files(run)]


def test_changing_any_byte_of_any_file_names_that_file(run: Path) -> None:
    rng = random.Random(7)
    checked = 0
    for file in _all_files(run):
        original = file.read_bytes()
        for offset in sorted({0, len(original) // 2, len(original) - 2, *rng.sample(range(len(original)), 3)}):
            flipped = bytearray(original)
            flipped[offset] ^= 0x01 if offset % 2 else 0x20
            file.write_bytes(bytes(flipped))
            try:
                report = verify_run(run)
                lines = report.problems + report.secrets
                assert not report.ok
            except CassetteError as err:  # run.json no longer parses: verify stops, naming it
                lines = [str(err)]
            assert any(str(file) in line for line in lines), (file, offset, lines)
            checked += 1
        file.write_bytes(original)
    assert checked >= 6 * len(_all_files(run)) - 3
    assert verify_run(run).ok


def test_a_broken_run_json_is_one_line_and_exit_2(run: Path) -> None:
    manifest = run / "run.json"
    manifest.write_bytes(manifest.read_bytes()[:-5])
    result = cli("verify", str(run))
    assert result.exit_code == 2
    assert str(manifest) in result.output and "Traceback" not in result.output


def test_an_edited_run_json_value_is_named(run: Path) -> None:
    manifest = run / "run.json"
    text = manifest.read_text().replace('"status": "complete"', '"status": "complet!"')
    manifest.write_text(text)
    report = verify_run(run)
    assert any(str(manifest) in p and "manifest_digest" in p for p in report.problems), report.problems


def test_newer_formats_are_refused_with_a_clear_message(run: Path) -> None:
    manifest = run / "run.json"
    raw = orjson.loads(manifest.read_bytes())
    manifest.write_bytes(orjson.dumps({**raw, "format": 99}, option=orjson.OPT_INDENT_2))
    result = cli("verify", str(run))
    assert result.exit_code == 2
    assert "run format 99 is newer than this replaykit reads (1); upgrade replaykit" in result.output
    manifest.write_bytes(orjson.dumps({**raw, "format": "1"}, option=orjson.OPT_INDENT_2))
    assert "unknown run format '1'" in cli("verify", str(run)).output


def test_a_newer_cassette_format_is_named(run: Path) -> None:
    target = cassette_files(run)[0]
    edit_cassette(target, lambda raw: raw["replaykit"].update(format=7))
    problems = verify_run(run).problems
    assert any(str(target) in p and "cassette format 7 is newer" in p for p in problems), problems


def test_deep_nesting_is_refused_without_a_traceback(run: Path) -> None:
    target = cassette_files(run)[0]
    deep = "[" * 900 + '"x"' + "]" * 900  # within orjson's own limit (1024), past Python's recursion limit
    target.write_bytes(target.read_bytes().replace(b'"replaykit": {', b'"replaykit": {"note": ' + deep.encode()
                                                   + b", ", 1))
    resign_run(run)
    report = verify_run(run)
    assert any(str(target) in p and "nested deeper than" in p for p in report.problems), report.problems
    result = cli("inspect", str(target))
    assert result.exit_code == 2 and "nested deeper than" in result.output


def test_a_yaml_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    lines += ["interactions:", "- request: {method: POST, uri: 'http://x/', body: '', headers: {x: *a9}}",
              "  response: {status: {code: 200, message: OK}, headers: {}, body: {string: ''}}"]
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("\n".join(lines) + "\n")
    started = time.monotonic()
    result = cli("inspect", str(bomb))
    assert result.exit_code == 2 and "alias bomb" in result.output, result.output
    assert time.monotonic() - started < 5


def test_symbolic_links_are_reported_not_followed(run: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.json"
    outside.write_text('{"interactions": [], "note": "' + PLANTED + '"}')
    link = run / "cassettes" / "alpha" / "fx.link--r0.json"
    link.symlink_to(outside)
    report = verify_run(run)
    assert any(str(link) in p and "symbolic link" in p for p in report.problems)
    assert not any(PLANTED in s or "outside" in s for s in report.secrets)


def test_other_files_in_the_folder_are_scanned(run: Path) -> None:
    notes = run / "cassettes" / "notes.txt"
    notes.write_text(f"my key is {PLANTED}\n")
    assert f"{notes}: openrouter key" in verify_run(run).secrets


def test_a_scenario_missing_from_the_snapshot_is_named(run: Path) -> None:
    snapshot = run / "scenarios.json"
    raw = orjson.loads(snapshot.read_bytes())
    snapshot.write_bytes(orjson.dumps(raw[1:], option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))
    resign_run(run)
    problems = verify_run(run).problems
    assert any("listed in run.json but missing" in p for p in problems), problems
