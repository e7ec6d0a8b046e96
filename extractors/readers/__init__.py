"""The format table: which reader reads which file, decided by content, not name alone.

`read_document(path)` is the single entry point; it returns the common `Document` or
raises `ReadError` with a one-line reason. A file whose bytes contradict its extension
(a PDF named .docx, a zip named .pdf) is read by what it is, with a warning.
"""
from __future__ import annotations

import importlib
from pathlib import Path

from extractors.readers.base import ReadError, file_sha256
from schemas.document import Document

# format -> (module, function); each function takes (path, doc_id, fmt).
READERS: dict[str, tuple[str, str]] = {
    "txt": ("extractors.readers.text", "read_text"),
    "md": ("extractors.readers.text", "read_text"),
    "pdf": ("extractors.readers.pdf", "read_pdf"),
    "docx": ("extractors.readers.docx", "read_docx"),
    "doc": ("extractors.readers.doc", "read_doc"),
    "xlsx": ("extractors.readers.xlsx", "read_xlsx"),
    "xls": ("extractors.readers.xlsx", "read_xls"),
    "html": ("extractors.readers.html", "read_html"),
}
EXTENSIONS = {".txt": "txt", ".md": "md", ".markdown": "md", ".pdf": "pdf", ".docx": "docx",
              ".doc": "doc", ".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".html": "html",
              ".htm": "html", ".shtml": "html"}


def sniff_format(path: Path, head: bytes) -> str | None:
    """The format the bytes say, or None when they say nothing specific (plain text)."""
    if head.startswith(b"%PDF") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        ext = EXTENSIONS.get(path.suffix.lower())
        return ext if ext in ("docx", "xlsx") else "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        ext = EXTENSIONS.get(path.suffix.lower())
        return ext if ext in ("doc", "xls") else "ole"
    lowered = head[:2048].lower()
    if b"<html" in lowered or b"<!doctype html" in lowered:
        return "html"
    return None


def detect_format(path: Path) -> tuple[str, str | None]:
    """(format, warning). Raises ReadError for files no reader can take."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    if not head:
        raise ReadError("empty file (0 bytes)")
    by_name = EXTENSIONS.get(path.suffix.lower())
    by_bytes = sniff_format(path, head)
    if by_bytes in ("zip", "ole"):
        if by_name in ("docx", "xlsx", "doc", "xls"):
            by_bytes = by_name
        else:
            raise ReadError(f"unsupported container ({by_bytes}) for extension {path.suffix or '(none)'}")
    if by_bytes is None:
        if by_name in ("pdf", "docx", "xlsx", "doc", "xls"):
            raise ReadError(f"not a {by_name.upper()} file: its bytes do not match the extension")
        return by_name or "txt", None if by_name else "no known extension; read as text"
    if by_name and by_name != by_bytes and not (by_name == "md" and by_bytes == "html"):
        return by_bytes, f"extension says {by_name} but content is {by_bytes}; read as {by_bytes}"
    return by_bytes, None


def read_document(path: Path | str) -> Document:
    path = Path(path)
    if not path.is_file():
        raise ReadError("not a regular file")
    fmt, warning = detect_format(path)
    module_name, func_name = READERS[fmt]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        raise ReadError(f"no reader for {fmt} files in this installation ({exc.name})") from None
    reader = getattr(module, func_name)
    doc = reader(path, file_sha256(path), fmt)
    if warning:
        doc.warnings.insert(0, warning)
    return doc


__all__ = ["READERS", "ReadError", "detect_format", "read_document"]
