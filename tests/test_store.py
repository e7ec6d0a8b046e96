"""The Parquet store: exact types, replace-not-duplicate, and paths that stay inside out_dir."""
from __future__ import annotations

import ast
import copy
import hashlib
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pytest

from pipeline.store import (
    HIVE_NULL,
    MAX_VALUE_BYTES,
    DocumentParts,
    PartFiles,
    discard,
    encode_document,
    encode_partition_value,
    read_table,
    stage,
    write_extractions,
)
from schemas.tables import TABLES, markdown_table

DEPT = "石家庄市人民政府外事办公室"
DOC_ID = hashlib.sha256(b"shijiazhuang-fao-2025-dept-self-eval").hexdigest()
OTHER_ID = hashlib.sha256(b"another file").hexdigest()
WHEN = datetime(2026, 5, 1, 8, 30, tzinfo=timezone.utc)


def ev(start: int, text: str, page: int | None = None) -> dict[str, Any]:
    return {"page": page, "start": start, "end": start + len(text), "text": text}


def make_extraction(
    doc_id: str = DOC_ID, department: str | None = DEPT, year: int | None = 2025
) -> dict[str, Any]:
    """A 部门整体支出绩效自评 extraction in the contract's JSON shape."""
    report = {
        "report_index": 0,
        "attachment": "附件4",
        "report_type": "dept_overall_self_eval",
        "department": department,
        "region": {"province": "河北省", "city": "石家庄市", "county": None, "adcode": "130100"},
        "fiscal_year": year,
        "report_date": "2026-04-24",
        "evidence": ev(0, "2025年度部门整体支出绩效自评报告"),
        "figures": [
            {
                "scope": "department", "stage": "initial", "item": "revenue_total",
                "value": "1856.62", "unit": "万元", "amount_yuan": "18566200",
                "evidence": ev(120, "收入总计1856.62万元"),
            },
            {
                "scope": "department", "stage": "actual", "item": "other", "label": "专项业务费",
                "value": "0.0123", "unit": "元", "amount_yuan": "0.0123",
                "evidence": ev(180, "专项业务费0.0123元"),
            },
        ],
        "execution_rates": [
            {
                "scope": "department", "rate_percent": 99.87, "budget_yuan": "18566200",
                "executed_yuan": "18542064.5", "evidence": ev(240, "预算执行率99.87%"),
            }
        ],
        "scores": [
            {"scope": "department", "total_score": 98.5, "max_score": 100, "grade": "优秀",
             "evidence": ev(300, "自评得分98.5分，等级为优秀")}
        ],
        "indicators": [
            {
                "scope": "外事办外事工作经费", "level1": "产出指标", "level2": "数量指标",
                "level3": "出访团组数量", "description": None, "target": "≥5个", "target_op": ">=",
                "target_value": 5, "target_unit": "个", "actual": "6个", "actual_value": 6,
                "weight": 10, "score": 9.5, "basis": "年度计划", "deviation_note": None,
                "evidence": ev(400, "出访团组数量\t≥5个\t6个", page=None),
            }
        ],
        "projects": [
            {
                "code": "13010025T000000012345", "name": "办公设备购置", "budget_yuan": "107000",
                "fiscal_funds_yuan": "107000", "other_funds_yuan": "0", "purpose": "保障日常办公",
                "spend_plan": {"3": 30, "12": 100}, "evidence": ev(500, "办公设备购置"),
            },
            {
                "code": None, "name": "外事办外事工作经费", "budget_yuan": None,
                "fiscal_funds_yuan": None, "other_funds_yuan": None, "purpose": None,
                "spend_plan": None, "evidence": ev(560, "外事办外事工作经费"),
            },
        ],
        "notes": [
            {"kind": "unclassified_amount", "message": "amount 15万元 with label “经费共” matches no figure item",
             "evidence": ev(620, "经费共15万元")},
        ],
        "checks": [
            {
                "check": "rate_vs_amounts", "severity": "warning",
                "message": "执行率与金额不符", "expected": "99.87", "observed": "99.86",
                "evidence": [ev(240, "预算执行率99.87%"), ev(120, "收入总计1856.62万元")],
            }
        ],
    }
    return {
        "schema_version": 1,
        "source": "seeds/shijiazhuang-fao-2025-dept-self-eval.txt",
        "doc_id": doc_id,
        "format": "txt",
        "pages": None,
        "reports": [report],
        "warnings": ["table 3 has a merged header"],
    }


def write(out: Path, *extractions: dict[str, Any]):
    result = write_extractions(list(extractions), out, extracted_at=WHEN, extractor_version="0.1.0")
    assert result.failed == {}
    return result


def parquet_files(out: Path) -> list[Path]:
    return sorted(out.rglob("*.parquet"))


def test_round_trip_exact_values_with_pyarrow(tmp_path: Path) -> None:
    write(tmp_path, make_extraction())

    figures = read_table(tmp_path, "figures")
    assert figures.schema == TABLES["figures"]
    rows = figures.to_pylist()
    assert [r["amount_yuan"] for r in rows] == [Decimal("18566200"), Decimal("0.0123")]
    assert rows[0] | {"amount_yuan": None} == {
        "doc_id": DOC_ID, "report_index": 0, "record_index": 0, "department": DEPT, "fiscal_year": 2025,
        "scope": "department", "stage": "initial", "item": "revenue_total", "label": None,
        "value": "1856.62", "unit": "万元", "amount_yuan": None, "evidence_page": None,
        "evidence_start": 120, "evidence_end": 133, "evidence_text": "收入总计1856.62万元",
    }
    assert rows[1]["label"] == "专项业务费"

    rate = read_table(tmp_path, "execution_rates").to_pylist()[0]
    assert (rate["rate_percent"], rate["executed_yuan"]) == (Decimal("99.87"), Decimal("18542064.5"))
    score = read_table(tmp_path, "scores").to_pylist()[0]
    assert (score["total_score"], score["max_score"], score["grade"]) == (
        Decimal("98.5"), Decimal(100), "优秀",
    )
    indicator = read_table(tmp_path, "indicators").to_pylist()[0]
    assert (indicator["level3"], indicator["target_op"], indicator["target_value"], indicator["score"]) == (
        "出访团组数量", ">=", Decimal(5), Decimal("9.5"),
    )
    projects = read_table(tmp_path, "projects").to_pylist()
    assert projects[0]["spend_plan"] == [("3", 30), ("12", 100)]
    assert projects[0]["budget_yuan"] == Decimal("107000")
    assert projects[1]["spend_plan"] is None and projects[1]["budget_yuan"] is None
    note = read_table(tmp_path, "notes").to_pylist()[0]
    assert (note["kind"], note["evidence_start"], note["evidence_text"]) == ("unclassified_amount", 620, "经费共15万元")
    check = read_table(tmp_path, "checks").to_pylist()[0]
    assert [e["text"] for e in check["evidence"]] == ["预算执行率99.87%", "收入总计1856.62万元"]

    report = read_table(tmp_path, "reports").to_pylist()[0]
    assert (report["department"], report["adcode"], report["report_date"]) == (
        DEPT, "130100", date(2026, 4, 24),
    )
    document = read_table(tmp_path, "documents").to_pylist()[0]
    assert document["sources"] == ["seeds/shijiazhuang-fao-2025-dept-self-eval.txt"]
    assert (document["report_count"], document["extracted_at"], document["warnings"]) == (
        1, WHEN, ["table 3 has a merged header"],
    )


def test_layout_is_hive_partitioned_by_department_and_year(tmp_path: Path) -> None:
    result = write(tmp_path, make_extraction())
    part = f"part-{DOC_ID[:16]}.parquet"
    assert tmp_path / "documents" / part in result.written
    assert tmp_path / "figures" / f"department={DEPT}" / "fiscal_year=2025" / part in result.written
    assert result.rows == {
        "documents": 1, "reports": 1, "figures": 2, "execution_rates": 1,
        "scores": 1, "indicators": 1, "projects": 2, "checks": 1, "notes": 1,
    }
    assert not list(tmp_path.rglob(".*"))  # no temporary files left behind


def test_duckdb_reads_the_same_exact_values(tmp_path: Path) -> None:
    write(tmp_path, make_extraction())
    con = duckdb.connect()
    rows = con.execute(
        "SELECT department, fiscal_year, item, amount_yuan, typeof(amount_yuan) "
        f"FROM read_parquet('{tmp_path}/figures/**/*.parquet', hive_partitioning=true) ORDER BY record_index"
    ).fetchall()
    assert rows == [
        (DEPT, 2025, "revenue_total", Decimal("18566200"), "DECIMAL(24,4)"),
        (DEPT, 2025, "other", Decimal("0.0123"), "DECIMAL(24,4)"),
    ]
    plan = con.execute(
        "SELECT spend_plan['12'] "
        f"FROM read_parquet('{tmp_path}/projects/**/*.parquet', hive_partitioning=true) "
        "WHERE spend_plan IS NOT NULL"
    ).fetchall()
    assert plan == [(100,)]


def test_rewriting_a_document_replaces_its_rows(tmp_path: Path) -> None:
    write(tmp_path, make_extraction(), make_extraction(OTHER_ID))
    files = parquet_files(tmp_path)
    result = write(tmp_path, make_extraction())
    assert parquet_files(tmp_path) == files
    assert result.removed == []  # same partitions: files replaced in place
    figures = read_table(tmp_path, "figures")
    assert figures.num_rows == 4
    assert sorted(pc.unique(figures["doc_id"]).to_pylist()) == sorted([DOC_ID, OTHER_ID])


def test_changed_department_removes_old_partition_files(tmp_path: Path) -> None:
    write(tmp_path, make_extraction())
    result = write(tmp_path, make_extraction(department="石家庄市人民政府办公室", year=2024))
    assert not (tmp_path / "figures" / f"department={DEPT}").exists()
    old = tmp_path / "figures" / f"department={DEPT}" / "fiscal_year=2025" / f"part-{DOC_ID[:16]}.parquet"
    assert old in result.removed
    figures = read_table(tmp_path, "figures")
    assert set(figures["department"].to_pylist()) == {"石家庄市人民政府办公室"}
    assert set(figures["fiscal_year"].to_pylist()) == {2024}


@pytest.mark.parametrize(
    "department",
    ["../../etc/x", "a/b\x00c", "..", "部门\\..\\..\\x", "%2F..%2F", "x" * 1000, "外事办" * 200],
)
def test_hostile_department_stays_inside_out_dir(tmp_path: Path, department: str) -> None:
    out = tmp_path / "out"
    result = write(out, make_extraction(department=department))
    for path in result.written:
        assert path.resolve().is_relative_to(out.resolve())
        assert path.relative_to(out).parts[0] in TABLES
        assert all(len(part.encode()) < 255 for part in path.parts)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert set(read_table(out, "figures")["department"].to_pylist()) == {department}


def test_partition_values_decode_back_to_the_name(tmp_path: Path) -> None:
    odd = "外事办/港澳办 (试点)%:=#?"
    write(tmp_path, make_extraction(department=odd))
    assert encode_partition_value(DEPT) == DEPT  # normal names stay readable
    assert encode_partition_value(odd) == "外事办%2F港澳办 (试点)%25%3A%3D%23%3F"
    # A reader that takes department from the directory (pyarrow, DuckDB) gets the exact name.
    dataset = ds.dataset(tmp_path / "figures", format="parquet", partitioning="hive")
    assert set(dataset.to_table(columns=["department"])["department"].to_pylist()) == {odd}
    duck = duckdb.sql(
        "SELECT DISTINCT department "
        f"FROM read_parquet('{tmp_path}/figures/**/*.parquet', hive_partitioning=true)"
    )
    assert duck.fetchall() == [(odd,)]


def test_long_names_are_cut_with_a_hash_and_stay_distinct() -> None:
    a, b = "外事办" * 200 + "甲", "外事办" * 200 + "乙"
    assert encode_partition_value(a) != encode_partition_value(b)
    assert len(encode_partition_value(a).encode()) <= MAX_VALUE_BYTES
    assert encode_partition_value(a).startswith("外事办外事办")


def test_null_department_and_year_use_hive_default_partition(tmp_path: Path) -> None:
    write(tmp_path, make_extraction(department=None, year=None))
    directory = tmp_path / "figures" / f"department={HIVE_NULL}" / f"fiscal_year={HIVE_NULL}"
    assert (directory / f"part-{DOC_ID[:16]}.parquet").exists()
    figures = read_table(tmp_path, "figures")
    assert figures["department"].to_pylist() == [None, None]
    assert figures["fiscal_year"].to_pylist() == [None, None]


def test_an_extraction_without_notes_is_stored(tmp_path: Path) -> None:
    extraction = make_extraction()
    del extraction["reports"][0]["notes"]  # JSON written before notes were part of the output
    result = write(tmp_path, extraction)
    assert result.rows["notes"] == 0 and result.rows["figures"] == 2


def test_empty_lists_write_no_files_and_read_as_typed_empty_tables(tmp_path: Path) -> None:
    extraction = make_extraction()
    for key in ("figures", "execution_rates", "scores", "indicators", "projects", "checks", "notes"):
        extraction["reports"][0][key] = []
    result = write(tmp_path, extraction)
    assert {p.relative_to(tmp_path).parts[0] for p in result.written} == {"documents", "reports"}
    for name in ("figures", "checks", "projects"):
        assert not (tmp_path / name).exists()
        empty = read_table(tmp_path, name)
        assert empty.num_rows == 0 and empty.schema == TABLES[name]


def test_read_table_filters_by_partition(tmp_path: Path) -> None:
    write(tmp_path, make_extraction(), make_extraction(OTHER_ID, year=2024))
    figures = read_table(tmp_path, "figures", filter=pc.field("fiscal_year") == 2024)
    assert set(figures["doc_id"].to_pylist()) == {OTHER_ID}


def test_delete_document_removes_all_its_files(tmp_path: Path) -> None:
    write(tmp_path, make_extraction(), make_extraction(OTHER_ID))
    removed = PartFiles(tmp_path).delete(DOC_ID)
    assert len(removed) == 9
    assert all(DOC_ID[:16] not in p.name for p in parquet_files(tmp_path))
    assert read_table(tmp_path, "documents")["doc_id"].to_pylist() == [OTHER_ID]
    with pytest.raises(ValueError):
        PartFiles(tmp_path).delete("../x")


def test_same_bytes_under_two_paths_are_stored_once(tmp_path: Path) -> None:
    duplicate = make_extraction()
    duplicate["source"] = "raw/copy.txt"
    write(tmp_path, make_extraction(), duplicate)
    documents = read_table(tmp_path, "documents").to_pylist()
    assert [d["sources"] for d in documents] == [
        ["seeds/shijiazhuang-fao-2025-dept-self-eval.txt", "raw/copy.txt"]
    ]
    assert read_table(tmp_path, "figures").num_rows == 2


@pytest.mark.parametrize(
    ("path", "value", "reason"),
    [
        (("figures", 0, "amount_yuan"), "18566200.00001", "decimal places"),
        (("figures", 0, "amount_yuan"), 1.5e30, "integer digits"),
        (("figures", 0, "amount_yuan"), "1,856.62", "not a decimal"),
        (("execution_rates", 0, "rate_percent"), float("nan"), "finite"),
        (("projects", 0, "spend_plan"), {"3": "thirty"}, "projects"),
    ],
)
def test_values_that_do_not_fit_are_refused_and_keep_old_rows(
    tmp_path: Path, path: tuple[str, int, str], value: Any, reason: str
) -> None:
    write(tmp_path, make_extraction())
    files = parquet_files(tmp_path)
    bad = copy.deepcopy(make_extraction())
    table, index, key = path
    bad["reports"][0][table][index][key] = value
    result = write_extractions([bad, make_extraction(OTHER_ID)], tmp_path)
    assert list(result.failed) == [DOC_ID] and reason in result.failed[DOC_ID]
    assert result.documents == [OTHER_ID]
    assert set(files) <= set(parquet_files(tmp_path))
    kept = read_table(tmp_path, "figures").filter(pc.field("doc_id") == DOC_ID)
    assert kept["amount_yuan"].to_pylist() == [Decimal("18566200"), Decimal("0.0123")]


def test_invalid_doc_id_and_contract_version_are_refused(tmp_path: Path) -> None:
    newer = make_extraction(OTHER_ID)
    newer["schema_version"] = 2
    result = write_extractions([make_extraction(doc_id="../../x"), newer], tmp_path)
    assert set(result.failed) == {"../../x", OTHER_ID}
    assert parquet_files(tmp_path) == []


def test_schema_layer_imports_only_pyarrow_and_stdlib() -> None:
    import sys

    source = Path(__file__).parents[1] / "schemas" / "tables.py"
    modules = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            modules.add((node.module or "").split(".")[0])
    assert modules - {"pyarrow"} <= set(sys.stdlib_module_names)


def test_every_column_is_described_for_the_readme() -> None:
    for name, schema in TABLES.items():
        assert markdown_table(name).count("\n") == len(schema) + 1


@pytest.mark.parametrize(
    "relative",
    ["../x/part-{key}.parquet", "figures/part-{key}.parquet", "documents/department=a/fiscal_year=1/part-{key}.parquet",
     "figures/department=a/fiscal_year=1/part-0000000000000000.parquet", "/tmp/part-{key}.parquet"],
)
def test_parts_from_a_worker_cannot_name_other_files(tmp_path: Path, relative: str) -> None:
    parts = DocumentParts(DOC_ID, {relative.format(key=DOC_ID[:16]): b"PAR1"}, {})
    with pytest.raises(ValueError, match="is not a part file"):
        PartFiles(tmp_path / "out").put(parts)
    assert not any(tmp_path.rglob("*.parquet"))


def test_temporary_files_a_killed_run_left_are_removed_when_the_dataset_is_listed(tmp_path: Path) -> None:
    write(tmp_path, make_extraction(), make_extraction(OTHER_ID))
    directory = tmp_path / "figures" / f"department={DEPT}" / "fiscal_year=2025"
    leftovers = [directory / f".part-{DOC_ID[:16]}.parquet.x1y2z3.tmp",
                 tmp_path / "documents" / f".part-{OTHER_ID[:16]}.parquet.0a1b2c3d4e5f.tmp"]
    for leftover in leftovers:
        leftover.write_bytes(b"PAR1 cut short")
    PartFiles(tmp_path).load()
    assert not any(leftover.exists() for leftover in leftovers)
    assert len(parquet_files(tmp_path)) == 18


def test_staged_parts_are_renamed_into_place(tmp_path: Path) -> None:
    parts = encode_document(make_extraction(), ["a.txt"], extracted_at=WHEN, extractor_version="0.1.0")
    staged = stage(parts, tmp_path)
    assert staged.files == {} and set(staged.staged) == set(parts.files)
    assert parquet_files(tmp_path) == [] and len(list(tmp_path.rglob(".part-*.tmp"))) == 9
    written, removed = PartFiles(tmp_path).put(staged)
    assert sorted(written) == parquet_files(tmp_path) and removed == []
    assert not list(tmp_path.rglob("*.tmp"))
    assert read_table(tmp_path, "figures").num_rows == 2
    forged = DocumentParts(DOC_ID, {}, parts.rows, {f"documents/part-{DOC_ID[:16]}.parquet": "../../etc/passwd"})
    with pytest.raises(ValueError, match="is not a staged file"):
        PartFiles(tmp_path).put(forged)


def test_discard_removes_what_was_staged(tmp_path: Path) -> None:
    parts = encode_document(make_extraction(), ["a.txt"], extracted_at=WHEN, extractor_version="0.1.0")
    discard(stage(parts, tmp_path), tmp_path)
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]
