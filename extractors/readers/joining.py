"""How readers glue pieces of one paragraph or cell back together.

Chinese has no spaces between words, so a line wrap, a soft break or a paragraph
boundary inside a table cell must not leave one between CJK characters (`万` + `元`),
while two Latin words still need it. Every reader joins pieces with these helpers, so
the same report gives the same text from any format.
"""
from __future__ import annotations

_CJK_RANGES = ((0x3000, 0x303F), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF),
               (0xFF00, 0xFFEF), (0x20000, 0x2FA1F))


def is_cjk(ch: str) -> bool:
    """CJK ideographs and CJK / full-width punctuation."""
    code = ord(ch)
    return any(lo <= code <= hi for lo, hi in _CJK_RANGES)


def join_pieces(pieces: list[str]) -> str:
    """Join paragraphs or lines of one cell: no space where either side is CJK."""
    out = ""
    for piece in (p.strip() for p in pieces):
        if not piece:
            continue
        if out and not (is_cjk(out[-1]) or is_cjk(piece[0])):
            out += " "
        out += piece
    return out


def join_wrapped(parts: list[str]) -> str:
    """Join the visual lines of one paragraph: a space only between two Latin words."""
    out = ""
    for part in parts:
        if out and part and out[-1].isascii() and out[-1].isalpha() and part[0].isascii() and part[0].isalpha():
            out += " "
        out += part
    return out
