"""Total scores, maximum scores and grades stated in prose."""
from __future__ import annotations

import re

from extractors.context import ReportContext
from extractors.rules.numbers import to_decimal
from schemas.records import Score
from schemas.vocab import vocab

_SCORE_RE = re.compile(
    r"(?:总得分|自评得分|评价得分|综合得分|自评总分|评分|得分|总分)\s*(?:为|是|:|：)?\s*(\d+(?:\.\d+)?)\s*(?:分(?!为)|(?=[，。；,;]))"
)
_MAX_RE = re.compile(r"满分\s*(?:为|是)?\s*(\d+(?:\.\d+)?)\s*分")


def _grade_re() -> re.Pattern[str]:
    grades = sorted(vocab("scores")["grades"], key=len, reverse=True)
    alt = "|".join(r"\s?".join(g) for g in grades)
    return re.compile(rf"(?:等级|等次|评级|档次|级别|评定为|评价结果|自评结果|结果)\s*(?:为|是|:|：)?\s*[“\"「]?\s*({alt})")


def prose_scores(ctx: ReportContext, scope: str) -> list[Score]:
    text, base = ctx.text, ctx.span.start
    m = _SCORE_RE.search(text)
    if not m:
        return []
    maximum = _MAX_RE.search(text)
    grade_re = _grade_re()
    # The grade stated nearest after the score, else nearest before it.
    grades = list(grade_re.finditer(text))
    after = [g for g in grades if g.start() >= m.start()]
    chosen = after[0] if after else (grades[-1] if grades else None)
    end = m.end()
    if chosen and chosen.start() >= m.start() and chosen.start() - m.end() < 80:
        end = chosen.end()
    grade = re.sub(r"\s", "", chosen.group(1)) if chosen else None
    return [Score(
        scope=scope, total_score=to_decimal(m.group(1)),
        max_score=to_decimal(maximum.group(1)) if maximum else None,
        grade=grade, evidence=ctx.evidence(base + m.start(), base + end),
    )]
