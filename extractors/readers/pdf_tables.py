"""Ruled PDF tables: cell boxes to logical cells with spans, and tables stitched across pages.

pdfplumber finds the cell boxes; text is assigned here from the page's glyphs by box,
so a merged cell is one cell whatever slots it covers and text wrapped inside a cell is
joined without a space (`13010024P00971210` + `054H`). A table cut by a page break
comes back as two parts; `stitch` joins them: the repeated header rows are dropped, a
merged label column that carries on (an empty cell under it) extends the label's
rowspan, and a row cut in half is joined back into one row. Word and LibreOffice cut a
row between two wrapped lines of a cell, so a row is also taken as cut when the first
part fills its page and every piece of text at the top of the next page sits under a
cell whose last line runs to the cell's edge (its text was still going on).
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from extractors.builder import RawCell
from extractors.readers.pdf_text import Glyph, Line, build_lines

_SNAP = 3.0            # cell edges closer than this (points) are one grid line
_MAX_HEADER_ROWS = 4   # a repeated header is at most this many rows deep
_RUNNING_TEXT_CHARS = 20
# What moves to the next line whole: a number or Latin word, or a CJK character with the
# closing punctuation that may not start a line.
_FIRST_WORD = re.compile(r"[0-9A-Za-z.,%‰+\-/]+|.[，。、；：？！）」』”’%]*")
_LATIN_WIDTH = 0.6     # average width of a Latin letter or digit, as a share of the font size


@dataclass(slots=True)
class GeoCell:
    """A logical cell: its horizontal extent in points and its rows in the table."""

    x0: float
    x1: float
    row: int
    rowspan: int
    text: str
    room: float | None = None  # width left free after its last line; None when empty
    lead: float = 0.0          # width its first word needs (a CJK character, a whole number)
    page: int = 0              # the page its row begins on


@dataclass
class PdfTable:
    cells: list[GeoCell]
    n_rows: int
    x0: float
    x1: float
    top: float
    bottom: float
    page: int
    size: float = 0.0  # median font size of its text


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
    laid_out: list[tuple[int, int, int, int, list[Line]]] = []
    for i, ((r, rs, c, cs), cell_glyphs) in enumerate(zip(spans, texts)):
        if i >= n_boxes and not cell_glyphs:
            continue  # an unboxed slot with nothing in it
        laid_out.append((r, rs, c, cs, build_lines(cell_glyphs)))
    # Cell padding: the smallest gap between a cell's left edge and its text.
    padding = min((min(ln.x0 for ln in lines) - xs[c] for _, _, c, _, lines in laid_out if lines), default=0.0)
    cells = []
    for r, rs, c, cs, lines in laid_out:
        text = "".join(ln.text for ln in lines)
        if not lines:
            cells.append(GeoCell(xs[c], xs[c + cs], r, rs, text, page=page))
            continue
        room = xs[c + cs] - xs[c] - 2 * max(padding, 0.0) - (lines[-1].x1 - lines[-1].x0)
        cells.append(GeoCell(xs[c], xs[c + cs], r, rs, text, room, _lead_width(lines[0]), page))
    sizes = [ln.size for *_, lines in laid_out for ln in lines]
    return PdfTable(cells, n_rows, xs[0], xs[-1], ys[0], ys[-1], page, _median(sizes) if sizes else 0.0), leftover


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def _lead_width(line: Line) -> float:
    """About how wide the line's first word is, the room the line above lacked for it."""
    word = _FIRST_WORD.match(line.text)
    if word is None:
        return 0.0
    return sum(_LATIN_WIDTH if ch.isascii() else 1.0 for ch in word.group()) * line.size


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


def _wrapped_across(prev: PdfTable, first: list[GeoCell], above: dict[int, GeoCell | None],
                    body_bottom: float | None) -> bool:
    """A row cut between two wrapped lines: `prev` reaches the foot of its page's body and
    each piece of text below goes on from a cell above whose last line had no room for it."""
    if body_bottom is None or prev.bottom < body_bottom - 2 * prev.size:
        return False
    pieces = [c for c in first if c.text]
    return bool(pieces) and all((p := above[id(c)]) is not None and p.room is not None and p.room < c.lead
                                for c in pieces)


def stitch(prev: PdfTable, cont: PdfTable, body_bottom: float | None = None) -> bool:
    """Append `cont` (the top of the next page) to `prev` when it continues it; True if it did.

    `body_bottom` is how far down the page's body text and tables reach; a row can be cut
    between wrapped lines only in a table that ends there.
    """
    header_rows = _repeated_header_rows(prev, cont)
    if not header_rows and not _same_column_lines(prev, cont):
        return False
    if header_rows:
        _drop_rows(cont, header_rows)
    first = [c for c in cont.cells if c.row == 0]
    above = {id(c): _match_above(prev, c) for c in first}
    # A row cut by the page break: an unmerged cell of running text above goes on empty
    # below, and every piece of text below has a cell above to go back to.
    cut = (any(not c.text and (p := above[id(c)]) is not None and p.rowspan == 1 and _running_text(p.text)
               for c in first) and all(above[id(c)] is not None for c in first if c.text)
           or _wrapped_across(prev, first, above, body_bottom))
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
        raw.append(RawCell(c.row, col, c.text, rowspan=c.rowspan, colspan=max(1, _index(xs, c.x1) - col),
                           page=c.page))
    return raw
