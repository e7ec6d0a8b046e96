"""Numbers as printed, with the rounding their printed precision allows.

A check must not call rounding in the last printed digit an error, so every value it
compares carries a tolerance of half a unit of its last printed decimal place. Printed
integer amounts and zeros count as exact: budgets are set in whole 万元, and reading
`2万元` as anything from 1.5 to 2.5 would hide real contradictions.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from extractors.rules.numbers import to_decimal
from schemas.records import DEPARTMENT_SCOPE, Evidence, Figure
from schemas.vocab import vocab

ITEM_NAMES = {
    "revenue_total": "收入合计",
    "expenditure_total": "支出合计",
    "basic": "基本支出",
    "project": "项目支出",
    "personnel": "人员经费",
    "public_funds": "公用经费",
    "carryover": "结转结余",
    "fiscal_funds": "财政拨款",
    "prior_year_carryover": "上年结转",
    "other_funds": "其他资金",
    "three_public": "“三公”经费",
    "three_public.outbound": "因公出国(境)",
    "three_public.vehicle": "公务用车",
    "three_public.reception": "公务接待",
}


@dataclass
class Term:
    """One printed amount: exact value in yuan, its rounding tolerance, how it reads."""

    yuan: Decimal
    tolerance: Decimal
    printed: str
    unit: str
    name: str
    evidence: Evidence

    @property
    def factor(self) -> Decimal:
        return unit_factor(self.unit)

    def text(self) -> str:
        return f"{self.name} {self.printed}{self.unit}"


def unit_factor(unit: str) -> Decimal:
    return Decimal(vocab("figures")["units"].get(unit, 1))


def half_unit(number: Decimal | str, exact_integers: bool = True) -> Decimal:
    """Half a unit of the last printed decimal place; zero (and integers if asked) exact."""
    value = number if isinstance(number, Decimal) else to_decimal(number)
    if value is None or value == 0:
        return Decimal(0)
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int) or exponent >= 0:
        return Decimal(0) if exact_integers else Decimal("0.5")
    return Decimal(5).scaleb(exponent - 1)


def figure_term(figure: Figure) -> Term:
    factor = unit_factor(figure.unit)
    return Term(
        yuan=figure.amount_yuan,
        tolerance=half_unit(figure.value) * factor,
        printed=figure.value,
        unit=figure.unit,
        name=ITEM_NAMES.get(figure.item, figure.label or figure.item),
        evidence=figure.evidence,
    )


def decimals_of(printed: str) -> int:
    value = to_decimal(printed)
    exponent = value.as_tuple().exponent if value is not None else 0
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def in_unit(yuan: Decimal, terms: list[Term], unit_of: Term) -> str:
    """`yuan` written in `unit_of`'s unit, with as many decimals as the most precise term."""
    places = max(decimals_of(t.printed) for t in terms)
    value = (yuan / unit_of.factor).quantize(Decimal(1).scaleb(-places))
    return f"{value}{unit_of.unit}"


def about(scope: str, *names: str) -> str:
    """The message prefix naming what a check is about; the department itself goes unnamed."""
    parts = [p for p in (scope if scope != DEPARTMENT_SCOPE else None, *names) if p]
    return " / ".join(parts) + ": " if parts else ""


def plain(number: Decimal) -> str:
    """A decimal without exponent or trailing zeros (`120`, `89.5`)."""
    return format(number.normalize(), "f")
