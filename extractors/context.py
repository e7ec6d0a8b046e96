"""What a field rule sees: one report's slice of the document, and evidence making."""
from __future__ import annotations

from dataclasses import dataclass

from extractors.segment import ReportSpan, heading_chain
from schemas.document import Block, Document
from schemas.records import Evidence


@dataclass
class ReportContext:
    doc: Document
    span: ReportSpan
    index: int

    @property
    def text(self) -> str:
        return self.doc.text[self.span.start:self.span.end]

    def paragraphs(self) -> list[tuple[int, Block, str]]:
        """(block index, block, text) of the report's paragraphs, in order."""
        return [
            (i, b, self.doc.block_text(b))
            for i, b in enumerate(self.doc.blocks[self.span.first:self.span.last], start=self.span.first)
            if b.kind == "paragraph"
        ]

    def tables(self) -> list[tuple[int, Block]]:
        return [
            (i, b)
            for i, b in enumerate(self.doc.blocks[self.span.first:self.span.last], start=self.span.first)
            if b.kind == "table" and b.table is not None
        ]

    def headings_of(self, block_index: int) -> list[str]:
        return [h.text for h in heading_chain(self.span, block_index)]

    def evidence(self, start: int, end: int) -> Evidence:
        return Evidence(self.doc.page_at(start), start, end, self.doc.text[start:end])
