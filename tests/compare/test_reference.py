"""`replaykit diff RUN --reference NAME`: agreement with a reference provider, checked by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from compare_helpers import (
    WEATHER_OK,
    WRONG,
    answer,
    assert_fits,
    call,
    cli,
    cli_json,
    failure,
    fixture_scenarios,
    sim_run,
    write_run,
)

from replaykit.cassettes.model import Attempt
from replaykit.compare.reference import f1

Samples = dict[tuple[str, int], list[Attempt]]


def _weather(args: dict[str, Any]) -> list[Attempt]:
    return [answer([call("get_weather", args)])]


def _constructed(tmp_path: Path) -> Path:
    """Turn by turn, the provider against the reference:
    fx.weather r0, r1: both call with the same arguments (TP, agree); r2: both call, "3" for 3 (TP, the
    name agrees, the arguments not); r3: the provider answers in text (FN); r4: the provider errors
    (not scored); r5: the reference errors (not scored).
    fx.joke r0, r2: neither calls (TN); r1, r3: the provider calls get_weather (FP)."""
    ref: Samples = {("fx.weather", r): _weather(WEATHER_OK) for r in range(6)}
    ref[("fx.weather", 5)] = [failure(500)]
    prov: Samples = {("fx.weather", 0): _weather(WEATHER_OK), ("fx.weather", 1): _weather(WEATHER_OK),
                     ("fx.weather", 2): _weather(WRONG), ("fx.weather", 3): [answer(text="It is sunny.")],
                     ("fx.weather", 4): [failure(502)], ("fx.weather", 5): _weather(WEATHER_OK)}
    for r in range(4):
        ref[("fx.joke", r)] = [answer(text="A joke.")]
        prov[("fx.joke", r)] = _weather(WEATHER_OK) if r % 2 else [answer(text="A joke.")]
    twin = {k: [answer([call("get_weather", WEATHER_OK)])] if k[0] == "fx.weather" else [answer(text="A joke.")]
            for k in ref}
    twin[("fx.weather", 5)] = _weather(WEATHER_OK)
    chosen = fixture_scenarios().select(pattern="fx.[wj]*")
    return write_run(tmp_path / "run", {"official": ref, "vendor": prov, "twin": twin}, chosen)


def test_f1_by_hand() -> None:
    assert f1(3, 2, 1) == pytest.approx(6 / 9)  # P = 3/5, R = 3/4: 2PR/(P+R) = 0.9/1.35 = 2/3
    assert f1(0, 0, 0) is None
    assert f1(0, 4, 0) == 0.0


def test_reference_agreement_equals_the_hand_counts(tmp_path: Path) -> None:
    data = cli_json("diff", str(_constructed(tmp_path)), "--reference", "official")
    assert data["reference"] == "official" and sorted(data["providers"]) == ["twin", "vendor"]
    vendor = data["providers"]["vendor"]
    assert vendor["trigger"] == {"tp": 3, "fp": 2, "fn": 1, "tn": 2}
    assert vendor["turns"] == 8
    assert vendor["precision"]["value"] == pytest.approx(3 / 5)
    assert vendor["recall"]["value"] == pytest.approx(3 / 4)
    assert vendor["f1"]["value"] == pytest.approx(2 / 3, abs=1e-6)
    assert vendor["f1"]["low"] <= vendor["f1"]["value"] <= vendor["f1"]["high"]
    # on the three turns where both called: two exact copies of the reference's call, three same names
    assert vendor["arg_agreement"]["value"] == pytest.approx(2 / 3)
    assert vendor["name_agreement"]["value"] == pytest.approx(1.0)
    # the provider's calls on pairs both answered: r0, r1, r2 ("3" breaks the schema), joke r1, r3
    assert vendor["schema_accuracy"]["value"] == pytest.approx(4 / 5)
    assert (vendor["unanswered"], vendor["reference_unanswered"]) == (1, 1)
    twin = data["providers"]["twin"]
    assert twin["trigger"] == {"tp": 5, "fp": 0, "fn": 0, "tn": 4}
    assert twin["f1"]["value"] == 1.0 and twin["arg_agreement"]["value"] == 1.0
    assert data["reference_schema_accuracy"]["value"] == 1.0


def test_reference_text_fits_and_ranks_by_f1(tmp_path: Path) -> None:
    result = cli("diff", str(_constructed(tmp_path)), "--reference", "official")
    assert result.exit_code == 0, result.output
    assert_fits(result.output)
    rows = [line.split()[0] for line in result.output.splitlines() if line.startswith(("twin", "vendor"))]
    assert rows == ["twin", "vendor"]


def test_reference_on_simulator_runs_finds_the_faulty_vendor(tmp_path: Path) -> None:
    tables: dict[str, dict[str, Any]] = {"official": {}, "good": {},
                                         "lossy": {"effects": {"empty_tool_calls": 0.3, "wrong_type": 0.3}}}
    run = sim_run(tmp_path / "run", tables, repeat=6, seed=3)
    data = cli_json("diff", str(run.root), "--reference", "official")
    good, lossy = data["providers"]["good"], data["providers"]["lossy"]
    assert good["f1"]["value"] == 1.0 and good["arg_agreement"]["value"] == 1.0
    assert lossy["trigger"]["fn"] > 0 and lossy["trigger"]["fp"] == 0  # empty calls: never a false trigger
    assert lossy["recall"]["value"] < 0.85 and lossy["precision"]["value"] == 1.0
    assert lossy["f1"]["high"] < 1.0
    assert lossy["arg_agreement"]["value"] < good["arg_agreement"]["value"]


def test_bad_reference_exits_2(tmp_path: Path) -> None:
    run = _constructed(tmp_path)
    result = cli("diff", str(run), "--reference", "nobody")
    assert result.exit_code == 2
    assert "no provider 'nobody' in this run (providers: official, twin, vendor)" in result.stderr
    result = cli("diff", str(run), str(run), "--reference", "official")
    assert result.exit_code == 2 and "give only RUN" in result.stderr
    alone = write_run(tmp_path / "alone", {"official": {("fx.weather", 0): _weather(WEATHER_OK)}})
    result = cli("diff", str(alone), "--reference", "official")
    assert result.exit_code == 2 and "no provider besides the reference" in result.stderr
