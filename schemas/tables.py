"""Explicit Arrow schemas of the Parquet tables, one table per list in CONTRACT.md.

Every report-level table repeats `doc_id`, `report_index`, `department` and
`fiscal_year`, so any table can be queried alone and partitioned by department and
year. Types are fixed here rather than inferred, so an all-null column or an empty
part file still has the right type and readers never see floats where money belongs.
Each field carries its meaning as Parquet field metadata (`description`), which is
also what `markdown_table` renders for the README.

This is the schema layer: it imports only pyarrow and the standard library.
"""
from __future__ import annotations

import pyarrow as pa

TABLE_VERSION = 1

# Yuan, exact: 20 integer digits, 4 decimal places (a 亿元 figure with 8 decimals still fits).
MONEY = pa.decimal128(24, 4)
# Percents, scores, weights and indicator values: exact as written, up to 6 decimal places.
NUMBER = pa.decimal128(24, 6)

PARTITION_KEYS = ("department", "fiscal_year")

EVIDENCE_STRUCT = pa.struct(
    [
        pa.field("page", pa.int32()),
        pa.field("start", pa.int32()),
        pa.field("end", pa.int32()),
        pa.field("text", pa.string()),
    ]
)


def _f(name: str, type_: pa.DataType, description: str, nullable: bool = True) -> pa.Field:
    return pa.field(name, type_, nullable=nullable, metadata={"description": description})


_DOC_ID = _f("doc_id", pa.string(), "sha256 of the source file's bytes", nullable=False)
_REPORT_KEY = [
    _DOC_ID,
    _f("report_index", pa.int32(), "0-based position of the report in its file", nullable=False),
]
_PARTITION = [
    _f("department", pa.string(), "the report's department, full official name (partition key)"),
    _f("fiscal_year", pa.int32(), "the budget year the report is about (partition key)"),
]
_RECORD_INDEX = _f(
    "record_index", pa.int32(), "0-based position of the record in its report's list", nullable=False
)
_EVIDENCE = [
    _f("evidence_page", pa.int32(), "1-based page of the evidence; null for unpaged formats"),
    _f("evidence_start", pa.int32(), "start offset of the evidence in the normalised text"),
    _f("evidence_end", pa.int32(), "end offset (exclusive) of the evidence in the normalised text"),
    _f("evidence_text", pa.string(), "the exact characters [start:end] of the normalised text"),
]


def _schema(name: str, fields: list[pa.Field]) -> pa.Schema:
    return pa.schema(fields, metadata={"jixiao.table": name, "jixiao.table_version": str(TABLE_VERSION)})


# The contract keys each record table carries, in column order (key and evidence
# columns excluded); the store copies exactly these from every record.
RECORD_FIELDS: dict[str, list[pa.Field]] = {
    "figures": [
        _f("scope", pa.string(), '"department" or the project name as written'),
        _f("stage", pa.string(), "initial | adjusted | actual"),
        _f("item", pa.string(), "what the amount is (revenue_total, basic, three_public.vehicle, …)"),
        _f("label", pa.string(), "the label as written, for item = other"),
        _f("value", pa.string(), "the number exactly as written (1856.62)"),
        _f("unit", pa.string(), "the unit as written (万元)"),
        _f("amount_yuan", MONEY, "the exact amount in yuan"),
    ],
    "execution_rates": [
        _f("scope", pa.string(), '"department" or the project name as written'),
        _f("rate_percent", NUMBER, "the execution rate as stated, in percent"),
        _f("budget_yuan", MONEY, "the budget the report pairs with the rate, in yuan"),
        _f("executed_yuan", MONEY, "the executed amount the report pairs with the rate, in yuan"),
    ],
    "scores": [
        _f("scope", pa.string(), '"department" or the project name as written'),
        _f("total_score", NUMBER, "the total score"),
        _f("max_score", NUMBER, "the maximum possible score"),
        _f("grade", pa.string(), "the grade as written (优秀, 良好)"),
    ],
    "indicators": [
        _f("scope", pa.string(), '"department" or the project name as written'),
        _f("level1", pa.string(), "一级指标 (产出指标, 效益指标, 满意度指标)"),
        _f("level2", pa.string(), "二级指标 (数量指标, 质量指标, …)"),
        _f("level3", pa.string(), "三级指标"),
        _f("description", pa.string(), "the indicator's description"),
        _f("target", pa.string(), "the target as written"),
        _f("target_op", pa.string(), ">= | <= | = | > | < | ~ ; null for qualitative targets"),
        _f("target_value", NUMBER, "the target's number"),
        _f("target_unit", pa.string(), "the target's unit (台, %, 万元, 人次)"),
        _f("actual", pa.string(), "the achieved value as written"),
        _f("actual_value", NUMBER, "the achieved value's number"),
        _f("weight", NUMBER, "分值, the indicator's weight"),
        _f("score", NUMBER, "得分, the score given"),
        _f("basis", pa.string(), "指标值确定依据"),
        _f("deviation_note", pa.string(), "偏差原因分析及改进措施"),
    ],
    "projects": [
        _f("code", pa.string(), "the project code as written"),
        _f("name", pa.string(), "the project name as written"),
        _f("budget_yuan", MONEY, "the project budget in yuan"),
        _f("fiscal_funds_yuan", MONEY, "of which fiscal funds (财政资金), in yuan"),
        _f("other_funds_yuan", MONEY, "of which other funds (其他资金), in yuan"),
        _f("purpose", pa.string(), "the project's purpose as written"),
        _f(
            "spend_plan",
            pa.map_(pa.string(), pa.int32()),
            'month-end ("3", "12") -> cumulative percent planned spent by then',
        ),
    ],
    "checks": [
        _f("check", pa.string(), "the name of the consistency check"),
        _f("severity", pa.string(), "error | warning"),
        _f("message", pa.string(), "what was found"),
        _f("expected", pa.string(), "the value recomputed from the report's own numbers"),
        _f("observed", pa.string(), "the value the report states"),
    ],
    "notes": [
        _f("kind", pa.string(), "what the rules could not place (unclassified_amount: an amount with no known item)"),
        _f("message", pa.string(), "what was seen, for a reviewer to look at"),
    ],
}

_CHECK_EVIDENCE = _f(
    "evidence",
    pa.list_(EVIDENCE_STRUCT),
    "every span the check compared: list of {page, start, end, text}",
)

DOCUMENTS = _schema(
    "documents",
    [
        _DOC_ID,
        _f("source", pa.string(), "the input file as given to the extractor"),
        _f("sources", pa.list_(pa.string()), "every input path with these bytes in the same ingest"),
        _f("format", pa.string(), "txt | md | docx | pdf | html | xlsx | xls | doc"),
        _f("pages", pa.int32(), "page count for paged formats, else null"),
        _f("schema_version", pa.int32(), "the extraction contract version"),
        _f("report_count", pa.int32(), "number of reports found in the file"),
        _f("warnings", pa.list_(pa.string()), "the extractor's warnings for the file"),
        _f("extracted_at", pa.timestamp("us", tz="UTC"), "when the rows were written"),
        _f("extractor_version", pa.string(), "the jixiao version that wrote the rows"),
    ],
)

REPORTS = _schema(
    "reports",
    [
        *_REPORT_KEY,
        *_PARTITION,
        _f("attachment", pa.string(), "the 附件 label as written (附件3), or null"),
        _f(
            "report_type",
            pa.string(),
            "dept_overall_self_eval | project_self_eval | dept_overall_eval | budget_targets | other",
        ),
        _f("province", pa.string(), "region: province name (河北省)"),
        _f("city", pa.string(), "region: city name (石家庄市)"),
        _f("county", pa.string(), "region: county or district name (丰台区)"),
        _f("adcode", pa.string(), "region: 6-digit administrative division code"),
        _f("report_date", pa.date32(), "date of signing"),
        *_EVIDENCE,
    ],
)

TABLES: dict[str, pa.Schema] = {
    "documents": DOCUMENTS,
    "reports": REPORTS,
    **{
        name: _schema(
            name,
            [
                *_REPORT_KEY,
                _RECORD_INDEX,
                *_PARTITION,
                *fields,
                *([_CHECK_EVIDENCE] if name == "checks" else _EVIDENCE),
            ],
        )
        for name, fields in RECORD_FIELDS.items()
    },
}

# Tables partitioned by PARTITION_KEYS; `documents` is one flat file per document,
# since one file can hold reports of several departments and years.
PARTITIONED = tuple(name for name in TABLES if name != "documents")

# Columns that identify a row, in sort order.
ROW_KEYS: dict[str, tuple[str, ...]] = {
    "documents": ("doc_id",),
    "reports": ("doc_id", "report_index"),
    **{name: ("doc_id", "report_index", "record_index") for name in RECORD_FIELDS},
}


def markdown_table(name: str) -> str:
    """The table's columns as a markdown table (column, type, meaning), for the README."""
    lines = ["| column | type | meaning |", "|---|---|---|"]
    for field in TABLES[name]:
        meaning = field.metadata[b"description"].decode().replace("|", "\\|")
        lines.append(f"| `{field.name}` | `{field.type}` | {meaning} |")
    return "\n".join(lines)
