"""Word auto-numbering: the `（三）` and `一、` that `paragraph.text` leaves out.

A numbered paragraph stores only a list id and a level (`w:numPr`, on the paragraph or
inherited from its style); the label comes from the numbering part (format, level text,
start value) and from counting the list's earlier paragraphs. `Numbering.label` walks
the document in order and returns each paragraph's label as Word would print it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from lxml import etree

_CN_DIGITS = "零一二三四五六七八九"
_CN_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_HEAVENLY_STEMS = "甲乙丙丁戊己庚辛壬癸"
_EARTHLY_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_PARENTHESISED = "⑴⑵⑶⑷⑸⑹⑺⑻⑼⑽⑾⑿⒀⒁⒂⒃⒄⒅⒆⒇"
_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
          (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
_MAX_LEVELS = 9
_MAX_STYLE_DEPTH = 10


def chinese_number(n: int, digits: str = _CN_DIGITS, units: str = "十百千") -> str:
    """1..9999 in Chinese counting (十一, 二十, 一百零五); other values as Arabic digits."""
    if not 0 < n < 10000:
        return str(n)
    if n < 10:
        return digits[n]
    if n < 20 and units[0] == "十":  # 十一, not 一十一
        return units[0] + (digits[n - 10] if n > 10 else "")
    out, zero = "", False
    for power, unit in ((1000, units[2]), (100, units[1]), (10, units[0]), (1, "")):
        d = n // power % 10
        if d:
            out += (digits[0] if zero and out else "") + digits[d] + unit
            zero = False
        elif out:
            zero = True
    return out


def _roman(n: int) -> str:
    out = ""
    for value, numeral in _ROMAN:
        while n >= value:
            out, n = out + numeral, n - value
    return out


def _letters(n: int) -> str:
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str) -> str:
    """One counter value in a Word number format (w:numFmt); unknown formats as decimal."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting",
               "taiwaneseCounting", "taiwaneseCountingThousand"):
        return chinese_number(n)
    if fmt == "ideographDigital" or fmt == "taiwaneseDigital":
        return "".join(_CN_DIGITS[int(d)] for d in str(n))
    if fmt == "chineseLegalSimplified":
        return chinese_number(n, _CN_LEGAL, "拾佰仟")
    if fmt == "ideographTraditional" and 0 < n <= 10:
        return _HEAVENLY_STEMS[n - 1]
    if fmt == "ideographZodiac" and 0 < n <= 12:
        return _EARTHLY_BRANCHES[n - 1]
    if fmt.startswith("decimalEnclosedCircle") and 0 < n <= 20:
        return _CIRCLED[n - 1]
    if fmt == "decimalEnclosedParen" and 0 < n <= 20:
        return _PARENTHESISED[n - 1]
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("upperLetter", "lowerLetter"):
        return _letters(n) if fmt == "upperLetter" else _letters(n).lower()
    if fmt in ("upperRoman", "lowerRoman") and n > 0:
        return _roman(n) if fmt == "upperRoman" else _roman(n).lower()
    return str(n)


def _val(el: etree._Element | None, tag: str) -> str | None:
    child = el.find(qn(tag)) if el is not None else None
    return child.get(qn("w:val")) if child is not None else None


@dataclass
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."
    legal: bool = False
    style: str | None = None


@dataclass
class _List:
    """Counters of one abstract list, shared by every w:num that points to it."""

    levels: dict[int, _Level]
    counters: list[int] = field(default_factory=lambda: [0] * _MAX_LEVELS)
    started: list[bool] = field(default_factory=lambda: [False] * _MAX_LEVELS)


class Numbering:
    def __init__(self, document: DocxDocument) -> None:
        self._lists: dict[str, _List] = {}
        self._nums: dict[str, tuple[str, dict[int, int]]] = {}  # numId -> (abstractNumId, overrides)
        self._nums_used: set[str] = set()
        self._styles: dict[str, etree._Element] = {}
        part = document.part
        if _has_numbering(part):
            self._load(part.numbering_part.element)
        for style in document.styles.element.iterchildren(qn("w:style")):
            if style.get(qn("w:styleId")):
                self._styles[style.get(qn("w:styleId"))] = style

    def _load(self, numbering: etree._Element) -> None:
        for abstract in numbering.iterchildren(qn("w:abstractNum")):
            levels = {}
            for lvl in abstract.iterchildren(qn("w:lvl")):
                level = _Level(int(_val(lvl, "w:start") or 1), _val(lvl, "w:numFmt") or "decimal",
                               _val(lvl, "w:lvlText") or "", lvl.find(qn("w:isLgl")) is not None,
                               _val(lvl, "w:pStyle"))
                levels[int(lvl.get(qn("w:ilvl"), "0"))] = level
            self._lists[abstract.get(qn("w:abstractNumId"))] = _List(levels)
        for num in numbering.iterchildren(qn("w:num")):
            overrides = {}
            for override in num.iterchildren(qn("w:lvlOverride")):
                start = _val(override, "w:startOverride")
                if start is not None:
                    overrides[int(override.get(qn("w:ilvl"), "0"))] = int(start)
            self._nums[num.get(qn("w:numId"))] = (_val(num, "w:abstractNumId"), overrides)

    def _num_pr(self, p: etree._Element) -> tuple[str | None, int | None, str | None]:
        """(numId, ilvl, styleId) from the paragraph, falling back along its style chain."""
        ppr = p.find(qn("w:pPr"))
        style_id = _val(ppr, "w:pStyle")
        num_pr = ppr.find(qn("w:numPr")) if ppr is not None else None
        num_id, ilvl = _val(num_pr, "w:numId"), _val(num_pr, "w:ilvl")
        style, depth = style_id, 0
        while num_id is None and style in self._styles and depth < _MAX_STYLE_DEPTH:
            s_ppr = self._styles[style].find(qn("w:pPr"))
            s_num = s_ppr.find(qn("w:numPr")) if s_ppr is not None else None
            num_id = _val(s_num, "w:numId")
            ilvl = ilvl if ilvl is not None else _val(s_num, "w:ilvl")
            style, depth = _val(self._styles[style], "w:basedOn"), depth + 1
        return num_id, int(ilvl) if ilvl is not None else None, style_id

    def label(self, p: etree._Element) -> str:
        """The paragraph's printed number ('（三）', '2.1.'), or '' when it has none or a bullet."""
        num_id, ilvl, style_id = self._num_pr(p)
        if num_id is None or num_id == "0" or num_id not in self._nums:
            return ""
        abstract_id, overrides = self._nums[num_id]
        lst = self._lists.get(abstract_id)
        if lst is None:
            return ""
        if ilvl is None:
            ilvl = next((k for k, lv in lst.levels.items() if style_id and lv.style == style_id), 0)
        if not 0 <= ilvl < _MAX_LEVELS or ilvl not in lst.levels:
            return ""
        if num_id not in self._nums_used:
            self._nums_used.add(num_id)
            for level, start in overrides.items():
                if 0 <= level < _MAX_LEVELS:
                    lst.counters[level], lst.started[level] = start - 1, True
        level = lst.levels[ilvl]
        if lst.started[ilvl]:
            lst.counters[ilvl] += 1
        else:
            lst.counters[ilvl], lst.started[ilvl] = level.start, True
        for deeper in range(ilvl + 1, _MAX_LEVELS):
            lst.started[deeper] = False
        if level.fmt == "bullet":
            return ""
        text = level.text
        for k in range(ilvl, -1, -1):  # high placeholders first: %1 must not eat %10
            outer = lst.levels.get(k, _Level())
            fmt = "decimal" if level.legal and k < ilvl else outer.fmt
            value = lst.counters[k] if lst.started[k] else outer.start
            text = text.replace(f"%{k + 1}", format_number(value, fmt) if fmt != "none" else "")
        return text.strip()


def _has_numbering(part) -> bool:
    """Whether the document relates to a numbering part (python-docx would create one)."""
    return any(rel.reltype.endswith("/numbering") for rel in part.rels.values())
