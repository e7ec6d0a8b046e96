"""Typed records of the extraction contract (CONTRACT.md, version 1).

Rules produce these dataclasses; `to_json` turns them into the contract's JSON shape
(money as exact decimal strings in yuan, never floats).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from decimal import Decimal
from typing import Any

SCHEMA_VERSION = 1
DEPARTMENT_SCOPE = "department"


@dataclass
class Evidence:
    page: int | None
    start: int
    end: int
    text: str


@dataclass
class Region:
    province: str | None = None
    city: str | None = None
    county: str | None = None
    adcode: str | None = None


@dataclass
class Figure:
    scope: str
    stage: str
    item: str
    value: str
    unit: str
    amount_yuan: Decimal
    evidence: Evidence
    label: str | None = None


@dataclass
class ExecutionRate:
    scope: str
    rate_percent: Decimal
    budget_yuan: Decimal | None
    executed_yuan: Decimal | None
    evidence: Evidence


@dataclass
class Score:
    scope: str
    total_score: Decimal
    max_score: Decimal | None
    grade: str | None
    evidence: Evidence


@dataclass
class Indicator:
    scope: str
    level1: str | None
    level2: str | None
    level3: str
    description: str | None
    target: str | None
    target_op: str | None
    target_value: Decimal | None
    target_unit: str | None
    actual: str | None
    actual_value: Decimal | None
    weight: Decimal | None
    score: Decimal | None
    basis: str | None
    deviation_note: str | None
    evidence: Evidence


@dataclass
class Project:
    code: str | None
    name: str
    budget_yuan: Decimal | None
    fiscal_funds_yuan: Decimal | None
    other_funds_yuan: Decimal | None
    purpose: str | None
    spend_plan: dict[str, int] | None
    evidence: Evidence


@dataclass
class Check:
    check: str
    severity: str  # "error" | "warning"
    message: str
    expected: str | None
    observed: str | None
    evidence: list[Evidence]


@dataclass
class Note:
    """Something the rules saw but did not understand, so a reviewer can look at it."""

    kind: str
    message: str
    evidence: Evidence


@dataclass
class Report:
    report_index: int
    attachment: str | None
    report_type: str
    department: str | None
    region: Region
    fiscal_year: int | None
    report_date: str | None
    evidence: Evidence
    figures: list[Figure] = field(default_factory=list)
    execution_rates: list[ExecutionRate] = field(default_factory=list)
    scores: list[Score] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)


@dataclass
class Extraction:
    source: str
    doc_id: str
    format: str
    pages: int | None
    reports: list[Report]
    warnings: list[str] = field(default_factory=list)


def decimal_str(value: Decimal) -> str:
    """An exact decimal without exponent or trailing zeros (`107000`, `0.5`)."""
    text = format(value.normalize(), "f")
    return text


def json_number(value: Decimal | None) -> int | float | None:
    """Scores, weights and percents are JSON numbers in the contract."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)


_NUMBER_FIELDS = {"rate_percent", "total_score", "max_score", "target_value", "actual_value", "weight", "score"}


def _plain(obj: Any) -> Any:
    if isinstance(obj, list):
        return [_plain(x) for x in obj]
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, Decimal):
        return decimal_str(obj)
    return obj


def record_to_json(record: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(record):
        value = getattr(record, f.name)
        if f.name in _NUMBER_FIELDS:
            out[f.name] = json_number(value)
        elif f.name == "evidence":
            out[f.name] = _plain([asdict(e) for e in value] if isinstance(value, list) else asdict(value))
        elif f.name == "label" and value is None:
            continue
        else:
            out[f.name] = _plain(asdict(value) if hasattr(value, "__dataclass_fields__") else value)
    return out


def report_to_json(report: Report) -> dict[str, Any]:
    lists = ("figures", "execution_rates", "scores", "indicators", "projects", "checks", "notes")
    out: dict[str, Any] = {
        "report_index": report.report_index,
        "attachment": report.attachment,
        "report_type": report.report_type,
        "department": report.department,
        "region": asdict(report.region),
        "fiscal_year": report.fiscal_year,
        "report_date": report.report_date,
        "evidence": asdict(report.evidence),
    }
    for name in lists:
        out[name] = [record_to_json(r) for r in getattr(report, name)]
    return out


def extraction_to_json(extraction: Extraction) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "source": extraction.source,
        "doc_id": extraction.doc_id,
        "format": extraction.format,
        "pages": extraction.pages,
        "reports": [report_to_json(r) for r in extraction.reports],
        "warnings": list(extraction.warnings),
    }
