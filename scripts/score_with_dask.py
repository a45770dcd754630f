"""Score many runs (or the shards of one) on a Dask cluster: each task scores one run into a partial (the
map), the client combines them (the reduce), and the result is what `replaykit score` of all the runs gives
(rates exactly; percentiles within the sketch's 1%).

    pip install 'dask[distributed]'
    python scripts/score_with_dask.py shards/part-* -o report.md        # a local cluster on this machine
    python scripts/score_with_dask.py shards/part-* --scheduler tcp://scheduler:8786 -o report.md

Runs must be readable at the same paths by every worker (a shared filesystem or object-store mount).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from replaykit.score import ScoreResult
from replaykit.score.partial import combine_data, partial_of


def score_on_dask(runs: Sequence[str], client: Any) -> ScoreResult:
    """One task per run; the partials travel as plain JSON-able dicts."""
    futures = client.map(lambda path: partial_of([path]), list(runs), pure=False)
    partials = client.gather(futures)
    return combine_data([(data, str(path)) for data, path in zip(partials, runs, strict=True)])


def main() -> None:
    from dask.distributed import Client, LocalCluster

    from replaykit.report.files import write_report

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+")
    parser.add_argument("--scheduler", help="Address of a running scheduler (default: a local cluster)")
    parser.add_argument("-o", "--output", action="append", default=[], help=".json .md .csv (repeatable)")
    args = parser.parse_args()
    if args.scheduler:
        client = Client(args.scheduler)
    else:
        client = Client(LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None))
    with client:
        result = score_on_dask(args.runs, client)
    for path in args.output:
        write_report(result.data, path, None)
        print(f"wrote {path}")
    if not args.output:
        print(f"{result.scored} samples of {len(args.runs)} runs scored")


if __name__ == "__main__":
    main()
