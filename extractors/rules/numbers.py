"""Numbers as reports print them: amounts with units, percents, Chinese numerals."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from schemas.vocab import vocab

NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
MONEY_RE = re.compile(rf"(?<![\d.])({NUMBER})\s*(亿元|万元|千元|元)")
PERCENT_RE = re.compile(rf"(?<![\d.])({NUMBER})\s*[)）]?\s*%")


@dataclass
class Money:
    value: str
    unit: str
    yuan: Decimal
    start: int  # offset of the number
    end: int    # offset after the unit


def to_decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", ""))
    except (InvalidOperation, AttributeError):
        return None


def to_yuan(value: str, unit: str) -> Decimal | None:
    number = to_decimal(value)
    factor = vocab("figures")["units"].get(unit)
    if number is None or factor is None:
        return None
    return number * Decimal(factor)


def money_mentions(text: str, base: int = 0) -> list[Money]:
    out = []
    for m in MONEY_RE.finditer(text):
        yuan = to_yuan(m.group(1), m.group(2))
        if yuan is not None:
            out.append(Money(m.group(1).replace(",", ""), m.group(2), yuan, base + m.start(1), base + m.end()))
    return out
