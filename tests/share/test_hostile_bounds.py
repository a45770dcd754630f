"""Issue 12 §4: no traceback on any input `verify` or `unpack` accepts. Depth, numbers, YAML's non-JSON values
and tar headers are bounded; an out-of-range value is one clear finding (naming file and field) or a flagged
attempt, never an exception. Each case crashed a command before these bounds."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml
from hostile import (
    WEATHER,
    edited,
    hostile_tar,
    invoke,
    nested,
    plant,
    readers,
    set_body,
    small_run,
    sse,
    tar_with_pax,
)
from share_helpers import REAL_CASSETTES, SHARE_FIXTURES, copy_run

from replaykit.cassettes.codec import decode
from replaykit.cassettes.limits import MAX_DEPTH
from replaykit.errors import CassetteError

needs_real = pytest.mark.skipif(not REAL_CASSETTES.is_dir(), reason="../shared/data/real-cassettes is absent")


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small_run(tmp_path_factory.mktemp("rec") / "run")


@pytest.fixture()
def run(recorded: Path, tmp_path: Path) -> Path:
    return copy_run(recorded, tmp_path / "run")


def _all_hold(run: Path, scratch: Path) -> list[Any]:
    outcomes = list(readers(run, scratch))
    assert [o for o in outcomes if not o.held] == []
    return outcomes


def _inspect(run: Path) -> list[dict[str, Any]]:
    result = invoke("inspect", str(run / WEATHER))
    assert result.held and result.exit_code == 0, result
    return [orjson.loads(line) for line in result.output.splitlines()]


@pytest.mark.parametrize("depth", [300, 1000])
def test_arguments_nested_deep_are_a_flagged_attempt_in_every_command(run: Path, tmp_path: Path, depth: int) -> None:
    edited(run, lambda raw: set_body(raw, sse(nested(depth))))
    _all_hold(run, tmp_path)
    (line,) = _inspect(run)
    assert line["error_class"] is None
    assert line["calls"][0]["arguments"] is None  # not walked: the checker, jsonschema and orjson recurse
    assert "invalid_json_args" in line["faults"]


def test_arguments_at_the_depth_limit_are_kept(run: Path) -> None:
    inner = MAX_DEPTH - 2  # the object itself and its `city` list count as levels
    edited(run, lambda raw: set_body(raw, sse(nested(inner))))
    (line,) = _inspect(run)
    assert line["calls"][0]["arguments"] is not None


@pytest.mark.parametrize("tokens", [1e308, 2**64 - 1, -3, "12", {"a": {"b": 1}}, [1]])
def test_token_counts_out_of_range_are_dropped_not_summed(run: Path, tmp_path: Path, tokens: Any) -> None:
    usage = {"prompt_tokens": tokens, "completion_tokens": tokens, "total_tokens": tokens, "cost": tokens}
    edited(run, lambda raw: set_body(raw, sse('{"city":"Paris","days":3}', usage)))
    _all_hold(run, tmp_path)
    (line,) = _inspect(run)
    assert line["usage"] == {} and line["cost"] is None


@pytest.mark.parametrize("code", [1e308, 99, 600, -1, True, "200", None, "[" * 1000 + "]" * 1000])
def test_a_status_code_out_of_range_refuses_the_cassette_naming_the_field(run: Path, tmp_path: Path,
                                                                       code: Any) -> None:
    def change(raw: dict[str, Any]) -> None:
        raw["interactions"][0]["response"]["status"]["code"] = "@@" if str(code).startswith("[[") else code

    edited(run, change)
    if str(code).startswith("[["):  # nested past what orjson (and repr) can take: planted as bytes
        plant(run, WEATHER, (run / WEATHER).read_bytes().replace(b'"@@"', str(code).encode()))
    _all_hold(run, tmp_path)
    result = invoke("inspect", str(run / WEATHER))
    assert result.exit_code == 2
    with pytest.raises(CassetteError, match=r"interactions\[0\]\.response\.status\.code: must be an HTTP status"):
        decode((run / WEATHER).read_bytes(), "c.json", walkers=False)  # as the scorer reads: no walk first


@pytest.mark.parametrize("message", [["Too", "Many"], {"text": "OK"}, "@@deep"])
def test_a_status_message_that_is_not_text_refuses_the_cassette_naming_the_field(run: Path, tmp_path: Path,
                                                                               message: Any) -> None:
    """A list or object as the status message (vcrpy writes a string) was a RecursionError in `score` and
    `report` when nested past what `str()` takes: it is refused where it is read, as a status code is."""
    edited(run, lambda raw: raw["interactions"][0]["response"]["status"].update(message=message))
    if message == "@@deep":  # the deepest nesting orjson reads at this place: planted as bytes
        depth = 1024 - 6
        plant(run, WEATHER, (run / WEATHER).read_bytes().replace(b'"@@deep"', b"[" * depth + b"]" * depth))
    _all_hold(run, tmp_path)
    assert invoke("inspect", str(run / WEATHER)).exit_code == 2
    with pytest.raises(CassetteError, match=r"interactions\[0\]\.response\.status\.message: must be a string"):
        decode((run / WEATHER).read_bytes(), "c.json", walkers=False)


@pytest.mark.parametrize(("field", "value"), [("total_ms", 1e308), ("ttft_ms", -1), ("started_at", "yesterday"),
                                              ("events_ms", [1, "x"]), ("events_ms", [1e300])])
def test_timings_out_of_range_are_refused(run: Path, tmp_path: Path, field: str, value: Any) -> None:
    def change(raw: dict[str, Any]) -> None:
        raw["replaykit"]["attempts"][0]["timing"][field] = value

    edited(run, change)
    _all_hold(run, tmp_path)
    with pytest.raises(CassetteError, match=rf"replaykit\.attempts\[0\]\.timing\.{field}"):
        decode((run / WEATHER).read_bytes(), "c.json")


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", "9" * 5000, "9" * 30, "2024-01-01", "!!set {a, b}"])
def test_yaml_cassettes_with_values_json_cannot_hold_are_refused_by_every_command(run: Path, tmp_path: Path,
                                                                                   value: str) -> None:
    raw = orjson.loads((run / WEATHER).read_bytes())
    raw["replaykit"]["attempts"][0]["timing"]["total_ms"] = "@@"
    text = yaml.safe_dump(raw, width=10**6).replace("'@@'", value)
    plant(run, WEATHER, text.encode())
    _all_hold(run, tmp_path)
    assert invoke("inspect", str(run / WEATHER)).exit_code == 2
    with pytest.raises(CassetteError) as err:
        decode((run / WEATHER).read_bytes(), "c.yaml")
    assert "c.yaml" in str(err.value)


@needs_real
@pytest.mark.parametrize(("old", "new"), [("code: 200", "code: .inf"), ("code: 200", "code: 12345678901234567890"),
                                          ("code: 200", "code: " + "9" * 5000),
                                          ("- '351'", "- " + "9" * 5000), ("- '351'", "- .nan"),
                                          ("https://api.openai.com/v1", "http://api.openai.com:99999/v1"),
                                          ("accept:", "12:")])
def test_foreign_yaml_with_hostile_values_ends_in_one_line(tmp_path: Path, old: str, new: str) -> None:
    text = (REAL_CASSETTES / "test_tools__test_tool_use_basic.yaml").read_text()
    assert old in text
    path = tmp_path / "hostile.yaml"
    path.write_text(text.replace(old, new, 1))
    scenarios = SHARE_FIXTURES / "scenarios" / "simonw_llm.yaml"
    for args in (("inspect", str(path)), ("import", "vcr", str(path), "--scenarios", str(scenarios),
                                          "-o", str(tmp_path / "out"))):
        outcome = invoke(*args)
        assert outcome.held, outcome


@pytest.mark.parametrize("seed", range(12))
def test_unpack_of_hostile_pax_headers_is_a_pack_error(tmp_path: Path, seed: int) -> None:
    pack = tmp_path / "p.tar.gz"
    pack.write_bytes(hostile_tar(random.Random(seed)))
    outcome = invoke("unpack", str(pack), "-o", str(tmp_path / "out"))
    assert outcome.held and outcome.exit_code == 2, outcome
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("pax", [{"GNU.sparse.map": "a,b"}, {"GNU.sparse.size": "x"},
                                 {"GNU.sparse.major": "1", "GNU.sparse.minor": "0", "GNU.sparse.name": "x"},
                                 {"GNU.sparse.realsize": "zz"}])
def test_gnu_sparse_records_that_tarfile_cannot_read_are_refused(tmp_path: Path, pax: dict[str, str]) -> None:
    # tarfile raised ValueError from inside its header parser: 81 of 3,000 fuzzed packs
    (tmp_path / "p.tar.gz").write_bytes(tar_with_pax("MANIFEST.json", pax))
    outcome = invoke("unpack", str(tmp_path / "p.tar.gz"), "-o", str(tmp_path / "o"))
    assert outcome.held and outcome.exit_code == 2, outcome
    assert "p.tar.gz" in outcome.output and outcome.output.count("\n") == 1


def test_one_depth_limit_for_verify_inspect_and_merge(run: Path, tmp_path: Path) -> None:
    # the documented limit (64), not orjson's 254: a file nested 100 deep is refused everywhere it is walked
    edited(run, lambda raw: raw["replaykit"].update(note=orjson.loads("[" * 100 + "]" * 100)))
    outcomes = {o.command: o for o in _all_hold(run, tmp_path)}
    assert outcomes["verify"].exit_code == 1
    assert outcomes["inspect"].exit_code == 2
    with pytest.raises(CassetteError, match=f"nested deeper than {MAX_DEPTH} levels"):
        decode((run / WEATHER).read_bytes(), "c.json")


@pytest.mark.parametrize("value", [1.5, 7, None, "text/plain"])
def test_request_headers_of_any_scalar_shape_reach_the_html_report(run: Path, tmp_path: Path, value: Any) -> None:
    # the report redacts and shows request headers: a bare number there crashed it (found by the fuzz)
    edited(run, lambda raw: raw["interactions"][0]["request"]["headers"].update(accept=value))
    outcome = invoke("report", str(run), "-o", str(tmp_path / "r.html"))
    assert outcome.held and outcome.exit_code == 0, outcome
    (line,) = _inspect(run)
    assert line["error_class"] is None


def test_request_headers_nested_are_refused_naming_the_field(run: Path) -> None:
    edited(run, lambda raw: raw["interactions"][0]["request"]["headers"].update(accept=[["a"]]))
    with pytest.raises(CassetteError, match=r"interactions\[0\]\.request\.headers\.accept"):
        decode((run / WEATHER).read_bytes(), "c.json", walkers=False)


@pytest.mark.parametrize("body", ['{"choices": ' + "[" * 1000 + "]" * 1000 + "}",
                                  "data: " + "[" * 1000 + "]" * 1000 + "\n\ndata: [DONE]\n\n"])
def test_bodies_nested_a_thousand_levels_are_scanned_without_recursing(run: Path, tmp_path: Path,
                                                                       body: str) -> None:
    # the secret scan of what readers show parses bodies and joins stream events: it recursed into them
    edited(run, lambda raw: set_body(raw, body))
    outcomes = {o.command: o for o in _all_hold(run, tmp_path)}
    assert outcomes["verify"].exit_code == 0, outcomes["verify"].output


@pytest.mark.parametrize("pax", [{"size": "-5"}, {"GNU.sparse.map": "a,b"}, {"GNU.sparse.size": "x"}])
def test_score_of_a_pack_with_hostile_headers_is_one_line(tmp_path: Path, pax: dict[str, str]) -> None:
    # `score PACK` reads members itself: a negative pax size reached `read` as a ValueError
    (tmp_path / "p.tar.gz").write_bytes(tar_with_pax("MANIFEST.json", pax))
    outcome = invoke("score", str(tmp_path / "p.tar.gz"))
    assert outcome.held and outcome.exit_code == 2, outcome
