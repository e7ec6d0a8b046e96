"""The PDF reader: fast text path, ruled tables and their page-break stitching, furniture,
OCR of scans, and hostile files. Fixtures are built by fixtures_build; real PDFs are read
from ../shared/real (skipped when absent)."""
from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
import pytest

import fixtures_build as fb
from extractors.readers import ReadError, read_document
from extractors.readers import ocr as ocr_module
from extractors.readers.pdf import read_pdf
from extractors.readers.pdf_page import is_ruled, pdfium_glyphs
from extractors.readers.pdf_rules import find_table_cells
from extractors.readers.pdf_text import Glyph, Line, build_lines

SWU = fb.REAL / "swu-2024-department-budget.pdf"
WANLI = fb.REAL / "shanghai-putuo-wanli-subdistrict-2024-budget.pdf"

needs_tesseract = pytest.mark.skipif(ocr_module.unavailable_reason() is not None,
                                     reason="tesseract with chi_sim is not installed")


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """The generated PDFs, each checked (pages, text layer) before a test relies on it."""
    if fb.soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    out = tmp_path_factory.mktemp("pdf")
    files = {"self_eval": fb.convert(fb.build_self_eval_docx(out / "self_eval.docx"), "pdf", out),
             "narrative": fb.convert(fb.build_narrative_docx(out / "narrative.docx"), "pdf", out)}
    files["scan"] = fb.build_image_only_pdf(files["self_eval"], out / "scan.pdf")
    return files


@pytest.fixture(scope="module")
def swu():
    return read_document(SWU)


# ---- the fixtures themselves ----------------------------------------------------------------

def test_generated_pdfs_are_what_the_tests_assume(built):
    with pdfplumber.open(built["self_eval"]) as pdf:
        assert len(pdf.pages) == 1
        assert "办公设备购置" in pdf.pages[0].extract_text()
    with pdfplumber.open(built["narrative"]) as pdf:
        assert len(pdf.pages) >= 3  # enough pages for running headers to repeat
        assert "— 2 —" in pdf.pages[1].extract_text()
    with pdfplumber.open(built["scan"]) as pdf:
        assert len(pdf.pages) == 1
        assert pdf.pages[0].chars == [] and len(pdf.pages[0].images) == 1


# ---- fast path --------------------------------------------------------------------------------

def _fast_path_text(path: Path, index: int) -> str:
    pdf = pdfium.PdfDocument(str(path))
    try:
        page = pdf[index]
        assert not is_ruled(page), "the page must take the fast path"
        glyphs, bad = pdfium_glyphs(page)
        assert bad == 0
        return "\n".join(line.text for line in build_lines(glyphs))
    finally:
        pdf.close()


def _plumber_text(path: Path, index: int) -> str:
    with pdfplumber.open(path) as pdf:
        return pdf.pages[index].dedupe_chars().extract_text()


@fb.needs_real
@pytest.mark.parametrize("index", [2, 4, 12])
def test_fast_path_text_equals_pdfplumber_on_real_narrative_pages(index):
    assert _squash(_fast_path_text(SWU, index)) == _squash(_plumber_text(SWU, index))


def test_fast_path_text_equals_pdfplumber_on_a_generated_page(built):
    assert _squash(_fast_path_text(built["narrative"], 1)) == _squash(_plumber_text(built["narrative"], 1))


@fb.needs_real
def test_fast_path_lines_equal_lines_from_pdfplumber_chars():
    """Same glyph grouping whichever library supplied the glyphs, spaces included."""
    with pdfplumber.open(SWU) as pdf:
        chars = pdf.pages[2].chars
        plumber_lines = [ln.text for ln in build_lines(
            [Glyph(c["text"], c["x0"], c["top"], c["x1"], c["bottom"], c["size"]) for c in chars])]
    assert _fast_path_text(SWU, 2).split("\n") == plumber_lines


@fb.needs_real
def test_rule_edges_from_pdfium_give_pdfplumbers_table_cells(built):
    for path in (SWU, WANLI, built["self_eval"]):
        pdf = pdfium.PdfDocument(str(path))
        with pdfplumber.open(path) as plumber:
            for index, plumber_page in enumerate(plumber.pages):
                ours = sorted(sorted(t) for t in find_table_cells(pdf[index]))
                theirs = sorted(sorted(t.cells) for t in plumber_page.find_tables())
                assert [len(t) for t in ours] == [len(t) for t in theirs], (path.name, index + 1)
                for a, b in zip((c for t in ours for c in t), (c for t in theirs for c in t)):
                    assert all(abs(x - y) < 0.6 for x, y in zip(a, b)), (path.name, index + 1, a, b)
                plumber_page.close()
        pdf.close()


@fb.needs_real
def test_reader_is_several_times_faster_than_pdfplumber():
    start = time.perf_counter()
    read_pdf(SWU, "x", "pdf")
    ours = time.perf_counter() - start
    start = time.perf_counter()
    with pdfplumber.open(SWU) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.extract_tables()
            page.close()
    theirs = time.perf_counter() - start
    assert ours * 2 < theirs, f"read_pdf {ours:.2f}s vs pdfplumber {theirs:.2f}s"


# ---- layout: lines, paragraphs, furniture -----------------------------------------------------

def test_digits_on_a_shifted_baseline_stay_in_their_line():
    """A report set in two fonts prints its digits 4.8 pt lower (putuo final accounts)."""
    glyphs = [Glyph(ch, 96 + 12 * i, 183.1, 108 + 12 * i, 195.1, 12.0) for i, ch in enumerate("总计")]
    glyphs += [Glyph(ch, 120 + 6 * i, 187.9, 126 + 6 * i, 199.9, 12.0) for i, ch in enumerate("2995.39")]
    glyphs += [Glyph(ch, 162 + 12 * i, 183.1, 174 + 12 * i, 195.1, 12.0) for i, ch in enumerate("万元")]
    glyphs += [Glyph("下", 96, 211.1, 108, 223.1, 12.0)]
    assert [ln.text for ln in build_lines(glyphs)] == ["总计2995.39万元", "下"]


def test_fake_bold_doubles_are_dropped():
    glyphs = [Glyph(ch, 10 * i + dx, 100, 10 * i + dx + 10, 112, 12.0) for i, ch in enumerate("一、部门") for dx in (0, 0.3)]
    assert [ln.text for ln in build_lines(glyphs)] == ["一、部门"]


def test_running_header_and_page_numbers_are_removed(built):
    doc = read_document(built["narrative"])
    assert "石家庄市外事办公室绩效自评报告" not in doc.text
    assert not re.search(r"—\s*\d+\s*—", doc.text)
    assert doc.pages >= 3 and all(b.page is not None for b in doc.blocks)


def test_paragraph_wrapped_across_lines_and_pages_is_one_block(built):
    doc = read_document(built["narrative"])
    paragraphs = [doc.block_text(b) for b in doc.blocks]
    assert len(paragraphs) == 16  # sixteen （N） paragraphs, whatever the page breaks
    assert all(p.startswith(f"（{i + 1}）") for i, p in enumerate(paragraphs))
    assert all(_squash(p).endswith("使用人员满意度达到95%以上。") for p in paragraphs)


@fb.needs_real
def test_real_pdf_paragraphs_pages_and_no_page_numbers(swu):
    blocks = {swu.block_text(b): b for b in swu.blocks if b.kind == "paragraph"}
    assert blocks["（一）学校概况"].page == 3
    assert blocks["五、项目绩效目标表"].page == 18
    prose = next(t for t in blocks if t.startswith("我校 2024 年本年支出预算"))
    assert "科学技术支出 1,989.01万元，占 0.41%" in prose and blocks[prose].page == 13
    assert not [t for t in blocks if re.fullmatch(r"[\d\s—-]+", t)]
    assert swu.pages == 45


# ---- tables -------------------------------------------------------------------------------------

def _cell(doc, block, text):
    return next(c for c in block.table.cells if c.text == text)


def test_generated_table_merged_cells(built):
    doc = read_document(built["self_eval"])
    table = next(b for b in doc.blocks if b.kind == "table")
    assert (table.table.n_rows, table.table.n_cols) == (12, 8)
    assert _cell(doc, table, "项目资金（万元）").rowspan == 3
    assert _cell(doc, table, "绩效指标").rowspan == 5
    produce = _cell(doc, table, "产出指标")
    assert (produce.row, produce.col, produce.rowspan) == (7, 1, 3)
    assert _cell(doc, table, "办公设备购置").colspan == 7
    assert _cell(doc, table, "总分").colspan == 6
    assert sum(1 for c in table.table.cells if c.text == "产出指标") == 1
    grid = table.table.grid()
    assert grid[3][3].text == "100.00" and grid[3][1].text == "年度资金总额"


@fb.needs_real
def test_table_split_across_pages_is_stitched_with_spans(swu):
    """项目绩效目标表 (1): page 18 holds the top, page 19 the rest of 数量指标 and below."""
    table = next(b for b in swu.blocks if b.kind == "table" and "236 中央高校教育教学改革专项" in swu.block_text(b))
    assert table.page == 18
    rows = [[c.text for c in row] for row in table.table.rows()]
    assert ["新增在线开放课程建设数量", "≥20 门", "2"] in rows  # the first row printed on page 19
    produce = _cell(swu, table, "产出指标")
    quantity = _cell(swu, table, "数量指标")
    assert quantity.rowspan == 11  # 4 rows on page 18, 7 on page 19: one label, not two
    assert produce.rowspan == 13
    assert _cell(swu, table, "绩效指标").rowspan == 19
    assert _cell(swu, table, "1,960.35").colspan == 2
    assert table.table.n_cols == 7


@fb.needs_real
def test_row_cut_by_a_page_break_is_joined(swu):
    """Page 22 ends inside 年度总体目标; its last character 标 is printed on page 23."""
    table = next(b for b in swu.blocks if b.kind == "table" and "世界一流大学（学科）" in swu.block_text(b))
    labels = [c.text for c in table.table.cells if c.col == 0]
    assert "年度总体目标" in labels and "标" not in labels
    goal = next(c for c in table.table.cells if c.text.startswith("目标 1"))
    assert "目标 4" in goal.text and goal.rowspan == 1
    assert "教职工满意度" in swu.block_text(table)


@fb.needs_real
def test_repeated_header_rows_are_dropped_when_stitching():
    doc = read_document(WANLI)
    table = next(b for b in doc.blocks if b.kind == "table" and b.page == 22)
    text = doc.block_text(table)
    assert text.count("功能分类科目编码") == 1  # pages 23-26 repeat the three header rows
    assert table.table.n_rows == 70
    assert "221\t02\t01\t住房公积金\t3,503,499\t3,503,499\t0" in text
    last = table.table.rows()[-1]
    assert [c.text for c in last][:2] == ["合计", "156,211,123"]


def test_page_stored_sideways_with_rotate_reads_like_the_original(built, tmp_path):
    rotated = fb.build_rotated_pdf(built["self_eval"], tmp_path / "rotated.pdf")
    pdf = pdfium.PdfDocument(str(rotated))
    assert pdf[0].get_rotation() == 90  # fixture check
    pdf.close()
    original, turned = read_document(built["self_eval"]), read_document(rotated)
    assert turned.text == original.text
    assert [b.table.n_rows for b in turned.blocks if b.table] == [12]


# ---- scans and OCR ---------------------------------------------------------------------------

@needs_tesseract
def test_image_only_pdf_is_ocrd(built):
    doc = read_document(built["scan"])
    assert doc.blocks and all(b.origin == "ocr" and b.page == 1 for b in doc.blocks)
    assert "项目支出绩效自评表" in doc.text
    assert "办公设备购置" in doc.text
    assert "基本情况" in doc.text


def test_scan_without_tesseract_is_a_clear_error(built, monkeypatch):
    monkeypatch.setattr(ocr_module, "unavailable_reason", lambda: "tesseract (chi_sim) is not installed")
    with pytest.raises(ReadError, match=r"^page 1 has no text layer and tesseract \(chi_sim\) is not installed$"):
        read_document(built["scan"])


def test_scan_page_without_tesseract_warns_and_reads_the_rest(built, tmp_path, monkeypatch):
    mixed = pdfium.PdfDocument.new()
    for source in (built["narrative"], built["scan"]):
        src = pdfium.PdfDocument(str(source))
        mixed.import_pages(src, [0])
        src.close()
    mixed.save(tmp_path / "mixed.pdf")
    monkeypatch.setattr(ocr_module, "unavailable_reason", lambda: "tesseract (chi_sim) is not installed")
    doc = read_document(tmp_path / "mixed.pdf")
    assert doc.warnings == ["page 2 has no text layer and tesseract (chi_sim) is not installed"]
    assert "（1）根据" in doc.text and doc.pages == 2


# ---- hostile files ---------------------------------------------------------------------------

def test_corrupt_pdf(tmp_path):
    with pytest.raises(ReadError, match=r"^corrupt or truncated PDF \("):
        read_document(fb.build_corrupt_pdf(tmp_path / "corrupt.pdf"))


@fb.needs_real
def test_truncated_pdf(tmp_path):
    with pytest.raises(ReadError, match=r"^corrupt or truncated PDF \("):
        read_document(fb.build_truncated_pdf(SWU, tmp_path / "truncated.pdf", keep=SWU.stat().st_size // 3))


@fb.needs_real
@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf is not installed")
def test_password_protected_pdf(tmp_path):
    locked = fb.build_encrypted_pdf(WANLI, tmp_path / "locked.pdf")
    with pytest.raises(ReadError, match=r"^encrypted PDF: a password is needed to open it$"):
        read_document(locked)


@fb.needs_real
@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf is not installed")
def test_pdf_encrypted_with_an_empty_user_password_is_read(tmp_path):
    opened = fb.build_encrypted_pdf(WANLI, tmp_path / "owner-only.pdf", user_password="")
    assert "万里街道" in read_document(opened).text


def test_pdf_without_pages(tmp_path):
    empty = pdfium.PdfDocument.new()
    empty.save(tmp_path / "empty.pdf")
    with pytest.raises(ReadError, match=r"^corrupt or truncated PDF \(no readable document structure\)$"):
        read_document(tmp_path / "empty.pdf")


def test_fake_bold_pdf_reads_once(tmp_path):
    pdf = fb.build_fake_bold_pdf(tmp_path / "bold.pdf")
    with pdfplumber.open(pdf) as plumber:
        assert len(plumber.pages[0].chars) == 22  # fixture check: every glyph twice
    assert read_document(pdf).text == "Budget 2025"


def test_unreadable_text_layer_is_treated_as_a_scan(tmp_path, monkeypatch):
    pdf = fb.build_unmapped_glyph_pdf(tmp_path / "unmapped.pdf")
    glyphs, bad = pdfium_glyphs(pdfium.PdfDocument(str(pdf))[0])
    assert bad == 200 and not [g for g in glyphs if not g.text.isspace()]
    monkeypatch.setattr(ocr_module, "unavailable_reason", lambda: None)
    monkeypatch.setattr(ocr_module, "ocr_page", lambda page, number: [Line("识别出的文字", 72, 80, 200, 92, 12, number)])
    doc = read_document(pdf)
    assert doc.text == "识别出的文字" and doc.blocks[0].origin == "ocr"
    monkeypatch.setattr(ocr_module, "unavailable_reason", lambda: "tesseract (chi_sim) is not installed")
    with pytest.raises(ReadError, match="^page 1 has no text layer and tesseract"):
        read_document(pdf)
