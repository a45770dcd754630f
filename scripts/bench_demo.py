"""The demo shows true differences, the same way every time: two demos with one seed, at two paces.

    python scripts/bench_demo.py [--time-scale 0.5] [--repeat 1] [--seed 0]

Runs `replaykit.demo.run_demo` twice with the same seed (the second with a third of the concurrency, so its
requests come at other moments) and prints, per provider, whether every quality figure is identical, and the
TTFT and output tokens/s medians rescaled to the profiles' time next to the profile's own median. The last line
is `RESULT quality_identical=<0|1> ttft_rank_rho=<Spearman> tps_rank_rho=<Spearman>` (ρ = 1: the speed ranking
is the profiles'). Speed is measured on this machine: a loaded machine adds its own delay to every request,
scaled up by 1/time-scale, which compresses and can reorder close providers (check `uptime`).
"""

from __future__ import annotations

import argparse
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from replaykit.demo import run_demo, shipped
from replaykit.report.notes import scaled_distribution

SPEED = ("latency_ms", "ttft_ms", "output_tps", "config")


def _quality(data: dict[str, Any]) -> dict[str, Any]:
    return {n: {k: v for k, v in m.items() if k not in SPEED} for n, m in data["providers"].items()}


def _ranks(values: list[float]) -> list[float]:
    """Ranks, ties at their average (two providers share the sim-textcalls profile)."""
    return [sum(w < v for w in values) + (sum(w == v for w in values) - 1) / 2 for v in values]


def spearman(a: list[float], b: list[float]) -> float:
    """Pearson's correlation of the ranks."""
    ra, rb = _ranks(a), _ranks(b)
    ma, mb = sum(ra) / len(ra), sum(rb) / len(rb)
    cov = sum((x - ma) * (y - mb) for x, y in zip(ra, rb, strict=True))
    var = (sum((x - ma) ** 2 for x in ra) * sum((y - mb) ** 2 for y in rb)) ** 0.5
    return cov / var if var else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-scale", type=float, default=0.5)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    profiles = tomllib.loads(shipped("providers/sim-profiles.toml").read_text())["profiles"]
    routed = {name: cfg["routing"]["only"][0]
              for name, cfg in tomllib.loads(shipped("providers/sim.toml").read_text())["providers"].items()}
    with tempfile.TemporaryDirectory() as tmp:
        first = run_demo(Path(tmp) / "a", repeat=args.repeat, seed=args.seed, time_scale=args.time_scale)
        second = run_demo(Path(tmp) / "b", repeat=args.repeat, seed=args.seed, time_scale=args.time_scale,
                          concurrency=3)
    one, two = _quality(first.score.data), _quality(second.score.data)
    print(f"{'provider':22} {'same quality':>12} {'TTFT p50':>9} {'profile':>8} {'tok/s p50':>9} {'profile':>8}")
    rows = []
    for name, m in sorted(first.score.data["providers"].items()):
        profile = profiles[routed[name]]
        ttft, _ = scaled_distribution(m, "ttft_ms")
        tps, _ = scaled_distribution(m, "output_tps")
        rows.append((ttft["p50"], profile["ttft_ms"]["median"], tps["p50"], profile["tps"]["median"]))
        print(f"{name:22} {'yes' if one[name] == two.get(name) else 'NO':>12} {ttft['p50']:>9.0f} "
              f"{profile['ttft_ms']['median']:>8} {tps['p50']:>9.0f} {profile['tps']['median']:>8}")
    rho_ttft = spearman([r[0] for r in rows], [r[1] for r in rows])
    rho_tps = spearman([r[2] for r in rows], [r[3] for r in rows])
    print(f"RESULT quality_identical={int(one == two)} ttft_rank_rho={rho_ttft:.3f} tps_rank_rho={rho_tps:.3f}")


if __name__ == "__main__":
    main()
