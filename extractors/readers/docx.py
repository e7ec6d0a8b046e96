"""DOCX reader: body paragraphs and tables in document order, merged cells once.

python-docx opens the package, but the body is walked here element by element:
`doc.paragraphs` skips tables, and `row.cells` repeats a merged cell for every slot it
covers and is quadratic in a vertical merge. Each row's `w:tc` elements are read for
`gridSpan` and `vMerge` instead, so a merged cell is one RawCell with its spans.

Choices: headers, footers, footnotes and comments are left out (only the body is
walked); a table nested in a cell is flattened into that cell's text (its cells joined
by spaces), so the outer grid stays intact; text boxes become paragraphs after the
paragraph that anchors them; deleted revisions are skipped, inserted ones kept.
"""
from __future__ import annotations

import re
from pathlib import Path

import docx
from docx.oxml.ns import qn
from lxml import etree

from extractors.builder import DocumentBuilder, RawCell
from extractors.readers.base import ReadError
from extractors.readers.docx_numbering import Numbering
from extractors.readers.joining import join_pieces
from extractors.readers.ooxml import check_package
from schemas.document import Document

_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_SKIPPED = {qn("w:pPr"), qn("w:rPr"), qn("w:del"), qn("w:moveFrom"), qn("w:instrText"),
            qn("w:delText"), _MC_FALLBACK}
_CHARS = {qn("w:tab"): " ", qn("w:br"): "\n", qn("w:cr"): "\n", qn("w:noBreakHyphen"): "-"}
_CONTAINERS = {qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml")}
_LABEL_END = "、）).．:："


def _local(el: etree._Element) -> str:
    return el.tag if isinstance(el.tag, str) else ""


class _BodyWalker:
    def __init__(self, builder: DocumentBuilder, numbering: Numbering) -> None:
        self.builder = builder
        self.numbering = numbering

    # -- paragraphs --
    def _runs_text(self, el: etree._Element, out: list[str], floating: list[etree._Element]) -> None:
        for child in el:
            tag = _local(child)
            if tag in _SKIPPED:
                continue
            if tag == qn("w:t"):
                out.append(child.text or "")
            elif tag in _CHARS:
                out.append(_CHARS[tag])
            elif tag == qn("w:txbxContent"):
                floating.append(child)
            else:
                self._runs_text(child, out, floating)

    def paragraph_text(self, p: etree._Element, floating: list[etree._Element]) -> str:
        """The paragraph as printed: its number label, then its runs (soft breaks joined)."""
        out: list[str] = []
        self._runs_text(p, out, floating)
        text = join_pieces("".join(out).split("\n"))
        label = self.numbering.label(p)
        if label and text:
            return label + ("" if label[-1] in _LABEL_END else " ") + text
        return label or text

    # -- tables --
    def _cell_text(self, tc: etree._Element) -> str:
        pieces: list[str] = []
        for child in self._flow(tc):
            if _local(child) == qn("w:p"):
                floating: list[etree._Element] = []
                pieces.append(self.paragraph_text(child, floating))
                pieces.extend(self._cell_text(box) for box in floating)
            elif _local(child) == qn("w:tbl"):
                pieces.append(" ".join(c.text for c in self.table_cells(child) if c.text))
        return join_pieces(pieces)

    def _rows(self, tbl: etree._Element) -> list[etree._Element]:
        return [el for el in self._flow(tbl) if _local(el) == qn("w:tr")]

    def table_cells(self, tbl: etree._Element) -> list[RawCell]:
        """Logical cells: horizontal spans from gridSpan, vertical merges from vMerge."""
        cells: list[RawCell] = []
        open_merges: dict[int, RawCell] = {}  # grid column -> cell a vMerge may extend
        for r, tr in enumerate(self._rows(tbl)):
            tr_pr = tr.find(qn("w:trPr"))
            col = int(_attr(tr_pr, "w:gridBefore") or 0)
            extended: set[int] = set()
            for tc in (el for el in self._flow(tr) if _local(el) == qn("w:tc")):
                tc_pr = tc.find(qn("w:tcPr"))
                span = max(1, int(_attr(tc_pr, "w:gridSpan") or 1))
                v_merge = tc_pr.find(qn("w:vMerge")) if tc_pr is not None else None
                merge = None if v_merge is None else v_merge.get(qn("w:val"), "continue")
                above = open_merges.get(col)
                if merge == "continue" and above is not None and above.colspan == span:
                    above.rowspan = r - above.row + 1
                    extra = self._cell_text(tc)
                    above.text = join_pieces([above.text, extra]) if extra else above.text
                    extended.add(col)
                else:
                    cell = RawCell(r, col, self._cell_text(tc), colspan=span)
                    cells.append(cell)
                    if merge == "restart":
                        open_merges[col] = cell
                        extended.add(col)
                col += span
            for c in [c for c in open_merges if c not in extended]:
                del open_merges[c]
        return cells

    # -- the body --
    def _flow(self, el: etree._Element):
        """Children in order, looking through content controls and custom XML wrappers."""
        for child in el:
            if _local(child) in _CONTAINERS:
                yield from self._flow(child)
            else:
                yield child

    def walk(self, container: etree._Element) -> None:
        for child in self._flow(container):
            tag = _local(child)
            if tag == qn("w:p"):
                floating: list[etree._Element] = []
                self.builder.paragraph(self.paragraph_text(child, floating))
                for box in floating:
                    self.walk(box)
            elif tag == qn("w:tbl"):
                self.builder.table(self.table_cells(child))


def _attr(parent: etree._Element | None, tag: str) -> str | None:
    child = parent.find(qn(tag)) if parent is not None else None
    return child.get(qn("w:val")) if child is not None else None


def read_docx(path: Path, doc_id: str, fmt: str) -> Document:
    check_package(path, "DOCX", "[Content_Types].xml")
    try:
        document = docx.Document(str(path))
        numbering = Numbering(document)
    except Exception as exc:  # python-docx and lxml raise many types on a damaged package
        reason = re.sub(r"\s+", " ", str(exc)).strip()[:120]
        raise ReadError(f"not a valid DOCX ({type(exc).__name__}: {reason})") from None
    builder = DocumentBuilder(path.name, fmt, doc_id)
    _BodyWalker(builder, numbering).walk(document.element.body)
    if not builder.length:
        raise ReadError("empty: no text in the DOCX")
    return builder.build(keep_offsets=False)
