"""Agreement with a reference provider, for runs of replay scenarios (`scenarios from-run`, docs/capture.md):
K2-Vendor-Verifier's trigger precision, recall and F1, and the call-level agreement — the same tool names,
exactly the same arguments, schema-valid calls, calls leaked as text — each with its 95% interval."""

from __future__ import annotations

from typing import Any

from replaykit.report.format import ranked

# (label, where in a provider's score JSON): the trigger rates exist only for runs with replay scenarios
TRIGGER = (("trigger P", ("trigger_precision",)), ("trigger R", ("trigger_recall",)),
           ("trigger F1", ("trigger_f1",)))
CALLS = (("same tools", ("tool_recall",)), ("exact args", ("param_accuracy",)),
         ("schema", ("schema_validity",)), ("text leaks", ("fault_rates", "text_tool_call")))
COLUMNS = (*TRIGGER, *CALLS)


def has_agreement(data: dict[str, Any]) -> bool:
    return any((m.get("trigger_f1") or {}).get("n") for m in data["providers"].values())


def value_of(m: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any] | None:
    found: Any = m
    for key in path:
        found = (found or {}).get(key)
    return found if isinstance(found, dict) else None


def cell(r: dict[str, Any] | None) -> str:
    """`96 (90–99)`: percent, its 95% interval; `-` when not measured."""
    if not r or r.get("value") is None:
        return "-"
    return f"{100 * r['value']:.0f} ({100 * r['low']:.0f}–{100 * r['high']:.0f})"


def rows(data: dict[str, Any], columns: tuple[tuple[str, tuple[str, ...]], ...] = COLUMNS) -> list[list[str]]:
    """One row per provider that has replay samples, best success first."""
    return [[name, *(cell(value_of(m, path)) for _, path in columns)] for name, m in ranked(data["providers"])
            if (m.get("trigger_f1") or {}).get("n")]


def note(data: dict[str, Any]) -> str:
    """What the figures are over; says so when the run also holds scenarios that are not replays."""
    text = ("Agreement with the reference provider's recorded answers, in % with the 95% interval (clustered by "
            "scenario). Trigger: called a tool where the reference did (a call written as text is no call).")
    mixed = any((m.get("by_tag") or {}).get("replay", {}).get("n", 0) < (m.get("success") or {}).get("n", 0)
                for m in data["providers"].values() if (m.get("trigger_f1") or {}).get("n"))
    if mixed:
        text += (" The run also holds scenarios that are not replays: same tools, exact args, schema and text "
                 "leaks are over every scenario scored, the trigger rates over the replay scenarios only.")
    return text


def lines(data: dict[str, Any], name_width: int = 20) -> list[str]:
    """The terminal's block: two small tables (trigger, then calls), each under 100 columns."""
    if not has_agreement(data):
        return []
    out = ["agreement with the reference (replay scenarios), % (95% interval):"]
    for columns in (TRIGGER, CALLS):
        table = [["provider", *(label for label, _ in columns)], *rows(data, columns)]
        for row in table:
            row[0] = row[0] if len(row[0]) <= name_width else row[0][: name_width - 1] + "…"
        widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
        out += ["  " + "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in
                                 enumerate(zip(row, widths, strict=True))).rstrip() for row in table]
    return out
