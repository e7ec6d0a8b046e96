"""The common document model that every format reader fills.

A document is one normalised text plus ordered blocks (paragraphs and tables) that
point into it by character offsets. Field rules read blocks and slice the text; every
extracted value's evidence is a span of this text, so `jixiao text FILE` shows exactly
what offsets refer to. Merged table cells appear once, with their spans, never repeated.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["paragraph", "table"]
Origin = Literal["text", "ocr"]


@dataclass
class Cell:
    """One logical table cell; a merged cell covers rowspan x colspan grid slots."""

    row: int
    col: int
    text: str
    start: int
    end: int
    rowspan: int = 1
    colspan: int = 1


@dataclass
class Table:
    cells: list[Cell]
    n_rows: int
    n_cols: int

    def rows(self) -> list[list[Cell]]:
        """Cells grouped by the row they start in, left to right (merged cells once)."""
        out: list[list[Cell]] = [[] for _ in range(self.n_rows)]
        for cell in self.cells:
            out[cell.row].append(cell)
        for row in out:
            row.sort(key=lambda c: c.col)
        return out

    def grid(self) -> list[list[Cell | None]]:
        """Every grid slot mapped to the cell covering it (a merged cell fills its span)."""
        slots: list[list[Cell | None]] = [[None] * self.n_cols for _ in range(self.n_rows)]
        for cell in self.cells:
            for r in range(cell.row, min(cell.row + cell.rowspan, self.n_rows)):
                for c in range(cell.col, min(cell.col + cell.colspan, self.n_cols)):
                    slots[r][c] = cell
        return slots


@dataclass
class Block:
    kind: BlockKind
    start: int
    end: int
    page: int | None = None
    table: Table | None = None
    origin: Origin = "text"


@dataclass
class Document:
    source: str
    format: str
    doc_id: str
    text: str
    blocks: list[Block]
    pages: int | None = None
    # page_starts[k] is the text offset where page k+1 begins (paged formats only).
    page_starts: list[int] = field(default_factory=list)
    # source_offsets[i] is the index in the original (decoded) input of text[i], or -1
    # for characters the reader inserted (separators). Only text formats keep it.
    source_offsets: list[int] | None = None
    warnings: list[str] = field(default_factory=list)

    def page_at(self, offset: int) -> int | None:
        if not self.page_starts:
            return None
        return max(1, bisect_right(self.page_starts, offset))

    def block_text(self, block: Block) -> str:
        return self.text[block.start:block.end]
