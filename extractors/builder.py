"""Assembles the common document from what a reader hands it, block by block.

Readers only say "here is a paragraph" or "here is a table with these cells"; the
builder normalises every string the same way, lays the blocks out in one text
(paragraphs on their own line, table rows as tab-separated cells) and records offsets,
pages and the map back to the input.
"""
from __future__ import annotations

from dataclasses import dataclass

from extractors.normalize import normalize_inline
from schemas.document import Block, Cell, Document, Origin, Table


@dataclass
class RawCell:
    """A cell as a reader finds it; row/col are grid positions of its top-left slot."""

    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1
    offsets: list[int] | None = None
    page: int | None = None  # where the cell's row begins, for a table running over pages


class DocumentBuilder:
    def __init__(self, source: str, fmt: str, doc_id: str) -> None:
        self.source = source
        self.format = fmt
        self.doc_id = doc_id
        # The text so far, as the pieces emitted (joined once, in `build`).
        self._pieces: list[str] = []
        self._length = 0
        self._offsets: list[int] = []
        self._blocks: list[Block] = []
        self._page_starts: list[int] = []
        self._current_page: int | None = None
        self.warnings: list[str] = []

    @property
    def length(self) -> int:
        return self._length

    def start_page(self, number: int) -> None:
        """Mark that the following blocks are on page `number` (1-based)."""
        self._page_from(number, self.length)

    def _page_from(self, number: int, offset: int) -> None:
        while len(self._page_starts) < number:
            self._page_starts.append(offset)
        self._current_page = number

    def _emit(self, text: str, offsets: list[int]) -> tuple[int, int]:
        start = self._length
        self._pieces.append(text)
        self._offsets.extend(offsets)
        self._length += len(text)
        return start, self._length

    def _newline(self) -> None:
        if self._length:
            self._emit("\n", [-1])

    def paragraph(self, raw: str, offsets: list[int] | None = None, origin: Origin = "text",
                  page_breaks: list[tuple[int, int]] | None = None) -> Block | None:
        """`page_breaks` lists (index into `raw`, page) where a paragraph that a page break
        split goes on to a later page, so evidence there gets that page; it needs
        `offsets` None (the normalised text then maps back to indices of `raw`)."""
        text, mapped = normalize_inline(raw, offsets)
        if not text:
            return None
        self._newline()
        page = self._current_page
        start, end = self._emit(text, mapped)
        for raw_index, number in page_breaks or ():
            at = next((start + i for i, m in enumerate(mapped) if m >= raw_index), None)
            if at is not None:
                self._page_from(number, at)
        block = Block("paragraph", start, end, page=page, origin=origin)
        self._blocks.append(block)
        return block

    def table(self, raw_cells: list[RawCell], origin: Origin = "text") -> Block | None:
        """Lay out a table: rows in order, each row's cells (those starting in it) by column."""
        if not raw_cells:
            return None
        n_rows = max(c.row + c.rowspan for c in raw_cells)
        n_cols = max(c.col + c.colspan for c in raw_cells)
        by_row: dict[int, list[RawCell]] = {}
        for rc in raw_cells:
            by_row.setdefault(rc.row, []).append(rc)
        self._newline()
        block_start = self.length
        page = self._current_page
        cells: list[Cell] = []
        for r in range(n_rows):
            if r > 0:
                self._emit("\n", [-1])
            row_page = min((rc.page for rc in by_row.get(r, []) if rc.page is not None), default=None)
            if row_page is not None and row_page > (self._current_page or 0):
                self._page_from(row_page, self.length)
            for i, rc in enumerate(sorted(by_row.get(r, []), key=lambda c: c.col)):
                if i > 0:
                    self._emit("\t", [-1])
                text, mapped = normalize_inline(rc.text.replace("\t", " "), rc.offsets)
                start, end = self._emit(text, mapped)
                cells.append(Cell(rc.row, rc.col, text, start, end, rc.rowspan, rc.colspan))
        block = Block("table", block_start, self.length, page=page,
                      table=Table(cells, n_rows, n_cols), origin=origin)
        self._blocks.append(block)
        return block

    def build(self, pages: int | None = None, keep_offsets: bool = True) -> Document:
        return Document(
            source=self.source,
            format=self.format,
            doc_id=self.doc_id,
            text="".join(self._pieces),
            blocks=self._blocks,
            pages=pages,
            page_starts=self._page_starts if pages else [],
            source_offsets=self._offsets if keep_offsets else None,
            warnings=self.warnings,
        )
