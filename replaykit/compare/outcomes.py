"""A sample's normalized outcome (tool names, arguments, error class, finish reason, faults) and what
changed between two of them, by deepdiff.

The view keeps only what a user of the answer would notice: calls are sorted (their order is judged by the
checker, as `wrong_order`, where a scenario asks for it), retries and timing are left out (they are in the
metrics), and a sample without a usable answer is its error class alone.
"""

from __future__ import annotations

from typing import Any

import orjson
from deepdiff import DeepDiff
from deepdiff.path import parse_path

from replaykit.score.sample import SampleScore


def outcome_view(s: SampleScore) -> dict[str, Any]:
    if not s.usable:
        errors = [a.error_class for a in s.attempts if a.error_class]
        return {"error": errors[-1] if errors else "no_attempt", "steps": []}
    return {"error": None, "steps": [_step_view(step) for step in s.steps]}


def _step_view(step: dict[str, Any]) -> dict[str, Any]:
    if not step.get("answered"):
        return {"answered": False}
    calls = [_call_view(c) for c in step.get("calls", [])]
    return {"calls": [calls[i] for i in _call_order(step, calls)], "finish_reason": step.get("finish_reason"),
            "faults": sorted(step.get("faults", []))}


def _call_order(step: dict[str, Any], calls: list[dict[str, Any]]) -> list[int]:
    """The calls in the order of the expected calls they matched, then the others by name and arguments:
    two sides line up call by call even when a wrong value would sort a call elsewhere."""
    matched = [v["returned"] for v in sorted(step.get("verdicts", []), key=lambda v: v["expected"])
               if v.get("returned") is not None]
    rest = sorted((i for i in range(len(calls)) if i not in matched),
                  key=lambda i: orjson.dumps(calls[i], option=orjson.OPT_SORT_KEYS))
    return [*matched, *rest]


def _call_view(call: dict[str, Any]) -> dict[str, Any]:
    view = {"name": call["name"], "arguments": call.get("arguments")}
    if view["arguments"] is None:  # not a JSON object: what was sent is the only thing to show
        view["raw_arguments"] = call.get("raw_arguments")
    return view


def changes(a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    """What changed from A's outcome to B's: `{"path", "kind", "a", "b"}`, in path order."""
    if a == b:  # most pairs: a millisecond of deepdiff to find nothing
        return []
    # Faults are a set: one line "+ schema_violation, wrong_args" reads better than one per list slot.
    report = DeepDiff(a, b, verbose_level=2, exclude_regex_paths=[r"\['faults'\]$"]).to_dict()
    out: list[dict[str, Any]] = []
    for kind, entries in report.items():
        for path, detail in entries.items():
            out.append(_change(kind, path, detail))
    out += _fault_changes(a, b)
    out.sort(key=lambda c: (c["path"], c["kind"]))
    return out


def _fault_changes(a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    # Steps present on one side only are reported whole by deepdiff; here only the shared ones.
    for i, (sa, sb) in enumerate(zip(a["steps"], b["steps"], strict=False)):
        fa, fb = set(sa.get("faults", [])), set(sb.get("faults", []))
        if fa != fb and "faults" in sa and "faults" in sb:
            out.append({"path": f"steps[{i}].faults", "kind": "faults", "a": sorted(fa - fb),
                        "b": sorted(fb - fa)})
    return out


def _change(kind: str, path: str, detail: Any) -> dict[str, Any]:
    dotted = dotted_path(path)
    if kind in ("values_changed", "type_changes"):
        return {"path": dotted, "kind": "changed", "a": detail["old_value"], "b": detail["new_value"]}
    if kind in ("dictionary_item_added", "iterable_item_added"):
        return {"path": dotted, "kind": "added", "a": None, "b": detail}
    if kind in ("dictionary_item_removed", "iterable_item_removed"):
        return {"path": dotted, "kind": "removed", "a": detail, "b": None}
    return {"path": dotted, "kind": kind, "a": None, "b": str(detail)}


def dotted_path(deepdiff_path: str) -> str:
    """`root['steps'][0]['calls']` → `steps[0].calls`."""
    text = ""
    for part in parse_path(deepdiff_path):
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(root)"


def direction(a: SampleScore, b: SampleScore, changed: bool) -> str:
    """`regressed` (A right, B not), `improved`, `changed` (same verdict, other outcome) or `same`."""
    if a.success and not b.success:
        return "regressed"
    if b.success and not a.success:
        return "improved"
    return "changed" if changed else "same"


def render_change(c: dict[str, Any], width: int) -> str:
    """`steps[0].calls[0].arguments.days: 3 → "3"`, cut to `width`."""
    if c["kind"] == "faults":
        signs = [f"+ {f}" for f in c["b"]] + [f"− {f}" for f in c["a"]]
        text = f"{c['path']}: {', '.join(signs)}"
    elif c["kind"] == "added":
        text = f"{c['path']}: + {_value(c['b'])}"
    elif c["kind"] == "removed":
        text = f"{c['path']}: − {_value(c['a'])}"
    else:
        text = f"{c['path']}: {_value(c['a'])} → {_value(c['b'])}"
    return text if len(text) <= width else text[: width - 1] + "…"


def _value(v: Any) -> str:
    return orjson.dumps(v, option=orjson.OPT_SORT_KEYS).decode()
