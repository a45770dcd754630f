"""Reads scenario files (PyYAML's safe loader only) into validated `Scenario`s."""

from __future__ import annotations

import fnmatch
import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import yaml

from replaykit.errors import ScenarioError
from replaykit.scenarios.model import Scenario
from replaykit.scenarios.validate import build_scenario

MAX_FILE_BYTES = 8 * 1024 * 1024
SUFFIXES = (".yaml", ".yml")


_SafeBase: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ~15x faster


class _JSONSafeLoader(_SafeBase):
    """PyYAML's safe loader without implicit timestamps: `date: 2024-05-01` stays the string a model
    returns (a `datetime.date` would never equal it, fails `type: string` schemas, and is not JSON)."""


_JSONSafeLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def scenario_files(paths: Iterable[str | Path]) -> list[Path]:
    """Every scenario file under the given files or folders, in a stable order."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.suffix in SUFFIXES and f.is_file()))
        elif p.is_file():
            out.append(p)
        else:
            raise ScenarioError("no such file or folder", source=str(p))
    return out


def load_file(path: Path) -> list[Scenario]:
    """All scenarios in one file (a mapping, or a list of mappings)."""
    source = str(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ScenarioError(f"file is larger than {MAX_FILE_BYTES} bytes", source=source)
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ScenarioError(f"cannot read: {getattr(err, 'strerror', None) or err}", source=source) from None
    try:
        data = yaml.load(text, Loader=_JSONSafeLoader)  # a SafeLoader subclass: no arbitrary tags
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise ScenarioError(f"invalid YAML: {where}{problem}", source=source) from None
    if data is None:
        return []
    if isinstance(data, list):
        return [build_scenario(item, source, i) for i, item in enumerate(data)]
    return [build_scenario(data, source)]


@dataclass(frozen=True)
class ScenarioSet:
    """Scenarios by id, in file order."""

    scenarios: tuple[Scenario, ...]

    def __iter__(self) -> Iterator[Scenario]:
        return iter(self.scenarios)

    def __len__(self) -> int:
        return len(self.scenarios)

    def get(self, scenario_id: str) -> Scenario | None:
        return self._by_id.get(scenario_id)

    @property
    def _by_id(self) -> dict[str, Scenario]:
        cache = self.__dict__.get("_cache")
        if cache is None:
            cache = {s.id: s for s in self.scenarios}
            object.__setattr__(self, "_cache", cache)
        return cache

    def select(self, *, pattern: str | None = None, category: str | Sequence[str] | None = None,
               tags: Sequence[str] = ()) -> ScenarioSet:
        """Scenarios whose id matches the glob, of any of the categories given, carrying every tag."""
        categories = {category} if isinstance(category, str) else set(category or ())
        chosen = [
            s for s in self.scenarios
            if (pattern is None or fnmatch.fnmatchcase(s.id, pattern))
            and (not categories or s.category in categories)
            and all(t in s.tags for t in tags)
        ]
        return ScenarioSet(tuple(chosen))


def scenarios_from_snapshot(data: list[Any], source: str) -> ScenarioSet:
    """Scenarios stored in a run folder (`scenarios.json`: the raw mappings the run used). The last few sets
    built are kept by content: `score` asks for a run's set more than once (its sweep, its chunks)."""
    if not isinstance(data, list):
        raise ScenarioError("must be a JSON list of scenarios", source=source)
    key = (source, hashlib.blake2b(orjson.dumps(data), digest_size=20).digest())
    if key not in _BUILT:
        while len(_BUILT) >= 4:
            del _BUILT[next(iter(_BUILT))]
        _BUILT[key] = ScenarioSet(tuple(build_scenario(item, source, i, lint=False) for i, item in enumerate(data)))
    return _BUILT[key]


_BUILT: dict[tuple[str, bytes], ScenarioSet] = {}


def load_scenarios(paths: str | Path | Iterable[str | Path]) -> ScenarioSet:
    """Load and validate every scenario under `paths`; the first mistake raises ScenarioError."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    scenarios: list[Scenario] = []
    seen: dict[str, str] = {}
    for path in scenario_files(paths):
        for scenario in load_file(path):
            if scenario.id in seen:
                raise ScenarioError(f"duplicate id (also in {seen[scenario.id]})", source=str(path),
                                    item=scenario.id, field="id")
            seen[scenario.id] = str(path)
            scenarios.append(scenario)
    return ScenarioSet(tuple(scenarios))


def validate_paths(paths: Iterable[str | Path]) -> tuple[int, list[ScenarioError]]:
    """Check every file, collecting one error per bad file: (valid scenarios, errors)."""
    errors: list[ScenarioError] = []
    seen: dict[str, str] = {}
    count = 0
    for path in scenario_files(paths):
        try:
            loaded = load_file(path)
        except ScenarioError as err:
            errors.append(err)
            continue
        for scenario in loaded:
            if scenario.id in seen:
                errors.append(ScenarioError(f"duplicate id (also in {seen[scenario.id]})", source=str(path),
                                            item=scenario.id, field="id"))
                continue
            seen[scenario.id] = str(path)
            count += 1
    return count, errors
