"""End-to-end extraction of the seeds: report metadata, evidence and specific records."""
from __future__ import annotations

from decimal import Decimal

import pytest

from extractors.readers import read_document
from pipeline.extract import extract_document
from schemas.records import extraction_to_json


@pytest.fixture(scope="module")
def extracted(seeds):
    return {name: extract_document(read_document(path)) for name, path in seeds.items()}


def test_every_evidence_is_the_exact_text_slice(extracted, seeds):
    for name, extraction in extracted.items():
        text = read_document(seeds[name]).text
        for report in extraction.reports:
            records = report.figures + report.execution_rates + report.scores + report.indicators + report.projects
            assert records
            for record in records:
                ev = record.evidence
                assert 0 <= ev.start < ev.end <= len(text)
                assert text[ev.start:ev.end] == ev.text


def test_attachment_package_is_split_and_short_forms_resolved(extracted):
    reports = extracted["beijing-fengtai-fao-2023-project-and-dept-eval"].reports
    assert [r.attachment for r in reports] == ["附件2", "附件3", "附件4"]
    assert [r.report_type for r in reports] == ["project_self_eval", "project_self_eval", "dept_overall_self_eval"]
    assert {r.department for r in reports} == {"北京市丰台区人民政府外事办公室"}
    assert reports[0].region.adcode == "110106"
    assert [r.report_date for r in reports] == ["2024-03-26", None, "2024-03-27"]


def test_self_eval_table_total_score_and_rate(extracted):
    table_report = extracted["beijing-fengtai-fao-2023-project-and-dept-eval"].reports[1]
    assert [(s.scope, s.total_score, s.max_score) for s in table_report.scores] == [
        ("外事办外事工作经费", Decimal("100"), Decimal("100"))]
    rate = table_report.execution_rates[0]
    assert (rate.rate_percent, rate.budget_yuan, rate.executed_yuan) == (Decimal("100"), Decimal("43000.0"), Decimal("43000.0"))


def test_budget_target_tables_give_projects(extracted):
    projects = extracted["shijiazhuang-fao-2024-budget-targets"].reports[0].projects
    by_name = {p.name: p for p in projects}
    assert len(projects) == 8
    assert by_name["业务培训费"].code == "13010024P000075100212"
    assert by_name["业务培训费"].spend_plan == {"3": 30, "6": 40, "10": 90, "12": 100}
    assert by_name["办公设备购置"].spend_plan == {"6": 60, "10": 90, "12": 100}
    assert by_name["对外交流活动经费"].budget_yuan == Decimal("10000000")


def test_signing_date_is_the_last_line_not_the_cover_date(extracted):
    report = extracted["shaoguan-fao-2022-dept-self-eval"].reports[0]
    assert report.report_date == "2023-03-16"
    assert report.department == "中共韶关市委外事工作委员会办公室"
    assert report.fiscal_year == 2022


def test_json_money_is_exact_decimal_strings(extracted):
    data = extraction_to_json(extracted["shijiazhuang-fao-2025-dept-self-eval"])
    figure = data["reports"][0]["figures"][0]
    assert (figure["value"], figure["unit"], figure["amount_yuan"]) == ("1856.62", "万元", "18566200")
    assert data["schema_version"] == 1 and len(data["doc_id"]) == 64
