"""`jixiao review FILE`: one self-contained HTML page to check an extraction by eye.

The page shows the normalised text (what evidence offsets point into) with every
extracted value highlighted, and beside it the records grouped by report and list.
Clicking a record scrolls to its evidence and flashes it; clicking a highlight finds
its record. Checks underline the values they compare and are listed under the records
they concern. Everything is inline (no network), so the page can be mailed or archived.
"""
from __future__ import annotations

import argparse
import html
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extractors.readers import read_document
from pipeline.extract import extract_document
from pipeline.highlight import Span, highlight
from pipeline.review_assets import COLORS, CSS, JS, SEVERITY_COLORS
from schemas.records import extraction_to_json

LISTS = ("figures", "execution_rates", "scores", "indicators", "projects", "checks", "notes")
LIST_TITLES = {
    "figures": "金额 figures", "execution_rates": "执行率 execution rates", "scores": "得分 scores",
    "indicators": "绩效指标 indicators", "projects": "项目 projects", "checks": "核查 checks",
    "notes": "未识别 notes",
}


@dataclass
class Record:
    record_id: str
    kind: str
    summary: str
    evidence: list[dict[str, Any]]
    severity: str | None = None
    concerns: list[Record] = field(default_factory=list)  # the checks that compare this record's values

    @property
    def label(self) -> str:
        """A check's severity and name (`error · rate_amounts`), its summary's head."""
        return self.summary.split(":", 1)[0]

    @property
    def span_ids(self) -> list[str]:
        if len(self.evidence) == 1:
            return [self.record_id]
        return [f"{self.record_id}-e{k}" for k in range(len(self.evidence))]


def _money(yuan: str | None) -> str:
    return f"{yuan}元" if yuan is not None else "—"


def summary(kind: str, r: dict[str, Any]) -> str:
    """One line saying what the record holds, as an auditor would read it."""
    scope = "" if r.get("scope") in (None, "department") else f"{r['scope']} · "
    if kind == "figures":
        label = f"({r['label']})" if r.get("label") else ""
        return f"{scope}{r['stage']} {r['item']}{label} = {r['value']}{r['unit']}"
    if kind == "execution_rates":
        amounts = f"budget {_money(r['budget_yuan'])}, executed {_money(r['executed_yuan'])}"
        return f"{scope}执行率 {r['rate_percent']}% ({amounts})"
    if kind == "scores":
        out_of = f"/{r['max_score']}" if r.get("max_score") is not None else ""
        return f"{scope}得分 {r['total_score']}{out_of} {r.get('grade') or ''}".rstrip()
    if kind == "indicators":
        marks = "" if r.get("weight") is None else f" [{r.get('score')}/{r['weight']}]"
        return f"{scope}{r['level3']}: {r.get('target') or '—'} → {r.get('actual') or '—'}{marks}"
    if kind == "projects":
        return f"{r.get('code') or ''} {r['name']} {_money(r.get('budget_yuan'))}".strip()
    if kind == "checks":
        return f"{r['severity']} · {r['check']}: {r['message']}"
    if kind == "notes":
        return f"{r.get('kind', 'note')}: {r.get('message', '')}"
    return json.dumps({k: v for k, v in r.items() if k != "evidence"}, ensure_ascii=False)


def report_records(index: int, report: dict[str, Any]) -> dict[str, list[Record]]:
    """The report's own record, then one list of records per contract list."""
    head = Record(f"r{index}-report", "report",
                  f"{report.get('attachment') or ''} {report['report_type']} · {report.get('department') or '?'} "
                  f"· FY{report.get('fiscal_year')}".strip(), [report["evidence"]])
    out: dict[str, list[Record]] = {"report": [head]}
    for kind in LISTS:
        records = []
        for i, r in enumerate(report.get(kind) or []):
            evidence = r["evidence"] if isinstance(r["evidence"], list) else [r["evidence"]]
            records.append(Record(f"r{index}-{kind}-{i}", kind, summary(kind, r), evidence, r.get("severity")))
        out[kind] = records
    _attach_concerns(out)
    return out


def _attach_concerns(lists: dict[str, list[Record]]) -> None:
    """Each value record learns the checks whose evidence overlaps its own."""
    for check in lists.get("checks", []):
        for kind, records in lists.items():
            if kind in ("checks", "report"):
                continue
            for record in records:
                if any(_overlap(a, b) for a in record.evidence for b in check.evidence):
                    record.concerns.append(check)


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a["start"] < b["end"] and b["start"] < a["end"] or a["start"] == b["start"] == a["end"] == b["end"]


def spans_of(record: Record) -> list[Span]:
    spans = []
    for k, (span_id, ev) in enumerate(zip(record.span_ids, record.evidence)):
        classes = record.kind
        attrs = {"data-record": record.record_id, "title": record.summary}
        if record.kind == "checks":
            classes += f" {record.severity or 'warning'}" + (" first" if k == 0 else "")
            attrs["data-label"] = record.label.split(" · ", 1)[-1]
        spans.append(Span(ev["start"], ev["end"], span_id, classes, attrs))
    return spans


def _button(record: Record) -> str:
    flagged = "flagged" if record.concerns else ""
    classes = " ".join(c for c in ("rec", record.kind, record.severity or "", flagged) if c)
    concerns = "".join(f'<div class="concern" title="{html.escape(c.summary)}">⚠ {html.escape(c.label)}</div>'
                       for c in record.concerns)
    return (f'<li><button type="button" class="{classes}" data-record="{record.record_id}" '
            f'data-spans="{" ".join(record.span_ids)}">{html.escape(record.summary)}{concerns}</button></li>')


def _panel(reports: list[dict[str, list[Record]]]) -> str:
    parts = []
    for index, lists in enumerate(reports):
        head = lists["report"][0]
        parts.append(f'<section class="report"><h2>[{index}] {html.escape(head.summary)}</h2>'
                     f'<ol>{_button(head)}</ol>')
        for kind in LISTS:
            if lists[kind]:
                parts.append(f"<h3>{LIST_TITLES[kind]} ({len(lists[kind])})</h3>"
                             f"<ol>{''.join(_button(r) for r in lists[kind])}</ol>")
        parts.append("</section>")
    return "".join(parts)


def _script_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


def build_review(path: Path) -> str:
    doc = read_document(path)
    extraction = extraction_to_json(extract_document(doc))
    reports = [report_records(i, r) for i, r in enumerate(extraction["reports"])]
    records = [rec for lists in reports for recs in lists.values() for rec in recs]
    spans = [s for rec in records for s in spans_of(rec)]
    evidence_text = {s.span_id: doc.text[s.start:s.end] for s in spans}
    counts = ", ".join(f"{k} {sum(len(r.get(k) or []) for r in extraction['reports'])}" for k in LISTS)
    legend = "".join(f'<span class="{k}">{k}</span>' for k in [*COLORS, *SEVERITY_COLORS])
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>jixiao review · {html.escape(extraction['source'])}</title>
<style>{CSS}</style></head>
<body>
<header><h1>{html.escape(extraction['source'])}</h1>
<div class="meta">{extraction['format']} · doc_id {extraction['doc_id'][:16]}… · \
{len(extraction['reports'])} reports · {counts}</div><div class="meta legend">{legend}</div>
</header>
<main><pre id="text">{highlight(doc.text, spans)}</pre>
<nav id="panel">{_panel(reports)}</nav></main>
<script type="application/json" id="evidence">{_script_json(evidence_text)}</script>
<script>{JS}</script>
</body></html>
"""


def cmd_review(args: argparse.Namespace) -> int:
    out = args.out or Path(f"{Path(args.file).stem}.review.html")
    out.write_text(build_review(Path(args.file)), encoding="utf-8")
    print(out)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("review", help="write an HTML page showing the text with every extracted value highlighted")
    p.add_argument("file")
    p.add_argument("--out", type=Path, default=None,
                   help="the HTML file to write (default: FILE's name + .review.html)")
    p.set_defaults(func=cmd_review)
