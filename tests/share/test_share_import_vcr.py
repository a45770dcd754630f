"""`replaykit import vcr`: foreign vcrpy cassettes (YAML or JSON) become a run that score reads, matched to
scenarios by request; unsafe YAML is refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from share_helpers import REAL_CASSETTES, SHARE_FIXTURES, cassette_files, cli, record_run, tree_bytes

from replaykit.cassettes.run import load_run
from replaykit.score import score_runs
from replaykit.share.verify import verify_run

SCENARIOS = SHARE_FIXTURES / "scenarios"
needs_real = pytest.mark.skipif(not REAL_CASSETTES.is_dir(),
                                reason=f"real third-party cassettes not provided ({REAL_CASSETTES}): "
                                       "a data set kept outside the repository")


def _import(out: Path, *cassettes: Path | str, extra: tuple[str, ...] = ()) -> Any:
    return cli("import", "vcr", *map(str, cassettes), "--scenarios", str(SCENARIOS), "-o", str(out), *extra)


def _calls(run: Path) -> dict[str, list[list[tuple[str, Any]]]]:
    """Per sample (provider/scenario/rN), the calls scored at each step."""
    out: dict[str, list[list[tuple[str, Any]]]] = {}

    def keep(sample: Any) -> None:
        key = f"{sample.provider}/{sample.scenario}/r{sample.repetition}"
        out[key] = [[(c["name"], c["arguments"]) for c in step.get("calls", [])] for step in sample.steps]
        assert sample.success, (key, sample.to_json())

    score_runs([run], on_sample=keep)
    return out


@needs_real
def test_real_cassettes_import_and_score_with_the_calls_a_human_reads(tmp_path: Path) -> None:
    out = tmp_path / "imported"
    result = _import(out, *sorted(REAL_CASSETTES.glob("*.yaml")))
    assert result.exit_code == 0, result.output
    assert _calls(out) == {
        # test_tool_use_basic: "What is 1231 * 2331?" -> multiply(1231, 2331), then the answer in text
        "openai/llm.multiply/r0": [[("multiply", {"a": 1231, "b": 2331})], []],
        # test_tool_use_chain_of_two_calls: the population feeds the second call
        "openai/llm.dragons/r0": [[("lookup_population", {"country": "Crumpet"})],
                                  [("can_have_dragons", {"population": 123124})], []],
        # the streaming variants, routed by OpenRouter: the provider comes from the response
        "novita/llm.version/r0": [[("llm_version", {})], []],
        "novita/llm.version/r1": [[("llm_version", {})], []],
        "novita/llm.version/r2": [[("llm_version", {})], []],
        "meta/llm.version/r0": [[("llm_version", {})], []],
    }
    for file in cassette_files(out):
        data = file.read_bytes()
        assert b"__cf_bm=" not in data and b"user-r3e61fpak04cbaokp5buoae4" not in data  # cookie, org id
    assert "set-cookie header" in result.output
    report = verify_run(out, replay=True)  # stock vcrpy replays the imported run
    assert report.ok and report.replayed == 6, report.problems + report.secrets
    scored = score_runs([out]).data
    assert scored["providers"]["openai"]["success"]["value"] == 1.0
    again = tmp_path / "again" / "imported"  # the run id is the folder's name
    _import(again, *sorted(REAL_CASSETTES.glob("*.yaml")))
    assert tree_bytes(again) == tree_bytes(out)  # an import is reproducible


@needs_real
def test_gzip_bodies_are_stored_as_text_without_their_encoding_header(tmp_path: Path) -> None:
    out = tmp_path / "imported"
    _import(out, REAL_CASSETTES / "test_tools__test_tool_use_chain_of_two_calls.yaml")
    raw = orjson.loads(cassette_files(out)[0].read_bytes())
    response = raw["interactions"][0]["response"]
    assert "content-encoding" not in {k.lower() for k in response["headers"]}
    assert response["body"]["string"].startswith("{")


def _as_foreign(src: Path, dst: Path) -> Path:
    """A replaykit cassette as any vcrpy JSON cassette: only `version` and `interactions`."""
    raw = orjson.loads(src.read_bytes())
    dst.write_bytes(orjson.dumps({"version": raw["version"], "interactions": raw["interactions"]}))
    return dst


_SAME = ("success", "tool_recall", "tool_precision", "param_accuracy", "schema_validity", "availability",
         "error_rate", "errors")


def test_foreign_json_cassettes_rebuild_steps_retries_and_scores(tmp_path: Path) -> None:
    from share_helpers import FIXTURE_SCENARIOS

    original = record_run(tmp_path / "run", effects={"server_error": 0.3})  # HTTP 500s: retries on disk
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    files = [_as_foreign(p, foreign / f"{p.stem}.json") for p in cassette_files(original)]
    out = tmp_path / "imported"
    result = cli("import", "vcr", *map(str, files), "--scenarios", str(FIXTURE_SCENARIOS), "-o", str(out))
    assert result.exit_code == 0, result.output
    before = {(c.sample.key, tuple((a.step, a.retry) for a in c.attempts if a.status is not None))
              for c in load_run(original).iter_cassettes()}  # type: ignore[union-attr]
    after = {(c.sample.key, tuple((a.step, a.retry) for a in c.attempts))
             for c in load_run(out).iter_cassettes()}  # type: ignore[union-attr]
    assert after == before
    assert any(retry for _, attempts in after for _, retry in attempts)  # the case was exercised
    want, got = score_runs([original]).data, score_runs([out]).data
    for metric in _SAME:
        mine, theirs = got["providers"]["alpha"][metric], want["providers"]["alpha"][metric]
        if metric in ("success", "availability", "error_rate"):
            # clustered by start time too: the foreign cassettes carry no start times, so only by scenario
            mine, theirs = ({k: v for k, v in r.items() if k not in ("low", "high")} for r in (mine, theirs))
        assert mine == theirs, metric


def test_unmatched_requests_are_named_and_map_takes_them(tmp_path: Path) -> None:
    cassette = tmp_path / "other.json"
    body = {"messages": [{"role": "user", "content": "What is the current llm version, really?"}],
            "tools": [{"type": "function", "function": {"name": "llm_version", "parameters": {}}}]}
    answer = {"choices": [{"message": {"role": "assistant", "tool_calls": [
        {"id": "c1", "type": "function", "function": {"name": "llm_version", "arguments": "{}"}}]},
        "finish_reason": "tool_calls"}]}
    cassette.write_bytes(orjson.dumps({"version": 1, "interactions": [{
        "request": {"method": "POST", "uri": "https://api.example.com/v1/chat/completions",
                    "body": orjson.dumps(body).decode(), "headers": {}},
        "response": {"status": {"code": 200, "message": "OK"}, "headers": {"content-type": ["application/json"]},
                     "body": {"string": orjson.dumps(answer).decode()}}}]}))
    result = _import(tmp_path / "out", cassette)
    assert result.exit_code == 2
    assert f"{cassette}: interactions[0]: matches no scenario" in result.output
    assert not (tmp_path / "out").exists()
    result = _import(tmp_path / "out", cassette, extra=("--map", "other.json=llm.version"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "cassettes" / "example" / "llm.version--r0.json").is_file()
    result = _import(tmp_path / "out2", cassette, extra=("--map", "other.json=llm.version", "--provider", "../x"))
    assert result.exit_code == 2 and "--provider" in result.output


def test_a_hostile_provider_name_stays_a_plain_name(tmp_path: Path) -> None:
    cassette = tmp_path / "c.json"
    body = {"messages": [{"role": "user", "content": "What is the current llm version?"}],
            "tools": [{"type": "function", "function": {"name": "llm_version", "parameters": {}}}]}
    answer = {"provider": "../../../etc/evil", "choices": [{"message": {"role": "assistant", "content": "0.1"},
                                                          "finish_reason": "stop"}]}
    cassette.write_bytes(orjson.dumps({"version": 1, "interactions": [{
        "request": {"method": "POST", "uri": "https://h.example/v1/chat", "body": orjson.dumps(body).decode(),
                    "headers": {}},
        "response": {"status": {"code": 200, "message": "OK"}, "headers": {},
                     "body": {"string": orjson.dumps(answer).decode()}}}]}))
    out = tmp_path / "out"
    assert _import(out, cassette).exit_code == 0
    assert [p.relative_to(out).as_posix() for p in cassette_files(out)] == ["cassettes/etc-evil/llm.version--r0.json"]


PYTHON_TAGS = {
    "python/object/apply": '!!python/object/apply:os.system ["touch {marker}"]',
    "python/object:": "!!python/object:subprocess.Popen {{args: [touch, {marker}]}}",
}
CASSETTE = """interactions:
- request: {request}
  response: {{status: {{code: 200, message: OK}}, headers: {{}}, body: {{string: ''}}}}
"""


@pytest.mark.parametrize("tag", list(PYTHON_TAGS))
@pytest.mark.parametrize("command", ["inspect", "import"])
def test_python_tags_are_refused_with_exit_2(tmp_path: Path, command: str, tag: str) -> None:
    marker = tmp_path / "pwned"
    evil = tmp_path / "evil.yaml"
    evil.write_text(CASSETTE.format(request=PYTHON_TAGS[tag].format(marker=marker)))
    result = cli("inspect", str(evil)) if command == "inspect" else _import(tmp_path / "out", evil)
    assert result.exit_code == 2
    assert "invalid or unsafe YAML" in result.output and tag in result.output
    assert "Traceback" not in result.output
    assert not marker.exists() and not (tmp_path / "out").exists()
