"""Splits a document into reports and each report into sections and sentences.

A file can hold a package of 附件 (attachments): each line that is only an `附件N`
label starts a new report. Headings are recognised by Chinese numbering
(一、 （一） 1. （1） ①) and give every paragraph its chain of enclosing headings.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from schemas.document import Block, Document

# `附件4`, `附件 4：`, `附件二`, or a label with its title: `附件2：项目支出绩效自评表`.
ATTACHMENT_RE = re.compile(r"^附件\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*(?:[:：.、]\s*|\s+|$)(.{0,60}(?:报告|表|书|文本|情况)\)?)?$")
_CN_NUM = "一二三四五六七八九十"
HEADING_PATTERNS: list[tuple[int, re.Pattern[str]]] = [
    (0, re.compile(rf"^第[{_CN_NUM}]+部分")),
    (1, re.compile(rf"^[{_CN_NUM}]+[、.．]")),
    (2, re.compile(rf"^[（(][{_CN_NUM}]+[）)]")),
    (3, re.compile(r"^\d{1,2}(?:[、．]|\.(?!\d)|\.(?=\d{4}\s*年))")),
    (4, re.compile(r"^[（(]\d{1,2}[）)]")),
    (5, re.compile(r"^[①-⑳]")),
]
_MAX_HEADING_CHARS = 40
_SENTENCE_RE = re.compile(r"[^。！？!?\n]*(?:[。！？!?]+|\n|$)")


@dataclass
class Heading:
    level: int
    block: int
    start: int
    end: int
    text: str


@dataclass
class ReportSpan:
    """A report's slice of the document: blocks [first, last) and text [start, end)."""

    attachment: str | None
    first: int
    last: int
    start: int
    end: int
    headings: list[Heading] = field(default_factory=list)

    def blocks(self, doc: Document) -> list[Block]:
        return doc.blocks[self.first:self.last]


def heading_level(text: str) -> int | None:
    """The numbering level of a short numbered line, or None for body text."""
    stripped = text.strip()
    if len(stripped) > _MAX_HEADING_CHARS or stripped.endswith("。"):
        return None
    for level, pattern in HEADING_PATTERNS:
        if pattern.match(stripped):
            return level
    return None


def split_reports(doc: Document) -> list[ReportSpan]:
    """Reports in file order; a preamble before the first 附件 joins the first report."""
    starts: list[tuple[int, str]] = []
    for i, block in enumerate(doc.blocks):
        if block.kind != "paragraph":
            continue
        m = ATTACHMENT_RE.match(doc.block_text(block).strip())
        if m:
            starts.append((i, f"附件{m.group(1)}"))
    if not starts:
        spans = [ReportSpan(None, 0, len(doc.blocks), 0, len(doc.text))]
    else:
        bounds = [(0 if k == 0 else i, label) for k, (i, label) in enumerate(starts)]
        spans = []
        for k, (first, label) in enumerate(bounds):
            last = bounds[k + 1][0] if k + 1 < len(bounds) else len(doc.blocks)
            start = doc.blocks[first].start if first < len(doc.blocks) else len(doc.text)
            end = doc.blocks[last].start if last < len(doc.blocks) else len(doc.text)
            spans.append(ReportSpan(label, first, last, start, end))
    for span in spans:
        span.headings = find_headings(doc, span)
    return spans


def find_headings(doc: Document, span: ReportSpan) -> list[Heading]:
    out = []
    for i in range(span.first, span.last):
        block = doc.blocks[i]
        if block.kind != "paragraph":
            continue
        text = doc.block_text(block)
        level = heading_level(text)
        if level is not None:
            out.append(Heading(level, i, block.start, block.end, text))
    return out


@dataclass
class Section:
    """A heading with the sections numbered under it; `end` is where the next
    heading of the same or a higher level starts."""

    heading: Heading
    end: int
    children: list[Section] = field(default_factory=list)


def section_tree(span: ReportSpan) -> list[Section]:
    """The report's headings as a tree, by numbering level."""
    roots: list[Section] = []
    stack: list[Section] = []
    for heading in span.headings:
        node = Section(heading, span.end)
        while stack and stack[-1].heading.level >= heading.level:
            stack.pop().end = heading.start
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)
    return roots


def heading_chain(span: ReportSpan, block_index: int) -> list[Heading]:
    """The enclosing headings of a block, outermost first."""
    chain: list[Heading] = []
    for heading in span.headings:
        if heading.block >= block_index:
            break
        while chain and chain[-1].level >= heading.level:
            chain.pop()
        chain.append(heading)
    return chain


def sentences(text: str, base: int = 0) -> list[tuple[int, int]]:
    """(start, end) offsets of sentences ending in 。！？ or a line break."""
    out = []
    for m in _SENTENCE_RE.finditer(text):
        if m.end() > m.start() and m.group(0).strip():
            out.append((base + m.start(), base + m.end()))
    return out
