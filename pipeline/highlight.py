"""Text with highlighted spans as properly nested HTML.

Evidence spans may nest (a figure's cell inside its rate's row) or cross (a check's
sentence starting inside a figure). HTML elements must nest, so a span that crosses
another is split: its first piece is the highlight element (`hl`), later pieces are
continuations (`hl hl-cont`) carrying the same `data-span`. Hence exactly one `hl`
element without `hl-cont` per span, and the pieces of a span joined give its text.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field


@dataclass
class Span:
    start: int
    end: int
    span_id: str
    classes: str = ""
    attrs: dict[str, str] = field(default_factory=dict)


def _open(span: Span, first: bool) -> str:
    classes = " ".join(c for c in ("hl", "" if first else "hl-cont", span.classes) if c)
    attrs = "".join(f' {k}="{html.escape(v)}"' for k, v in span.attrs.items())
    return f'<mark class="{classes}" data-span="{html.escape(span.span_id)}"{attrs}>'


def highlight(text: str, spans: list[Span]) -> str:
    """`text` HTML-escaped, each span wrapped in <mark> elements that nest correctly."""
    size = len(text)
    spans = [s for s in spans if 0 <= s.start <= s.end <= size]
    # At one start, longer spans open first so they are the outer elements.
    order = sorted(range(len(spans)), key=lambda i: (spans[i].start, -spans[i].end, i))
    starts: dict[int, list[Span]] = {}
    for i in order:
        starts.setdefault(spans[i].start, []).append(spans[i])
    points = sorted({0, size, *(s.start for s in spans), *(s.end for s in spans)})
    out: list[str] = []
    stack: list[Span] = []
    for index, point in enumerate(points):
        reopen: list[Span] = []
        while any(s.end == point for s in stack):
            top = stack.pop()
            out.append("</mark>")
            if top.end != point:
                reopen.append(top)
        for span in reversed(reopen):
            out.append(_open(span, first=False))
            stack.append(span)
        for span in starts.get(point, []):
            out.append(_open(span, first=True))
            if span.end == point:
                out.append("</mark>")
            else:
                stack.append(span)
        if index + 1 < len(points):
            out.append(html.escape(text[point:points[index + 1]]))
    out.extend("</mark>" for _ in stack)
    return "".join(out)
