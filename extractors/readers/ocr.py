"""OCR for PDF pages without a usable text layer: rendered by pypdfium2, read by Tesseract.

Tesseract runs as a command (`tesseract - stdout -l chi_sim --psm 3 tsv`) so no Python
binding is needed; its TSV output gives word boxes, which go through the same line and
paragraph grouping as text-layer glyphs. A missing tesseract or chi_sim model is reported, not
raised: the PDF reader turns it into a document warning and goes on.
"""
from __future__ import annotations

import csv
import io
import shutil
import subprocess
from functools import cache

import pypdfium2 as pdfium

from extractors.readers.pdf_text import Glyph, Line, build_lines

DPI = 300
LANGUAGE = "chi_sim"
PAGE_SEGMENTATION = "3"   # automatic layout: reads table cells that mode 6 drops
TIMEOUT_SECONDS = 180


class OcrError(Exception):
    """Tesseract ran but failed on a page; the message is the one-line reason."""


@cache
def unavailable_reason() -> str | None:
    """None when tesseract with the chi_sim model can run here, else why it cannot."""
    exe = shutil.which("tesseract")
    if exe is None:
        return f"tesseract ({LANGUAGE}) is not installed"
    try:
        listed = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"tesseract ({LANGUAGE}) cannot run: {exc}"
    if LANGUAGE not in (listed.stdout + listed.stderr).split():
        return f"tesseract ({LANGUAGE}) is not installed"
    return None


def _lines_from_tsv(tsv: str, scale: float, page: int) -> list[Line]:
    """Tesseract's words as glyphs (pixels to points), grouped into visual lines the way
    text-layer glyphs are, whatever blocks Tesseract's layout analysis made of them."""
    words = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if row.get("level") != "5" or not text:
            continue
        left, top = int(row["left"]) / scale, int(row["top"]) / scale
        width, height = int(row["width"]) / scale, int(row["height"]) / scale
        words.append(Glyph(text, left, top, left + width, top + height, height))
    return build_lines(words, page)


def ocr_page(page: pdfium.PdfPage, number: int) -> list[Line]:
    """The page's text lines as Tesseract reads them from a 300 dpi rendering."""
    scale = DPI / 72
    image = page.render(scale=scale, grayscale=True).to_pil()
    png = io.BytesIO()
    image.save(png, format="PNG")
    try:
        proc = subprocess.run(
            ["tesseract", "-", "stdout", "-l", LANGUAGE, "--psm", PAGE_SEGMENTATION, "tsv"],
            input=png.getvalue(), capture_output=True, timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        raise OcrError(f"tesseract took longer than {TIMEOUT_SECONDS} s") from None
    if proc.returncode != 0:
        reason = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise OcrError(reason[-1] if reason else f"tesseract exited with {proc.returncode}")
    return _lines_from_tsv(proc.stdout.decode("utf-8", "replace"), scale, number)


__all__ = ["OcrError", "ocr_page", "unavailable_reason"]
