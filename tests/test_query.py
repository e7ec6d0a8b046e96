"""`jixiao query`, `rates` and `checks` over a dataset built from the five seeds."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline import query
from pipeline.extract import extract_file
from pipeline.store import write_extractions
from pipeline.tabular import clip, width
from schemas.records import extraction_to_json
from schemas.tables import TABLES


@pytest.fixture(scope="module")
def data(seeds: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("parquet")
    result = write_extractions([extraction_to_json(extract_file(p)) for p in seeds.values()], out)
    assert not result.failed
    return out


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="jixiao")
    query.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    code = args.func(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def as_json(capsys, *argv: str) -> list[dict]:
    code, out, err = run(capsys, *argv, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def test_display_width_counts_chinese_as_two() -> None:
    assert width("北京市") == 6 and width("a1") == 2 and width("（含）") == 6
    assert clip("中共韶关市委外事工作委员会办公室", 10) == "中共韶关…"


def test_query_prints_an_aligned_table(capsys, data: Path) -> None:
    code, out, _ = run(capsys, "query", "SELECT scope, rate_percent, budget_yuan FROM execution_rates "
                       "WHERE department LIKE '%韶关%' ORDER BY rate_percent", "--data", str(data))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["scope", "rate_percent", "budget_yuan"]
    assert [line.split() for line in lines[2:6]] == [
        ["公务接待费", "8", "25000"], ["“三公”经费", "44.44", "45000"],
        ["公务用车购置及运行费", "89.8", "20000"], ["department", "100"]]
    assert lines[-1] == "(4 rows)"
    # Right-aligned numbers end in the same display column on every line.
    ends = {width(line[:line.index(num) + len(num)]) for line, num in zip(lines[2:6], ["8", "44.44", "89.8", "100"])}
    assert len(ends) == 1


def test_query_formats(capsys, data: Path, tmp_path: Path) -> None:
    sql = "SELECT scope, stage, item, value, amount_yuan FROM figures WHERE item = 'three_public.vehicle' ORDER BY stage"
    rows = as_json(capsys, "query", sql, "--data", str(data))
    assert rows == [
        {"scope": "department", "stage": "actual", "item": "three_public.vehicle", "value": "1.79", "amount_yuan": "17900"},
        {"scope": "department", "stage": "initial", "item": "three_public.vehicle", "value": "2", "amount_yuan": "20000"},
    ]
    code, out, _ = run(capsys, "query", sql, "--data", str(data), "--format", "csv")
    assert out.splitlines() == ["scope,stage,item,value,amount_yuan", "department,actual,three_public.vehicle,1.79,17900",
                                "department,initial,three_public.vehicle,2,20000"]
    target = tmp_path / "v.parquet"
    code, out, _ = run(capsys, "query", sql, "--data", str(data), "--format", "parquet", "--out", str(target))
    assert code == 0 and out == ""
    assert pq.read_table(target).column("value").to_pylist() == ["1.79", "2"]
    code, _, err = run(capsys, "query", sql, "--data", str(data), "--format", "parquet")
    assert code == 1 and "needs --out" in err


def test_views_read_the_exact_department_and_nested_columns(capsys, data: Path) -> None:
    rows = as_json(capsys, "query", "SELECT DISTINCT department, fiscal_year FROM reports ORDER BY ALL", "--data", str(data))
    assert [(r["department"], r["fiscal_year"]) for r in rows] == [
        ("中共韶关市委外事工作委员会办公室", 2022), ("北京市丰台区人民政府外事办公室", 2023),
        ("石家庄市人民政府办公室", 2025), ("石家庄市人民政府外事办公室", 2024), ("石家庄市人民政府外事办公室", 2025)]
    [plan] = as_json(capsys, "query", "SELECT spend_plan FROM projects WHERE name = '业务培训费'", "--data", str(data))
    assert plan["spend_plan"] == {"3": 30, "6": 40, "10": 90, "12": 100}


def test_an_empty_dataset_has_every_view_with_its_columns(capsys, tmp_path: Path) -> None:
    rows = as_json(capsys, "query", "SELECT count(*) AS n FROM checks", "--data", str(tmp_path))
    assert rows == [{"n": 0}]
    described = as_json(capsys, "query", "DESCRIBE indicators", "--data", str(tmp_path))
    assert [r["column_name"] for r in described] == TABLES["indicators"].names
    assert {r["column_name"]: r["column_type"] for r in described}["weight"] == "DECIMAL(24,6)"


def test_errors_are_one_line(capsys, data: Path, tmp_path: Path) -> None:
    code, out, err = run(capsys, "query", "SELECT 1", "--data", str(tmp_path / "missing"))
    assert code == 1 and out == "" and err.count("\n") == 1 and "no dataset at" in err
    code, _, err = run(capsys, "query", "SELEC 1", "--data", str(data))
    assert code == 1 and err.count("\n") == 1 and err.startswith("jixiao query: Parser Error")
    code, _, err = run(capsys, "query", "SELECT * FROM nope", "--data", str(data))
    assert code == 1 and err.count("\n") == 1 and "nope" in err


def test_rates_by_region_and_year(capsys, data: Path) -> None:
    rows = as_json(capsys, "rates", "--data", str(data))
    assert [(r["region"], r["year"], r["rates"], r["mean_rate"], r["weighted_rate"], r["weighted_n"]) for r in rows] == [
        ("北京市 丰台区", 2023, 1, "100", None, 0),
        ("广东省 韶关市", 2022, 1, "100", None, 0),
        ("河北省 石家庄市", 2025, 1, "96.31", "96.31", 1),
    ]
    assert rows[1]["reports"] == "shaoguan-fao-2022-dept-self-eval.txt#0"


def test_rates_of_all_scopes_weighted_by_budget(capsys, data: Path) -> None:
    rows = as_json(capsys, "rates", "--by", "department,year", "--scope", "all", "--data", str(data))
    shaoguan = next(r for r in rows if r["department"] == "中共韶关市委外事工作委员会办公室")
    # (100 + 44.44 + 89.8 + 8) / 4; weighted by the 三公 budgets 4.5, 2 and 2.5 万元 only
    assert (shaoguan["rates"], shaoguan["mean_rate"], shaoguan["weighted_rate"], shaoguan["weighted_n"]) == (
        4, "60.56", "44.4", 3)
    fengtai = next(r for r in rows if r["department"] == "北京市丰台区人民政府外事办公室")
    assert fengtai["reports"] == ("beijing-fengtai-fao-2023-project-and-dept-eval.txt#0, "
                                  "beijing-fengtai-fao-2023-project-and-dept-eval.txt#1, "
                                  "beijing-fengtai-fao-2023-project-and-dept-eval.txt#2")


def test_scores_by_region(capsys, data: Path) -> None:
    rows = as_json(capsys, "rates", "--what", "scores", "--by", "region", "--data", str(data))
    assert [(r["region"], r["scores"], r["mean_score"], r["grades"], r["ungraded"]) for r in rows] == [
        ("北京市 丰台区", 1, "100", "", 1), ("广东省 韶关市", 1, "100", "优 1", 0),
        ("河北省 石家庄市", 2, "92.54", "优秀 2", 0)]
    code, _, err = run(capsys, "rates", "--by", "city,colour", "--data", str(data))
    assert code == 2 and "unknown dimension colour" in err


def test_checks_across_the_dataset(capsys, data: Path) -> None:
    rows = as_json(capsys, "checks", "--data", str(data))
    assert [(r["source"].split("-")[0] + "#" + str(r["report"]), r["severity"], r["check"]) for r in rows] == [
        ("beijing#1", "error", "indicator_score_sum"),
        ("beijing#1", "error", "indicator_weight_sum"),
        ("beijing#2", "warning", "carryover_full_execution"),
        ("beijing#2", "warning", "conflicting_amounts"),
        ("shaoguan#0", "error", "rate_amounts"),
        ("shijiazhuang#0", "warning", "indicator_target_missed"),
    ]
    errors = as_json(capsys, "checks", "--severity", "error", "--check", "rate_amounts", "--data", str(data))
    assert [r["message"] for r in errors] == ["公务用车购置及运行费: stated rate 89.8% but 1.79万元 / 2万元 = 89.5%"]
    code, out, _ = run(capsys, "checks", "--severity", "error", "--data", str(data))
    assert code == 0 and out.splitlines()[-1] == "(3 rows)"


def test_notes_show_what_the_rules_did_not_place(capsys, data: Path) -> None:
    sql = ("SELECT department, kind, evidence_text FROM notes "
           "WHERE department = '石家庄市人民政府办公室' ORDER BY evidence_start")
    rows = as_json(capsys, "query", sql, "--data", str(data))
    assert [r["kind"] for r in rows] == ["unclassified_amount", "unclassified_amount"]
    assert ["4708.1万元" in r["evidence_text"] for r in rows] == [True, False]
    assert "4534.19万元" in rows[1]["evidence_text"]
