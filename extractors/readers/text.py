"""Reader for plain-text and markdown renderings of reports (.txt, .md).

Converters flatten documents in known ways: wrapped lines inside sentences, table rows
as tab-separated cells or one cell per line, Word bookmarks, LaTeX and markdown marks.
This reader undoes them into paragraphs and table blocks, keeping for every character
its offset in the decoded input.
"""
from __future__ import annotations

import re
from pathlib import Path

from charset_normalizer import from_bytes

from extractors.builder import DocumentBuilder, RawCell
from extractors.readers.base import ReadError
from schemas.document import Document

_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
_HEADING_START = re.compile(
    r"^\s*(附件\s*\d+|第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]"
    r"|\d{1,2}[.．、](?!\d)|[①-⑳])"
)
_SENTENCE_END = "。！？；：:;!?”」』)）"
_PROSE_PUNCT = re.compile(r"[，。、；,]")
_WRAP_MIN_CHARS = 20
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def decode(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM), UTF-16 or GB18030/GBK; refuse binary data."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is None:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            best = from_bytes(data).best()
            if best is None:
                raise ReadError("not text: no character encoding fits the bytes") from None
            text = str(best)
    controls = len(_CONTROL_RE.findall(text))
    if text and controls / len(text) > 0.01:
        raise ReadError("not text: the file holds binary data")
    return text


_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_PIPE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def _is_table_line(line: str) -> bool:
    return "\t" in line or bool(_PIPE_ROW.match(line)) or bool(_PIPE_RULE.match(line))


def _cells_of(line: str) -> list[tuple[int, str]]:
    """(offset in line, text) of a row's cells: tab-separated, or a markdown pipe row."""
    if _PIPE_ROW.match(line) and "\t" not in line:
        inner_start = line.index("|") + 1
        inner = line[inner_start:line.rindex("|")]
        out, pos = [], 0
        for part in inner.split("|"):
            out.append((inner_start + pos, part))
            pos += len(part) + 1
        return out
    out, pos = [], 0
    for part in line.split("\t"):
        out.append((pos, part))
        pos += len(part) + 1
    return out


def _joins(prev: str, nxt: str) -> bool:
    """A prose line wrapped mid-sentence continues on the next non-empty line."""
    p, n = prev.strip(), nxt.strip()
    if len(p) < _WRAP_MIN_CHARS or not _PROSE_PUNCT.search(p) or p[-1] in _SENTENCE_END:
        return False
    if _HEADING_START.match(n):
        return False
    return bool(re.match(r"[\u4e00-\u9fff\d“]", n))


def _table_cells(lines: list[tuple[int, str]]) -> list[RawCell]:
    """Rows of tab-separated cells; or, when every line holds one cell, rows split by blanks."""
    content = [(off, line) for off, line in lines if line.strip() and not _PIPE_RULE.match(line)]
    one_per_line = all(len([c for _, c in _cells_of(line) if c.strip()]) <= 1 for _, line in content)
    cells: list[RawCell] = []
    if one_per_line:
        row, col = 0, 0
        for off, line in lines:
            if not line.strip():
                if col:
                    row, col = row + 1, 0
                continue
            stripped = line.lstrip("\t")
            lead = len(line) - len(stripped)
            cells.append(RawCell(row, col, stripped, offsets=list(range(off + lead, off + len(line)))))
            col += 1
        return cells
    for row, (off, line) in enumerate(content):
        for col, (pos, part) in enumerate(_cells_of(line)):
            cells.append(RawCell(row, col, part, offsets=list(range(off + pos, off + pos + len(part)))))
    return cells


def read_text(path: Path, doc_id: str, fmt: str) -> Document:
    text = decode(path.read_bytes())
    builder = DocumentBuilder(path.name, fmt, doc_id)
    lines: list[tuple[int, str]] = []
    offset = 0
    for raw in text.splitlines(keepends=True):
        line = raw.rstrip("\r\n")
        lines.append((offset, line))
        offset += len(raw)

    i = 0
    while i < len(lines):
        off, line = lines[i]
        if _is_table_line(line):
            group = [lines[i]]
            j = i + 1
            while j < len(lines):
                if _is_table_line(lines[j][1]):
                    group.append(lines[j])
                    j += 1
                elif not lines[j][1].strip() and j + 1 < len(lines) and _is_table_line(lines[j + 1][1]):
                    group.append(lines[j])
                    j += 1
                else:
                    break
            builder.table(_table_cells(group))
            i = j
            continue
        if not line.strip():
            i += 1
            continue
        chars = line
        offsets = list(range(off, off + len(line)))
        j = i + 1
        while True:
            k = j
            while k < len(lines) and not lines[k][1].strip():
                k += 1
            if k < len(lines) and not _is_table_line(lines[k][1]) and _joins(chars, lines[k][1]):
                koff, kline = lines[k]
                stripped = kline.strip()
                lead = len(kline) - len(kline.lstrip())
                chars = chars.rstrip() + stripped
                offsets = offsets[: len(chars) - len(stripped)] + list(range(koff + lead, koff + lead + len(stripped)))
                j = k + 1
            else:
                break
        builder.paragraph(chars, offsets)
        i = j
    if not builder.length:
        raise ReadError("empty: no text in the file")
    return builder.build()
