"""Money checks: parts against totals, stated rates against their amounts, carryover.

Each check recomputes a number from the report's own figures and compares it with the
stated one, allowing the rounding of every printed value involved (check_terms.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from extractors.rules.check_terms import Term, about, figure_term, half_unit, in_unit, plain
from schemas.records import DEPARTMENT_SCOPE, Check, ExecutionRate, Figure

HUNDRED = Decimal(100)


@dataclass
class Figures:
    """A report's figures by (scope, stage, item), first stated kept."""

    by_key: dict[tuple[str, str, str], Figure]

    @classmethod
    def of(cls, figures: list[Figure]) -> Figures:
        by_key: dict[tuple[str, str, str], Figure] = {}
        for f in figures:
            if f.item != "other":
                by_key.setdefault((f.scope, f.stage, f.item), f)
        return cls(by_key)

    def term(self, scope: str, stage: str, item: str) -> Term | None:
        figure = self.by_key.get((scope, stage, item))
        return figure_term(figure) if figure else None

    def scope_stages(self) -> list[tuple[str, str]]:
        return list(dict.fromkeys((scope, stage) for scope, stage, _ in self.by_key))


STAGE_NAMES = {"initial": "年初预算", "adjusted": "调整预算", "actual": "实际支出"}


def parts_check(name: str, total: Term, parts: list[Term], complete: bool, scope: str, stage: str,
                severity: str = "error") -> Check | None:
    """`parts` must add up to `total`; when some parts are unstated, must not exceed it."""
    recomputed = sum((p.yuan for p in parts), Decimal(0))
    tolerance = total.tolerance + sum((p.tolerance for p in parts), Decimal(0))
    too_big = recomputed - total.yuan > tolerance
    if not too_big and (not complete or total.yuan - recomputed <= tolerance):
        return None
    relation = "add up to" if complete else "already exceed"
    return Check(
        check=name,
        severity=severity,
        message=f"{about(scope, STAGE_NAMES.get(stage, stage))}{' + '.join(p.text() for p in parts)} {relation} "
                f"{in_unit(recomputed, parts + [total], total)}, but {total.text()} is stated",
        expected=in_unit(recomputed, parts + [total], total),
        observed=f"{total.printed}{total.unit}",
        evidence=[total.evidence] + [p.evidence for p in parts],
    )


def sum_checks(figures: Figures) -> list[Check]:
    return [c for scope, stage in figures.scope_stages() for c in _stage_sums(figures, scope, stage)]


def _stage_sums(figures: Figures, scope: str, stage: str) -> list[Check]:
    """The sums a report's figures of one scope and stage must satisfy."""
    term = {item: figures.term(scope, stage, item) for item in (
        "expenditure_total", "basic", "project", "personnel", "public_funds", "fiscal_funds",
        "prior_year_carryover", "other_funds", "three_public", "three_public.outbound",
        "three_public.vehicle", "three_public.reception")}
    found: list[Check | None] = []
    total, basic, project = term["expenditure_total"], term["basic"], term["project"]
    personnel, public, fiscal = term["personnel"], term["public_funds"], term["fiscal_funds"]
    if basic and personnel and public:
        found.append(parts_check("basic_parts", basic, [personnel, public], True, scope, stage))
    spending = [basic] if basic else ([personnel, public] if personnel and public else [])
    if spending and project and (total or fiscal):
        # Without a spending total, the fund total (一般公共预算 …其中基本支出…) is the
        # likeliest whole; the pairing is inferred, so a mismatch is only a warning.
        whole, severity = (total, "error") if total else (fiscal, "warning")
        found.append(parts_check("expenditure_parts", whole, spending + [project], True, scope, stage, severity))
    three_parts = [t for t in (term[f"three_public.{p}"] for p in ("outbound", "vehicle", "reception")) if t]
    if term["three_public"] and three_parts:
        found.append(parts_check("three_public_parts", term["three_public"], three_parts,
                                 len(three_parts) == 3, scope, stage))
    # A project's 年度资金总额 = 财政拨款 + 上年结转 + 其他资金 (自评表 and 目标表 rows).
    sources = [t for t in (fiscal, term["prior_year_carryover"], term["other_funds"]) if t]
    if scope != DEPARTMENT_SCOPE and total and sources:
        found.append(parts_check("funding_parts", total, sources, len(sources) == 3, scope, stage))
    return [c for c in found if c]


def rate_tolerance(rate: Decimal) -> Decimal:
    """A stated percent is rounded in its last printed digit (`100%` may be 99.6%)."""
    return half_unit(rate, exact_integers=False)


def _fitting(stated: Decimal, budget: Decimal, executed: Decimal) -> tuple[bool, Decimal]:
    """Whether any usual reading of the ratio gives the stated percent; and the plain one."""
    plain_rate = executed / budget * HUNDRED
    readings = [plain_rate, HUNDRED - plain_rate]
    if executed:
        readings.append(budget / executed * HUNDRED)
    return any(abs(r - stated) <= rate_tolerance(stated) for r in readings), plain_rate


def _rounded(rate: Decimal, stated: Decimal) -> str:
    exponent = stated.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return plain(rate.quantize(Decimal(1).scaleb(-max(places, 1))))


def _yuan_text(yuan: Decimal) -> str:
    return f"{plain(yuan / 10000)}万元"


def rate_checks(rates: list[ExecutionRate], figures: Figures) -> list[Check]:
    """A rate against the amounts stated with it, else against the scope's totals."""
    checks: list[Check] = []
    for rate in rates:
        if rate.budget_yuan and rate.executed_yuan is not None:
            fits, computed = _fitting(rate.rate_percent, rate.budget_yuan, rate.executed_yuan)
            if not fits:
                checks.append(Check(
                    check="rate_amounts", severity="error",
                    message=f"{about(rate.scope)}stated rate {plain(rate.rate_percent)}% but "
                            f"{_yuan_text(rate.executed_yuan)} / {_yuan_text(rate.budget_yuan)} = "
                            f"{_rounded(computed, rate.rate_percent)}%",
                    expected=f"{_rounded(computed, rate.rate_percent)}%",
                    observed=f"{plain(rate.rate_percent)}%",
                    evidence=[rate.evidence],
                ))
            continue
        found = _rate_against_figures(rate, figures)
        checks += [found] if found else []
    return checks


def _rate_against_figures(rate: ExecutionRate, figures: Figures) -> Check | None:
    """A rate stated alone, against the scope's spending and each of its budgets."""
    actual = figures.term(rate.scope, "actual", "expenditure_total")
    budgets = [t for t in (figures.term(rate.scope, s, "expenditure_total") for s in ("adjusted", "initial")) if t]
    executed = rate.executed_yuan if rate.executed_yuan is not None else (actual.yuan if actual else None)
    if executed is None or not budgets or not all(b.yuan for b in budgets):
        return None
    results = [_fitting(rate.rate_percent, b.yuan, executed) for b in budgets]
    if any(fits for fits, _ in results):
        return None
    computed = results[0][1]
    return Check(
        check="rate_figures", severity="warning",
        message=f"{about(rate.scope)}stated rate {plain(rate.rate_percent)}% but spending "
                f"{_yuan_text(executed)} / {budgets[0].text()} = {_rounded(computed, rate.rate_percent)}%",
        expected=f"{_rounded(computed, rate.rate_percent)}%",
        observed=f"{plain(rate.rate_percent)}%",
        evidence=[rate.evidence] + [b.evidence for b in budgets] + ([actual.evidence] if actual else []),
    )


def carryover_checks(rates: list[ExecutionRate], figures: Figures) -> list[Check]:
    """A balance left over although all of the budget was spent: one of them is wrong."""
    checks: list[Check] = []
    for rate in rates:
        carryover = figures.term(rate.scope, "actual", "carryover")
        if not carryover or carryover.yuan <= carryover.tolerance:
            continue
        if abs(rate.rate_percent - HUNDRED) > rate_tolerance(rate.rate_percent):
            continue
        actual = figures.term(rate.scope, "actual", "expenditure_total")
        budget = figures.term(rate.scope, "adjusted", "expenditure_total") or figures.term(
            rate.scope, "initial", "expenditure_total")
        if actual and budget:
            equal = abs(actual.yuan - budget.yuan) <= actual.tolerance + budget.tolerance
            evidence = [actual.evidence, budget.evidence]
            spent = f"spending {actual.printed}{actual.unit} equals the budget {budget.printed}{budget.unit}"
        elif rate.budget_yuan and rate.executed_yuan is not None:
            equal, evidence = rate.budget_yuan == rate.executed_yuan, []
            spent = f"spending equals the budget {_yuan_text(rate.budget_yuan)}"
        else:
            continue
        if equal:
            checks.append(Check(
                check="carryover_full_execution", severity="warning",
                message=f"{about(rate.scope)}{carryover.text()} is left over, yet the execution rate is "
                        f"{plain(rate.rate_percent)}% and {spent}",
                expected=f"0{carryover.unit}", observed=f"{carryover.printed}{carryover.unit}",
                evidence=[carryover.evidence, rate.evidence] + evidence,
            ))
    return checks


def conflict_checks(conflicts: list[tuple[Figure, Figure]]) -> list[Check]:
    """One key stated with two amounts that differ beyond rounding."""
    checks: list[Check] = []
    for kept, other in conflicts:
        first, second = figure_term(kept), figure_term(other)
        if abs(first.yuan - second.yuan) <= first.tolerance + second.tolerance:
            continue
        checks.append(Check(
            check="conflicting_amounts", severity="warning",
            message=f"{about(kept.scope)}{first.name} ({STAGE_NAMES.get(kept.stage, kept.stage)}) is stated as "
                    f"{kept.value}{kept.unit} and as {other.value}{other.unit}",
            expected=f"{kept.value}{kept.unit}", observed=f"{other.value}{other.unit}",
            evidence=[kept.evidence, other.evidence],
        ))
    return checks
