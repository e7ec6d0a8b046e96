"""Spreadsheet readers (.xlsx with openpyxl, .xls with xlrd): one table per sheet.

Each visible sheet becomes a paragraph with its title and a table block; hidden sheets,
rows and columns (helper values) are left out, as the reader of the sheet never sees
them. Merged ranges become one cell with spans. Cells show the value as the sheet displays it (cached
formula results, percent and decimal formats applied), since a report's reader sees
`95.50%`, not `0.955`. Rows and columns with nothing in them (cover-page spacing,
a used range that runs to column XFD) are left out.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import xlrd

from extractors.builder import DocumentBuilder, RawCell
from extractors.readers.base import ReadError
from extractors.readers.ooxml import check_package
from schemas.document import Document

_MAX_COLUMNS = 16384

Merge = tuple[int, int, int, int]  # first row, first col, last row, last col (0-based, inclusive)


@dataclass
class Sheet:
    """One sheet's cell texts by 0-based (row, col), merges and hidden rows and columns."""

    title: str
    values: dict[tuple[int, int], str]
    merges: list[Merge]
    hidden_rows: set[int] = field(default_factory=set)
    hidden_cols: set[int] = field(default_factory=set)


def format_value(value: object, number_format: str = "General") -> str:
    """A cell value as a spreadsheet shows it, for the formats reports use."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if not isinstance(value, (int, float)):
        return str(value)
    section = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", (number_format or "General").split(";")[0])
    if "General" in section or not re.search(r"[0#]", section):
        return str(int(value)) if float(value).is_integer() else format(value, ".15g")
    decimals = len(re.search(r"\.([0#]*)", section).group(1)) if "." in section else 0
    thousands = "," if re.search(r"[0#],[0#]", section) else ""
    if "%" in section:
        return f"{value * 100:{thousands}.{decimals}f}%"
    return f"{value:{thousands}.{decimals}f}"


def _drop_hidden(values: dict[tuple[int, int], str], merges: list[Merge],
                 hidden_rows: set[int], hidden_cols: set[int]) -> tuple[dict[tuple[int, int], str], list[Merge]]:
    """What the sheet shows: hidden rows and columns out, a merge's value moved to its
    first visible slot."""
    shown = {pos: text for pos, text in values.items() if pos[0] not in hidden_rows and pos[1] not in hidden_cols}
    kept = []
    for r0, c0, r1, c1 in merges:
        rows = [r for r in range(r0, r1 + 1) if r not in hidden_rows]
        cols = [c for c in range(c0, c1 + 1) if c not in hidden_cols]
        if rows and cols:
            if (rows[0], cols[0]) != (r0, c0) and (r0, c0) in values:
                shown[(rows[0], cols[0])] = values[(r0, c0)]
            kept.append((rows[0], cols[0], r1, c1))
    return shown, kept


def _sheet_cells(values: dict[tuple[int, int], str], merges: list[Merge]) -> list[RawCell]:
    """Grid cells with spans, rows and columns with no text squeezed out."""
    starts = {(r0, c0): (r1, c1) for r0, c0, r1, c1 in merges}
    covered = {(r, c) for r0, c0, r1, c1 in merges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
    filled = [pos for pos, text in values.items() if text and (pos in starts or pos not in covered)]
    rows = sorted({r for r, _ in filled})
    cols = sorted({c for _, c in filled})
    row_at = {r: i for i, r in enumerate(rows)}
    col_at = {c: i for i, c in enumerate(cols)}
    cells = []
    for r in rows:
        for c in cols:
            if (r, c) in starts:
                r1, c1 = starts[(r, c)]
                cells.append(RawCell(row_at[r], col_at[c], values.get((r, c), ""),
                                     rowspan=max(1, sum(1 for x in rows if r <= x <= r1)),
                                     colspan=max(1, sum(1 for x in cols if c <= x <= c1))))
            elif (r, c) not in covered:
                cells.append(RawCell(row_at[r], col_at[c], values.get((r, c), "")))
    return cells


def _emit_sheets(builder: DocumentBuilder, sheets: list[Sheet], hidden: list[str], kind: str) -> None:
    for sheet in sheets:
        builder.paragraph(sheet.title)
        values, merges = _drop_hidden({pos: text.strip() for pos, text in sheet.values.items()},
                                      sheet.merges, sheet.hidden_rows, sheet.hidden_cols)
        cells = _sheet_cells(values, merges)
        if cells:
            builder.table(cells)
    if hidden:
        builder.warnings.append(f"hidden sheets skipped: {', '.join(hidden)}")
    if not builder.length:
        raise ReadError(f"empty: no cells with text in the {kind}")


def read_xlsx(path: Path, doc_id: str, fmt: str) -> Document:
    check_package(path, "XLSX", "[Content_Types].xml")
    try:
        # read_only=False: merged ranges are only available on full worksheets.
        workbook = openpyxl.load_workbook(path, read_only=False, data_only=True)
    except Exception as exc:  # openpyxl raises many types on a damaged workbook
        raise ReadError(f"not a valid XLSX ({type(exc).__name__}: {str(exc)[:120]})") from None
    sheets, hidden = [], []
    for ws in workbook.worksheets:
        if ws.sheet_state != "visible":
            hidden.append(ws.title)
            continue
        # ws._cells holds only the cells the file defines; iterating ws.iter_rows() would
        # visit every slot of a used range that may run to column XFD.
        values = {(r - 1, c - 1): format_value(cell.value, cell.number_format)
                  for (r, c), cell in ws._cells.items() if cell.value is not None}
        merges = [(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges]
        hidden_rows = {r - 1 for r, dim in ws.row_dimensions.items() if dim.hidden}
        hidden_cols = {c - 1 for dim in ws.column_dimensions.values() if dim.hidden and dim.min
                       for c in range(dim.min, min(dim.max or dim.min, _MAX_COLUMNS) + 1)}
        sheets.append(Sheet(ws.title, values, merges, hidden_rows, hidden_cols))
    workbook.close()
    builder = DocumentBuilder(path.name, fmt, doc_id)
    _emit_sheets(builder, sheets, hidden, "XLSX")
    return builder.build(keep_offsets=False)


def _xls_value(book: xlrd.book.Book, cell: xlrd.sheet.Cell) -> str:
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#ERR")
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return format_value(bool(cell.value))
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return format_value(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return format_value(cell.value)
    number_format = "General"
    if cell.ctype == xlrd.XL_CELL_NUMBER and book.formatting_info:
        fmt = book.format_map.get(book.xf_list[cell.xf_index].format_key)
        number_format = fmt.format_str if fmt is not None else "General"
    return format_value(cell.value, number_format)


def read_xls(path: Path, doc_id: str, fmt: str) -> Document:
    warnings = []
    try:
        try:
            book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
        except NotImplementedError:
            book = xlrd.open_workbook(str(path), on_demand=True)
            warnings.append("merged cells not read: the file's formatting records are not supported")
    except Exception as exc:  # xlrd raises XLRDError, CompDocError, struct errors, ...
        raise ReadError(f"not a valid XLS ({type(exc).__name__}: {str(exc)[:120]})") from None
    sheets, hidden = [], []
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            if sheet.visibility:
                hidden.append(sheet.name)
                continue
            values = {(r, c): _xls_value(book, sheet.cell(r, c))
                      for r in range(sheet.nrows) for c in range(sheet.row_len(r))}
            merges = [(r0, c0, r1 - 1, c1 - 1) for r0, r1, c0, c1 in sheet.merged_cells]
            sheets.append(Sheet(sheet.name, values, merges,
                                {r for r, info in sheet.rowinfo_map.items() if info.hidden},
                                {c for c, info in sheet.colinfo_map.items() if info.hidden}))
    finally:
        book.release_resources()
    builder = DocumentBuilder(path.name, fmt, doc_id)
    builder.warnings.extend(warnings)
    _emit_sheets(builder, sheets, hidden, "XLS")
    return builder.build(keep_offsets=False)
