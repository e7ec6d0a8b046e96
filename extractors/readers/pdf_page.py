"""What pypdfium2 says is on a page: glyphs with positions, drawn paths, images.

Everything here reads pdfium's already-parsed page objects through its C API, which is
what makes the PDF reader fast; the layout logic that uses it lives in pdf_text,
pdf_rules and pdf_tables.
"""
from __future__ import annotations

import ctypes
import math
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from extractors.readers.pdf_text import Glyph

RULED_MIN_PATHS = 3   # fewer vector paths than this cannot draw a ruled table

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


@dataclass(frozen=True)
class PageSpace:
    """Maps PDF user space (y up, in the media box) to the page as displayed: origin at
    the top left, y down, the page's /Rotate applied, so a landscape table stored
    sideways in a portrait page reads left to right like any other."""

    left: float
    bottom: float
    width: float
    height_up: float
    rotation: int

    @classmethod
    def of(cls, page: pdfium.PdfPage) -> PageSpace:
        left, bottom, right, top = page.get_mediabox()
        return cls(left, bottom, right - left, top - bottom, page.get_rotation() % 360)

    @property
    def height(self) -> float:
        """Height of the displayed page."""
        return self.width if self.rotation in (90, 270) else self.height_up

    def point(self, x: float, y: float) -> tuple[float, float]:
        u, v = x - self.left, y - self.bottom
        if self.rotation == 90:
            return v, u
        if self.rotation == 180:
            return self.width - u, v
        if self.rotation == 270:
            return self.height_up - v, self.width - u
        return u, self.height_up - v

    def box(self, x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) on the displayed page of a user-space rectangle."""
        (ax, ay), (bx, by) = self.point(x0, y0), self.point(x1, y1)
        return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)


def compose(inner: Matrix, outer: Matrix) -> Matrix:
    """The matrix applying `inner` first, then `outer` (PDF row-vector convention)."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def object_matrix(obj) -> Matrix:
    m = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, m):
        return IDENTITY
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def page_objects(page: pdfium.PdfPage, wanted: int, limit: int | None = None) -> list[tuple[object, Matrix]]:
    """Page objects of one type with the matrix of the forms around them (identity at the
    top level), looking inside form XObjects; stops once `limit` are found."""
    found: list[tuple[object, Matrix]] = []
    stack = [(pdfium_c.FPDFPage_GetObject(page.raw, i), IDENTITY)
             for i in range(pdfium_c.FPDFPage_CountObjects(page.raw))]
    while stack and (limit is None or len(found) < limit):
        obj, outer = stack.pop()
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == wanted:
            found.append((obj, outer))
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM:
            inner = compose(object_matrix(obj), outer)
            stack.extend((pdfium_c.FPDFFormObj_GetObject(obj, i), inner)
                         for i in range(pdfium_c.FPDFFormObj_CountObjects(obj)))
    return found


def is_ruled(page: pdfium.PdfPage) -> bool:
    """Cheap test: enough vector paths to draw table rules (narrative pages have none or one)."""
    return len(page_objects(page, pdfium_c.FPDF_PAGEOBJ_PATH, RULED_MIN_PATHS)) >= RULED_MIN_PATHS


def image_share(page: pdfium.PdfPage) -> float:
    """Share of the page area covered by images (a scanned page is one big image)."""
    left, right, bottom, top = (ctypes.c_float() for _ in range(4))
    area = 0.0
    for obj, _ in page_objects(page, pdfium_c.FPDF_PAGEOBJ_IMAGE):
        if pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
            area += max(0.0, right.value - left.value) * max(0.0, top.value - bottom.value)
    width, height = page.get_size()
    return min(1.0, area / (width * height or 1.0))


def _unreadable(code: int) -> bool:
    return code in (0, 0xFFFD, 0xFFFE) or 0xE000 <= code <= 0xF8FF or (code < 32 and code not in (9, 10, 13))


class _FontSizes:
    """Rendered font size per glyph: the text object's font size scaled by its matrix
    (pdfium's per-character size ignores the matrix). Looking up the text object is the
    slow part, so sizes are cached by what pdfium reports cheaply per character: its
    unscaled size and the glyph box height."""

    def __init__(self, textpage) -> None:
        self.textpage = textpage
        self.cache: dict[tuple[float, float], float] = {}
        self.size = ctypes.c_float()
        self.matrix = pdfium_c.FS_MATRIX()

    def of(self, index: int, box_height: float) -> float:
        key = (pdfium_c.FPDFText_GetFontSize(self.textpage, index), round(box_height, 1))
        size = self.cache.get(key)
        if size is None:
            size = 0.0
            obj = pdfium_c.FPDFText_GetTextObject(self.textpage, index)
            if obj and pdfium_c.FPDFTextObj_GetFontSize(obj, self.size) and \
                    pdfium_c.FPDFPageObj_GetMatrix(obj, self.matrix):
                size = self.size.value * math.hypot(self.matrix.c, self.matrix.d)
            # Inside form XObjects the matrix is relative; fall back to the glyph box there.
            size = self.cache[key] = size if 0.4 * box_height < size < 2.5 * box_height else box_height
        return size


def pdfium_glyphs(page: pdfium.PdfPage) -> tuple[list[Glyph], int]:
    """The page's glyphs from pypdfium2 (spaces and breaks pdfium inferred left out), and
    how many of them have no usable Unicode mapping."""
    textpage = page.get_textpage()
    raw = textpage.raw
    space = PageSpace.of(page)
    rect = pdfium_c.FS_RECTF()
    sizes = _FontSizes(raw)
    glyphs: list[Glyph] = []
    bad = 0
    try:
        count = pdfium_c.FPDFText_CountChars(raw)
        pending_high = 0
        for i in range(count):
            code = pdfium_c.FPDFText_GetUnicode(raw, i)
            if code in (0x0D, 0x0A) or code == 0x20 and pdfium_c.FPDFText_IsGenerated(raw, i) == 1:
                continue  # pdfium generates only spaces and line breaks
            if 0xD800 <= code < 0xDC00:
                pending_high = code
                continue
            if 0xDC00 <= code < 0xE000 and pending_high:
                code = 0x10000 + ((pending_high - 0xD800) << 10) + (code - 0xDC00)
                pending_high = 0
            if not pdfium_c.FPDFText_GetLooseCharBox(raw, i, rect):
                continue
            if _unreadable(code) or pdfium_c.FPDFText_HasUnicodeMapError(raw, i) == 1:
                bad += 1
                continue
            left, top, right, bottom = space.box(rect.left, rect.bottom, rect.right, rect.top)
            glyphs.append(Glyph(chr(code), left, top, right, bottom, sizes.of(i, bottom - top)))
    finally:
        textpage.close()
    return glyphs, bad


