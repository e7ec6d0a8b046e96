"""One file in, the contract's records out: reader -> model -> reports -> rules."""
from __future__ import annotations

from pathlib import Path

from extractors.context import ReportContext
from extractors.readers import read_document
from extractors.rules import department as dept_rules
from extractors.rules import meta
from extractors.rules.checks import report_checks
from extractors.rules.figures import dedupe_figures, paragraph_facts, prose_figures, unclassified_amounts
from extractors.rules.indicators_prose import prose_indicators
from extractors.rules.rates import dedupe_rates, prose_rates
from extractors.rules.region import resolve_region
from extractors.rules.scores import prose_scores
from extractors.rules.tables import read_tables
from extractors.segment import split_reports
from schemas.document import Document
from schemas.records import DEPARTMENT_SCOPE, Extraction, Report


def extract_file(path: Path | str) -> Extraction:
    doc = read_document(path)
    return extract_document(doc)


def extract_document(doc: Document) -> Extraction:
    spans = split_reports(doc)
    contexts = [ReportContext(doc, span, i) for i, span in enumerate(spans)]
    file_names = [c.name for c in dept_rules.candidates(doc.text)]
    file_names = sorted(set(file_names), key=lambda n: (-file_names.count(n), file_names.index(n)))
    table_results = [read_tables(ctx) for ctx in contexts]
    file_projects = [p.name for result in table_results for p in result.projects]
    reports = []
    for ctx, tables in zip(contexts, table_results):
        reports.append(_report(ctx, tables, file_names, file_projects))
    return Extraction(doc.source, doc.doc_id, doc.format, doc.pages, reports, list(doc.warnings))


def _report_scope(ctx: ReportContext, report_type: str, tables, file_projects: list[str]) -> str:
    """`department`, or the project a project report is about (named in its text)."""
    if report_type != "project_self_eval":
        return DEPARTMENT_SCOPE
    if tables.projects:
        return tables.projects[0].name
    mentioned = [name for name in file_projects if name in ctx.text]
    return mentioned[0] if mentioned else DEPARTMENT_SCOPE


def _report(ctx: ReportContext, tables, file_names: list[str], file_projects: list[str]) -> Report:
    titles = meta.title_blocks(ctx)
    title_texts = [t for _, t in titles]
    title_end = ctx.doc.blocks[titles[-1][0]].end if titles else ctx.span.start
    kind, _ = meta.report_type(ctx, title_texts)
    department, _, _ = dept_rules.resolve_department(ctx, file_names, title_end)
    year, _ = meta.fiscal_year(ctx, title_texts)
    date, _, _ = meta.report_date(ctx)
    scope = _report_scope(ctx, kind, tables, file_projects)

    facts = paragraph_facts(ctx)
    figures, conflicts = dedupe_figures(tables.figures + prose_figures(ctx, scope, facts))
    rates = dedupe_rates(tables.rates + prose_rates(ctx, scope, facts))
    scores = tables.scores or prose_scores(ctx, scope)
    indicators = prose_indicators(ctx) + tables.indicators
    report = Report(
        report_index=ctx.index,
        attachment=ctx.span.attachment,
        report_type=kind,
        department=department,
        region=resolve_region(department, ctx.text),
        fiscal_year=year,
        report_date=date,
        evidence=ctx.evidence(ctx.span.start, title_end if titles else min(ctx.span.end, ctx.span.start + 40)),
        figures=figures,
        execution_rates=rates,
        scores=scores,
        indicators=indicators,
        projects=tables.projects,
        notes=unclassified_amounts(ctx, facts),
    )
    report.checks = report_checks(report, conflicts, ctx)
    return report
