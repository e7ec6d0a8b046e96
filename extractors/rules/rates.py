"""Budget execution rates stated in prose, paired with amounts of the same sentence."""
from __future__ import annotations

import re

from extractors.context import ReportContext
from extractors.rules.money_facts import MoneyFact
from extractors.rules.numbers import to_decimal
from extractors.segment import sentences
from schemas.records import ExecutionRate

_RATE_RE = re.compile(
    r"(?:预算执行率|资金执行率|执行率|支出率|资金支出率|预算完成率|支出进度)\s*(?:为|达到?|是|:|：)?\s*(\d+(?:\.\d+)?)\s*%"
    r"|完成(?:年初|全年|调整)?预算(?:\s*\d+(?:\.\d+)?\s*(?:万元|元|亿元))?\s*的\s*(\d+(?:\.\d+)?)\s*%"
)
# Rates about a part of the spending are scoped by the part's printed name.
_SUB_ITEMS = ("three_public", "three_public.outbound", "three_public.vehicle", "three_public.reception",
              "basic", "project", "personnel", "public_funds")
_TRIM_TAIL = re.compile(r"(?<!基本|项目|人员|公用)(财政拨款|支出|决算|预算|为|数)+$")


def _scope_phrase(ctx: ReportContext, fact: MoneyFact) -> str | None:
    """The printed name of a part (“三公”经费, 公务接待费, 基本支出) for a rate about it."""
    if fact.item not in _SUB_ITEMS or not fact.item_span:
        return None
    return _TRIM_TAIL.sub("", ctx.doc.text[fact.item_span[0]:fact.item_span[1]]) or None


def prose_rates(ctx: ReportContext, scope: str, facts: list[tuple[int, MoneyFact]]) -> list[ExecutionRate]:
    by_block: dict[int, list[MoneyFact]] = {}
    for index, fact in facts:
        by_block.setdefault(index, []).append(fact)
    out: list[ExecutionRate] = []
    for index, block, text in ctx.paragraphs():
        for s_start, s_end in sentences(text, block.start):
            for m in _RATE_RE.finditer(ctx.doc.text, s_start, s_end):
                rate = to_decimal(m.group(1) or m.group(2))
                before = [f for f in by_block.get(index, []) if s_start <= f.money.start < m.end() and not f.skip]
                executed = next((f for f in reversed(before) if f.stage == "actual"), None)
                budget = next((f for f in reversed(before) if f.stage in ("initial", "adjusted")), None)
                rate_scope = scope
                if executed and scope == "department":
                    rate_scope = _scope_phrase(ctx, executed) or scope
                start = min([m.start()] + [f.label_start for f in before if f in (executed, budget)])
                out.append(ExecutionRate(
                    scope=rate_scope, rate_percent=rate,
                    budget_yuan=budget.money.yuan if budget else None,
                    executed_yuan=executed.money.yuan if executed else None,
                    evidence=ctx.evidence(start, m.end()),
                ))
    return out


def dedupe_rates(rates: list[ExecutionRate]) -> list[ExecutionRate]:
    kept: dict[str, ExecutionRate] = {}
    for r in rates:
        kept.setdefault(r.scope, r)
    return list(kept.values())
