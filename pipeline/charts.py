"""`jixiao report`: the charts an analyst wants from the dataset, in one HTML file.

Execution rate by region and year, the distribution of total scores and grades, budget
against spending per department, and indicator actuals against their targets. Charts
are inline SVG (pipeline/svg.py) and each has its numbers in a table below it, so the
file works offline and every bar can be traced to its reports.
"""
from __future__ import annotations

import argparse
import html
import sys
from dataclasses import dataclass, fields
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from extractors.rules.check_targets import attainment
from pipeline.compare import rates_sql
from pipeline.dataset import DatasetError, add_data_argument, connect, run_sql
from pipeline.svg import Bar, BarChart, Row, render
from pipeline.tabular import cell_text
from schemas.records import Evidence, Indicator

WAN = Decimal(10000)
SCORE_BINS = [(Decimal(0), "<60"), (Decimal(60), "60–69"), (Decimal(70), "70–79"), (Decimal(80), "80–84"),
              (Decimal(85), "85–89"), (Decimal(90), "90–94"), (Decimal(95), "95–100")]
# Which figure stands for a department's budget and its spending, best first.
BUDGET_KEYS = [("adjusted", "expenditure_total"), ("initial", "expenditure_total"), ("adjusted", "fiscal_funds"),
               ("initial", "fiscal_funds"), ("adjusted", "revenue_total"), ("initial", "revenue_total")]
MET_COLORS = {True: "#1a7f37", False: "#cf222e"}


@dataclass
class Section:
    title: str
    note: str
    svg: str
    table: list[dict[str, Any]]


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    return run_sql(con, sql).to_pylist()


def _wan(yuan: Decimal) -> Decimal:
    return (yuan / WAN).quantize(Decimal("0.01"))


def rates_section(con: duckdb.DuckDBPyConnection) -> Section:
    data = _rows(con, rates_sql(["region", "year"]))
    by_region: dict[str, Row] = {}
    for r in data:
        row = by_region.setdefault(r["region"] or "(unknown)", Row(r["region"] or "(unknown)"))
        row.bars.append(Bar(str(r["year"]), r["mean_rate"],
                            f"{r['region']} {r['year']}: {r['mean_rate']}% ({r['rates']} rates: {r['reports']})"))
    chart = BarChart("预算执行率 Execution rate by region and year (%)", "%", list(by_region.values()),
                     reference=Decimal(100))
    return Section("Execution rate by region and year",
                   "Department-wide rates; the mean of the rates stated in each region and year.",
                   render(chart), data)


def scores_section(con: duckdb.DuckDBPyConnection) -> Section:
    data = _rows(con, """
        SELECT d.source || '#' || s.report_index AS report, s.department, s.fiscal_year, s.scope,
               s.total_score, s.grade
        FROM scores s LEFT JOIN documents d ON d.doc_id = s.doc_id ORDER BY report, s.record_index""")
    counts = {label: [] for _, label in SCORE_BINS}
    for r in data:
        label = next(label for low, label in reversed(SCORE_BINS) if r["total_score"] >= low)
        counts[label].append(r["report"])
    grades: dict[str, int] = {}
    for r in data:
        grades[r["grade"] or "(none)"] = grades.get(r["grade"] or "(none)", 0) + 1
    rows = [Row(label, [Bar("reports", Decimal(len(reports)), f"{label}: {', '.join(reports) or 'none'}")])
            for label, reports in counts.items()]
    rows += [Row(f"grade {grade}", [Bar("grades", Decimal(n), f"{grade}: {n}")])
             for grade, n in grades.items()]
    chart = BarChart("得分分布 Total scores and grades (number of reports)", "", rows)
    return Section("Score distribution", "Every total score in the dataset (departments and projects), "
                   "by score band, then by grade as written.", render(chart), data)


def spending_section(con: duckdb.DuckDBPyConnection) -> Section:
    figures = _rows(con, """
        SELECT department, fiscal_year, stage, item, amount_yuan, value, unit
        FROM figures WHERE scope = 'department' ORDER BY department, fiscal_year, doc_id, report_index, record_index""")
    groups: dict[tuple[str, int], dict[tuple[str, str], dict[str, Any]]] = {}
    for f in figures:
        groups.setdefault((f["department"], f["fiscal_year"]), {}).setdefault((f["stage"], f["item"]), f)
    rows, table = [], []
    for (department, year), found in groups.items():
        budget_key = next((k for k in BUDGET_KEYS if k in found), None)
        budget = found[budget_key]["amount_yuan"] if budget_key else None
        if ("actual", "expenditure_total") in found:
            spent, spent_from = found[("actual", "expenditure_total")]["amount_yuan"], "actual expenditure_total"
        elif ("actual", "basic") in found and ("actual", "project") in found:
            spent = found[("actual", "basic")]["amount_yuan"] + found[("actual", "project")]["amount_yuan"]
            spent_from = "actual basic + project"
        else:
            spent, spent_from = None, None
        if budget is None and spent is None:
            continue
        budget_from = " ".join(budget_key) if budget_key else None
        label = f"{department} {year}"
        rows.append(Row(label, [
            Bar("budget 预算", _wan(budget) if budget is not None else None, f"{label} budget ({budget_from})"),
            Bar("spending 支出", _wan(spent) if spent is not None else None, f"{label} spending ({spent_from})"),
        ]))
        table.append({"department": department, "fiscal_year": year,
                      "budget_wan": _wan(budget) if budget is not None else None, "budget_from": budget_from,
                      "spending_wan": _wan(spent) if spent is not None else None, "spending_from": spent_from})
    chart = BarChart("预算与支出 Budget against spending per department (万元)", "万元", rows)
    return Section("Budget against spending per department",
                   "Budget: the adjusted spending total where stated, else the initial one, else the fiscal "
                   "funds or revenue; spending: the actual total, else basic + project spending.",
                   render(chart), table)


def _indicator(row: dict[str, Any]) -> Indicator:
    names = {f.name for f in fields(Indicator)} - {"evidence"}
    return Indicator(**{k: row[k] for k in names}, evidence=Evidence(None, 0, 0, ""))


def indicators_section(con: duckdb.DuckDBPyConnection) -> Section:
    data = _rows(con, """
        SELECT d.source || '#' || i.report_index AS report, i.*
        FROM indicators i LEFT JOIN documents d ON d.doc_id = i.doc_id
        WHERE i.target_value IS NOT NULL AND i.actual_value IS NOT NULL
        ORDER BY report, i.record_index""")
    rows, table = [], []
    for r in data:
        found = attainment(_indicator(r))
        if found is None or not found.target:
            continue
        percent = (found.actual / found.target * 100).quantize(Decimal("0.1"))
        label = f"{r['level3']} ({r['target']} → {r['actual']})"
        rows.append(Row(r["level3"], [Bar("actual / target", percent, f"{r['report']}: {label}{found.note}",
                                          color=MET_COLORS[found.met])]))
        table.append({"report": r["report"], "level3": r["level3"], "target": r["target"], "actual": r["actual"],
                      "actual_pct_of_target": percent, "met": found.met})
    chart = BarChart("指标完成 Indicator actuals as % of target (green met, red missed)", "%", rows,
                     reference=Decimal(100), cap=Decimal(300))
    return Section("Indicator targets against actuals",
                   "Indicators whose target and actual have numbers in units that can be compared (times "
                   "converted, a yearly total spread over a per-month target). For ≤ targets a bar "
                   "below 100% is a target met.", render(chart), table)


def _table_html(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "<p class='empty'>No data.</p>"
    head = "".join(f"<th>{html.escape(k)}</th>" for k in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{html.escape(cell_text(v))}</td>" for v in r.values()) + "</tr>"
                   for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


CSS = """
body { font: 14px/1.5 "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 24px; color: #1f2328; }
section { margin-bottom: 36px; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-bottom: 4px; } .note { color: #57606a; margin-top: 0; }
svg.chart text { font-size: 12px; fill: #1f2328; } svg.chart .title { font-size: 13px; font-weight: 600; }
svg.chart .axis { stroke: #8c959f; } svg.chart .reference { stroke: #cf222e; stroke-dasharray: 4 3; }
svg.chart .value, svg.chart .tick, svg.chart .none { fill: #57606a; font-size: 11px; }
table { border-collapse: collapse; font-size: 12px; margin-top: 8px; }
th, td { border: 1px solid #d0d7de; padding: 2px 6px; text-align: left; }
th { background: #f6f8fa; }
"""


def build_report(data: Path) -> str:
    con = connect(data)
    summary = _rows(con, """
        SELECT (SELECT count(*) FROM documents) AS documents, (SELECT count(*) FROM reports) AS reports,
               (SELECT count(*) FROM checks WHERE severity = 'error') AS check_errors,
               (SELECT count(*) FROM checks WHERE severity = 'warning') AS check_warnings""")[0]
    sections = [rates_section(con), scores_section(con), spending_section(con), indicators_section(con)]
    body = "".join(f"<section><h2>{html.escape(s.title)}</h2><p class='note'>{html.escape(s.note)}</p>"
                   f"{s.svg}{_table_html(s.table)}</section>" for s in sections)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>jixiao report</title><style>{CSS}</style></head>
<body><h1>jixiao 绩效 report</h1>
<p class="note">{html.escape(str(data))}: {summary['documents']} documents, {summary['reports']} reports, \
{summary['check_errors']} check errors, {summary['check_warnings']} warnings · {stamp}</p>
{body}</body></html>
"""


def cmd_report(args: argparse.Namespace) -> int:
    try:
        page = build_report(args.data)
    except DatasetError as exc:
        print(f"jixiao report: {exc}", file=sys.stderr)
        return 1
    args.out.write_text(page, encoding="utf-8")
    print(args.out)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="write an HTML page of charts: rates, scores, spending, indicators")
    p.add_argument("--out", type=Path, default=Path("report.html"),
                   help="the HTML file to write (default: report.html)")
    add_data_argument(p)
    p.set_defaults(func=cmd_report)
