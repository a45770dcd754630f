"""The time-clustered rates' cells (score/cells.py) are compact and give exactly the numbers the plain dict of
`(scenario, time bucket) -> [k, n]` gave (issue 18 §4): checked against that computation, kept here as the
oracle, on a real run whose copies start at different times — as in a real run, nearly a cell per attempt."""

from __future__ import annotations

import math
import pickle
import random
import shutil
import tracemalloc
from pathlib import Path
from typing import Any

import orjson
import pytest

from replaykit.normalize.outcome import HARNESS
from replaykit.score import score_runs, stats
from replaykit.score.cells import MAX_BUCKET, TimeCells
from replaykit.score.engine import iter_samples
from replaykit.score.metrics import ERROR_CLASSES, TIMED, ProviderMetrics
from replaykit.score.partial import combine, write_partial
from replaykit.score.sample import SampleScore, ScoreOptions
from replaykit.score.stats import TwoWay, critical, rate, time_bucket, wilson

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "cassettes" / "example"
OFFSETS = (0.0, 0.05, 0.13, 60.0, 3600.5)  # some copies share buckets with others, most don't


@pytest.fixture(scope="module")
def spread_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example run five times over, each copy's attempts started later by its offset."""
    out = tmp_path_factory.mktemp("spread") / "run"
    shutil.copytree(EXAMPLE, out, ignore=shutil.ignore_patterns("cassettes"))
    for path in sorted((EXAMPLE / "cassettes").rglob("*.json")):
        data = orjson.loads(path.read_bytes())
        starts = [a["timing"].get("started_at") for a in data["replaykit"]["attempts"]]
        for copy, offset in enumerate(OFFSETS):
            for attempt, start in zip(data["replaykit"]["attempts"], starts):
                attempt["timing"]["started_at"] = None if start is None else start + offset
            target = out / path.relative_to(EXAMPLE).parent / path.name.replace("--r", f"--c{copy}r")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(orjson.dumps(data))
    return out


# -- the oracle: the dict of cells and the two-way rate as they were before the cells were compacted --

def _oracle_cells(samples: list[SampleScore]) -> dict[str, dict[str, dict[Any, list[float]]]]:
    """provider -> table (error_rate, availability, success, and each error class) -> cell -> [k, n]."""
    out: dict[str, dict[str, dict[Any, list[float]]]] = {}
    for s in samples:
        tables = out.setdefault(s.provider, {})
        for a in s.attempts:
            if a.error_class == HARNESS:
                continue
            cell = tables.setdefault("error_rate", {}).setdefault((s.scenario, time_bucket(a.started_at)), [0.0, 0.0])
            cell[1] += 1
            if a.error_class is not None:
                cell[0] += 1
                hits = tables.setdefault(a.error_class, {})
                hits.setdefault((s.scenario, time_bucket(a.started_at)), [0.0, 0.0])[0] += 1
        if s.harness_cut:
            continue
        first = (s.scenario, time_bucket(s.attempts[0].started_at) if s.attempts else -1)
        for name, k in (("availability", s.usable), ("success", s.success)):
            if name == "success" and s.reference == "pending":
                break
            pair = tables.setdefault(name, {}).setdefault(first, [0.0, 0.0])
            pair[0] += k
            pair[1] += 1
    return out


def _oracle_blocks(sizes: dict[int, float], blocks: int = stats.TIME_BLOCKS) -> dict[int, int]:
    total = sum(sizes.values())
    out, before = {}, 0.0
    for bucket in sorted(sizes):
        out[bucket] = min(blocks - 1, math.floor(before / total * blocks))
        before += sizes[bucket]
    return out


def _oracle_marginal(cells: dict[Any, list[float]], key: Any) -> list[tuple[float, float]]:
    out: dict[Any, list[float]] = {}
    for cell, (k, n) in cells.items():
        pair = out.setdefault(key(cell), [0.0, 0.0])
        pair[0] += k
        pair[1] += n
    return [(k, n) for k, n in out.values()]


def oracle_two_way(cells: dict[tuple[str, int], list[float]]) -> dict[str, Any]:
    cells = {c: v for c, v in cells.items() if v[1] > 0}
    by_scenario: dict[str, list[float]] = {}
    for (scenario, _), (k, n) in cells.items():
        pair = by_scenario.setdefault(scenario, [0.0, 0.0])
        pair[0] += k
        pair[1] += n
    sizes: dict[int, float] = {}
    for (_, bucket), (_, n) in cells.items():
        if bucket >= 0:
            sizes[bucket] = sizes.get(bucket, 0.0) + n
    total_k = sum(k for k, _ in cells.values())
    total_n = sum(n for _, n in cells.values())
    p = total_k / total_n if total_n else 0.0
    if len(sizes) < 2 or len(by_scenario) < 2 or p in (0.0, 1.0):
        return rate(by_scenario)
    block = _oracle_blocks(sizes)
    v_s, m_s = stats._cr1(((k, n) for k, n in by_scenario.values()), p, total_n)
    v_t, m_t = stats._cr1(_oracle_marginal(cells, lambda c: block.get(c[1], -1)), p, total_n)
    v_st, _ = stats._cr1(_oracle_marginal(cells, lambda c: (c[0], block.get(c[1], -1))), p, total_n)
    var = max(v_s + v_t - v_st, v_s)
    n_eff = min(total_n, p * (1 - p) / var) if var > 0 else total_n
    low, high = wilson(p * n_eff, n_eff, critical(min(m_s, m_t)))
    return {"value": round(p, 6), "low": round(low, 6), "high": round(high, 6), "n": int(total_n)}


def oracle_over_attempts(attempts: dict[Any, list[float]], hits: dict[Any, list[float]]) -> dict[Any, list[float]]:
    return {c: [hits[c][0] if c in hits else 0.0, n] for c, (_, n) in attempts.items()}


# -- the run --

def test_a_run_whose_copies_start_apart_scores_as_the_dict_of_cells_did(spread_run: Path) -> None:
    samples = list(iter_samples([load(spread_run)], None, ScoreOptions(), lambda _: None))
    oracle = _oracle_cells(samples)
    scored = score_runs([spread_run], jobs=1).data["providers"]
    assert scored == score_runs([spread_run], jobs=2).data["providers"]
    cells = 0
    for provider, tables in oracle.items():
        mine = scored[provider]
        for metric in TIMED:
            assert mine[metric] == oracle_two_way(tables.get(metric, {})), (provider, metric)
        for error in mine["error_rates"]:
            cells_of = oracle_over_attempts(tables["error_rate"], tables.get(error, {}))
            assert mine["error_rates"][error] == oracle_two_way(cells_of), (provider, error)
        cells += len(tables["error_rate"])
    attempts = sum(len(s.attempts) for s in samples)
    assert cells > 0.8 * attempts  # the case that matters: nearly a cell per attempt
    # and the rates are not all of the trivial kind: some intervals come from the two-way variance
    assert any(0 < scored[p]["error_rate"]["value"] < 1 for p in scored)


def test_partials_of_spread_runs_combine_to_the_same_scores(spread_run: Path, tmp_path: Path) -> None:
    from replaykit.score.partial import scored as scored_runs

    runs, tally, selection = scored_runs([spread_run], all_samples=False, intersect=False)
    write_partial(runs, tally, selection, tmp_path / "p.json")
    whole = score_runs([spread_run]).data["providers"]
    combined = combine([tmp_path / "p.json"]).data["providers"]
    for provider, metrics in whole.items():
        for metric in (*TIMED, "error_rates", "pass_k", "flaky", "errors"):
            assert combined[provider][metric] == metrics[metric], (provider, metric)
    # the file holds the same cells, as the dict wrote them: "tuple:[scenario, bucket]": [k, n] floats
    state = orjson.loads((tmp_path / "p.json").read_bytes())["providers"]["sim-flaky"]["timed"]["error_rate"]
    key, pair = next(iter(state.items()))
    assert key.startswith('tuple:["') and all(isinstance(x, float) for x in pair)


def load(path: Path) -> Any:
    from replaykit.cassettes.run import load_run

    return load_run(path)


# -- the table itself --

def _random_cells(rng: random.Random, count: int, scenarios: int = 7) -> dict[tuple[str, int], list[float]]:
    cells: dict[tuple[str, int], list[float]] = {}
    for _ in range(count):
        bucket = rng.choice([-1, rng.randrange(10**9, 10**9 + 400), rng.randrange(0, 2**40)])
        pair = cells.setdefault((f"s{rng.randrange(scenarios)}", bucket), [0.0, 0.0])
        n = rng.randrange(0, 4)
        pair[0] += rng.randrange(0, n + 1)
        pair[1] += n
    return cells


def test_cells_keep_the_dicts_order_and_sums_through_merges_and_pickling() -> None:
    rng = random.Random(5)
    a, b = _random_cells(rng, 300), _random_cells(rng, 300)
    merged = {key: list(value) for key, value in a.items()}
    for key, (k, n) in b.items():
        pair = merged.setdefault(key, [0.0, 0.0])
        pair[0] += k
        pair[1] += n
    mine = TimeCells.of(a)
    mine.merge(pickle.loads(pickle.dumps(TimeCells.of(b))))
    assert [((s, bucket), [k, n]) for s, bucket, k, n in mine.items()] == list(merged.items())
    # counted as scoring counts: into `pending`, some of it folded into the arrays, the rest not yet
    counted, half = TimeCells(), len(b) // 2
    for i, ((s, bucket), (k, n)) in enumerate(b.items()):
        if i == half:
            counted.fold()
        cell = counted.pending[(s, bucket)]
        cell[0] += k
        cell[1] += n
    first = next(iter(b))
    counted.pending[first][1] += 1  # a cell already folded, counted again
    merged[first][1] += 1
    mine = TimeCells.of(a)
    mine.merge(counted)
    assert [((s, bucket), [k, n]) for s, bucket, k, n in mine.items()] == list(merged.items())
    again = pickle.loads(pickle.dumps(mine))  # rebuilt index: still finds every cell
    assert all(again.position(*key) == i for i, key in enumerate(merged))
    assert again.position("nobody", 3) == -1 and again.position("s1", MAX_BUCKET + 1) == -1


def test_counts_become_doubles_past_a_byte_or_when_not_whole() -> None:
    cells = TimeCells()
    for _ in range(300):
        cells.add("s", 5, 1, 1)
    cells.add("t", 5, 0.5, 2)
    assert list(cells.items()) == [("s", 5, 300.0, 300.0), ("t", 5, 0.5, 2)]
    assert cells.k.typecode == cells.n.typecode == "d"
    with pytest.raises(ValueError, match="out of range"):
        cells.add("s", MAX_BUCKET + 1, 1, 1)


@pytest.mark.parametrize("seed", range(6))
def test_two_way_rates_equal_the_dicts(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(seed)
    cells = _random_cells(rng, 800, scenarios=rng.choice([1, 3, 30]))
    hits = {key: [float(rng.randrange(0, 3)), 0.0] for key in rng.sample(sorted(cells), 100)}
    hits[("elsewhere", 7)] = [5.0, 0.0]  # a hit that is no attempt's cell counts for nothing, as before
    table = TwoWay(TimeCells.of(cells))
    assert table.rate() == oracle_two_way(cells)
    assert table.rate(TimeCells.of(hits)) == oracle_two_way(oracle_over_attempts(cells, hits))
    monkeypatch.setattr(stats, "SORT_AT_ONCE", 16)  # the large-run path: slices sorted apart, merged
    assert TwoWay(TimeCells.of(cells)).rate() == oracle_two_way(cells)


def test_a_time_cell_takes_tens_of_bytes_not_hundreds(spread_run: Path) -> None:
    """The samples of a run whose attempts start apart, added to one provider's metrics: the memory they keep,
    per (scenario, bucket) cell of the timed rates. The dict of tuple keys to [k, n] lists took ~250."""
    samples = list(iter_samples([load(spread_run)], None, ScoreOptions(), lambda _: None))
    tracemalloc.start()
    try:
        metrics = ProviderMetrics()
        base = tracemalloc.get_traced_memory()[0]
        for s in samples:
            metrics.add(s)
        # (counted into a dict, folded every FOLD_EVERY samples: what the last ones counted, folded now)
        cells = sum(len(t) for t in metrics.timed.values()) + sum(len(t) for t in metrics.error_cells.values())
        kept = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    assert cells > 2 * len(samples)
    assert kept / cells < 100, kept / cells  # all the metrics keep, per cell: ~70 (timing values included); 253 before
    assert set(metrics.result()["error_rates"]) >= set(ERROR_CLASSES)


@pytest.mark.parametrize(("cell", "pair", "message"), [
    ('tuple:["x", 1.5]', [1.0, 1.0], "bad cell"),
    (f'tuple:["x", {2**50}]', [1.0, 1.0], "bad cell"),
    ('tuple:[3, 4]', [1.0, 1.0], "bad cell"),
    ('tuple:["x", 4]', [0.5, 1.0], "whole numbers"),
    ('tuple:["x", 4]', [1.0, -1.0], "whole numbers"),
    ('tuple:["x", 4]', [1.0], "must be [k, n]"),
])
def test_a_partials_bad_time_cell_is_refused_naming_the_file(tmp_path: Path, cell: str, pair: list[float],
                                                             message: str) -> None:
    from click.testing import CliRunner

    from replaykit.cli import main

    runner = CliRunner()
    partial = tmp_path / "p.json"
    assert runner.invoke(main, ["score", str(EXAMPLE), "--partial", str(partial)]).exit_code == 0
    data = orjson.loads(partial.read_bytes())
    data["providers"]["sim-flaky"]["timed"]["success"][cell] = pair
    partial.write_bytes(orjson.dumps(data))
    result = runner.invoke(main, ["score", "--combine", str(partial)])
    assert result.exit_code == 2, result.output
    assert str(partial) in result.output and "providers.sim-flaky.timed" in result.output
    assert message in result.output and "Traceback" not in result.output


def test_a_partial_giving_a_cell_twice_is_refused(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from replaykit.cli import main

    runner = CliRunner()
    partial = tmp_path / "p.json"
    assert runner.invoke(main, ["score", str(EXAMPLE), "--partial", str(partial)]).exit_code == 0
    data = orjson.loads(partial.read_bytes())
    cells = data["providers"]["sim-flaky"]["timed"]["success"]
    key = next(iter(cells))
    cells[key.replace(",", ", ")] = cells[key]  # the same cell, spelled otherwise: it would count twice
    partial.write_bytes(orjson.dumps(data))
    result = runner.invoke(main, ["score", "--combine", str(partial)])
    assert result.exit_code == 2 and "given twice" in result.output, result.output
