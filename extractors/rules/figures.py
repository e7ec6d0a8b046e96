"""Money figures of prose paragraphs: one per (scope, stage, item, label), first kept."""
from __future__ import annotations

from extractors.context import ReportContext
from extractors.rules.labels import clean_label
from extractors.rules.money_facts import MoneyFact, analyse_paragraph
from schemas.records import Figure, Note

PROJECT_TOTAL_ITEMS = {"project": "expenditure_total"}


def paragraph_facts(ctx: ReportContext) -> list[tuple[int, MoneyFact]]:
    out = []
    for index, block, text in ctx.paragraphs():
        for fact in analyse_paragraph(text, block.start, ctx.headings_of(index)):
            out.append((index, fact))
    return out


def prose_figures(ctx: ReportContext, scope: str, facts: list[tuple[int, MoneyFact]]) -> list[Figure]:
    """Figures of the understood amounts; in a project's report its 项目经费 is its total."""
    figures: list[Figure] = []
    for _, fact in facts:
        if fact.skip or fact.item is None:
            continue
        item = fact.item
        if scope != "department":
            item = PROJECT_TOTAL_ITEMS.get(item, item)
        label = clean_label(fact.label) if item == "other" else None
        figures.append(Figure(
            scope=scope, stage=fact.stage, item=item, value=fact.money.value, unit=fact.money.unit,
            amount_yuan=fact.money.yuan, evidence=ctx.evidence(fact.label_start, fact.money.end), label=label,
        ))
    return figures


def dedupe_figures(figures: list[Figure]) -> tuple[list[Figure], list[tuple[Figure, Figure]]]:
    """First figure per key; also the later ones that state a different amount (conflicts)."""
    kept: dict[tuple, Figure] = {}
    conflicts = []
    for f in figures:
        key = (f.scope, f.stage, f.item, f.label)
        if key not in kept:
            kept[key] = f
        elif kept[key].amount_yuan != f.amount_yuan:
            conflicts.append((kept[key], f))
    return list(kept.values()), conflicts


def unclassified_amounts(ctx: ReportContext, facts: list[tuple[int, MoneyFact]]) -> list[Note]:
    """Amounts in prose whose label names nothing the vocabulary knows."""
    return [
        Note("unclassified_amount", f"amount {fact.money.value}{fact.money.unit} with label “{fact.label}” "
             "matches no figure item", ctx.evidence(fact.label_start, fact.money.end))
        for _, fact in facts if fact.item is None and not fact.skip
    ]
