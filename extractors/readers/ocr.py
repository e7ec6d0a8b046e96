"""OCR for PDF pages without a usable text layer: rendered by pypdfium2, read by Tesseract.

Tesseract runs as a command (`tesseract - stdout -l chi_sim --psm N tsv`) so no Python
binding is needed; its TSV output gives word boxes, which go through the same line,
paragraph and table code as text-layer glyphs. A scanned form keeps its cell structure:
the table rules are found in the image itself (long runs of dark pixels, turned into
cell boxes by the same pdfplumber functions as drawn rules), erased, and the cells are
read apart from the running text. Reading a whole table page at once would lose which
words share a cell, and Tesseract's Chinese model invents quote marks in the wide gaps
between cells, so each cell is read as a page of its own, all of a page's cells in one
Tesseract run (a multi-page TIFF: the model is loaded once).
A missing tesseract or chi_sim model is reported, not raised: the PDF reader turns it
into a document warning and goes on.
"""
from __future__ import annotations

import csv
import io
import shutil
import subprocess
from functools import cache

import numpy as np
import pypdfium2 as pdfium
from PIL import Image

from extractors.readers.pdf_rules import Box, cells_from_edges
from extractors.readers.pdf_tables import PdfTable, read_table
from extractors.readers.pdf_text import Glyph, Line, build_lines

DPI = 300
LANGUAGE = "chi_sim"
CELL_EXTRA_LANGUAGE = "eng"
PAGE_SEGMENTATION = "3"   # automatic layout for the running text around tables
CELL_SEGMENTATION = "6"   # a cell: one block of lines
TIMEOUT_SECONDS = 180
DARK = 160                # a pixel darker than this may belong to a rule
RULE_MIN_POINTS = 12.0    # a rule is at least this long (a table row's height); strokes of body text are shorter
TABLE_MIN_WIDTH = 72.0    # points: smaller "tables" are rules crossing inside a large character
TABLE_MIN_HEIGHT = 24.0
ERASE_PX = 3              # pixels either side of a rule's dark core that its anti-aliasing covers
CELL_INSET_PX = 4         # kept off a cell's borders when cutting it out
CELL_LINE_PX = 28         # cells are scaled so their median line of text is this high
CELL_MARGIN_PX = 10       # white border around a cell's image
BLACKLIST = "[]|"         # what remains of a rule, or a misread 1; not in these tables' text

Item = Line | PdfTable


class OcrError(Exception):
    """Tesseract ran but failed on a page; the message is the one-line reason."""


@cache
def _installed() -> tuple[set[str], str | None]:
    """The language models tesseract has here, or why it cannot run."""
    exe = shutil.which("tesseract")
    if exe is None:
        return set(), f"tesseract ({LANGUAGE}) is not installed"
    try:
        listed = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as exc:
        return set(), f"tesseract ({LANGUAGE}) cannot run: {exc}"
    return set((listed.stdout + listed.stderr).split()), None


def unavailable_reason() -> str | None:
    """None when tesseract with the chi_sim model can run here, else why it cannot."""
    languages, reason = _installed()
    if reason is None and LANGUAGE not in languages:
        return f"tesseract ({LANGUAGE}) is not installed"
    return reason


def _cell_languages() -> str:
    """chi_sim, with eng where installed: the Chinese model misreads numbers such as 100%."""
    return f"{LANGUAGE}+{CELL_EXTRA_LANGUAGE}" if CELL_EXTRA_LANGUAGE in _installed()[0] else LANGUAGE


def _tesseract(image: bytes, languages: str, segmentation: str, *options: str) -> list[dict[str, str]]:
    """Tesseract's TSV rows for an image file's bytes (a multi-page TIFF gives every page)."""
    try:
        proc = subprocess.run(
            ["tesseract", "-", "stdout", "-l", languages, "--psm", segmentation, *options, "tsv"],
            input=image, capture_output=True, timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        raise OcrError(f"tesseract took longer than {TIMEOUT_SECONDS} s") from None
    if proc.returncode != 0:
        reason = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise OcrError(reason[-1] if reason else f"tesseract exited with {proc.returncode}")
    tsv = proc.stdout.decode("utf-8", "replace")
    return [row for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE)
            if row.get("level") == "5" and (row.get("text") or "").strip()]


def _box(row: dict[str, str]) -> tuple[int, int, int, int]:
    left, top = int(row["left"]), int(row["top"])
    return left, top, left + int(row["width"]), top + int(row["height"])


def _glyph(text: str, left: float, top: float, right: float, bottom: float, scale: float) -> Glyph:
    """A word as a glyph in points (pixels divided by the rendering scale)."""
    return Glyph(text, left / scale, top / scale, right / scale, bottom / scale, (bottom - top) / scale,
                 advance=False)


# ---- table rules in the image ------------------------------------------------------------

def _runs(mask: np.ndarray, min_length: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, start, end) of every horizontal run of True at least `min_length` long."""
    padded = np.zeros((mask.shape[0], mask.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    steps = np.diff(padded, axis=1)
    rows, starts = np.nonzero(steps == 1)
    _, ends = np.nonzero(steps == -1)
    keep = ends - starts >= min_length
    return rows[keep], starts[keep], ends[keep]


def _edge(orientation: str, x0: float, top: float, x1: float, bottom: float) -> dict:
    return {"object_type": "line", "orientation": orientation, "x0": x0, "x1": x1, "top": top,
            "bottom": bottom, "doctop": top, "width": x1 - x0, "height": bottom - top}


class _Rules:
    """The long dark runs of a page image, as rules (pdfplumber edges, in points)."""

    def __init__(self, pixels: np.ndarray, scale: float) -> None:
        dark = pixels < DARK
        min_length = int(RULE_MIN_POINTS * scale)
        self.scale = scale
        self.horizontal = _runs(dark, min_length)
        self.vertical = _runs(dark.T, min_length)

    def edges(self) -> list[dict]:
        s = self.scale
        return ([_edge("h", float(x0) / s, float(y) / s, float(x1) / s, float(y) / s)
                 for y, x0, x1 in zip(*self.horizontal)]
                + [_edge("v", float(x) / s, float(y0) / s, float(x) / s, float(y1) / s)
                   for x, y0, y1 in zip(*self.vertical)])

    def erase(self, pixels: np.ndarray, area: tuple[int, int, int, int]) -> None:
        """Paint white every rule inside `area` (pixels: left, top, right, bottom)."""
        left, top, right, bottom = area
        for y, x0, x1 in zip(*self.horizontal):
            if top <= y <= bottom and x0 < right and x1 > left:
                pixels[max(0, y - ERASE_PX):y + ERASE_PX + 1, x0:x1] = 255
        for x, y0, y1 in zip(*self.vertical):
            if left <= x <= right and y0 < bottom and y1 > top:
                pixels[y0:y1, max(0, x - ERASE_PX):x + ERASE_PX + 1] = 255


def _extent(boxes: list[Box]) -> Box:
    return min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)


def _ink_lines(crop: np.ndarray) -> list[int]:
    """Heights in pixels of the bands of ink (text lines) in a cell's image."""
    inked = np.concatenate(([False], (crop < DARK).any(axis=1), [False])).astype(np.int8)
    steps = np.diff(inked)
    return (np.nonzero(steps == -1)[0] - np.nonzero(steps == 1)[0]).tolist()


def _cell_glyphs(pixels: np.ndarray, boxes: list[Box], scale: float) -> list[Glyph]:
    """Every cell's words, each cell read as a page of its own.

    The cells go to one Tesseract run as a multi-page TIFF, scaled so their lines are
    CELL_LINE_PX high, the size its Chinese model reads best."""
    crops: list[tuple[int, int, np.ndarray]] = []  # page left, page top, the cell's ink
    for x0, top, x1, bottom in boxes:
        left, upper = int(x0 * scale) + CELL_INSET_PX, int(top * scale) + CELL_INSET_PX
        ink_rows, ink_cols = np.nonzero(pixels[upper:int(bottom * scale) - CELL_INSET_PX,
                                               left:int(x1 * scale) - CELL_INSET_PX] < DARK)
        if ink_rows.size:
            upper, left = upper + ink_rows.min(), left + ink_cols.min()
            crops.append((left, upper, pixels[upper:upper + ink_rows.max() - ink_rows.min() + 1,
                                              left:left + ink_cols.max() - ink_cols.min() + 1]))
    if not crops:
        return []
    heights = sorted(h for _, _, crop in crops for h in _ink_lines(crop))
    factor = CELL_LINE_PX / max(heights[len(heights) // 2], 1)
    pages = []
    for _, _, crop in crops:
        image = Image.fromarray(crop).resize((max(1, round(crop.shape[1] * factor)),
                                              max(1, round(crop.shape[0] * factor))), Image.LANCZOS)
        page = Image.new("L", (image.width + 2 * CELL_MARGIN_PX, image.height + 2 * CELL_MARGIN_PX), 255)
        page.paste(image, (CELL_MARGIN_PX, CELL_MARGIN_PX))
        pages.append(page)
    tiff = io.BytesIO()
    pages[0].save(tiff, format="TIFF", save_all=True, append_images=pages[1:], compression="tiff_deflate",
                  dpi=(DPI, DPI))
    glyphs = []
    for row in _tesseract(tiff.getvalue(), _cell_languages(), CELL_SEGMENTATION,
                          "-c", f"tessedit_char_blacklist={BLACKLIST}"):
        left, upper, _ = crops[int(row["page_num"]) - 1]
        x0, y0, x1, y1 = ((v - CELL_MARGIN_PX) / factor for v in _box(row))
        glyphs.append(_glyph(row["text"].strip(), left + x0, upper + y0, left + x1, upper + y1, scale))
    return glyphs


def ocr_page(page: pdfium.PdfPage, number: int) -> list[Item]:
    """The page's ruled tables and text lines as Tesseract reads them from a 300 dpi rendering."""
    scale = DPI / 72
    pixels = np.array(page.render(scale=scale, grayscale=True).to_pil().convert("L"))
    rules = _Rules(pixels, scale)
    tables = [boxes for boxes in cells_from_edges(rules.edges())
              if (e := _extent(boxes))[2] - e[0] >= TABLE_MIN_WIDTH and e[3] - e[1] >= TABLE_MIN_HEIGHT]
    text_only = pixels.copy()
    items: list[Item] = []
    for boxes in tables:
        x0, top, x1, bottom = (int(v * scale) for v in _extent(boxes))
        rules.erase(pixels, (x0, top, x1, bottom))
        table, _ = read_table(boxes, _cell_glyphs(pixels, boxes, scale), number)
        if table is not None:  # else a frame around text: read with the page
            items.append(table)
            text_only[max(0, top - ERASE_PX):bottom + ERASE_PX + 1, max(0, x0 - ERASE_PX):x1 + ERASE_PX + 1] = 255
    png = io.BytesIO()
    Image.fromarray(text_only).save(png, format="PNG")
    words = [_glyph(row["text"].strip(), *_box(row), scale)
             for row in _tesseract(png.getvalue(), LANGUAGE, PAGE_SEGMENTATION, "--dpi", str(DPI))]
    items.extend(build_lines(words, number))
    items.sort(key=lambda it: it.top)
    return items


__all__ = ["OcrError", "ocr_page", "unavailable_reason"]
