"""Consistency checks an auditor would recompute from a report's own numbers.

`error` when the report's numbers contradict each other beyond the rounding of their
printed digits; `warning` for softer findings (an inferred pairing, a missed target,
a carryover beside full execution, one amount stated twice differently). Checks that
read the report's text or tables (stated grade bands, a 自评表's funds row) need its
context and are skipped without one.
"""
from __future__ import annotations

from extractors.context import ReportContext
from extractors.rules.check_money import Figures, carryover_checks, conflict_checks, rate_checks, sum_checks
from extractors.rules.check_scores import grade_checks, score_above_weight_checks, table_sum_checks
from extractors.rules.check_targets import target_checks
from schemas.records import Check, Figure, Report


def report_checks(report: Report, conflicts: list[tuple[Figure, Figure]],
                  ctx: ReportContext | None = None) -> list[Check]:
    figures = Figures.of(report.figures)
    return [
        *sum_checks(figures),
        *rate_checks(report.execution_rates, figures),
        *carryover_checks(report.execution_rates, figures),
        *conflict_checks(conflicts),
        *table_sum_checks(report.scores, report.indicators, ctx),
        *score_above_weight_checks(report.indicators),
        *grade_checks(report.scores, ctx),
        *target_checks(report.indicators, ctx),
    ]
