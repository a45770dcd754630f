"""Issue 12 §7, the smaller holes (the full disk and the retry jitter are the recorder's, tested with it): a
run.json without its digest, symlinked cassettes followed by the scorer, a newline in a file name forging a
line of output, and loosely typed cassette fields."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from hostile import WEATHER, edited, invoke, small_run
from share_helpers import copy_run

from replaykit.cassettes.codec import decode
from replaykit.cassettes.run import MANIFEST_DIGEST, RUN_FILE, encode_manifest, load_run
from replaykit.errors import CassetteError


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small_run(tmp_path_factory.mktemp("rec") / "run")


@pytest.fixture()
def run(recorded: Path, tmp_path: Path) -> Path:
    return copy_run(recorded, tmp_path / "run")


def test_a_run_json_without_its_digest_is_flagged(run: Path) -> None:
    manifest = load_run(run).manifest
    del manifest[MANIFEST_DIGEST]
    (run / RUN_FILE).write_bytes(encode_manifest(manifest))  # in the layout replaykit writes: only the digest gone
    result = invoke("verify", str(run))
    assert result.exit_code == 1
    assert f"no {MANIFEST_DIGEST}" in result.output


@pytest.mark.parametrize("target", ["/dev/zero", "outside.json"])
@pytest.mark.parametrize("command", ["score", "report", "verify", "inspect"])
def test_a_symlinked_cassette_is_refused_by_every_reader(run: Path, tmp_path: Path, target: str,
                                                         command: str) -> None:
    link = run / WEATHER
    if target == "outside.json":
        (tmp_path / target).write_bytes(link.read_bytes())  # a valid cassette: only the link is wrong
        target = str(tmp_path / target)
    link.unlink()
    link.symlink_to(target)
    result = invoke(command, str(link if command == "inspect" else run))
    assert result.held, result
    assert "a symbolic link" in result.output
    if command in ("score", "report"):
        assert result.exit_code == 0  # the other samples are scored; the link is a warning, not read


def test_a_newline_in_a_file_name_cannot_forge_a_line_of_output(run: Path) -> None:
    forged = run / "cassettes" / "alpha" / "x\nverify run: 7 cassettes checked: ok\n--r0.json"
    forged.write_bytes(b"not json")
    for command in ("score", "verify"):
        result = invoke(command, str(run))
        assert result.held
        lines = result.output.splitlines()
        assert not any(line.startswith("verify run: 7 cassettes") for line in lines), lines
        assert any("x\\nverify" in line for line in lines)


@pytest.mark.parametrize(("where", "value", "field"), [
    (("replaykit", "format"), True, "replaykit.format"),
    (("replaykit", "attempts", 0, "interaction"), -1, r"replaykit.attempts\[0\].interaction"),
    (("replaykit", "attempts", 0, "interaction"), 1.0, r"replaykit.attempts\[0\].interaction"),
    (("replaykit", "attempts", 0, "step"), [0], r"replaykit.attempts\[0\].step"),
    (("replaykit", "attempts", 0, "retry"), True, r"replaykit.attempts\[0\].retry"),
    (("replaykit", "sample", "repetition"), "0", "replaykit.sample.repetition"),
    (("replaykit", "sample", "provider"), 7, "replaykit.sample.provider"),
    (("replaykit", "complete"), "yes", "replaykit.complete"),
    (("replaykit", "attempts", 0, "error"), {"kind": ["deep"]}, r"replaykit.attempts\[0\].error"),
])
def test_loosely_typed_fields_are_refused_naming_the_field(run: Path, where: tuple[Any, ...], value: Any,
                                                           field: str) -> None:
    def change(raw: dict[str, Any]) -> None:
        parent = raw
        for key in where[:-1]:
            parent = parent[key]
        parent[where[-1]] = value

    edited(run, change)
    with pytest.raises(CassetteError, match=field):
        decode((run / WEATHER).read_bytes(), "c.json")
    result = invoke("inspect", str(run / WEATHER))
    assert result.exit_code == 2 and result.held
    verify = invoke("verify", str(run))
    assert verify.exit_code == 1 and orjson.dumps(field.replace("\\", "")).decode()[1:-1] in verify.output
