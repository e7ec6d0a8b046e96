"""The same facts come out whatever the format a report is published in.

Every seed is laid out as a Word document and printed to PDF by LibreOffice
(seed_renderings); each rendering must score within 0.02 F1 of the text path, per list,
against the seed's gold file, with the same report fields, and PDF evidence must name the
page its text is printed on. The Fengtai 自评表 (附件3) drawn like its template, with
merged labels, and the Shijiazhuang FAO 2025 report as a web page must give the gold
values too.
"""
from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

import seed_renderings as sr
from conftest import GOLD
from extractors.readers import read_document
from extractors.readers.pdf_text import Glyph, build_lines
from pipeline.evaluate import LISTS
from pipeline.extract import extract_file
from schemas.records import extraction_to_json

pytestmark = pytest.mark.skipif(sr.soffice() is None, reason="LibreOffice (soffice) is not installed")

SEEDS = ["beijing-fengtai-fao-2023-project-and-dept-eval", "shaoguan-fao-2022-dept-self-eval",
         "shijiazhuang-fao-2024-budget-targets", "shijiazhuang-fao-2025-dept-self-eval",
         "shijiazhuang-govoffice-2025-dept-self-eval"]
REPORT_FIELDS = ("attachment", "report_type", "department", "fiscal_year", "report_date")
TOLERANCE = 0.02
FENGTAI = "beijing-fengtai-fao-2023-project-and-dept-eval"
FAO_2025 = "shijiazhuang-fao-2025-dept-self-eval"


def _gold(name: str) -> dict:
    return json.loads((GOLD / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def renderings(seeds, tmp_path_factory) -> dict[str, dict[str, Path]]:
    """Every seed as txt, docx and pdf (LibreOffice runs once for all of them)."""
    assert sorted(seeds) == SEEDS  # the parametrisation below names every seed
    return sr.render_seeds(list(seeds.values()), tmp_path_factory.mktemp("renderings"))


@pytest.fixture(scope="session")
def extracted(renderings) -> dict[tuple[str, str], dict]:
    """Contract JSON of every rendering, extracted once for all tests."""
    return {(name, fmt): extraction_to_json(extract_file(path))
            for name, files in renderings.items() for fmt, path in files.items()}


# ---- the renderings themselves ---------------------------------------------------------------

def _shapes(path: Path) -> list[tuple[int, int]]:
    return [(b.table.n_rows, b.table.n_cols) for b in read_document(path).blocks if b.table]


def test_renderings_are_laid_out_documents(renderings, seeds):
    """Fixture check: Word tables as in the text, PDFs of several pages with a text layer."""
    for name, files in renderings.items():
        assert _shapes(files["docx"]) == _shapes(seeds[name]), name
        pages = sr.pdf_page_texts(files["pdf"])
        assert len(pages) >= 5 and all(pages), name
        assert len(pages) > len(read_document(seeds[name]).text) // 1000  # 16 pt on A4: < 1000 characters a page


def test_pdf_tables_come_back_whole(renderings, seeds):
    """Tables run over pages and rows cut between wrapped lines (项目名/称 at the foot of
    page 4 of the Fengtai PDF) come back as the Word tables' grids."""
    for name, files in renderings.items():
        assert _shapes(files["pdf"]) == _shapes(seeds[name]), name
    doc = read_document(renderings[FENGTAI]["pdf"])
    [table] = [b for b in doc.blocks if b.table]
    assert [c.text for c in table.table.rows()[0] if c.text] == ["项目名称", "外事办外事工作经费"]
    assert doc.page_at(table.start) == table.page and doc.page_at(table.end - 1) > table.page


def _glyphs(spec: list[tuple[str, float]], advance: bool = True) -> list[Glyph]:
    """One line of 10 pt glyphs: (text, left edge) pairs, each 10 pt wide."""
    return [Glyph(text, x, 100.0, x + 10.0 * len(text), 110.0, 10.0, advance) for text, x in spec]


def test_pdf_line_spaces_between_cjk_characters():
    """A drawn space is kept, a gap wider than the line's usual one is a space, evenly
    justified gaps are not, and OCR word boxes (ink, not advance) never make one."""
    drawn = _glyphs([("需", 0), (" ", 10), ("完", 13), ("成", 23)])
    assert [ln.text for ln in build_lines(drawn)] == ["需 完成"]
    gap = _glyphs([("需", 0), ("完", 13), ("成", 23), ("党", 33)])
    assert [ln.text for ln in build_lines(gap)] == ["需 完成党"]
    justified = _glyphs([(ch, 13.0 * i) for i, ch in enumerate("完成党建")])
    assert [ln.text for ln in build_lines(justified)] == ["完成党建"]
    ocr_words = _glyphs([("北京市丰台", 0), ("区", 53), ("人民政府", 66)], advance=False)
    assert [ln.text for ln in build_lines(ocr_words)] == ["北京市丰台区人民政府"]


# ---- per-list parity with the text path ------------------------------------------------------

@pytest.mark.parametrize("fmt", ["docx", "pdf"])
@pytest.mark.parametrize("name", SEEDS)
def test_rendering_scores_like_the_text(extracted, name, fmt):
    gold = _gold(name)
    text_f1 = sr.list_f1(extracted[(name, "txt")], gold)
    format_f1 = sr.list_f1(extracted[(name, fmt)], gold)
    off = {lst: (round(format_f1[lst], 3), round(text_f1[lst], 3)) for lst in LISTS
           if abs(format_f1[lst] - text_f1[lst]) > TOLERANCE}
    assert not off, f"F1 ({fmt}, text) per list: {off}"


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
@pytest.mark.parametrize("name", SEEDS)
def test_rendering_gives_the_same_report_fields(extracted, name, fmt):
    def fields(data: dict) -> list[tuple]:
        return [tuple(report[f] for f in REPORT_FIELDS) for report in data["reports"]]
    assert fields(extracted[(name, fmt)]) == fields(extracted[(name, "txt")])


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _starts_on(text: str, page: int, pages: list[str]) -> bool:
    """Whether `text` is printed on `page` (1-based), or starts there and runs onto the next.

    Across a page break a paragraph, or a table row's cells, are printed part on each
    page: then the text's first cell must be cut between the two pages, or lie whole on
    the page while the text as a whole is printed on no single page."""
    whole = _squash(text)
    here, after = pages[page - 1], pages[page] if page < len(pages) else ""
    if whole in here:
        return True
    first = _squash(re.split(r"[\t\n]", text.strip())[0])
    if any(first[:k] in here and first[k:] in after for k in range(1, len(first))):
        return True
    return first in here and not any(whole in printed for printed in pages)


@pytest.mark.parametrize("name", SEEDS)
def test_pdf_evidence_is_on_the_page_it_names(extracted, renderings, name):
    pages = sr.pdf_page_texts(renderings[name]["pdf"])
    records = [r for report in extracted[(name, "pdf")]["reports"] for lst in LISTS for r in report[lst]]
    assert records
    wrong = [(r["evidence"]["page"], r["evidence"]["text"][:40]) for r in records
             if not _starts_on(r["evidence"]["text"], r["evidence"]["page"], pages)]
    assert not wrong
    assert len({r["evidence"]["page"] for r in records}) > 1 or len(records) < 5


# ---- the 自评表 as its template draws it, and a report as a web page -----------------------

@pytest.fixture(scope="module")
def self_eval_files(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("self_eval")
    docx = sr.build_fengtai_self_eval_docx(out / "fengtai-self-eval.docx")
    return {"xlsx": sr.build_fengtai_self_eval_xlsx(out / "fengtai-self-eval.xlsx"),
            "html": sr.build_fengtai_self_eval_html(out / "fengtai-self-eval.html"),
            "docx": docx, "pdf": sr.convert_to_pdf([docx], out)[0]}


def _one_report(data: dict, index: int) -> dict:
    return {**data, "reports": [data["reports"][index]]}


def _self_eval(self_eval_files: dict[str, Path], fmt: str) -> dict:
    data = extraction_to_json(extract_file(self_eval_files[fmt]))
    assert len(data["reports"]) == 1
    return data


@pytest.mark.parametrize("fmt", ["xlsx", "html", "docx", "pdf"])
def test_template_table_keeps_its_merged_cells(self_eval_files, fmt):
    """Fixture check: every format hands the rules the template's merged cells."""
    cells, _, n_cols = sr.fengtai_self_eval_cells()
    merged = {(text, rs, cs) for _, _, text, rs, cs in cells if text and (rs > 1 or cs > 1)}
    table = max((b.table for b in read_document(self_eval_files[fmt]).blocks if b.table), key=lambda t: t.n_rows)
    spans = {(c.text, c.rowspan, c.colspan) for c in table.cells if c.rowspan > 1 or c.colspan > 1}
    assert merged <= spans and table.n_cols == n_cols


@pytest.mark.parametrize("fmt", ["xlsx", "html", "docx", "pdf"])
def test_template_table_gives_scores_indicators_and_project(self_eval_files, fmt):
    """What the table rules read by label and by the indicator header."""
    gold = _one_report(_gold(FENGTAI), 1)
    f1 = sr.list_f1(_self_eval(self_eval_files, fmt), gold)
    assert (f1["scores"], f1["indicators"], f1["projects"]) == (1.0, 1.0, 1.0)
    report = _self_eval(self_eval_files, fmt)["reports"][0]
    assert [(s["total_score"], s["max_score"]) for s in report["scores"]] == [(100, 100)]
    assert len(report["indicators"]) == 11
    totals = {f["stage"]: Decimal(f["amount_yuan"]) for f in report["figures"] if f["item"] == "expenditure_total"}
    assert totals["initial"] == totals["adjusted"] == Decimal(43000)


@pytest.mark.parametrize("fmt", ["xlsx", "html", "docx", "pdf"])
def test_template_table_gives_the_gold_figures_and_rate(self_eval_files, fmt):
    gold = _one_report(_gold(FENGTAI), 1)
    f1 = sr.list_f1(_self_eval(self_eval_files, fmt), gold)
    assert (f1["figures"], f1["execution_rates"]) == (1.0, 1.0)


def test_report_as_a_web_page(seeds, tmp_path):
    page = sr.build_report_html(seeds[FAO_2025], tmp_path / f"{FAO_2025}.html")
    assert "<h2>一、部门基本情况</h2>" in page.read_text(encoding="utf-8")  # fixture check
    data, gold = extraction_to_json(extract_file(page)), _gold(FAO_2025)
    text_f1 = sr.list_f1(extraction_to_json(extract_file(seeds[FAO_2025])), gold)
    assert sr.list_f1(data, gold) == pytest.approx(text_f1, abs=TOLERANCE)
    [report] = data["reports"]
    assert len(report["figures"]) == 7 and len(report["indicators"]) == 4
    assert [(s["total_score"], s["grade"]) for s in report["scores"]] == [(93, "优秀")]
