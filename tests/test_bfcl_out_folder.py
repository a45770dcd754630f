"""`replaykit import bfcl --out`: never leaves an earlier import's category files beside the new ones
(issue 14 §3). Small hand-written BFCL files, so it runs without the shared BFCL data."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from replaykit.cli import main
from replaykit.scenarios import load_scenarios

_TOOL = {"name": "area", "description": "Area of a triangle.",
         "parameters": {"type": "dict", "properties": {"base": {"type": "integer"}, "height": {"type": "integer"}},
                        "required": ["base", "height"]}}


def _bfcl(folder: Path, category: str, count: int) -> Path:
    """BFCL v4 question and possible_answer files of `count` entries of `category`."""
    (folder / "possible_answer").mkdir(parents=True, exist_ok=True)
    questions, answers = [], []
    for i in range(count):
        ask = [[{"role": "user", "content": f"Area of a triangle with base {i + 1} and height 2?"}]]
        questions.append({"id": f"{category}_{i}", "question": ask, "function": [_TOOL]})
        answers.append({"id": f"{category}_{i}", "ground_truth": [{"area": {"base": [i + 1], "height": [2]}}]})
    for path, rows in ((folder / f"BFCL_v4_{category}.json", questions),
                       (folder / "possible_answer" / f"BFCL_v4_{category}.json", answers)):
        path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return folder


def _import(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["import", "bfcl", *args])
    return result.exit_code, result.output


def test_a_non_empty_out_is_refused_and_force_leaves_no_stale_category(tmp_path: Path) -> None:
    both = _bfcl(_bfcl(tmp_path / "both", "simple_python", 2), "parallel", 1)
    out = tmp_path / "out"
    code, output = _import(str(both), "--out", str(out))
    assert code == 0, output
    assert sorted(p.name for p in out.iterdir()) == ["bfcl_parallel.yaml", "bfcl_simple_python.yaml"]
    (out / "mine.yaml").write_bytes((out / "bfcl_parallel.yaml").read_bytes().replace(b"parallel_0", b"my_0"))
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    simple = _bfcl(tmp_path / "simple", "simple_python", 3)
    code, output = _import(str(simple), "--out", str(out))
    assert code == 2 and "is not empty" in output and "--force" in output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # untouched

    code, output = _import(str(simple), "--out", str(out), "--force")
    assert code == 0, output
    assert sorted(p.name for p in out.iterdir()) == ["bfcl_simple_python.yaml", "mine.yaml"]  # no stale parallel
    assert len(load_scenarios(out / "bfcl_simple_python.yaml")) == 3
    assert (out / "mine.yaml").read_bytes() == before["mine.yaml"]


def test_a_failed_forced_import_keeps_the_earlier_one(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _import(str(_bfcl(tmp_path / "ok", "parallel", 1)), "--out", str(out))[0] == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    broken = _bfcl(tmp_path / "broken", "simple_python", 1)
    (broken / "BFCL_v4_simple_python.json").write_text("{not json\n", encoding="utf-8")
    code, output = _import(str(broken), "--out", str(out), "--force")
    assert code == 2 and "invalid JSON" in output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
