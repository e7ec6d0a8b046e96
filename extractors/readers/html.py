"""HTML reader: text blocks in page order, data tables with rowspan/colspan as cells.

Government pages are often GBK and declare it only in a meta tag, so the charset is
taken from a BOM, then the meta or XML declaration, then guessed. Scripts, styles,
navigation and hidden elements are dropped. A table is read as data only when it
looks like one (two rows and two columns at least, no table inside); layout tables,
common on older sites, are walked like ordinary blocks.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import lxml.html
from lxml import etree

from extractors.builder import DocumentBuilder, RawCell
from extractors.readers.base import ReadError
from extractors.readers.joining import is_cjk, join_pieces
from extractors.readers.text import decode
from schemas.document import Document

_DROPPED = {"script", "style", "nav", "noscript", "template", "iframe", "object", "embed", "svg",
            "canvas", "select", "button", "input", "textarea", "head", "map"}
_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "section",
           "article", "main", "header", "footer", "aside", "blockquote", "pre", "form", "center", "hr",
           "caption", "figure", "figcaption", "address", "table", "tr", "td", "th", "tbody", "thead",
           "tfoot", "fieldset", "legend", "body", "html"}
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_-]+)""", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_SPACES = re.compile(r"[\s\u00a0\u3000]+")
_MAX_SPAN = 1000
_CHARSET_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030"}


def decode_html(data: bytes) -> str:
    """The page's text: BOM, then the declared charset, then the text reader's guess."""
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return decode(data)
    head = data[:4096]
    declared = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    if declared:
        name = declared.group(1).decode("ascii").lower()
        try:
            return data.decode(_CHARSET_ALIASES.get(name, name))
        except (LookupError, UnicodeDecodeError):
            pass
    return decode(data)


def _collapse(text: str) -> str:
    """Whitespace as a browser shows it, minus spaces between two CJK characters (source wraps)."""
    text = _SPACES.sub(" ", text)
    return "".join(ch for i, ch in enumerate(text)
                   if not (ch == " " and 0 < i < len(text) - 1 and is_cjk(text[i - 1]) and is_cjk(text[i + 1])))


def _hidden(el: etree._Element) -> bool:
    return el.get("hidden") is not None or el.get("aria-hidden") == "true" \
        or bool(_HIDDEN_STYLE.search(el.get("style") or ""))


def _rows(table: etree._Element) -> list[etree._Element]:
    """The table's own rows (not those of tables nested in its cells)."""
    rows = []
    for child in table:
        if child.tag == "tr":
            rows.append(child)
        elif child.tag in ("thead", "tbody", "tfoot"):
            rows.extend(el for el in child if el.tag == "tr")
    return rows


def _span(value: str | None) -> int:
    digits = re.match(r"\s*(\d+)", value or "")
    return min(max(int(digits.group(1)), 1), _MAX_SPAN) if digits else 1


class _Flow:
    """Walks elements in order, handing finished paragraphs and tables to two sinks."""

    def __init__(self, paragraph: Callable[[str], None], table: Callable[[list[RawCell]], None]) -> None:
        self.on_paragraph = paragraph
        self.on_table = table
        self.buffer: list[str] = []

    def flush(self) -> None:
        text = _collapse("".join(self.buffer)).strip()
        self.buffer.clear()
        if text:
            self.on_paragraph(text)

    def walk(self, el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else None
        if tag is None or tag in _DROPPED or _hidden(el):
            return
        if tag == "br":
            self.flush()
            return
        if tag == "table" and self._is_data_table(el):
            self.flush()
            for caption in (c for c in el if c.tag == "caption"):
                self.walk(caption)
            self.on_table(self.table_cells(el))
            return
        block = tag in _BLOCKS
        if block:
            self.flush()
        self.buffer.append(el.text or "")
        for child in el:
            self.walk(child)
            self.buffer.append(child.tail or "")
        if block:
            self.flush()

    @staticmethod
    def _is_data_table(table: etree._Element) -> bool:
        rows = _rows(table)
        if len(rows) < 2 or table.get("role") == "presentation":
            return False
        widths = [sum(_span(c.get("colspan")) for c in row if c.tag in ("td", "th")) for row in rows]
        return max(widths) >= 2 and not any(True for _ in table.iterdescendants("table"))

    @staticmethod
    def cell_text(cell: etree._Element) -> str:
        pieces: list[str] = []
        flow = _Flow(pieces.append, lambda cells: pieces.append(" ".join(c.text for c in cells if c.text)))
        flow.buffer.append(cell.text or "")
        for child in cell:
            flow.walk(child)
            flow.buffer.append(child.tail or "")
        flow.flush()
        return join_pieces(pieces)

    def table_cells(self, table: etree._Element) -> list[RawCell]:
        """Cells placed on the grid the way browsers do, skipping slots taken by spans above."""
        rows = _rows(table)
        taken: set[tuple[int, int]] = set()
        cells = []
        for r, row in enumerate(rows):
            c = 0
            for td in (el for el in row if el.tag in ("td", "th") and not _hidden(el)):
                while (r, c) in taken:
                    c += 1
                rowspan = min(_span(td.get("rowspan")), len(rows) - r)
                colspan = _span(td.get("colspan"))
                cells.append(RawCell(r, c, self.cell_text(td), rowspan=rowspan, colspan=colspan))
                taken.update((r + i, c + j) for i in range(rowspan) for j in range(colspan))
                c += colspan
        return cells


def read_html(path: Path, doc_id: str, fmt: str) -> Document:
    text = _XML_DECLARATION.sub("", decode_html(path.read_bytes()))
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise ReadError(f"not readable HTML ({exc})") from None
    builder = DocumentBuilder(path.name, fmt, doc_id)
    body = root.find("body")
    flow = _Flow(builder.paragraph, builder.table)
    flow.walk(body if body is not None else root)
    flow.flush()
    if not builder.length:
        raise ReadError("empty: no text in the HTML page")
    return builder.build(keep_offsets=False)
