"""The Parquet dataset as DuckDB views named like the tables, for SQL and the reports.

Each view reads `<data>/<table>/**/*.parquet`. The files' own `department` and
`fiscal_year` columns are used, not the directory names: DuckDB's hive partitioning
lets the directory value override the file's column, and store.py cuts a long
department name (adding a hash) in its directory. Year filters still skip files by
their Parquet statistics. A table with no files yet is an empty view with its columns
and types from schemas/tables.py, so queries over it work and return no rows.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import duckdb
import pyarrow as pa

from schemas.tables import TABLES

DEFAULT_DATA = Path("data/parquet")


class DatasetError(Exception):
    """No dataset, or SQL that fails: shown to the user as one line."""


def add_data_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help=f"the Parquet dataset folder (default: {DEFAULT_DATA})")


def connect(data: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with one view per table of the dataset at `data`."""
    data = Path(data)
    if not data.is_dir():
        raise DatasetError(f"no dataset at {data} (build it with `jixiao ingest DIR --out {data}`)")
    con = duckdb.connect()
    for name, schema in TABLES.items():
        if any((data / name).rglob("*.parquet")):
            pattern = str((data / name).resolve() / "**" / "*.parquet").replace("'", "''")
            con.execute(
                f"CREATE VIEW {name} AS SELECT * FROM "
                f"read_parquet('{pattern}', hive_partitioning = false, union_by_name = true)"
            )
        else:
            con.register(name, schema.empty_table())
    return con


def run_sql(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> pa.Table:
    """The result of `sql` as an Arrow table (empty for statements without rows)."""
    try:
        relation = con.sql(sql, params=params)
        return relation.to_arrow_table() if relation is not None else pa.table({})
    except duckdb.Error as exc:
        raise DatasetError(one_line(str(exc))) from None


def one_line(message: str) -> str:
    return " ".join(line.strip() for line in message.strip().splitlines()[:1]) or "SQL error"
