"""A scanned 自评表 (an image-only PDF) still gives its budget figures, rate and score.

The Fengtai 项目支出绩效自评表 (附件3), drawn like its template, goes DOCX -> PDF ->
page images at 200 dpi -> a PDF of pictures with no text layer; OCR must then give back
the table's cells, so the same table rules read it.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pypdfium2 as pdfium
import pytest

import seed_renderings as sr
from extractors.readers import ocr, read_document
from pipeline.extract import extract_document
from schemas.document import Document
from schemas.records import Extraction

pytestmark = [
    pytest.mark.skipif(sr.soffice() is None, reason="LibreOffice (soffice) is not installed"),
    pytest.mark.skipif(ocr.unavailable_reason() is not None, reason="tesseract with chi_sim is not installed"),
]
SCAN_DPI = 200


@pytest.fixture(scope="module")
def scan(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("scan")
    docx = sr.build_fengtai_self_eval_docx(out / "fengtai-self-eval.docx")
    return sr.build_image_only_pdf(sr.convert_to_pdf([docx], out)[0], out / "fengtai-self-eval-scan.pdf", SCAN_DPI)


@pytest.fixture(scope="module")
def document(scan) -> Document:
    return read_document(scan)


@pytest.fixture(scope="module")
def extraction(document) -> Extraction:
    return extract_document(document)


def test_scan_has_no_text_layer(scan):
    pdf = pdfium.PdfDocument(str(scan))
    try:
        assert len(pdf) == 2  # the table runs onto a second page
        for page in pdf:
            textpage = page.get_textpage()
            assert textpage.count_chars() == 0
            textpage.close()
    finally:
        pdf.close()


def test_ocr_rebuilds_the_table_cells(document):
    assert document.blocks and all(b.origin == "ocr" for b in document.blocks)
    [table] = [b for b in document.blocks if b.table]  # stitched across the page break
    assert (table.page, document.page_at(table.end - 1)) == (1, 2)
    rows = {row[0].text: [c.text for c in row] for row in table.table.rows() if row}
    assert rows["年度资金总额"] == ["年度资金总额", "4.3", "4.3", "4.3", "10", "100%", "10"]
    header = next(row for row in table.table.rows() if row and row[0].text.startswith("项目资金"))
    assert [c.text for c in header][2:] == ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
    grid = table.table.grid()
    total = next(r for r in grid if r[0] is not None and r[0].text == "总分")
    assert (total[6].text, total[7].text) == ("100", "100")


def test_budget_and_total_score_come_out(extraction, document):
    [report] = extraction.reports
    assert report.report_type == "project_self_eval" and report.fiscal_year == 2023
    totals = {f.stage: f.amount_yuan for f in report.figures if f.item == "expenditure_total"}
    assert totals["initial"] == totals["adjusted"] == Decimal(43000)
    assert [(s.total_score, s.max_score) for s in report.scores] == [(Decimal(100), Decimal(100))]
    assert [p.name for p in report.projects] == ["外事办外事工作经费"]
    records = report.figures + report.execution_rates + report.scores + report.indicators + report.projects
    for record in records:
        block = next(b for b in document.blocks if b.start <= record.evidence.start < b.end)
        assert block.origin == "ocr"


def test_actual_expenditure_and_rate_come_out(extraction):
    [report] = extraction.reports
    totals = {f.stage: f.amount_yuan for f in report.figures if f.item == "expenditure_total"}
    assert totals["actual"] == Decimal(43000)
    assert [r.rate_percent for r in report.execution_rates] == [Decimal(100)]
