"""`jixiao report`: the four charts carry the seed dataset's values."""
from __future__ import annotations

import argparse
import re
from decimal import Decimal
from pathlib import Path

import pytest

from pipeline import charts
from pipeline.extract import extract_file
from pipeline.store import write_extractions
from pipeline.svg import Bar, BarChart, Row, nice_ceiling, render
from schemas.records import extraction_to_json


@pytest.fixture(scope="module")
def page(seeds: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("parquet")
    write_extractions([extraction_to_json(extract_file(p)) for p in seeds.values()], out)
    return charts.build_report(out)


def bars(page: str) -> list[dict[str, str]]:
    return [dict(re.findall(r'(data-[\w-]+|fill)="([^"]*)"', m)) for m in re.findall(r"<rect class=\"bar\"([^>]*)>", page)]


def bar(page: str, label: str, series: str) -> dict[str, str]:
    [found] = [b for b in bars(page) if b["data-label"] == label and b["data-series"] == series]
    return found


def test_the_report_has_four_inline_charts(page: str) -> None:
    assert page.count("<svg ") == 4
    assert "<script" not in page and "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "5 documents, 7 reports, 3 check errors, 3 warnings" in page


def test_execution_rate_by_region_and_year(page: str) -> None:
    assert bar(page, "河北省 石家庄市", "2025")["data-value"] == "96.31"
    assert bar(page, "广东省 韶关市", "2022")["data-value"] == "100"
    assert bar(page, "北京市 丰台区", "2023")["data-value"] == "100"


def test_score_distribution_and_grades(page: str) -> None:
    assert bar(page, "95–100", "reports")["data-value"] == "3"  # Shaoguan 100, Fengtai 100 twice
    assert bar(page, "90–94", "reports")["data-value"] == "2"  # 93 and 92.07
    assert bar(page, "grade 优秀", "grades")["data-value"] == "2"
    assert bar(page, "grade 优", "grades")["data-value"] == "1"


def test_budget_against_spending(page: str) -> None:
    govoffice = "石家庄市人民政府办公室 2025"
    assert bar(page, govoffice, "budget 预算")["data-value"] == "9228.73"   # adjusted 一般公共预算
    assert bar(page, govoffice, "spending 支出")["data-value"] == "9027.32"  # 4493.13 + 4534.19
    assert bar(page, "北京市丰台区人民政府外事办公室 2023", "spending 支出")["data-value"] == "156.82"
    assert bar(page, "中共韶关市委外事工作委员会办公室 2022", "budget 预算")["data-value"] == "373.93"


def test_indicator_actuals_against_targets(page: str) -> None:
    weibo = bar(page, "发送的微博、微信公众号条数", "actual / target")
    assert (weibo["data-value"], weibo["fill"]) == ("68.1", charts.MET_COLORS[False])  # 245/12 of 30 a month
    lawyers = bar(page, "聘请律师次数", "actual / target")
    assert (lawyers["data-value"], lawyers["fill"]) == ("533.3", charts.MET_COLORS[True])  # 32 of ≥6, cut at 300
    assert "533.3% ›" in page
    assert bar(page, "任务响应时效", "actual / target")["data-value"] == "16.7"  # 5 minutes of ≤0.5 hours
    # One bar per indicator with both a target and a measured actual: the Fengtai 自评表's
    # 11 rows and the 15 govoffice prose indicators whose actual states a number.
    assert len([b for b in bars(page) if b["data-series"] == "actual / target"]) == 26


def test_report_command_and_an_empty_dataset(tmp_path: Path, capsys) -> None:
    parser = argparse.ArgumentParser()
    charts.register(parser.add_subparsers(dest="command", required=True))
    out = tmp_path / "r.html"
    args = parser.parse_args(["report", "--data", str(tmp_path), "--out", str(out)])
    assert args.func(args) == 0
    assert out.read_text(encoding="utf-8").count("No data.") == 4
    args = parser.parse_args(["report", "--data", str(tmp_path / "missing"), "--out", str(out)])
    assert args.func(args) == 1 and "no dataset at" in capsys.readouterr().err


def test_axis_ends_and_capped_bars() -> None:
    assert [nice_ceiling(Decimal(v)) for v in ("96.31", "9228.73", "3", "592")] == [100, 10000, 5, 1000]
    svg = render(BarChart("t", "%", [Row("a", [Bar("s", Decimal(450), "a")])], reference=Decimal(100), cap=Decimal(300)))
    assert 'data-value="450"' in svg and "450% ›" in svg and 'class="reference"' in svg
