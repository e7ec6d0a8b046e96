"""Execution rates and scores compared across regions, years, departments, report types.

Each cell of the comparison says how many values it holds, their simple mean and, for
rates, the mean weighted by the budget the report pairs with the rate (only rates with a
budget count there; `weighted_n` says how many), and which reports it comes from
(`source#report_index`), so an analyst can go back to the text.
"""
from __future__ import annotations

# Dimension name -> SQL over the reports table `r`.
DIMENSIONS = {
    "region": "concat_ws(' ', r.province, nullif(r.city, r.province), r.county)",
    "province": "r.province",
    "city": "r.city",
    "county": "r.county",
    "year": "r.fiscal_year",
    "department": "r.department",
    "report_type": "r.report_type",
}
SCOPES = ("department", "all")


def parse_dimensions(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in DIMENSIONS]
    if unknown or not names:
        raise ValueError(f"unknown dimension {', '.join(unknown) or '(none)'}; use {', '.join(DIMENSIONS)}")
    return list(dict.fromkeys(names))


def _rows(table: str, value_columns: str, dims: list[str], scope: str) -> str:
    select = ", ".join(f"{DIMENSIONS[d]} AS {d}" for d in dims)
    where = "WHERE x.scope = 'department'" if scope == "department" else ""
    return f"""
        SELECT {select}, {value_columns}, d.source || '#' || x.report_index AS report
        FROM {table} x
        JOIN reports r ON r.doc_id = x.doc_id AND r.report_index = x.report_index
        LEFT JOIN documents d ON d.doc_id = x.doc_id
        {where}"""


def rates_sql(dims: list[str], scope: str = "department") -> str:
    keys = ", ".join(dims)
    return f"""
        WITH v AS ({_rows("execution_rates", "x.rate_percent AS rate, x.budget_yuan AS budget", dims, scope)})
        SELECT {keys},
            count(*) AS rates,
            CAST(avg(rate) AS DECIMAL(12, 2)) AS mean_rate,
            CAST(sum(rate * budget) / nullif(sum(budget), 0) AS DECIMAL(12, 2)) AS weighted_rate,
            count(budget) AS weighted_n,
            min(rate) AS min_rate,
            max(rate) AS max_rate,
            string_agg(DISTINCT report, ', ' ORDER BY report) AS reports
        FROM v GROUP BY {keys} ORDER BY {keys}"""


def scores_sql(dims: list[str], scope: str = "department") -> str:
    keys = ", ".join(dims)
    return f"""
        WITH v AS ({_rows("scores", "x.total_score AS score, x.grade AS grade", dims, scope)})
        SELECT {keys},
            count(*) AS scores,
            CAST(avg(score) AS DECIMAL(12, 2)) AS mean_score,
            min(score) AS min_score,
            max(score) AS max_score,
            coalesce(array_to_string(list_transform(map_entries(histogram(grade)),
                     lambda e: e.key || ' ' || e.value), ', '), '') AS grades,
            count(*) - count(grade) AS ungraded,
            string_agg(DISTINCT report, ', ' ORDER BY report) AS reports
        FROM v GROUP BY {keys} ORDER BY {keys}"""


CHECKS_SQL = """
    SELECT d.source, c.report_index AS report, r.attachment, c.severity, c."check", c.message
    FROM checks c
    JOIN reports r ON r.doc_id = c.doc_id AND r.report_index = c.report_index
    LEFT JOIN documents d ON d.doc_id = c.doc_id
    {where}
    ORDER BY d.source, c.report_index, c.record_index"""


def checks_sql(severity: str | None, check: str | None) -> tuple[str, list[str]]:
    """The checks listing, filtered; returns SQL and its parameters."""
    conditions, params = [], []
    if severity:
        conditions.append("c.severity = ?")
        params.append(severity)
    if check:
        conditions.append('c."check" = ?')
        params.append(check)
    where = "WHERE " + " AND ".join(conditions) if conditions else ""
    return CHECKS_SQL.format(where=where), params
