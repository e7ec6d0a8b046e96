"""Performance indicators written as prose.

Two shapes are read. A paragraph that opens with `绩效指标：` lists targets among
other text; only clauses with a comparator (≥90%, 不少于 10 次, 400 人次左右) count,
and their levels are inferred from what they measure. A sentence `数量指标设置为A，B；…`
(or 包括/主要是) names its level and lists its indicators, qualitative ones included,
separated by ；, or by ， when it uses no ；; the sentences after it report the actuals.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.context import ReportContext
from extractors.normalize import join_cjk_wraps, squash_spaces
from extractors.rules.numbers import to_decimal
from extractors.rules.targets import Target, find_target
from schemas.records import Indicator
from schemas.vocab import vocab

_LISTED_RE = re.compile(r"^\s*(?:具体)?绩效指标\s*[:：]")
_LEVEL_WORDS = "服务对象满意度|可持续影响|经济效益|社会效益|生态效益|满意度|数量|质量|时效|成本|效益"
_LEVEL_LIST_RE = re.compile(rf"({_LEVEL_WORDS})指标\s*(?:设置为|设定为|包括|主要是|主要为|为|[:：])[:：]?")
_SELF_START = re.compile(r"^(我办|我局|我委|我厅|我单位|本单位|本部门|我部门|实际|经过|经|同时|通过|围绕|在)")
_LEAD_TRIM = re.compile(r"^(计划(组织|开展|完成)?|是否|力争|确保|全年|年度)")
_TAIL_TRIM = re.compile(r"(等|共|为|达|的|:|：|\s)+$")
_QUALIFIER_RE = re.compile(r"^(如|例如|比如|其中)[:：]?")
_SATISFACTION = "满意"
_COMPARATOR_RE = re.compile(r"[≥≤]|不少于|不低于|不超过")
_ACTUAL_LEAD = re.compile(r"^\s*(20\d{2}\s*年度?\s*[,，]?\s*)?(我办|我局|我委|我单位|本单位|同时|实际)?\s*")

_TIME_UNITS = {"天", "日", "小时", "分钟", "秒", "周", "工作日", "个月", "年"}
_MONEY_UNITS = {"元", "万元", "亿元", "千元"}


@dataclass
class _Item:
    text: str
    start: int  # offset in the document text


def _infer_levels(level3: str, target: Target | None) -> tuple[str, str]:
    if _SATISFACTION in level3:
        return "满意度指标", "服务对象满意度指标"
    unit = target.unit if target else None
    if unit in _TIME_UNITS:
        return "产出指标", "时效指标"
    if unit in _MONEY_UNITS:
        return "产出指标", "成本指标"
    if unit == "%":
        return "产出指标", "质量指标"
    return "产出指标", "数量指标"


def _levels_of(word: str) -> tuple[str | None, str | None]:
    name = word + "指标"
    level2_map = vocab("indicators")["level2"]
    if name in vocab("indicators")["level1"] and name not in ("成本指标",):
        return name, None
    return level2_map.get(name), name


def _clean_level3(text: str) -> str:
    text = _LEAD_TRIM.sub("", text.strip())
    text = _TAIL_TRIM.sub("", text)
    return squash_spaces(text)


def _split(text: str, start: int, seps: str) -> list[_Item]:
    items, pos = [], 0
    for m in re.finditer(f"[{seps}]", text):
        items.append(_Item(text[pos:m.start()], start + pos))
        pos = m.end()
    items.append(_Item(text[pos:], start + pos))
    return [i for i in items if i.text.strip()]


def _quantified(ctx: ReportContext, scope: str, item: _Item, target: Target, levels: tuple[str | None, str | None],
                whole: str | None = None) -> Indicator:
    text = item.text
    before, after = text[:target.start], text[target.end:]
    if target.op == "=" and before.strip() and after.strip():
        level3 = _clean_level3(before) + _clean_level3(after)
    elif before.strip():
        level3 = _clean_level3(before)
    else:
        level3 = _clean_level3(after)
    target_text = join_cjk_wraps(text[target.start:target.end].strip())
    return Indicator(
        scope=scope, level1=levels[0], level2=levels[1], level3=level3, description=None,
        target=target_text, target_op=target.op, target_value=target.value, target_unit=target.unit,
        actual=None, actual_value=None, weight=None, score=None, basis=None, deviation_note=None,
        evidence=ctx.evidence(item.start, item.start + len(text.rstrip())),
    )


def _listed(ctx: ReportContext, text: str, start: int) -> list[Indicator]:
    """`绩效指标：…` paragraphs: every clause with a comparator target."""
    body_start = _LISTED_RE.match(text).end()
    out = []
    for item in _split(text[body_start:], start + body_start, "，,；;。"):
        target = find_target(item.text, require_op=True)
        if target is None:
            continue
        probe = _quantified(ctx, "department", item, target, (None, None))
        out.append(_quantified(ctx, "department", item, target, _infer_levels(probe.level3, target)))
    return out


def _level_list(ctx: ReportContext, text: str, start: int) -> list[Indicator]:
    """`X指标设置为 …。` sentences, with actuals from the sentences that follow."""
    out: list[Indicator] = []
    for m in _LEVEL_LIST_RE.finditer(text):
        clause_start = max(text.rfind(sep, 0, m.start()) for sep in "，,；;：:。") + 1
        prefix = _QUALIFIER_RE.sub("", text[clause_start:m.start()].strip())
        scope = squash_spaces(prefix) if len(prefix) >= 4 else "department"
        end = text.find("。", m.end())
        end = len(text) if end < 0 else end
        body = text[m.end():end]
        levels = _levels_of(m.group(1))
        semicolons = bool(re.search("[；;]", body))
        items = _split(body, start + m.end(), "；;" if semicolons else "，,")
        found: list[Indicator] = []
        seen_quantified = False
        for item in items:
            clauses = _split(item.text, item.start, "，,") if semicolons else [item]
            if not semicolons and _SELF_START.match(item.text.strip()):
                break
            quantified = next(((c, t) for c in clauses for t in [find_target(c.text)] if t), None)
            if quantified:
                seen_quantified = True
                found.append(_quantified(ctx, scope, quantified[0], quantified[1], levels))
                continue
            if seen_quantified and not semicolons:
                break
            first = clauses[0]
            level3 = _clean_level3(first.text)
            if not level3:
                continue
            whole = item.text.strip()
            found.append(Indicator(
                scope=scope, level1=levels[0], level2=levels[1], level3=level3, description=None,
                target=None if m.group(0).find("主要") >= 0 else join_cjk_wraps(whole),
                target_op=None, target_value=None, target_unit=None, actual=None, actual_value=None,
                weight=None, score=None, basis=None, deviation_note=None,
                evidence=ctx.evidence(item.start, item.start + len(item.text.rstrip())),
            ))
            if "主要" in m.group(0):
                break
        _attach_actuals(found, text[end + 1:] if "主要" not in m.group(0) else text[m.end():])
        out.extend(found)
    return out


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


def _attach_actuals(indicators: list[Indicator], following: str) -> None:
    """Pair indicators with the clauses of the actuals that follow them. A quantified
    indicator takes the next clause, in order, with a number in its unit's kind (the
    actuals follow the targets' order); a qualitative one the clause sharing most words."""
    stop = _LEVEL_LIST_RE.search(following)
    following = following[: stop.start()] if stop else following
    following = re.sub(r"^\s*(实际完成情况|实际)[:：]?\s*", "", following)
    clauses = [_ACTUAL_LEAD.sub("", c).strip() for c in re.split(r"[，,；;。]", following)]
    clauses = [c for c in clauses if c and not _COMPARATOR_RE.search(c)]
    cursor = 0
    for ind in indicators:
        key = _bigrams(ind.level3)
        measured = _measured_re(ind.target_unit)
        if measured is not None:
            at = next((i for i in range(cursor, len(clauses)) if measured.search(clauses[i])), None)
            if at is not None:
                ind.actual = clauses[at]
                ind.actual_value = to_decimal(measured.search(clauses[at]).group(1))
                cursor = at + 1
                continue
        best = max(clauses, key=lambda c: len(key & _bigrams(c)), default=None)
        if best is not None and key & _bigrams(best):
            ind.actual = best


def _measured_re(unit: str | None) -> re.Pattern[str] | None:
    """A number in the target's unit, or in another unit of its kind (5分钟 for ≤0.5小时)."""
    if not unit:
        return None
    base = unit.split("/")[0]
    units = _TIME_UNITS if base in _TIME_UNITS else {base}
    alternatives = "|".join(re.escape(u) for u in sorted(units, key=len, reverse=True))
    return re.compile(rf"(?<![\d.])(\d+(?:\.\d+)?)\s*余?\s*(?:{alternatives})")


def prose_indicators(ctx: ReportContext) -> list[Indicator]:
    out: list[Indicator] = []
    for _, block, text in ctx.paragraphs():
        if _LISTED_RE.match(text):
            out.extend(_listed(ctx, text, block.start))
        elif _LEVEL_LIST_RE.search(text):
            out.extend(_level_list(ctx, text, block.start))
    seen: set[tuple] = set()
    unique = []
    for ind in out:
        key = (ind.scope, ind.level2, ind.level3)
        if key not in seen:
            seen.add(key)
            unique.append(ind)
    return unique
