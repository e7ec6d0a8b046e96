"""PDF reader: a fast text path, a ruled-table path and OCR, page by page.

pdfminer (under pdfplumber) reads about 20 pages/s; pypdfium2 parses pages at several
hundred. So every page's glyphs come from pypdfium2 (pdf_page; fake-bold doubles are
dropped in pdf_text as pdfplumber's `dedupe_chars` would), and only pages that draw
enough paths to hold a ruled table have their rules turned into cell boxes (pdf_rules:
pypdfium2 paths, then pdfplumber's table finder). Pages whose text layer is missing or garbage (`(cid:N)`,
unmapped glyphs) over a page-sized image are rendered and OCR'd. All paths produce
positioned lines, so running headers, page numbers, paragraphs and tables split by page
breaks are handled once, in `_assemble`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium

from extractors.builder import DocumentBuilder
from extractors.readers import ocr
from extractors.readers.base import ReadError
from extractors.readers.joining import join_wrapped
from extractors.readers.pdf_page import PageSpace, image_share, is_ruled, pdfium_glyphs
from extractors.readers.pdf_rules import find_table_cells
from extractors.readers.pdf_tables import PdfTable, read_table, stitch, to_raw_cells
from extractors.readers.pdf_text import Glyph, Line, PageFrame, build_lines, find_furniture, group_paragraphs
from schemas.document import Document, Origin

SCAN_MAX_GOOD_GLYPHS = 10  # a page with fewer readable glyphs over a big image is a scan
SCAN_IMAGE_SHARE = 0.5     # share of the page an image must cover to count as a scan
GARBAGE_SHARE = 0.3        # a text layer with this share of unreadable glyphs is unusable
_TRAILER_WINDOW = 1 << 20

Item = Line | PdfTable


@dataclass
class PageContent:
    number: int
    height: float
    items: list[Item] = field(default_factory=list)
    origin: Origin = "text"


# ---- opening -----------------------------------------------------------------------------

def _declares_encryption(path: Path) -> bool:
    """Whether the trailer (at the end, or at the start of a linearized file) names /Encrypt."""
    with path.open("rb") as handle:
        head = handle.read(_TRAILER_WINDOW)
        handle.seek(max(0, path.stat().st_size - _TRAILER_WINDOW))
        return b"/Encrypt" in head or b"/Encrypt" in handle.read()


def _open(path: Path) -> pdfium.PdfDocument:
    """The document, or a ReadError saying why it cannot be opened.

    pdfium's error code is per thread and can be left over from an earlier file, so
    encryption is told from the file itself.
    """
    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        if _declares_encryption(path):
            raise ReadError("encrypted PDF: a password is needed to open it") from None
        reason = str(exc).split("PDFium:")[-1].strip(" .)").lower()
        if reason in ("", "success", "incorrect password error"):
            reason = "no readable document structure"
        raise ReadError(f"corrupt or truncated PDF ({reason})") from None


def _table_items(page: pdfium.PdfPage, glyphs: list[Glyph], number: int) -> list[Item]:
    """Ruled tables (cells with the glyphs inside them) and the lines of text outside them."""
    items: list[Item] = []
    for boxes in find_table_cells(page):
        table, glyphs = read_table(boxes, glyphs, number)
        if table is not None:
            items.append(table)
    items.extend(build_lines(glyphs, number))
    items.sort(key=lambda it: it.top)
    return items


# ---- reading pages -----------------------------------------------------------------------

class _PageReader:
    """Reads pages one at a time and remembers what could not be read."""

    def __init__(self, pdf: pdfium.PdfDocument) -> None:
        self.pdf = pdf
        self.warnings: list[str] = []
        self.pages_without_text: list[int] = []

    def read(self, index: int) -> PageContent:
        try:
            page = self.pdf[index]
        except pdfium.PdfiumError as exc:
            self.warnings.append(f"page {index + 1}: could not be loaded ({exc})")
            return PageContent(index + 1, 0.0)
        try:
            content = PageContent(index + 1, PageSpace.of(page).height)
            glyphs, bad = pdfium_glyphs(page)
            visible = sum(1 for g in glyphs if not g.text.isspace())
            garbage = bad > GARBAGE_SHARE * (visible + bad)
            if garbage or visible < SCAN_MAX_GOOD_GLYPHS and image_share(page) >= SCAN_IMAGE_SHARE:
                items = self._ocr(page, content.number)
                if items is not None:
                    content.items, content.origin = items, "ocr"
                    return content
                if garbage:
                    return content
            if is_ruled(page):
                content.items = _table_items(page, glyphs, content.number)
            else:
                content.items = list(build_lines(glyphs, content.number))
            return content
        finally:
            page.close()

    def _ocr(self, page: pdfium.PdfPage, number: int) -> list[Item] | None:
        if ocr.unavailable_reason() is not None:
            self.pages_without_text.append(number)
            return None
        try:
            return ocr.ocr_page(page, number)
        except ocr.OcrError as exc:
            self.warnings.append(f"page {number}: OCR failed ({exc})")
            return None

    def missing_ocr_warning(self) -> str | None:
        pages = self.pages_without_text
        if not pages:
            return None
        which = f"page {pages[0]} has" if len(pages) == 1 else f"pages {', '.join(map(str, pages))} have"
        return f"{which} no text layer and {ocr.unavailable_reason()}"


# ---- assembling the document -------------------------------------------------------------

def _assemble(builder: DocumentBuilder, pages: list[PageContent]) -> None:
    """Drop furniture, join wrapped lines and split tables, then emit blocks page by page."""
    furniture = find_furniture([([it for it in p.items if isinstance(it, Line)], p.height) for p in pages])
    for p in pages:
        p.items = [it for it in p.items if not (isinstance(it, Line) and id(it) in furniture)]
    frames = {p.number: PageFrame.of([it for it in p.items if isinstance(it, Line)]) for p in pages}
    # How far down the body reaches on pages of each height: where a page break cuts a table.
    by_height: dict[int, float] = {}
    for p in pages:
        if p.items:
            key = round(p.height)
            by_height[key] = max(by_height.get(key, 0.0), max(it.bottom for it in p.items))
    body_bottom = {p.number: by_height.get(round(p.height)) for p in pages}
    units: list[tuple[int, Origin, list[Line] | PdfTable]] = []
    run: list[Line] = []
    run_origin: Origin = "text"
    open_table: PdfTable | None = None

    def flush() -> None:
        for group in group_paragraphs(run, frames):
            units.append((group[0].page, run_origin, group))
        run.clear()

    for p in pages:
        if p.origin != run_origin:
            flush()
            run_origin = p.origin
        for k, item in enumerate(p.items):
            if isinstance(item, PdfTable):
                flush()
                if not (k == 0 and open_table is not None and stitch(open_table, item, body_bottom[p.number - 1])):
                    units.append((p.number, p.origin, item))
                    open_table = item
            else:
                run.append(item)
        if not (p.items and isinstance(p.items[-1], PdfTable)):
            open_table = None
    flush()

    current = 0
    for page_number, origin, payload in units:
        if page_number != current:
            builder.start_page(page_number)
            current = page_number
        if isinstance(payload, PdfTable):
            builder.table(to_raw_cells(payload), origin=origin)
        else:
            text, breaks = _paragraph_text(payload)
            builder.paragraph(text, origin=origin, page_breaks=breaks)


def _paragraph_text(lines: list[Line]) -> tuple[str, list[tuple[int, int]]]:
    """The paragraph's text, and where in it each later page it runs onto begins."""
    texts = [line.text for line in lines]
    breaks = []
    for k in range(1, len(lines)):
        if lines[k].page != lines[k - 1].page:
            breaks.append((len(join_wrapped(texts[:k + 1])) - len(texts[k]), lines[k].page))
    return join_wrapped(texts), breaks


def read_pdf(path: Path, doc_id: str, fmt: str) -> Document:
    pdf = _open(path)
    reader = _PageReader(pdf)
    try:
        pages = [reader.read(i) for i in range(len(pdf))]
    finally:
        pdf.close()
    builder = DocumentBuilder(path.name, fmt, doc_id)
    missing = reader.missing_ocr_warning()
    builder.warnings.extend(([missing] if missing else []) + reader.warnings)
    _assemble(builder, pages)
    if not builder.length:
        raise ReadError(missing or "no text in the PDF")
    return builder.build(pages=len(pages), keep_offsets=False)
