"""Reads the amounts of prose paragraphs: what each amount is (item) and at which stage.

The label of an amount is the text of its clause before it. Its item comes from the
label's end (`…项目支出`, `…资产总计`); a label that names no item but only a stage
(`预算为`, `实际使用`) continues the previous amount's item; the parts listed after 其中
that name no known item are `other`, with their label. The stage comes from stage words
in the label (调整/决算/年初 …), else from the 其中 parent, the paragraph so far, or an
enclosing heading (…决算情况说明).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from extractors.rules.numbers import Money, money_mentions
from extractors.segment import sentences
from schemas.vocab import vocab

_CLAUSE_SEP = re.compile(r"[，,；;：:]")
_TIME_WORDS = re.compile(r"(20\d{2}\s*年度?|本年度?|全年|当年|年度|截至|年底|年末|年中|上半年|下半年)")
_FILLERS = re.compile(r"(其中|合计|总计|累计|共计|共|为|是|涉及|安排|下达|完成|达到?|约|部门|我办|我局|我单位|本部门|本单位|[（）()\s\d、.．]|[一二三四五六七八九十]+是)")
_QIZHONG = "其中"


@dataclass
class MoneyFact:
    money: Money
    label: str          # the clause text before the amount, as printed
    label_start: int
    item: str | None    # None: not a figure we understand
    stage: str
    skip: str | None    # why it is not a figure (year-on-year change, target …)
    in_breakdown: bool  # listed after 其中
    item_span: tuple[int, int] | None = None  # offsets of the item words in the text


@lru_cache(maxsize=1)
def _compiled() -> dict:
    v = vocab("figures")
    return {
        "items": [(i["item"], re.compile(i["pattern"])) for i in v["items"]],
        "strip": re.compile(v["strip_trailing"]),
        "generic_total": re.compile(v["generic_total"]),
        "stages": {k: re.compile(p) for k, p in v["stages"].items()},
        "generic_stage": re.compile(v["generic_budget_stage"]),
        "weak": re.compile(v["weak_initial"]),
        "masks": re.compile(v["masks"]),
        "adjustment": re.compile(v["adjustment_label"]),
        "skip": re.compile(v["skip_label"]),
        "revenue_side": set(v["revenue_side"]),
        "bare_spending": re.compile(v["bare_spending"]),
    }


def match_item(label: str) -> tuple[str, int, int] | None:
    """(item, start, end) of the item named at the end of a label, or None."""
    c = _compiled()
    plain = re.sub(r"(为|是|:|：|\s)+$", "", label)
    for text in (plain, c["strip"].sub("", label)):
        for item, pattern in c["items"]:
            m = pattern.search(text)
            if m:
                return item, m.start(), m.end()
    return None


def label_stage(label: str) -> tuple[str | None, bool, bool]:
    """(strong stage, has generic budget word, has weak initial word) of a label."""
    c = _compiled()
    masked = c["masks"].sub(lambda m: "#" * len(m.group(0)), label)
    for stage in ("adjusted", "actual", "initial"):
        if c["stages"][stage].search(masked.replace("预算", "##") if stage == "initial" else masked):
            return stage, False, False
    return None, bool(c["generic_stage"].search(masked)), bool(c["weak"].search(label))


def _is_bare(label: str) -> bool:
    """A label with nothing but stage, time and filler words: it continues an item."""
    c = _compiled()
    rest = c["strip"].sub("", label)
    for pattern in c["stages"].values():
        rest = pattern.sub("", rest)
    rest = _TIME_WORDS.sub("", rest)
    rest = _FILLERS.sub("", rest)
    rest = re.sub(r"[^\u4e00-\u9fffA-Za-z]", "", rest)
    return rest == ""


def heading_stage(headings: list[str]) -> str | None:
    for heading in reversed(headings):
        if "决算" in heading and "预决算" not in heading:
            return "actual"
    return None


def analyse_paragraph(text: str, base: int, headings: list[str]) -> list[MoneyFact]:
    """Every amount of a paragraph with its item, stage and skip reason."""
    c = _compiled()
    facts: list[MoneyFact] = []
    running: str | None = None
    context = heading_stage(headings)
    for s_start, s_end in sentences(text):
        sentence = text[s_start:s_end]
        previous_end = 0
        parent: MoneyFact | None = None
        sentence_facts: list[MoneyFact] = []
        for money in money_mentions(sentence, base + s_start):
            local_start = money.start - base - s_start
            between = sentence[previous_end:local_start]
            if _QIZHONG in between:
                parent = (sentence_facts[-1] if sentence_facts else (facts[-1] if facts else None))
            seps = list(_CLAUSE_SEP.finditer(between))
            clause_from = previous_end + (seps[-1].end() if seps else 0)
            label = sentence[clause_from:local_start].strip()
            extended = between
            after = sentence[money.end - base - s_start:][:6]
            skip = None
            if c["skip"].search(label) or re.match(r"\s*(以内|以下|左右|以上)", after):
                skip = "change or target, not an amount of the report"
            elif re.match(r"\s*的\s*[^\d\s]", after):
                skip = "amount qualifies a following noun"
            strong, generic, weak = label_stage(extended)
            in_breakdown = parent is not None
            if strong:
                stage = strong
            elif generic:
                stage = parent.stage if parent and parent.stage in ("initial", "adjusted") else "initial"
            elif parent is not None:
                stage = parent.stage
            elif running:
                stage = running
            elif context:
                stage = context
            elif weak:
                stage = "initial"
            else:
                stage = "actual"
            found = match_item(label)
            item: str | None = None
            item_span = None
            previous = next((f for f in reversed(sentence_facts) if f.item not in (None, "other")), None)
            if found and c["bare_spending"].match(label) and previous and previous.item not in c["revenue_side"]:
                # `实际支出` after a spending item is that item's spending, not the total.
                item, item_span = previous.item, previous.item_span
            elif found:
                item = found[0]
                label_pos = base + s_start + clause_from + (len(sentence[clause_from:local_start]) - len(sentence[clause_from:local_start].lstrip()))
                item_span = (label_pos + found[1], label_pos + found[2])
            elif c["adjustment"].search(label):
                item = "other"
            elif _is_bare(label) and previous:
                item, item_span = previous.item, previous.item_span
            elif c["generic_total"].search(label):
                item = "expenditure_total"
            elif label and in_breakdown and not _is_bare(label):
                item = "other"
            fact = MoneyFact(money, label, base + s_start + clause_from, item, stage, skip, in_breakdown, item_span)
            sentence_facts.append(fact)
            if not skip:
                running = stage
            previous_end = money.end - base - s_start
        facts.extend(sentence_facts)
    return facts
