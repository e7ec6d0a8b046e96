"""Money facts, rates and scores on sentences as the seed reports print them."""
from __future__ import annotations

from decimal import Decimal

import pytest

from extractors.rules.money_facts import analyse_paragraph
from extractors.rules.targets import parse_target


def facts(text: str, headings: list[str] | None = None):
    return [(f.money.value, f.item, f.stage, f.skip is None) for f in analyse_paragraph(text, 0, headings or [])]


def test_breakdown_inherits_stage_of_its_total():
    text = ("石家庄市人民政府外事办公室2025年度预算收入总计1856.62万元,其中,一般公共预算收入1856.62万元,"
            "2025年度支出1856.62万元,结转结余0万元。其中,人员经费支出1453.62万元,日常公用经费106.3万元,项目支出296.7万元。")
    assert facts(text) == [
        ("1856.62", "revenue_total", "initial", True), ("1856.62", "fiscal_funds", "initial", True),
        ("1856.62", "expenditure_total", "actual", True), ("0", "carryover", "actual", True),
        ("1453.62", "personnel", "actual", True), ("106.3", "public_funds", "actual", True),
        ("296.7", "project", "actual", True),
    ]


def test_stage_words_and_running_context():
    assert facts("2025年预算调整具体为：一般公共预算9228.73万元。基本支出4520.63万元，项目支出4708.1万元。") == [
        ("9228.73", "fiscal_funds", "adjusted", True), ("4520.63", "basic", "adjusted", True),
        ("4708.1", "project", "adjusted", True)]
    assert facts("我办2025年一般公共预算9323.68万元，基本支出4626.51万元，项目支出4697.17万元。")[0][2] == "initial"


def test_generic_budget_under_adjusted_total_is_adjusted():
    got = facts("2023 年全年预算数 156.82 万元，其中，基本支出预算数 152.39 万元，项目支出预算数 4.43 万元。")
    assert got == [("156.82", "expenditure_total", "adjusted", True), ("152.39", "basic", "adjusted", True),
                   ("4.43", "project", "adjusted", True)]


def test_three_public_pairs_and_year_on_year_changes():
    text = ("市委外办2022年度“三公”经费财政拨款支出决算为2.0万元，完成预算4.5万元的44.44%。其中：因公出国（境）费支出决算为0万元，"
            "预算为0万元 ；公务用车购置及运行费支出决算为1.79万元，完成预算2万元的89.8% 。")
    assert facts(text) == [
        ("2.0", "three_public", "actual", True), ("4.5", "three_public", "initial", True),
        ("0", "three_public.outbound", "actual", True), ("0", "three_public.outbound", "initial", True),
        ("1.79", "three_public.vehicle", "actual", True), ("2", "three_public.vehicle", "initial", True)]
    changes = facts("市委外办一般公共预算财政拨款收入373.93万元，比上年决算数减少42.1万元，下降10.12%。",
                    ["1.2022年度收入支出决算总体情况说明"])
    assert changes == [("373.93", "fiscal_funds", "actual", True), ("42.1", "expenditure_total", "actual", False)]


def test_breakdown_parts_without_known_item_are_other():
    got = facts("截至2025年底，我办共有资产206.48万元，其中：货币资金23.87万元，固定资产净值182.37万元。")
    assert got == [("206.48", "assets_total", "actual", True), ("23.87", "other", "actual", True),
                   ("182.37", "other", "actual", True)]


def test_amounts_of_named_project_funds_are_not_department_totals():
    got = facts("2025年市财政局批复我办19个项目，涉及预算资金4708.1万元，预算资金支出4534.19万元，预算执行率96.31%。")
    assert [g[1] for g in got] == [None, None]


@pytest.mark.parametrize("text, op, value, unit", [
    ("≥90%", ">=", "90", "%"), ("不少于 10 次", ">=", "10", "次"), ("400 人次左右", "~", "400", "人次"),
    ("满意度达到 80%以上", ">=", "80", "%"), ("100%受理", "=", "100", "%"), ("人均费用不 超过 100 元", "<=", "100", "元"),
    ("≥9 批 (次)", ">=", "9", "批(次)"), ("≤17.31万 元", "<=", "17.31", "万元"), ("≥30条/月", ">=", "30", "条/月"),
    ("12 月底前", None, None, None), ("按要求完成任务", None, None, None), ("10", "=", "10", None),
])
def test_targets(text, op, value, unit):
    target = parse_target(text)
    assert (target.op, target.value, target.unit) == (op, Decimal(value) if value else None, unit)


@pytest.mark.parametrize("label, cleaned", [
    ("其中包括专项业务经费", "专项业务经费"), ("（人员经费", "人员经费"), ("年中调增预算金额", "年中调增预算金额"),
    ("固定资产累计折旧", "固定资产累计折旧"), ("其中：政府性基金预算拨款", "政府性基金预算拨款"),
])
def test_other_labels_lose_sentence_words_only(label, cleaned):
    from extractors.rules.labels import clean_label

    assert clean_label(label) == cleaned
