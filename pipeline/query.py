"""`jixiao query`, `jixiao rates` and `jixiao checks`: SQL and summaries over the dataset."""
from __future__ import annotations

import argparse
import sys

from pipeline.compare import SCOPES, checks_sql, parse_dimensions, rates_sql, scores_sql
from pipeline.dataset import DatasetError, add_data_argument, connect, run_sql
from pipeline.tabular import OutputError, add_output_arguments, write_result
from schemas.tables import TABLES



def _run(args: argparse.Namespace, sql: str, params: list[object] | None = None) -> int:
    try:
        result = run_sql(connect(args.data), sql, params)
        write_result(result, args.format, args.out)
    except (DatasetError, OutputError, OSError) as exc:
        print(f"jixiao {args.command}: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    return _run(args, args.sql)


def cmd_rates(args: argparse.Namespace) -> int:
    try:
        dims = parse_dimensions(args.by)
    except ValueError as exc:
        print(f"jixiao rates: {exc}", file=sys.stderr)
        return 2
    sql = scores_sql(dims, args.scope) if args.what == "scores" else rates_sql(dims, args.scope)
    return _run(args, sql)


def cmd_checks(args: argparse.Namespace) -> int:
    sql, params = checks_sql(args.severity, args.check)
    return _run(args, sql, params)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("query", help="run SQL over the Parquet tables (DuckDB)",
                       description=f"Run SQL over the dataset. Views: {', '.join(TABLES)}.")
    p.add_argument("sql", help='e.g. "SELECT department, fiscal_year, rate_percent FROM execution_rates"')
    add_data_argument(p)
    add_output_arguments(p)
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("rates", help="execution rates (or scores) compared across regions, years, …")
    p.add_argument("--by", default="region,year",
                   help="comma-separated: region, province, city, county, year, department, report_type "
                        "(default: region,year)")
    p.add_argument("--what", choices=("rates", "scores"), default="rates", help="compare rates (default) or scores")
    p.add_argument("--scope", choices=SCOPES, default="department",
                   help="department-wide values only (default), or all scopes (projects, 三公 parts)")
    add_data_argument(p)
    add_output_arguments(p)
    p.set_defaults(func=cmd_rates)

    p = sub.add_parser("checks", help="list the consistency checks found across the dataset")
    p.add_argument("--severity", choices=("error", "warning"), default=None, help="only this severity")
    p.add_argument("--check", default=None, help="only this check (e.g. rate_amounts)")
    add_data_argument(p)
    add_output_arguments(p)
    p.set_defaults(func=cmd_checks)
