"""Query results as an aligned text table, CSV, JSON or Parquet.

The text table counts East Asian wide characters as two columns (unicodedata), so
Chinese names line up in a terminal. Decimals print exactly, without trailing zeros
(`1568200`, not `1568200.0000`); JSON keeps them as strings, as the contract does for
money, so no value is rounded through a float.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

FORMATS = ("table", "csv", "json", "parquet")
MAX_CELL = 60  # display columns of a table cell (but the last column); longer ones end in …


class OutputError(Exception):
    pass


def add_output_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    parser.add_argument("--out", type=Path, default=None, help="write to FILE instead of standard output")


def write_result(table: pa.Table, fmt: str, out: Path | None) -> None:
    """Write `table` in `fmt` to `out`, or to standard output (not for parquet)."""
    if fmt == "parquet":
        if out is None:
            raise OutputError("--format parquet needs --out FILE")
        pq.write_table(table, out)
        return
    text = {"table": render_table, "csv": render_csv, "json": render_json}[fmt](table)
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")


def plain_value(value: Any) -> Any:
    """A cell as JSON-ready data: exact decimal strings, ISO dates, nested lists/dicts."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        # pyarrow gives a map as a list of (key, value) pairs
        if value and all(isinstance(v, tuple) and len(v) == 2 for v in value):
            return {str(k): plain_value(v) for k, v in value}
        return [plain_value(v) for v in value]
    return value


def cell_text(value: Any) -> str:
    value = plain_value(value)
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def width(text: str) -> int:
    """Display columns: wide and full-width characters take two, combining marks none."""
    total = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        total += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return total


def clip(text: str, limit: int = MAX_CELL) -> str:
    """One line of at most `limit` display columns."""
    text = " ".join(text.split())
    if width(text) <= limit:
        return text
    out, used = [], 0
    for ch in text:
        w = width(ch)
        if used + w > limit - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def _pad(text: str, size: int, right: bool) -> str:
    gap = " " * (size - width(text))
    return gap + text if right else text + gap


def render_table(table: pa.Table) -> str:
    if table.num_columns == 0:
        return ""
    names = table.column_names
    last = len(names) - 1
    rows = [[clip(cell_text(row[n]), MAX_CELL if i < last else 10**6) for i, n in enumerate(names)]
            for row in table.to_pylist()]
    numeric = [pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t) for t in table.schema.types]
    sizes = [max([width(n)] + [width(r[i]) for r in rows]) for i, n in enumerate(names)]
    lines = [
        "  ".join(_pad(n, s, right) for n, s, right in zip(names, sizes, numeric)).rstrip(),
        "  ".join("-" * s for s in sizes),
    ]
    for row in rows:
        lines.append("  ".join(_pad(c, s, right) for c, s, right in zip(row, sizes, numeric)).rstrip())
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def render_csv(table: pa.Table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.column_names)
    for row in table.to_pylist():
        writer.writerow([cell_text(row[n]) for n in table.column_names])
    return buffer.getvalue()


def render_json(table: pa.Table) -> str:
    records = [{k: plain_value(v) for k, v in row.items()} for row in table.to_pylist()]
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"
