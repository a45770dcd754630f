"""Schema validity of returned calls (jsonschema), cached: runs repeat the same calls many times."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

from replaykit.normalize.outcome import Call
from replaykit.scenarios.linear_regex import use_linear_regex
from replaykit.scenarios.model import Scenario


class SchemaChecker:
    def __init__(self) -> None:
        use_linear_regex()  # `pattern` keywords come from shared scenarios: RE2, never backtracking
        self._validators: dict[tuple[str, str], Draft202012Validator | None] = {}
        self._results: dict[tuple[str, str, str], str | None] = {}

    def problem(self, scenario: Scenario, call: Call) -> str | None:
        """None when the call names an offered tool and its arguments validate; else the reason."""
        key = (scenario.hash, call.name, call.raw_arguments)
        if key in self._results:
            return self._results[key]
        result = self._check(scenario, call)
        if len(self._results) < 20_000:  # bounded: a large run of unique answers must not grow memory
            self._results[key] = result
        return result

    def _check(self, scenario: Scenario, call: Call) -> str | None:
        validator = self._validator(scenario, call.name)
        if validator is None:
            return f"unknown tool {call.name!r}"
        if call.arguments is None:
            return "arguments are not a valid JSON object"
        error = next(iter(validator.iter_errors(call.arguments)), None)
        if error is None:
            return None
        where = "/".join(str(p) for p in error.path)
        return f"{where or '(root)'}: {error.message}"

    def _validator(self, scenario: Scenario, name: str) -> Draft202012Validator | None:
        key = (scenario.hash, name)
        if key not in self._validators:
            schema: dict[str, Any] | None = scenario.score_schema(name)
            self._validators[key] = Draft202012Validator(schema) if schema is not None else None
        return self._validators[key]
