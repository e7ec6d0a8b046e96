"""The reporting department's full official name.

Candidates are official-looking names that start at a division name from the adcode
list (optionally after 中共) and end at a body suffix (办公室, 委员会, 局 ...). The
report's author is the candidate the report presents as itself: in its title or
signature, introduced with （以下简称“我办”）, in a 主管部门/单位名称 field, or simply
the most frequent. A report that only uses a short form (区政府外办, 市委外办) takes the
file's full name of which the short form is an abbreviation (its characters in order).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.context import ReportContext
from extractors.rules.region import find_divisions
from schemas.vocab import vocab

_STOP = re.compile(r"[，。、；：:,;（）()《》“”\"'\s\d]|部门|为|是|于|在|的|对|共|现有|由|关于|根据|系|下属|所属|主要|负责|开展|认真|坚持"
                   r"|(?<=[局厅委办室])(?:局长|厅长|主任|书记|副|处长|科长|长)")
_MAX_TAIL = 18
_FIELD_LABEL = re.compile(r"(主管部门|单位名称|部门名称|预算单位|部门\(单位\)名称|填报单位)[:：\s]*$")


@dataclass
class Candidate:
    name: str
    start: int
    end: int


def _suffix_re() -> re.Pattern[str]:
    return re.compile(f"(?:{vocab('departments')['suffixes']})")


def candidates(text: str) -> list[Candidate]:
    """Official body names in `text`, with their offsets."""
    prefixes = vocab("departments")["prefixes"]
    suffix = _suffix_re()
    out: list[Candidate] = []
    for start, end, _ in find_divisions(text):
        tail = text[end:end + _MAX_TAIL]
        stop = _STOP.search(tail)
        window = tail[: stop.start()] if stop else tail
        last_end = max((m.end() for m in suffix.finditer(window)), default=0)
        if last_end == 0:
            continue
        begin = start
        m = re.search(f"(?:{prefixes})$", text[max(0, start - 6):start])
        if m:
            begin = start - (len(text[max(0, start - 6):start]) - m.start())
        name = text[begin:end + last_end]
        if len(name) >= 5:
            out.append(Candidate(name, begin, end + last_end))
    # A candidate that extends another at the same start supersedes it (北京市 / 北京市丰台区…).
    by_start: dict[int, Candidate] = {}
    for c in out:
        if c.start not in by_start or len(c.name) > len(by_start[c.start].name):
            by_start[c.start] = c
    kept = sorted(by_start.values(), key=lambda c: c.start)
    return [c for c in kept if not any(o is not c and o.start <= c.start and c.end <= o.end for o in kept)]


def _line_of(text: str, pos: int) -> str:
    line_start = text.rfind("\n", 0, pos) + 1
    line_end = text.find("\n", pos)
    return text[line_start: line_end if line_end >= 0 else len(text)]


def _weight(text: str, c: Candidate, title_end: int) -> int:
    weight = 1
    line = _line_of(text, c.start).strip()
    if c.start < title_end or line == c.name or re.fullmatch(re.escape(c.name) + r"\s*[\d年月日\s]*", line):
        weight += 5
    if re.match(r"\s*[（(]以下简称", text[c.end:c.end + 8]):
        weight += 5
    before = text[max(0, c.start - 12):c.start]
    if _FIELD_LABEL.search(before.split("\n")[-1].replace("\t", "")):
        weight += 4
    if "《" in text[max(0, c.start - 30):c.start] and "》" not in text[max(0, c.start - 30):c.start]:
        weight -= 3
    return weight


def best_candidate(text: str, title_end: int) -> tuple[Candidate, int] | None:
    scores: dict[str, int] = {}
    first: dict[str, Candidate] = {}
    for c in candidates(text):
        scores[c.name] = scores.get(c.name, 0) + _weight(text, c, title_end)
        first.setdefault(c.name, c)
    if not scores:
        return None
    # A name that another candidate ends with is the same body, named more briefly
    # (望城区农业农村局 / 湖南省长沙市望城区农业农村局): the full name takes its score.
    for short in list(scores):
        longer = [n for n in scores if n != short and n.endswith(short)]
        if longer:
            full = max(longer, key=len)
            scores[full] += scores.pop(short)
    name = max(scores, key=lambda n: (scores[n], -first[n].start))
    return first[name], scores[name]


def is_abbreviation(short: str, full: str) -> bool:
    """True when the short form's characters appear in order in the full name."""
    it = iter(full)
    return all(ch in it for ch in short)


def short_forms(ctx: ReportContext) -> list[str]:
    """Lines that name the author briefly: signature lines and title prefixes."""
    out = []
    for _, _, text in ctx.paragraphs()[-4:]:
        t = text.strip()
        if 2 <= len(t) <= 12 and not re.search(r"\d", t):
            out.append(t)
    for _, _, text in ctx.paragraphs()[:4]:
        m = re.match(r"^([\u4e00-\u9fff]{2,8}?(?:外办|办|局|委|厅|中心))", text.strip())
        if m:
            out.append(m.group(1))
    return out


def resolve_department(ctx: ReportContext, file_names: list[str], title_end: int) -> tuple[str | None, int, int]:
    """(name, start, end) of the author department; offsets -1 when not in this report."""
    found = best_candidate(ctx.text, title_end - ctx.span.start)
    if found and found[1] >= 3:
        c = found[0]
        return c.name, ctx.span.start + c.start, ctx.span.start + c.end
    for short in short_forms(ctx):
        for name in file_names:
            if is_abbreviation(short, name):
                pos = ctx.text.find(short)
                return name, (ctx.span.start + pos if pos >= 0 else -1), (ctx.span.start + pos + len(short) if pos >= 0 else -1)
    if found:
        c = found[0]
        return c.name, ctx.span.start + c.start, ctx.span.start + c.end
    if file_names:
        return file_names[0], -1, -1
    return _title_prefix(ctx)


def _title_prefix(ctx: ReportContext) -> tuple[str | None, int, int]:
    """Last resort: the name a title line starts with (`XX局2023年度…报告`)."""
    for _, block, text in ctx.paragraphs()[:4]:
        m = re.match(r"^\s*([\u4e00-\u9fff（）()]{3,30}?(?:%s))\s*(?:20\d{2}|关于|部门|项目|整体)" % vocab("departments")["suffixes"], text)
        if m:
            return m.group(1), block.start + m.start(1), block.start + m.end(1)
    return None, -1, -1
