"""Glyphs to lines to paragraphs: the layout logic every PDF page path shares.

Text-layer glyphs (from pypdfium2), the glyphs inside one table cell and OCR words (from
Tesseract) are all positioned boxes, so they are grouped into lines, stripped of running
headers and page numbers, and joined into paragraphs by the same rules: the same page
gives the same text whichever path read it. pdfplumber chars fit too (the tests compare).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from extractors.readers.joining import is_cjk

# Coordinates are PDF points measured from the top-left corner of the page.
_SAME_LINE_OVERLAP = 0.5      # vertical overlap, as a share of the smaller glyph, for one line
_SPACE_GAP = 0.2              # a horizontal gap wider than this share of the font size is a space
_DEDUPE_TOLERANCE = 1.0       # fake-bold copies of a glyph lie within this distance
_MARGIN_ZONE = 0.12           # share of the page height at top and bottom where furniture lives
_FURNITURE_SHARE = 0.4        # text repeated at one height on this share of pages is furniture
_FURNITURE_MIN_PAGES = 3

_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－_~·\s]*\d{1,3}[-—–－_~·\s]*"
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}|[Pp]age\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$"
)
_HEADING_START = re.compile(
    r"^\s*(附件\s*\d+|第[一二三四五六七八九十]+[部章节]分?|[一二三四五六七八九十]+[、.．]"
    r"|[（(][一二三四五六七八九十\d]+[）)]|\d{1,2}[.．、](?!\d)|[①-⑳])"
)


@dataclass(slots=True)
class Glyph:
    """One character (or an OCR word); `size` is its rendered font size in points.

    `advance` says the box spans the character's advance, as a text layer gives it, so
    the gaps between boxes are the gaps the layout left; OCR boxes hug the ink instead."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    advance: bool = True


@dataclass(slots=True)
class Line:
    """One visual line of a page; `page` is 1-based."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    page: int = 0


def _group_rows(glyphs: list[Glyph]) -> list[list[Glyph]]:
    """Glyphs that overlap vertically by half a glyph share a line (shifted digits included)."""
    rows: list[list[Glyph]] = []
    band_top = band_bottom = 0.0
    for g in sorted(glyphs, key=lambda g: (g.top + g.bottom) / 2):
        if rows:
            overlap = min(band_bottom, g.bottom) - max(band_top, g.top)
            height = min(band_bottom - band_top, g.bottom - g.top) or 1.0
            if overlap >= _SAME_LINE_OVERLAP * height:
                rows[-1].append(g)
                continue
        rows.append([g])
        band_top, band_bottom = g.top, g.bottom
    return rows


def _row_text(row: list[Glyph]) -> tuple[str, list[Glyph]]:
    """Glyphs of one line left to right, fake-bold copies dropped; a space where the PDF
    draws one or the gap is wide. Between two CJK characters a gap counts only beyond the
    line's usual one, since justification spreads every gap of a line alike, and only
    between advance boxes: gaps between ink boxes vary with the characters' shapes."""
    kept: list[Glyph] = []
    spaced: set[int] = set()  # indices into kept of glyphs that follow a drawn space
    pending_space = False
    for g in sorted(row, key=lambda g: g.x0):
        if g.text.isspace():
            pending_space = True
            continue
        if any(k.text == g.text and abs(k.x0 - g.x0) <= _DEDUPE_TOLERANCE
               and abs(k.top - g.top) <= _DEDUPE_TOLERANCE for k in kept[-3:]):
            continue
        if pending_space and kept:
            spaced.add(len(kept))
        pending_space = False
        kept.append(g)
    pairs = list(zip(kept, kept[1:]))
    both_cjk = [is_cjk(a.text[-1]) and is_cjk(b.text[0]) for a, b in pairs]
    cjk_gaps = [b.x0 - a.x1 for (a, b), cjk in zip(pairs, both_cjk) if cjk]
    spread = _median(cjk_gaps) if cjk_gaps else 0.0
    parts = [kept[0].text] if kept else []
    for i, ((prev, g), cjk) in enumerate(zip(pairs, both_cjk), start=1):
        wide = g.x0 - prev.x1 - (spread if cjk else 0.0) > _SPACE_GAP * max(g.size, prev.size, 1.0)
        if i in spaced or wide and (not cjk or prev.advance and g.advance):
            parts.append(" ")
        parts.append(g.text)
    return "".join(parts), kept


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def build_lines(glyphs: list[Glyph], page: int = 0) -> list[Line]:
    """Visual lines, top to bottom; spaces come from space glyphs and gaps."""
    lines: list[Line] = []
    for row in _group_rows([g for g in glyphs if g.text]):
        text, kept = _row_text(row)
        if not kept:
            continue
        # Median top and bottom: fonts mixed in one line have very different glyph boxes.
        lines.append(Line(text, min(g.x0 for g in kept), _median([g.top for g in kept]),
                          max(g.x1 for g in kept), _median([g.bottom for g in kept]),
                          _median([g.size for g in kept]), page))
    lines.sort(key=lambda ln: (ln.top, ln.x0))
    return lines


# ---- running headers, footers and page numbers -------------------------------------------

def _furniture_key(line: Line) -> tuple[str, int]:
    return re.sub(r"\d+", "#", line.text.replace(" ", "")), round(line.top / 3)


def _edge_candidates(lines: list[Line], height: float) -> list[tuple[Line, bool]]:
    """Up to two lines at each end of the page inside the margin zones, flagged when outermost."""
    out: list[tuple[Line, bool]] = []
    for i, line in enumerate(lines[:2]):
        if line.bottom <= height * _MARGIN_ZONE:
            out.append((line, i == 0))
    for i, line in enumerate(reversed(lines[-2:])):
        if line.top >= height * (1 - _MARGIN_ZONE) and all(line is not c for c, _ in out):
            out.append((line, i == 0))
    return out


def find_furniture(pages: list[tuple[list[Line], float]]) -> set[int]:
    """ids of lines that are page numbers, or running text repeated at one height on most pages.

    `pages` holds, per page, its text lines in reading order and the page height. Page
    numbers may sit one line in from the edge; repeated text only counts as the page's
    first or last line, so a repeated unit line (单位：元) under a title is kept.
    """
    candidates = [_edge_candidates(lines, height) for lines, height in pages]
    counts = Counter(key for cands in candidates for key in {_furniture_key(c) for c, edge in cands if edge})
    needed = max(_FURNITURE_MIN_PAGES, _FURNITURE_SHARE * len(pages))
    furniture: set[int] = set()
    for cands in candidates:
        for line, edge in cands:
            if _PAGE_NUMBER.match(line.text.strip()) or edge and counts[_furniture_key(line)] >= needed:
                furniture.add(id(line))
    return furniture


# ---- paragraphs --------------------------------------------------------------------------

@dataclass(slots=True)
class PageFrame:
    """Left and right text edges of a page's body, for telling wraps from paragraph ends."""

    left: float
    right: float

    @classmethod
    def of(cls, lines: list[Line]) -> PageFrame | None:
        body = [ln for ln in lines if len(ln.text) >= 8] or lines
        if not body:
            return None
        return cls(min(ln.x0 for ln in body), max(ln.x1 for ln in body))


def continues(prev: Line, nxt: Line, prev_frame: PageFrame, next_frame: PageFrame) -> bool:
    """True when `nxt` carries on the sentence `prev` wrapped out of."""
    size = max(prev.size, nxt.size, 1.0)
    if abs(prev.size - nxt.size) > 1.0:
        return False
    if prev.page == nxt.page and not 0 < (nxt.top + nxt.bottom - prev.top - prev.bottom) / 2 < 3.0 * size:
        return False  # not the next line down
    # A number or Latin word that did not fit moved down whole, leaving a wider gap.
    slack = (6.0 if nxt.text[:1].isascii() and nxt.text[:1].isalnum() else 2.0) * size
    if prev.x1 < prev_frame.right - slack or prev.x0 > prev_frame.left + 2.5 * size:
        return False  # stopped short of the margin, or centred: the paragraph ended
    if nxt.x0 > next_frame.left + 0.8 * size:
        return False  # indented: a new paragraph
    return not _HEADING_START.match(nxt.text)


def group_paragraphs(lines: list[Line], frames: dict[int, PageFrame]) -> list[list[Line]]:
    """Consecutive lines (no table between them) grouped into paragraphs."""
    groups: list[list[Line]] = []
    for line in lines:
        if groups:
            prev = groups[-1][-1]
            if continues(prev, line, frames[prev.page], frames[line.page]):
                groups[-1].append(line)
                continue
        groups.append([line])
    return groups
