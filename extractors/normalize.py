"""Character-level normalisation that keeps a map back to the input.

Every reader passes its raw strings through `normalize_inline`, so the same document
gives the same text whatever format it came in. Each output character remembers the
index of the input character it came from (or -1 when inserted), which is how evidence
in the normalised text leads back to the original.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

# Full-width ASCII variants folded to ASCII: digits, letters and the symbols that take
# part in numbers and comparisons. CJK sentence punctuation (，；：（）！？) is kept as
# printed, because it is what a reader of the report sees.
_KEEP_FULLWIDTH = set("，；：（）！？")
_LATEX_COMMANDS = {
    r"\geq": "≥", r"\ge": "≥", r"\leq": "≤", r"\le": "≤", r"\%": "%", r"\times": "×",
    r"\sim": "~", r"\approx": "≈", r"\neq": "≠", r"\lt": "<", r"\gt": ">",
}
_LATEX_RE = re.compile(r"\\(?:geq|ge|leq|le|times|sim|approx|neq|lt|gt)(?![A-Za-z]) ?|\\%")
_BOOKMARK_RE = re.compile(r"\[bookmark:[^\]]*\]")
_EMPHASIS_RE = re.compile(r"\*\*|__")
# OCR slip: a Latin L/l/I read for the digit 1 in front of a digit and a month (L2 月底).
_OCR_ONE_RE = re.compile(r"(?<![A-Za-z])[LlI](?=\d\s*月)|(?<=\d)[lI](?=\d)")
# OCR slip: the letter O read for a zero between digits (2O23, 1O0%).
_OCR_ZERO_RE = re.compile(r"(?<=\d)[Oo](?=\d)")
_SPACES_RE = re.compile(r"[ \t\u00a0\u3000\u2002\u2003\u2009]+")
_MATH_RE = re.compile(r"\$([^$\n]{1,40})\$")
_Replacement = str | Callable[[re.Match[str]], str]


def _fold_table() -> dict[int, str]:
    """One-to-one folds, so offsets stay aligned: full-width ASCII, the ideographic
    space, and CJK/Kangxi radicals that some PDF exports use as glyphs (⼀ for 一)."""
    table = {code: chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F) if chr(code) not in _KEEP_FULLWIDTH}
    table[0x3000] = " "
    for code in range(0x2E80, 0x2FE0):
        folded = unicodedata.normalize("NFKC", chr(code))
        if len(folded) == 1:
            table[code] = folded
    return table


_FOLD_TABLE = _fold_table()


def _apply(text: str, offsets: list[int], pattern: re.Pattern[str], repl: _Replacement) -> tuple[str, list[int]]:
    """Replace pattern matches, mapping replacement characters to the match start."""
    matches = list(pattern.finditer(text))
    if not matches:
        return text, offsets
    parts: list[str] = []
    mapped: list[int] = []
    pos = 0
    for m in matches:
        parts.append(text[pos:m.start()])
        mapped.extend(offsets[pos:m.start()])
        replacement = repl(m) if callable(repl) else repl
        anchor = offsets[m.start()] if m.start() < len(offsets) else -1
        parts.append(replacement)
        mapped.extend([anchor] * len(replacement))
        pos = m.end()
    parts.append(text[pos:])
    mapped.extend(offsets[pos:])
    return "".join(parts), mapped


def _latex_command(m: re.Match[str]) -> str:
    return _LATEX_COMMANDS[m.group(0).rstrip()]


def _latex_math(m: re.Match[str]) -> str:
    inner = m.group(1)
    inner = _LATEX_RE.sub(_latex_command, inner)
    return inner.replace(" ", "")


# The markup and OCR edits, in the order they apply (each runs on the previous one's
# output), with the characters of which every match contains at least one.
_EDITS: list[tuple[re.Pattern[str], _Replacement, str]] = [
    (_BOOKMARK_RE, "", "["),
    (_MATH_RE, _latex_math, "$"),
    (_LATEX_RE, _latex_command, "\\"),
    (_EMPHASIS_RE, "", "*_"),
    (_OCR_ONE_RE, "1", "LlI"),
    (_OCR_ZERO_RE, "0", "Oo"),
]
# Most strings (short table cells above all) hold none of those characters, so no edit
# can change them; one character-class search is much cheaper than trying every edit.
_EDIT_TRIGGER_RE = re.compile("[" + re.escape("".join(chars for _, _, chars in _EDITS)) + "]")


def normalize_inline(raw: str, offsets: list[int] | None = None) -> tuple[str, list[int]]:
    """Normalise one paragraph or cell; returns the text and its input offsets."""
    offsets = list(range(len(raw))) if offsets is None else offsets
    text = raw.translate(_FOLD_TABLE)
    if _EDIT_TRIGGER_RE.search(text):
        for pattern, repl, _ in _EDITS:
            text, offsets = _apply(text, offsets, pattern, repl)
    text, offsets = _apply(text, offsets, _SPACES_RE, " ")
    trimmed = text.strip(" ")
    start = len(text) - len(text.lstrip(" "))
    return trimmed, offsets[start:start + len(trimmed)]


_CJK = r"\u3400-\u9fff\uf900-\ufaff"
_CJK_GAP_RE = re.compile(rf"(?<=[{_CJK}，。、；：（）“”])\s+(?=[{_CJK}，。、；：（）“”])")


def join_cjk_wraps(text: str) -> str:
    """Remove whitespace between two CJK characters: in these reports it is a line wrap."""
    return _CJK_GAP_RE.sub("", text)


_WHITESPACE_RE = re.compile(r"\s+")


def squash_spaces(text: str) -> str:
    """All whitespace removed: for labels and level names, where spaces are wraps."""
    return _WHITESPACE_RE.sub("", text)
