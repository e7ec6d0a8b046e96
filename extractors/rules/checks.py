"""Consistency checks an auditor would recompute from a report's own numbers."""
from __future__ import annotations

from schemas.records import Check, Figure, Report


def report_checks(report: Report, conflicts: list[tuple[Figure, Figure]]) -> list[Check]:
    checks: list[Check] = []
    for kept, other in conflicts:
        checks.append(Check(
            check="conflicting_amounts",
            severity="warning",
            message=f"{kept.item} ({kept.stage}) is stated as {kept.value}{kept.unit} and as {other.value}{other.unit}",
            expected=str(kept.amount_yuan), observed=str(other.amount_yuan),
            evidence=[kept.evidence, other.evidence],
        ))
    return checks
