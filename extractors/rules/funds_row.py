"""The 分值 and 得分 of a 自评表's 年度资金总额 row.

The national 项目支出绩效自评表 scores budget execution in its funds row (usually 10
of the 100 points) and the indicators below it share the rest, so sums of indicator
weights and scores must count this row. The records do not keep it; it is read from
the table that holds the report's total score.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from extractors.context import ReportContext
from extractors.rules.numbers import to_decimal
from schemas.document import Cell
from schemas.records import Evidence
from schemas.vocab import vocab


@dataclass
class FundsRow:
    weight: Decimal | None
    score: Decimal | None
    evidence: Evidence


@lru_cache(maxsize=1)
def _total_row_re() -> re.Pattern[str]:
    row = next(r for r in vocab("tables")["money_rows"] if r["item"] == "expenditure_total")
    return re.compile(row["pattern"])


def _squash(cell: Cell | None) -> str:
    return re.sub(r"\s+", "", cell.text) if cell else ""


def table_bounds(ctx: ReportContext, offset: int) -> tuple[int, int] | None:
    """The span of the table block that contains `offset`, if any."""
    for _, block in ctx.tables():
        if block.start <= offset < block.end:
            return block.start, block.end
    return None


def funds_row(ctx: ReportContext, offset: int) -> FundsRow | None:
    """The funds row of the table containing `offset`, if it has 分值 or 得分 cells."""
    for _, block in ctx.tables():
        if not block.start <= offset < block.end or block.table is None:
            continue
        columns: dict[str, int] = {}
        for r, row in enumerate(block.table.grid()):
            texts = [_squash(c) for c in row]
            if "分值" in texts and not columns:
                columns = {name: texts.index(name) for name in ("分值", "得分") if name in texts}
                continue
            if columns and any(_total_row_re().match(t) for t in texts):
                weight = to_decimal(texts[columns["分值"]]) if "分值" in columns else None
                score = to_decimal(texts[columns["得分"]]) if "得分" in columns else None
                own = [c for c in row if c is not None and c.row == r and c.text.strip()]
                start, end = own[0].start, own[-1].end
                return FundsRow(weight, score, ctx.evidence(start, end))
    return None
