"""Score checks: indicator scores and weights against the total, grades against bands."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from extractors.context import ReportContext
from extractors.rules.check_terms import about, half_unit, plain
from extractors.rules.funds_row import FundsRow, funds_row, table_bounds
from extractors.rules.grade_bands import band_for, default_bands, same_grade, stated_bands
from schemas.records import Check, Evidence, Indicator, Score

FULL_MARKS = Decimal(100)


@dataclass
class ScoreTable:
    """The indicator rows scored together with a total score.

    `complete` when the rows were read from the score's own table, funds row included
    if it has one; without the table (no context) a funds row may be missing from the
    sums, so they can only be said to be too large, not too small.
    """

    rows: list[Indicator]
    funds: FundsRow | None
    complete: bool


@dataclass
class ColumnSum:
    total: Decimal
    tolerance: Decimal
    how: str
    evidence: list[Evidence]

    def differs(self, stated: Decimal, complete: bool) -> bool:
        gap = self.total - stated
        return (gap if not complete else abs(gap)) > self.tolerance + half_unit(stated)


def _score_table(score: Score, indicators: list[Indicator], ctx: ReportContext | None) -> ScoreTable:
    bounds = table_bounds(ctx, score.evidence.start) if ctx else None
    if ctx is None or bounds is None:
        return ScoreTable([i for i in indicators if i.scope == score.scope], None, False)
    rows = [i for i in indicators if bounds[0] <= i.evidence.start < bounds[1]]
    return ScoreTable(rows, funds_row(ctx, score.evidence.start), True)


def _column_sum(table: ScoreTable, column: str) -> ColumnSum | None:
    """The sum of one column (weight 分值 or score 得分) over the rows and the funds row."""
    values = [getattr(i, column) for i in table.rows]
    if len(values) < 2 or any(v is None for v in values):
        return None
    found = ColumnSum(sum(values, Decimal(0)), sum((half_unit(v) for v in values), Decimal(0)),
                      f"{len(values)} indicators {plain(sum(values, Decimal(0)))}", [i.evidence for i in table.rows])
    extra = getattr(table.funds, column) if table.funds else None
    if extra is not None:
        found.total += extra
        found.tolerance += half_unit(extra)
        found.how += f" + 年度资金总额 {plain(extra)}"
        found.evidence.insert(0, table.funds.evidence)
    return found


def table_sum_checks(scores: list[Score], indicators: list[Indicator], ctx: ReportContext | None) -> list[Check]:
    checks: list[Check] = []
    for score in scores:
        table = _score_table(score, indicators, ctx)
        summed = _column_sum(table, "score")
        if summed and summed.differs(score.total_score, table.complete):
            checks.append(Check(
                check="indicator_score_sum", severity="error",
                message=f"{about(score.scope)}the 得分 add up to {plain(summed.total)} ({summed.how}), "
                        f"but the total score is {plain(score.total_score)}",
                expected=plain(summed.total), observed=plain(score.total_score),
                evidence=[score.evidence] + summed.evidence,
            ))
        weights = _column_sum(table, "weight")
        full = score.max_score or FULL_MARKS
        if weights and weights.differs(full, table.complete):
            checks.append(Check(
                check="indicator_weight_sum", severity="error",
                message=f"{about(score.scope)}the 分值 add up to {plain(weights.total)} ({weights.how}), "
                        f"but the table is scored out of {plain(full)}",
                expected=plain(full), observed=plain(weights.total),
                evidence=[score.evidence] + weights.evidence,
            ))
        if score.max_score is not None and score.total_score > score.max_score:
            checks.append(Check(
                check="score_above_max", severity="error",
                message=f"{about(score.scope)}total score {plain(score.total_score)} is above the maximum "
                        f"{plain(score.max_score)}",
                expected=f"<= {plain(score.max_score)}", observed=plain(score.total_score),
                evidence=[score.evidence],
            ))
    return checks


def score_above_weight_checks(indicators: list[Indicator]) -> list[Check]:
    return [
        Check(
            check="score_above_weight", severity="error",
            message=f"{about(i.scope, i.level3)}得分 {plain(i.score)} is above its 分值 {plain(i.weight)}",
            expected=f"<= {plain(i.weight)}", observed=plain(i.score), evidence=[i.evidence],
        )
        for i in indicators
        if i.score is not None and i.weight is not None and i.score - i.weight > half_unit(i.score)
    ]


def grade_checks(scores: list[Score], ctx: ReportContext | None) -> list[Check]:
    """A grade against the band its score falls in: the report's bands, else the usual ones."""
    checks: list[Check] = []
    bands = stated_bands(ctx.text) if ctx else []
    stated = bool(bands)
    for score in scores:
        if not score.grade or (score.max_score is not None and score.max_score != FULL_MARKS):
            continue
        band = band_for(score.total_score, bands or default_bands())
        if band is None or same_grade(score.grade, band.grade):
            continue
        evidence = [score.evidence]
        if stated and ctx:
            evidence.append(ctx.evidence(ctx.span.start + band.start, ctx.span.start + band.end))
        source = "the report's own bands" if stated else "the usual bands (90/80/60; the report states none)"
        checks.append(Check(
            check="grade_band", severity="error" if stated else "warning",
            message=f"{about(score.scope)}score {plain(score.total_score)} is graded {score.grade}, "
                    f"but falls in {band.grade} by {source}",
            expected=band.grade, observed=score.grade, evidence=evidence,
        ))
    return checks
