"""Repairs text that a converter cut into fragments (cells or wrapped lines).

PDF-to-text converters cut a cell's wrapped lines into separate cells, repeat the
character at a cut (`了解⇥解和掌握`, `30⇥0%`), and sometimes interleave the lines of
two neighbouring columns. These helpers rejoin such fragments.
"""
from __future__ import annotations

import re

from extractors.normalize import join_cjk_wraps

_JUNK_EDGE = re.compile(r"^[A-Za-z0-9?？〉〈≿>₹·※]{1,2}(?=[\u4e00-\u9fff])")


def join_fragments(parts: list[str]) -> str:
    """Join wrapped pieces of one text: drop a piece that the next one repeats, a
    doubled character at a cut, and one- or two-character junk glued to a piece's start."""
    pieces = [p.strip() for p in parts if p and p.strip()]
    out = ""
    for i, piece in enumerate(pieces):
        if i + 1 < len(pieces) and pieces[i + 1].startswith(piece):
            continue
        if out and re.match(r"[\u4e00-\u9fff，。、]$", out[-1]):
            piece = _JUNK_EDGE.sub("", piece)
        if out and piece and out[-1] == piece[0] and re.match(r"[\u4e00-\u9fff\d]", piece[0]):
            piece = piece[1:]
        out += piece
    return join_cjk_wraps(out)


def merge_doubled(cells: list[str]) -> list[str]:
    """Merge neighbouring cells cut inside a number (`30`,`0%` -> `30%`; `1`,`12 月底`)."""
    out: list[str] = []
    for cell in cells:
        if out and re.fullmatch(r"\d{1,3}", out[-1]) and cell and cell[0] == out[-1][-1] and re.match(r"\d", cell):
            out[-1] = out[-1] + cell[1:]
        else:
            out.append(cell)
    return out


def split_interleaved(text: str, marker: str) -> tuple[str, str]:
    """Two columns whose wrapped lines alternate in one cell, with `marker` (a level
    name) in between: even fragments belong to the first column, odd to the second."""
    fragments = [f for f in text.replace(marker, " ").split() if f]
    first = join_fragments(fragments[0::2])
    second = join_fragments(fragments[1::2])
    return first, second
