"""An indicator's actual value against its target, once both are in the same unit.

Targets and actuals are often printed in different units (`≤0.5小时` against `5分钟以内`,
`≥30条/月` against `245条` for the year). Times are converted; a per-month or per-year
target is compared with a yearly total spread over the year. Values whose units cannot
be reconciled are left alone. A missed target is a warning: the report may explain it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from extractors.context import ReportContext
from extractors.rules.check_terms import about, plain
from schemas.records import Check, Evidence, Indicator
from schemas.vocab import vocab

# Seconds per time unit; 工作日 is left out, it is no fixed length.
_SECONDS = {"秒": 1, "分钟": 60, "小时": 3600, "天": 86400, "日": 86400, "周": 604800, "个月": 2592000,
            "月": 2592000, "年": 31536000}
_PER_YEAR = {"月": 12, "年": 1}
_COMPARE = {
    ">=": lambda a, t: a >= t,
    ">": lambda a, t: a > t,
    "<=": lambda a, t: a <= t,
    "<": lambda a, t: a < t,
    "=": lambda a, t: a >= t,  # a bare number is a level to reach
}


@lru_cache(maxsize=1)
def _unit_pattern() -> re.Pattern[str]:
    units = sorted(set(vocab("indicators")["units"]), key=len, reverse=True)
    return re.compile(r"\s*[余多]?\s*(" + "|".join(map(re.escape, units)) + r")")


def actual_unit(indicator: Indicator) -> str | None:
    """The unit printed right after the actual value's number, or None."""
    if indicator.actual is None or indicator.actual_value is None:
        return None
    number = plain(indicator.actual_value)
    for m in re.finditer(rf"(?<![\d.]){re.escape(number)}(?![\d.])", indicator.actual):
        unit = _unit_pattern().match(indicator.actual, m.end())
        if unit:
            return unit.group(1)
    return None


def _comparable(indicator: Indicator) -> tuple[Decimal, Decimal, str] | None:
    """(actual, target, note) in one unit, or None when the units cannot be reconciled."""
    target, actual = indicator.target_value, indicator.actual_value
    t_unit, a_unit = indicator.target_unit, actual_unit(indicator)
    if target is None or actual is None:
        return None
    if t_unit == a_unit:
        return actual, target, ""
    if t_unit in _SECONDS and a_unit in _SECONDS:
        return actual * _SECONDS[a_unit], target * _SECONDS[t_unit], ""
    if t_unit and "/" in t_unit:
        base, period = t_unit.split("/", 1)
        mentions_period = period in (indicator.actual or "")
        if a_unit == base and period in _PER_YEAR and not mentions_period:
            spread = actual / _PER_YEAR[period]
            note = f" ({plain(actual)}{base} for the year is about {plain(spread.quantize(Decimal('0.1')))}{t_unit})"
            return spread, target, note
    return None


@dataclass
class Attainment:
    """Actual and target in one unit, and whether the target is met."""

    actual: Decimal
    target: Decimal
    note: str  # how a yearly total was spread over a per-month target, if it was
    met: bool


def attainment(indicator: Indicator) -> Attainment | None:
    """None for qualitative or approximate targets and for units that cannot be reconciled."""
    compare = _COMPARE.get(indicator.target_op or "")
    values = _comparable(indicator) if compare else None
    if values is None:
        return None
    return Attainment(*values, met=compare(values[0], values[1]))


def _actual_evidence(indicator: Indicator, ctx: ReportContext | None) -> list[Evidence]:
    """Where the actual is printed: its first occurrence after the target, else before it."""
    if ctx is None or not indicator.actual:
        return []
    text = ctx.doc.text
    found = text.find(indicator.actual, indicator.evidence.end, ctx.span.end)
    if found < 0:
        found = text.find(indicator.actual, ctx.span.start, ctx.span.end)
    return [ctx.evidence(found, found + len(indicator.actual))] if found >= 0 else []


def target_checks(indicators: list[Indicator], ctx: ReportContext | None = None) -> list[Check]:
    checks: list[Check] = []
    for indicator in indicators:
        found = attainment(indicator)
        if found is None or found.met:
            continue
        checks.append(Check(
            check="indicator_target_missed", severity="warning",
            message=f"{about(indicator.scope, indicator.level3)}actual “{indicator.actual}” misses the target "
                    f"{indicator.target}{found.note}",
            expected=indicator.target, observed=indicator.actual,
            evidence=[indicator.evidence] + _actual_evidence(indicator, ctx),
        ))
    return checks
