"""Legacy Word (.doc) reader: LibreOffice converts it to DOCX, or catdoc gives plain text.

No Python library reads the binary Word format well, and WPS-saved files defeat
antiword. LibreOffice keeps tables and merged cells, so its DOCX goes through the DOCX
reader; catdoc, the fallback, keeps only text (cells tab-separated), which the text
reader's table heuristics then read.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from extractors.readers.base import ReadError
from extractors.readers.docx import read_docx
from extractors.readers.text import read_text
from schemas.document import Document

CONVERT_TIMEOUT_SECONDS = 120
_MISSING = "legacy .doc needs LibreOffice (libreoffice-writer-nogui) or catdoc installed"
# Field codes catdoc prints in place of tables of contents and cross-references.
_FIELD_CODES = re.compile(
    r"\s*(?:HYPERLINK\s+(?:\\l\s+)?\S+|PAGEREF\s+\S+(?:\s+\\h)?|TOC(?:\s+\\[a-z](?:\s+\"[^\"]*\")?)+"
    r"|\\\*\s*MERGEFORMAT)\s*")


def _convert(soffice: str, path: Path, workdir: Path) -> Path:
    """The DOCX LibreOffice makes from `path`; raises ReadError saying why it could not."""
    source = workdir / "input.doc"
    shutil.copyfile(path, source)
    outdir = workdir / "out"
    try:
        proc = subprocess.run(
            [soffice, f"-env:UserInstallation={(workdir / 'profile').as_uri()}", "--headless", "--norestore",
             "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(outdir), str(source)],
            capture_output=True, timeout=CONVERT_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        raise ReadError(f"LibreOffice took longer than {CONVERT_TIMEOUT_SECONDS} s to convert the .doc") from None
    converted = outdir / "input.docx"
    if not converted.is_file():
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ReadError(f"LibreOffice could not convert the .doc ({detail[-1] if detail else 'no output'})")
    return converted


def _read_catdoc(catdoc: str, path: Path, doc_id: str, fmt: str, workdir: Path) -> Document:
    proc = subprocess.run([catdoc, "-d", "utf-8", "-w", str(path)], capture_output=True,
                          timeout=CONVERT_TIMEOUT_SECONDS)
    text = proc.stdout.decode("utf-8", "replace")
    if proc.returncode != 0 or not text.strip():
        raise ReadError("not a readable .doc (catdoc found no text)")
    text = _FIELD_CODES.sub(" ", text.replace("\f", "\n"))
    text = re.sub(r"\[This was fast-saved.*?\]\s*$", "", text)
    plain = workdir / "catdoc.txt"
    plain.write_text(text, encoding="utf-8")
    doc = read_text(plain, doc_id, fmt)
    doc.source, doc.source_offsets = path.name, None
    return doc


def read_doc(path: Path, doc_id: str, fmt: str) -> Document:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    catdoc = shutil.which("catdoc")
    if soffice is None and catdoc is None:
        raise ReadError(_MISSING)
    with tempfile.TemporaryDirectory(prefix="jixiao-doc-") as tmp:
        workdir = Path(tmp)
        failure: ReadError | None = None
        if soffice is not None:
            try:
                doc = read_docx(_convert(soffice, path, workdir), doc_id, fmt)
                doc.source = path.name
                return doc
            except ReadError as exc:
                failure = exc
        if catdoc is None:
            raise failure or ReadError(_MISSING)
        doc = _read_catdoc(catdoc, path, doc_id, fmt, workdir)
        if failure is not None:
            doc.warnings.insert(0, f"{failure}; read as plain text with catdoc (tables flattened)")
        return doc
