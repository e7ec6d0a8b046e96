"""The score bands a report states for its grades, and the grade a score falls in.

Reports state bands in several ways, e.g. `得分≥85分为优秀；75≤得分<85分为良好` or
`90（含）-100分为优、80（含）-90分为良、60分以下为差`. Each clause gives a grade and
its lower bound; a sentence with at least two such clauses is taken as the band list.
Where a report states none, the usual bands (90/80/60, schemas/vocab/scores.json) apply.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from schemas.vocab import vocab

_NUM = r"(\d+(?:\.\d+)?)"
_CLAUSE_SPLIT = re.compile(r"[；;、，,：:]")
_SENTENCE = re.compile(r"[^。\n]+")
# Lower bounds, tried in order; the group is the bound, `strict` marks an exclusive one.
_LOWER = [
    (re.compile(rf"(?:得分|分数|评分|分值)\s*(≥|>=|>|大于等于|不低于|大于)\s*{_NUM}"), "op_after"),
    (re.compile(rf"{_NUM}\s*分?\s*(≤|<=|<|＜)\s*(?:得分|分数|评分)"), "op_before"),
    (re.compile(rf"{_NUM}\s*分?\s*[（(]\s*含\s*[）)]"), "inclusive"),
    (re.compile(rf"{_NUM}\s*分?\s*(?:及|或)?以上"), "inclusive"),
    (re.compile(rf"{_NUM}\s*分?\s*[-－—–~～至到]\s*{_NUM}\s*分"), "inclusive"),
]
_BELOW = re.compile(rf"{_NUM}\s*分?\s*以下|(?:得分|分数|评分)\s*(?:<|＜|小于|低于)\s*{_NUM}")


@dataclass
class Band:
    lower: Decimal
    strict: bool  # the bound itself belongs to the band below
    grade: str
    start: int  # the clause's span in the searched text
    end: int

    def holds(self, score: Decimal) -> bool:
        return score > self.lower if self.strict else score >= self.lower


@lru_cache(maxsize=1)
def _grade_re() -> re.Pattern[str]:
    grades = sorted(vocab("scores")["grades"], key=len, reverse=True)
    return re.compile(r"为\s*[“\"'‘「]?\s*(" + "|".join(map(re.escape, grades)) + r")")


def _clause_band(clause: str, offset: int) -> Band | None:
    grade = _grade_re().search(clause)
    if not grade:
        return None
    head = clause[:grade.start()]
    for pattern, kind in _LOWER:
        m = pattern.search(head)
        if m:
            if kind == "op_after":
                strict = m.group(1) in (">", "大于")
                value = m.group(2)
            elif kind == "op_before":
                strict = m.group(2) in ("<", "＜")
                value = m.group(1)
            else:
                strict, value = False, m.group(1)
            return Band(Decimal(value), strict, grade.group(1), offset, offset + len(clause))
    if _BELOW.search(head):
        return Band(Decimal(0), False, grade.group(1), offset, offset + len(clause))
    return None


def stated_bands(text: str) -> list[Band]:
    """The first sentence of `text` that states two or more bands, highest first."""
    for sentence in _SENTENCE.finditer(text):
        bands = []
        position = sentence.start()
        for clause in _CLAUSE_SPLIT.split(sentence.group()):
            band = _clause_band(clause, position)
            if band:
                bands.append(band)
            position += len(clause) + 1
        if len(bands) >= 2:
            return sorted(bands, key=lambda b: (b.lower, not b.strict), reverse=True)
    return []


def default_bands() -> list[Band]:
    return [Band(Decimal(b["min"]), False, b["grades"][0], -1, -1) for b in vocab("scores")["default_bands"]]


def band_for(score: Decimal, bands: list[Band]) -> Band | None:
    return next((b for b in bands if b.holds(score)), None)


def same_grade(written: str, expected: str) -> bool:
    """`优` and `优秀` name the same grade; the usual synonyms come from the vocabulary."""
    written = written.strip("“”\"'‘’「」 ")
    if written == expected:
        return True
    for band in vocab("scores")["default_bands"]:
        if written in band["grades"] and expected in band["grades"]:
            return True
    return False
