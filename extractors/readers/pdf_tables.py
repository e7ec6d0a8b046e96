"""Ruled PDF tables: cell boxes to logical cells with spans, and tables stitched across pages.

pdfplumber finds the cell boxes; text is assigned here from the page's glyphs by box,
so a merged cell is one cell whatever slots it covers and text wrapped inside a cell is
joined without a space (`13010024P00971210` + `054H`). A table cut by a page break
comes back as two parts; `stitch` joins them: the repeated header rows are dropped, a
merged label column that carries on (an empty cell under it) extends the label's
rowspan, and a row cut in half is joined back into one row.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from extractors.builder import RawCell
from extractors.readers.pdf_text import Glyph, build_lines

_SNAP = 3.0            # cell edges closer than this (points) are one grid line
_MAX_HEADER_ROWS = 4   # a repeated header is at most this many rows deep
_RUNNING_TEXT_CHARS = 20


@dataclass(slots=True)
class GeoCell:
    """A logical cell: its horizontal extent in points and its rows in the table."""

    x0: float
    x1: float
    row: int
    rowspan: int
    text: str


@dataclass
class PdfTable:
    cells: list[GeoCell]
    n_rows: int
    x0: float
    x1: float
    top: float
    bottom: float
    page: int


def _cluster(values: list[float]) -> list[float]:
    """Sorted grid lines, values within _SNAP of the previous line folded into it."""
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > _SNAP:
            out.append(v)
    return out


def _index(lines: list[float], value: float) -> int:
    """Index of the (sorted) grid line nearest `value`."""
    i = bisect_left(lines, value)
    if i == len(lines) or i > 0 and value - lines[i - 1] <= lines[i] - value:
        return i - 1
    return i


def read_table(boxes: list[tuple[float, float, float, float]], glyphs: list[Glyph],
               page: int) -> tuple[PdfTable | None, list[Glyph]]:
    """The table the cell boxes describe, and the glyphs that fall in none of its cells.

    Slots no box covers (a border missing at a page break) become cells of their own
    when text falls in them. Fewer than two columns is a frame around text, not a table.
    """
    xs = _cluster([b[0] for b in boxes] + [b[2] for b in boxes])
    ys = _cluster([b[1] for b in boxes] + [b[3] for b in boxes])
    if len(xs) < 3 or len(ys) < 2:
        return None, glyphs
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    spans: list[list[int]] = []  # [row, rowspan, col, colspan]
    slot: list[list[int]] = [[-1] * n_cols for _ in range(n_rows)]
    for x0, top, x1, bottom in boxes:
        c0, c1, r0, r1 = _index(xs, x0), _index(xs, x1), _index(ys, top), _index(ys, bottom)
        if c1 <= c0 or r1 <= r0 or any(slot[r][c] >= 0 for r in range(r0, r1) for c in range(c0, c1)):
            continue
        for r in range(r0, r1):
            for c in range(c0, c1):
                slot[r][c] = len(spans)
        spans.append([r0, r1 - r0, c0, c1 - c0])
    n_boxes = len(spans)
    for r in range(n_rows):
        for c in range(n_cols):
            if slot[r][c] < 0:
                slot[r][c] = len(spans)
                spans.append([r, 1, c, 1])
    texts: list[list[Glyph]] = [[] for _ in spans]
    leftover: list[Glyph] = []
    for g in glyphs:
        cx, cy = (g.x0 + g.x1) / 2, (g.top + g.bottom) / 2
        c, r = bisect_right(xs, cx) - 1, bisect_right(ys, cy) - 1
        if 0 <= c < n_cols and 0 <= r < n_rows:
            texts[slot[r][c]].append(g)
        else:
            leftover.append(g)
    cells = []
    for i, ((r, rs, c, cs), cell_glyphs) in enumerate(zip(spans, texts)):
        if i >= n_boxes and not cell_glyphs:
            continue  # an unboxed slot with nothing in it
        text = "".join(line.text for line in build_lines(cell_glyphs))
        cells.append(GeoCell(xs[c], xs[c + cs], r, rs, text))
    return PdfTable(cells, n_rows, xs[0], xs[-1], ys[0], ys[-1], page), leftover


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _row_signature(table: PdfTable, row: int) -> tuple[str, ...]:
    return tuple(_squash(c.text) for c in sorted(table.cells, key=lambda c: c.x0) if c.row == row)


def _same_column_lines(a: PdfTable, b: PdfTable) -> bool:
    """Same outer edges, and most of b's inner column lines are also a's."""
    if abs(a.x0 - b.x0) > _SNAP or abs(a.x1 - b.x1) > _SNAP:
        return False
    a_lines = _cluster([c.x0 for c in a.cells] + [c.x1 for c in a.cells])
    b_lines = _cluster([c.x0 for c in b.cells] + [c.x1 for c in b.cells])
    shared = sum(1 for x in b_lines if any(abs(x - y) <= _SNAP for y in a_lines))
    return shared >= 0.6 * len(b_lines)


def _repeated_header_rows(prev: PdfTable, cont: PdfTable) -> int:
    """How many leading rows of `cont` repeat the leading rows of `prev`."""
    depth = 0
    for r in range(min(_MAX_HEADER_ROWS, prev.n_rows, cont.n_rows - 1)):
        sig = _row_signature(cont, r)
        if not any(sig) or sig != _row_signature(prev, r):
            break
        depth = r + 1
    return depth


def _drop_rows(table: PdfTable, count: int) -> None:
    """Remove the first `count` rows; cells reaching below them are cut to what remains."""
    kept = []
    for cell in table.cells:
        end = cell.row + cell.rowspan
        if end <= count:
            continue
        cell.row, cell.rowspan = max(cell.row, count) - count, end - max(cell.row, count)
        kept.append(cell)
    table.cells = kept
    table.n_rows -= count


def _match_above(prev: PdfTable, cell: GeoCell) -> GeoCell | None:
    """The cell of `prev`'s last row that spans the same columns as `cell`."""
    last = prev.n_rows - 1
    for p in prev.cells:
        if p.row <= last < p.row + p.rowspan and abs(p.x0 - cell.x0) <= _SNAP and abs(p.x1 - cell.x1) <= _SNAP:
            return p
    return None


def _running_text(text: str) -> bool:
    """Text long enough to overflow a row (a sentence, not a label or an amount)."""
    return len(text) >= _RUNNING_TEXT_CHARS and not re.fullmatch(r"[\d,.\s%-]+", text)


def stitch(prev: PdfTable, cont: PdfTable) -> bool:
    """Append `cont` (the top of the next page) to `prev` when it continues it; True if it did."""
    header_rows = _repeated_header_rows(prev, cont)
    if not header_rows and not _same_column_lines(prev, cont):
        return False
    if header_rows:
        _drop_rows(cont, header_rows)
    first = [c for c in cont.cells if c.row == 0]
    above = {id(c): _match_above(prev, c) for c in first}
    # A row cut by the page break: an unmerged cell of running text above goes on empty
    # below, and every piece of text below has a cell above to go back to.
    cut = any(not c.text and (p := above[id(c)]) is not None and p.rowspan == 1 and _running_text(p.text)
              for c in first) and all(above[id(c)] is not None for c in first if c.text)
    offset = prev.n_rows - 1 if cut else prev.n_rows
    absorbed: set[int] = set()
    for c in first:
        p = above[id(c)]
        merged = p is not None and (p.rowspan > 1 or c.rowspan > 1)
        if p is None or not (cut or merged and not c.text):
            continue
        p.rowspan = offset + c.rowspan - p.row
        p.text += c.text
        absorbed.add(id(c))
    for c in cont.cells:
        if id(c) not in absorbed:
            c.row += offset
            prev.cells.append(c)
    prev.n_rows = offset + cont.n_rows
    prev.bottom = cont.bottom
    return True


def to_raw_cells(table: PdfTable) -> list[RawCell]:
    """Grid cells for the builder; column lines of every stitched part are unified."""
    xs = _cluster([c.x0 for c in table.cells] + [c.x1 for c in table.cells])
    raw = []
    for c in sorted(table.cells, key=lambda c: (c.row, c.x0)):
        col = _index(xs, c.x0)
        raw.append(RawCell(c.row, col, c.text, rowspan=c.rowspan, colspan=max(1, _index(xs, c.x1) - col)))
    return raw
