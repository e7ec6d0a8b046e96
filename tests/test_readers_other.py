"""Spreadsheet, HTML and legacy Word readers, on built fixtures and real files."""
from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

import fixtures_build as fb
from extractors.readers import ReadError, read_document
from extractors.readers import doc as doc_reader
from extractors.readers.html import decode_html
from extractors.readers.xlsx import format_value

needs_soffice = pytest.mark.skipif(fb.soffice() is None, reason="LibreOffice (soffice) is not installed")
needs_catdoc = pytest.mark.skipif(shutil.which("catdoc") is None, reason="catdoc is not installed")


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("other")


def _by_text(block):
    return {c.text: c for c in block.table.cells}


# ---- spreadsheets ------------------------------------------------------------------------

def _check_workbook(doc) -> None:
    assert [b.kind for b in doc.blocks] == ["paragraph", "table"]
    assert doc.block_text(doc.blocks[0]) == "自评表"
    cells = _by_text(doc.blocks[1])
    assert cells["项目支出绩效自评表"].colspan == 4  # A1:E1 less the hidden column E
    assert cells["项目"].rowspan == 2 and cells["执行率"].rowspan == 2
    assert cells["资金（万元）"].colspan == 2
    row = [c.text for c in doc.blocks[1].table.rows()[3]]
    assert row == ["办公设备购置", "100.00", "95.5", "95.5%"]
    assert "辅助列" not in doc.text and "不应出现" not in doc.text
    assert doc.warnings == ["hidden sheets skipped: 草稿"]


def test_xlsx_merges_formats_and_hidden_parts(out):
    book = fb.build_workbook(out / "book.xlsx")
    assert openpyxl.load_workbook(book)["自评表"].merged_cells.ranges  # fixture check
    _check_workbook(read_document(book))


@needs_soffice
def test_xls_merges_formats_and_hidden_parts(out):
    try:
        xls = fb.convert(fb.build_workbook(out / "book-for-xls.xlsx"), "xls", out)
    except RuntimeError:
        pytest.skip("LibreOffice Calc (libreoffice-calc-nogui) is needed to write the .xls fixture")
    assert xls.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"  # fixture check: an OLE2 (BIFF) file
    _check_workbook(read_document(xls))


@fb.needs_real
def test_real_xlsx_sheets_and_merged_ranges():
    doc = read_document(fb.REAL / "lijiang-2025-budget-attachment.xlsx")
    titles = [doc.block_text(b) for b in doc.blocks if b.kind == "paragraph"]
    assert len(titles) == 54 and titles[:3] == ["封面", "目录", "01-1"]
    table = doc.blocks[titles.index("01-1") * 2 + 1]
    cells = _by_text(table)
    assert cells["2025年丽江市一般公共预算收支情况表"].colspan == 6
    assert (cells["2025年"].colspan, cells["项目"].rowspan) == (2, 2)
    vat = next(row for row in table.table.rows() if row[0].text == "增值税")
    assert [c.text for c in vat][:4] == ["增值税", "114,306", "126,500", "118,670"]
    assert "10101" not in doc.block_text(table)  # the hidden 科目编码 column


def test_number_formats():
    assert format_value(0.955, "0.00%") == "95.50%"
    assert format_value(1234567.5, "#,##0.00") == "1,234,567.50"
    assert format_value(12.0) == "12"
    assert format_value(0.1 + 0.2) == "0.3"
    assert format_value(-3.456, '0.0_ ;[Red]\\-0.0\\ ') == "-3.5"


# ---- HTML --------------------------------------------------------------------------------

def test_gbk_html_with_spanned_table(out):
    page = fb.build_gbk_html(out / "page.html")
    raw = page.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # fixture check: really GBK bytes
    doc = read_document(page)
    texts = [doc.block_text(b) for b in doc.blocks]
    assert texts[0] == "石家庄市外事办公室2025年度项目支出绩效自评报告"
    assert "项目年初预算数为100.00万元，全年执行数为95.50万元。" in texts  # the source line break is gone
    table = next(b for b in doc.blocks if b.kind == "table")
    cells = _by_text(table)
    assert (cells["项目"].rowspan, cells["资金（万元）"].colspan, cells["执行率"].col) == (2, 2, 3)
    assert (cells["预算数"].row, cells["预算数"].col) == (1, 1)
    assert table.table.grid()[2][3].text == "95.5%"
    assert "布局表格里的正文" in texts  # a one-cell layout table is read as text
    for hidden in ("脚本", "导航", "隐藏", "标题不应出现"):
        assert hidden not in doc.text


def test_charset_from_meta_then_guess():
    assert decode_html('<meta charset="gb2312"><p>预算</p>'.encode("gbk")).endswith("<p>预算</p>")
    assert "预算" in decode_html("<p>预算</p>".encode("utf-8"))


@fb.needs_real
def test_real_html_report():
    doc = read_document(fb.REAL / "changsha-2025-budget-report.html")
    texts = [doc.block_text(b) for b in doc.blocks]
    assert "各位代表：" in texts
    assert "一、2025年全市和市本级预算执行情况" in texts
    assert any(t.startswith("2025年全市完成地方一般公共预算收入1296.87亿元") for t in texts)
    assert "today.getDay" not in doc.text and "NewsArticleID" not in doc.text


def test_html_without_text(out):
    empty = out / "empty.html"
    empty.write_text("<html><body><script>x()</script></body></html>")
    with pytest.raises(ReadError, match="^empty: no text in the HTML page$"):
        read_document(empty)


# ---- legacy Word ---------------------------------------------------------------------------

@needs_soffice
def test_doc_through_libreoffice_keeps_merged_cells(out):
    legacy = fb.convert(fb.build_self_eval_docx(out / "self_eval.docx"), "doc", out)
    assert legacy.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"  # fixture check
    doc = read_document(legacy)
    assert doc.format == "doc" and doc.source == "self_eval.doc"
    table = next(b for b in doc.blocks if b.kind == "table")
    cells = _by_text(table)
    assert (cells["绩效指标"].rowspan, cells["产出指标"].rowspan, cells["办公设备购置"].colspan) == (5, 3, 7)
    assert "（一）项目概况" in doc.text


@fb.needs_real
@needs_soffice
def test_real_wps_doc():
    doc = read_document(fb.REAL / "hotan-2025-final-budget-decision.doc")
    assert doc.block_text(doc.blocks[0]) == "2025年度和田地区政府决算公开"
    tables = [b for b in doc.blocks if b.kind == "table"]
    assert len(tables) == 30
    first = tables[0]
    cells = _by_text(first)
    assert cells["2025年度和田地区一般公共预算对下转移支付表"].colspan == 10
    row = next(r for r in first.table.rows() if r[0].text == "返还性支出")
    assert [c.text for c in row][:3] == ["返还性支出", "21951", "2076"]


@fb.needs_real
@needs_catdoc
def test_doc_falls_back_to_catdoc(monkeypatch):
    real_which = shutil.which
    monkeypatch.setattr(doc_reader.shutil, "which",
                        lambda name: None if name in ("soffice", "libreoffice") else real_which(name))
    doc = read_document(fb.REAL / "hotan-2025-final-budget-decision.doc")
    assert "2025年度和田地区政府决算公开" in doc.text
    assert "HYPERLINK" not in doc.text and "PAGEREF" not in doc.text
    assert doc.source == "hotan-2025-final-budget-decision.doc" and doc.format == "doc"


@fb.needs_real
def test_doc_without_any_converter(monkeypatch):
    monkeypatch.setattr(doc_reader.shutil, "which", lambda name: None)
    with pytest.raises(ReadError, match=r"^legacy \.doc needs LibreOffice \(libreoffice-writer-nogui\) or catdoc installed$"):
        read_document(fb.REAL / "hotan-2025-final-budget-decision.doc")
