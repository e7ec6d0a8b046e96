"""Layouts the seeds do not show, written in the shape of other provinces' reports.

These inputs are constructed (tests/data/constructed), not published documents: they
exercise rule paths for the national 项目支出绩效自评表 template without a leading
merged column, a 自评等级 row, a county department named with province and city, and
rates stated per spending part.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from pipeline.extract import extract_file

DATA = Path(__file__).parent / "data" / "constructed"


def test_national_self_eval_template():
    report = extract_file(DATA / "county-selfeval.txt").reports[0]
    assert (report.report_type, report.department, report.region.adcode) == (
        "project_self_eval", "四川省成都市双流区教育局", "510116")
    figures = {(f.item, f.stage): f.amount_yuan for f in report.figures}
    assert figures[("expenditure_total", "adjusted")] == Decimal("11500000")
    assert figures[("prior_year_carryover", "actual")] == Decimal("1205000")
    score = report.scores[0]
    assert (score.total_score, score.max_score, score.grade) == (Decimal("96.57"), Decimal("100"), "优")
    late = next(i for i in report.indicators if i.level3 == "资金拨付及时率")
    assert (late.target_op, late.target_value, late.actual_value, late.score) == (">=", Decimal("95"), Decimal("92"), Decimal("14"))
    assert late.deviation_note == "个别学校报送延迟"
    assert [i.level3 for i in report.indicators][-1] == "家长满意度"


def test_rates_of_spending_parts_keep_their_names():
    report = extract_file(DATA / "county-dept.txt").reports[0]
    assert report.department == "湖南省长沙市望城区农业农村局"
    rates = {r.scope: r.rate_percent for r in report.execution_rates}
    assert rates == {"基本支出": Decimal("97.21"), "项目支出": Decimal("95"), "department": Decimal("95.6")}
    vehicle = [f for f in report.figures if f.item == "three_public.vehicle"]
    assert [(f.stage, f.value) for f in vehicle] == [("initial", "15"), ("actual", "12.3")]


def test_target_sign_value_and_unit_in_separate_columns():
    indicator = extract_file(DATA / "sign-unit-columns.txt").reports[0].indicators[0]
    assert (indicator.target, indicator.target_op, indicator.target_value, indicator.target_unit, indicator.weight) == (
        "≥300人次", ">=", Decimal("300"), "人次", Decimal("20"))
