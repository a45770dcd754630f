"""What is compared with what: `RUN` or `RUN:provider` references, their scored samples, and the pairs.

Samples are paired by (scenario, repetition): repetition r of a scenario on A against repetition r of the
same scenario on B. The scenario sets must match (same ids, same content hashes); a mismatch is bad input,
unless the caller asks to compare on the scenarios both sides share.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from replaykit.cassettes.run import Run, load_run
from replaykit.errors import BadInputError
from replaykit.score.engine import iter_samples, scenarios_for
from replaykit.score.sample import SampleScore, ScoreOptions

Key = tuple[str, int]  # (scenario, repetition)
Warn = Callable[[str], None]


@dataclass
class RunSamples:
    """One run, scored: samples by provider and key, and the hash of every scenario it was scored with."""

    run: Run
    samples: dict[str, dict[Key, SampleScore]]
    hashes: dict[str, str]

    @property
    def label(self) -> str:
        return self.run.id

    def providers(self) -> list[str]:
        return sorted(self.samples)

    def of(self, provider: str) -> dict[Key, SampleScore]:
        if provider not in self.samples:
            known = ", ".join(self.providers()) or "none"
            raise BadInputError(f"no provider {provider!r} in this run (providers: {known})",
                                source=str(self.run.root))
        return self.samples[provider]


class RunCache:
    """Loads and scores each run folder once, however many references name it."""

    def __init__(self, warn: Warn, options: ScoreOptions | None = None) -> None:
        self.warn = warn
        self.options = options or ScoreOptions()
        self._runs: dict[Path, RunSamples] = {}

    def get(self, path: str | Path) -> RunSamples:
        root = Path(path).resolve()
        if root not in self._runs:
            self._runs[root] = _score(load_run(path), self.options, self.warn)
        return self._runs[root]


def _score(run: Run, options: ScoreOptions, warn: Warn) -> RunSamples:
    samples: dict[str, dict[Key, SampleScore]] = {}
    for s in iter_samples([run], None, options, warn):
        samples.setdefault(s.provider, {})[(s.scenario, s.repetition)] = s
    if not samples:
        raise BadInputError("no scoreable cassettes in this run", source=str(run.root))
    hashes = {s.id: s.hash for s in scenarios_for(run, None)}
    return RunSamples(run, samples, hashes)


@dataclass(frozen=True)
class Ref:
    """`RUN` or `RUN:provider` as the user wrote it."""

    text: str
    path: str
    provider: str | None


def parse_ref(text: str) -> Ref:
    """A folder is a run; otherwise the part after the last ':' names a provider of the run before it."""
    if Path(text).is_dir():
        return Ref(text, text, None)
    head, sep, tail = text.rpartition(":")
    if sep and head and tail and Path(head).is_dir():
        return Ref(text, head, tail)
    where = head if sep and head else text
    raise BadInputError("no such run folder (want RUN or RUN:provider)", source=where)


@dataclass(frozen=True)
class Side:
    """One side of a comparison: a provider's samples in one run."""

    run: RunSamples
    provider: str

    @property
    def label(self) -> str:
        return f"{self.run.label}:{self.provider}"

    @property
    def samples(self) -> dict[Key, SampleScore]:
        return self.run.of(self.provider)


@dataclass
class Pairing:
    """The paired samples of two sides, in (scenario, repetition) order."""

    a: Side
    b: Side
    pairs: list[tuple[SampleScore, SampleScore]]
    unpaired_a: int = 0
    unpaired_b: int = 0
    dropped_scenarios: list[str] = field(default_factory=list)  # with `intersect`: on one side only

    @property
    def n(self) -> int:
        return len(self.pairs)

    @property
    def scenarios(self) -> int:
        return len({a.scenario for a, _ in self.pairs})


def pair(a: Side, b: Side, *, intersect: bool = False) -> Pairing:
    """Pair by (scenario, repetition); the scenario sets must match unless `intersect`."""
    sa, sb = a.samples, b.samples
    dropped = check_scenarios(a, b, intersect)
    keys = sorted(set(sa) & set(sb))
    # a sample the recording machine cut short (DNS, no route: class `harness`) says nothing of either provider
    keys = [k for k in keys if k[0] not in dropped and not (sa[k].harness_cut or sb[k].harness_cut)]
    if not keys:
        raise BadInputError(f"{a.label} and {b.label} have no sample in common "
                            "(same scenario and repetition)")
    shared = set(keys)
    return Pairing(a, b, [(sa[k], sb[k]) for k in keys],
                   unpaired_a=sum(k not in shared for k in sa if k[0] not in dropped),
                   unpaired_b=sum(k not in shared for k in sb if k[0] not in dropped),
                   dropped_scenarios=sorted(dropped))


def check_scenarios(a: Side, b: Side, intersect: bool) -> set[str]:
    """Scenarios to leave out. Without `intersect`, any mismatch of the scenario sets is bad input."""
    ids_a = {k[0] for k in a.samples}
    ids_b = {k[0] for k in b.samples}
    changed = sorted(s for s in ids_a & ids_b if a.run.hashes.get(s) != b.run.hashes.get(s))
    only_a, only_b = sorted(ids_a - ids_b), sorted(ids_b - ids_a)
    if intersect:
        return set(changed) | set(only_a) | set(only_b)
    if changed:
        raise BadInputError(f"scenario {changed[0]!r} differs between the two sides (content hash)"
                            + _more(changed) + "; compare on the rest with --intersect",
                            source=f"{a.label} vs {b.label}")
    for ids, here, other in ((only_a, a, b), (only_b, b, a)):
        if ids:
            raise BadInputError(f"scenario sets differ: {ids[0]!r}{_more(ids)} recorded for {here.label} "
                                f"but not for {other.label}; compare on the shared ones with --intersect")
    return set()


def _more(items: Sequence[str]) -> str:
    return f" and {len(items) - 1} more" if len(items) > 1 else ""


def sides_for(cache: RunCache, a: Ref, b: Ref) -> list[tuple[Side, Side]]:
    """The comparisons `diff A B` asks for.

    Both named (`RUN:p`): that one. A run with a single provider stands for it. Two runs without a
    provider: every provider they share, side by side (the same deployment before and after).
    """
    ra, rb = cache.get(a.path), cache.get(b.path)
    pa, pb = a.provider or _single(ra, b.provider), b.provider or _single(rb, a.provider)
    if pa and pb:
        if ra is rb and pa == pb:
            raise BadInputError(f"A and B are the same samples ({ra.label}:{pa}); "
                                "name two providers or two runs")
        return [(Side(ra, pa), Side(rb, pb))]
    if a.provider or b.provider:
        missing = b if pa else a
        run = rb if pa else ra
        raise BadInputError(f"this run has several providers ({', '.join(run.providers())}); "
                            f"name one as {missing.path}:PROVIDER", source=missing.path)
    shared = sorted(set(ra.providers()) & set(rb.providers()))
    if not shared:
        raise BadInputError(f"the two runs share no provider ({', '.join(ra.providers())} vs "
                            f"{', '.join(rb.providers())}); name them as RUN:PROVIDER")
    return [(Side(ra, p), Side(rb, p)) for p in shared]


def _single(run: RunSamples, fallback: str | None) -> str | None:
    providers = run.providers()
    if len(providers) == 1:
        return providers[0]
    if fallback is not None and fallback in providers:
        return fallback  # `diff RUN1:p RUN2`: the same provider in the other run
    return None
