"""Who and when: report type, fiscal year and signing date, from titles and signature."""
from __future__ import annotations

import re

import cn2an

from extractors.context import ReportContext
from extractors.segment import ATTACHMENT_RE, heading_level
from schemas.vocab import vocab

_TITLE_BLOCKS = 6
_TITLE_MAX_CHARS = 60
_YEAR_RE = re.compile(r"(20\d{2})\s*年")
_FY_RE = re.compile(r"(20\d{2})\s*年度")
_DATE_RE = re.compile(r"(20\d{2})\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})\s*日?")
_CN_DATE_RE = re.compile(r"([二〇零○一两三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日")
_SIGNATURE_TAIL = 4


def title_blocks(ctx: ReportContext) -> list[tuple[int, str]]:
    """(block index, text) of the short unnumbered lines that open the report."""
    out = []
    for i in range(ctx.span.first, min(ctx.span.last, ctx.span.first + _TITLE_BLOCKS)):
        block = ctx.doc.blocks[i]
        if block.kind != "paragraph":
            break
        t = ctx.doc.block_text(block).strip()
        label = ATTACHMENT_RE.match(t)
        if label:
            if label.group(2):
                out.append((i, label.group(2).strip()))
            continue
        if heading_level(t) is not None or len(t) > _TITLE_MAX_CHARS:
            break
        out.append((i, t))
    return out


def report_type(ctx: ReportContext, titles: list[str]) -> tuple[str, int]:
    """(type, title index or -1) from the title lines, else from the first mention."""
    v = vocab("report_types")
    for k, title in enumerate(titles):
        for rule in v["rules"]:
            if re.search(rule["pattern"], title.replace(" ", "")):
                return _refine(rule["type"], ctx.text, v), k
    head = ctx.text[:3000].replace(" ", "")
    hits = [(m.start(), rule["type"]) for rule in v["rules"] for m in [re.search(rule["pattern"], head)] if m]
    if hits:
        return _refine(min(hits)[1], ctx.text, v), -1
    return "other", -1


def _refine(kind: str, text: str, v: dict) -> str:
    """An overall 绩效评价 is a self-evaluation unless an outside evaluator wrote it."""
    if kind == "dept_overall_eval" and not re.search(v["third_party"], text):
        return "dept_overall_self_eval"
    return kind


def fiscal_year(ctx: ReportContext, titles: list[str]) -> tuple[int | None, int]:
    """(year, offset) of the year evaluated: the title's year, else the first N年度."""
    for title in titles:
        m = _YEAR_RE.search(title)
        if m:
            pos = ctx.text.find(title)
            return int(m.group(1)), ctx.span.start + max(pos, 0) + m.start(1)
    m = _FY_RE.search(ctx.text)
    if m:
        return int(m.group(1)), ctx.span.start + m.start(1)
    years = [int(y) for y in _YEAR_RE.findall(ctx.text)]
    if years:
        year = max(set(years), key=years.count)
        return year, ctx.span.start + ctx.text.find(str(year))
    return None, -1


def _cn_number(text: str) -> int:
    digits = text.translate(str.maketrans("〇零○两", "0002"))
    if all(ch in "0123456789一二三四五六七八九" for ch in digits) and len(digits) == 4:
        return int("".join(str(cn2an.cn2an(ch, "smart")) if not ch.isdigit() else ch for ch in digits))
    return int(cn2an.cn2an(text, "smart"))


def report_date(ctx: ReportContext) -> tuple[str | None, int, int]:
    """(ISO date, start, end) of the signing date on the report's last lines."""
    for _, block, text in reversed(ctx.paragraphs()[-_SIGNATURE_TAIL:]):
        stripped = text.strip()
        m = _DATE_RE.search(stripped)
        cm = _CN_DATE_RE.search(stripped)
        if m and len(stripped) - (m.end() - m.start()) <= 30:
            y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
            pos = block.start + text.find(m.group(0))
            span = (pos, pos + len(m.group(0)))
        elif cm and len(stripped) - len(cm.group(0)) <= 30:
            y, mo, d = _cn_number(cm.group(1)), _cn_number(cm.group(2)), _cn_number(cm.group(3))
            pos = block.start + text.find(cm.group(0))
            span = (pos, pos + len(cm.group(0)))
        else:
            continue
        if 1 <= mo <= 12 and 1 <= d <= 31:
            return f"{y:04d}-{mo:02d}-{d:02d}", span[0], span[1]
    return None, -1, -1
