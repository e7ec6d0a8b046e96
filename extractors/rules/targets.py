"""Parses an indicator's target or actual: comparator, number and unit.

`≥90%`, `不少于 10 次`, `400 人次左右`, `满意度达到 80%以上`, `100%受理`: the first
number carries the value; a comparator before it (or 以上/以内/左右 after it) gives the
operator; a bare number is `=`. Deadlines (`12 月底前`) and text without numbers are
qualitative: no operator, value or unit.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from decimal import Decimal

from extractors.normalize import join_cjk_wraps, squash_spaces
from extractors.rules.numbers import to_decimal
from schemas.vocab import vocab

_NUM = r"\d+(?:\.\d+)?"


@dataclass
class Target:
    op: str | None
    value: Decimal | None
    unit: str | None
    start: int = -1  # span of the comparator expression inside the parsed text
    end: int = -1


@lru_cache(maxsize=1)
def _op_patterns() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    v = vocab("indicators")
    prefixes = [(o["op"], o["prefix"]) for o in v["ops"]]
    suffixes = [(o["op"], o["suffix"]) for o in v["op_suffixes"]]
    return prefixes, suffixes


@lru_cache(maxsize=1)
def _unit_re() -> str:
    units = sorted(vocab("indicators")["units"], key=len, reverse=True)
    return "|".join(r"\s*".join(re.escape(ch) for ch in u) for u in units)


@lru_cache(maxsize=1)
def _target_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    prefixes, suffixes = _op_patterns()
    prefix_alt = "|".join(f"(?P<p{i}>{p})" for i, (_, p) in enumerate(prefixes))
    suffix_alt = "|".join(f"(?P<s{i}>{s})" for i, (_, s) in enumerate(suffixes))
    pattern = re.compile(
        rf"(?:(?:{prefix_alt})\s*)?(?P<num>{_NUM})\s*(?P<unit>(?:{_unit_re()})(?:\s*[/／]\s*(?:月|年|天|次|人))?)?"
        rf"(?:\s*(?:{suffix_alt}))?"
    )
    deadline = re.compile(rf"^\s*(?:{vocab('indicators')['deadline_units']})")
    return pattern, deadline


def find_target(text: str, require_op: bool = False) -> Target | None:
    """The first comparator expression in `text` (a clause), or None."""
    prefixes, suffixes = _op_patterns()
    pattern, deadline = _target_patterns()
    best: Target | None = None
    for m in pattern.finditer(text):
        after = text[m.end("num"):]
        if deadline.match(after) or re.match(r"\s*[年月日号]", after) and not m.group("unit"):
            continue
        if re.match(r"[\d.]", text[m.end():m.end() + 1] or " "):
            continue
        op = None
        for i, (name, _) in enumerate(prefixes):
            if m.group(f"p{i}"):
                op = name
        for i, (name, _) in enumerate(suffixes):
            if m.group(f"s{i}"):
                op = op or name
        unit = squash_spaces(m.group("unit")) if m.group("unit") else None
        if unit and unit[0] in "年月日" and not op:
            continue
        candidate = Target(op or "=", to_decimal(m.group("num")), unit, m.start(), m.end())
        if op or not require_op:
            if best is None or (candidate.op != "=" and best.op == "="):
                best = candidate
            if candidate.op != "=":
                return candidate
    return best


def parse_target(text: str | None) -> Target:
    """Target of a table cell: a comparator expression, or qualitative (all None)."""
    if not text:
        return Target(None, None, None)
    cleaned = join_cjk_wraps(text)
    found = find_target(cleaned)
    return found if found else Target(None, None, None)
