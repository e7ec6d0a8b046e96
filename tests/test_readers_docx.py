"""The DOCX reader: body order, merged cells as one cell, numbering, nested tables, and
hostile packages (not a zip, zip bomb, entity bomb, broken XML)."""
from __future__ import annotations

import time
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.parser import parse_xml
from lxml import etree

import fixtures_build as fb
from extractors.readers import ReadError, read_document
from extractors.readers.docx import read_docx
from extractors.readers.docx_numbering import chinese_number, format_number

CHENGDE = fb.REAL / "chengde-2025-budget-report.docx"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("docx")
    files = {"self_eval": fb.build_self_eval_docx(out / "self_eval.docx"),
             "nested": fb.build_nested_table_docx(out / "nested.docx"),
             "long_merge": fb.build_long_merge_docx(out / "long_merge.docx")}
    return files


def test_generated_docx_is_what_the_tests_assume(built):
    document = docx.Document(str(built["self_eval"]))
    assert len(document.tables) == 1 and len(document.tables[0].rows) == 12
    assert document.sections[0].header.paragraphs[0].text == "页眉不应出现"
    # The numbers of the headings live in the numbering part, not in the text.
    assert "基本情况" in [p.text for p in document.paragraphs]


@pytest.fixture(scope="module")
def self_eval(built):
    return read_document(built["self_eval"])


def test_paragraphs_and_table_in_body_order(self_eval):
    kinds = [b.kind for b in self_eval.blocks]
    assert kinds == ["paragraph"] * 7 + ["table", "paragraph"]
    assert self_eval.block_text(self_eval.blocks[-1]) == "填表人：张三"
    assert self_eval.pages is None and all(b.page is None for b in self_eval.blocks)


def test_auto_numbers_are_restored(self_eval):
    texts = [self_eval.block_text(b) for b in self_eval.blocks if b.kind == "paragraph"]
    assert texts[1:3] == ["一、基本情况", "（一）项目概况"]
    assert "（二）绩效目标完成情况" in texts
    assert "二、自评结果" in texts  # the second level-0 item, after the level-1 run
    assert "1.评分说明" in texts     # level 2 restarts under the new level-0 item


def test_headers_and_footers_are_left_out(self_eval):
    assert "页眉不应出现" not in self_eval.text
    assert "页脚不应出现" not in self_eval.text


def test_merged_cells_are_one_cell_with_spans(self_eval):
    table = next(b for b in self_eval.blocks if b.kind == "table").table
    by_text = {c.text: c for c in table.cells}
    assert (table.n_rows, table.n_cols) == (12, 8)
    assert (by_text["项目资金（万元）"].row, by_text["项目资金（万元）"].rowspan) == (2, 3)
    assert (by_text["绩效指标"].rowspan, by_text["产出指标"].rowspan, by_text["数量指标"].rowspan) == (5, 3, 2)
    assert by_text["办公设备购置"].colspan == 7 and by_text["总分"].colspan == 6
    assert [c.text for c in table.cells].count("产出指标") == 1
    assert table.grid()[8][1].text == "产出指标"  # the merged label covers the rows below it
    assert table.grid()[3][2].text == "100.00"


def test_nested_table_is_flattened_into_its_cell(built):
    doc = read_document(built["nested"])
    assert [b.kind for b in doc.blocks] == ["table", "paragraph"]
    table = doc.blocks[0].table
    assert (table.n_rows, table.n_cols) == (2, 2)
    assert table.grid()[1][1].text == "明细如下财政拨款 80.00 其他资金 20.00"


def test_long_vertical_merge_is_linear(built):
    start = time.perf_counter()
    doc = read_document(built["long_merge"])
    assert time.perf_counter() - start < 5
    label = doc.blocks[0].table.cells[0]
    assert (label.text, label.rowspan) == ("项目支出", 800)
    assert len(doc.blocks[0].table.cells) == 801


@fb.needs_real
def test_real_docx_tables_and_text():
    doc = read_document(CHENGDE)
    tables = [b for b in doc.blocks if b.kind == "table"]
    assert len(tables) == 6
    first = tables[0].table
    title = next(c for c in first.cells if c.text == "2025年全市一般公共预算收入完成情况表")
    assert (title.row, title.colspan) == (1, 17)
    total = next(row for row in first.rows() if row[0].text == "本年收入合计")
    assert [c.text for c in total] == ["本年收入合计", "1448485", "1448177", "100", "3"]
    assert "2025年，全市一般公共预算收入完成144.8亿元" in doc.text
    assert doc.text.index("一、2025年预算执行情况") < tables[0].start


def test_number_formats():
    assert [chinese_number(n) for n in (1, 10, 11, 20, 105, 110)] == ["一", "十", "十一", "二十", "一百零五", "一百一十"]
    assert format_number(3, "decimalEnclosedCircle") == "③"
    assert format_number(2, "ideographTraditional") == "乙"
    assert format_number(4, "upperRoman") == "IV"


# ---- hostile packages --------------------------------------------------------------------

def test_not_a_zip(tmp_path):
    fake = tmp_path / "fake.docx"
    fake.write_bytes(b"this is plain text, not a zip archive")
    with pytest.raises(ReadError, match=r"^not a valid DOCX \(not a zip archive\)$"):
        read_docx(fake, "x", "docx")
    with pytest.raises(ReadError):  # the format table refuses it before the reader runs
        read_document(fake)


def test_truncated_zip(tmp_path, built):
    data = built["self_eval"].read_bytes()
    cut = tmp_path / "cut.docx"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ReadError, match=r"^not a valid DOCX \("):
        read_document(cut)


def test_zip_bomb_is_refused_before_inflating(tmp_path):
    bomb = fb.build_zip_bomb(tmp_path / "bomb.docx")
    assert bomb.stat().st_size < 2_000_000
    start = time.perf_counter()
    with pytest.raises(ReadError, match=r"^refused DOCX: members inflate to 210 MB.*zip bomb\)$"):
        read_document(bomb)
    assert time.perf_counter() - start < 1


def test_entity_bomb_is_refused(tmp_path, built):
    bomb = fb.build_entity_bomb_docx(built["nested"], tmp_path / "entities.docx")
    with zipfile.ZipFile(bomb) as archive:
        assert b"<!ENTITY lol9" in archive.read("word/document.xml")
    with pytest.raises(ReadError, match=r"^refused DOCX: word/document.xml declares a DTD \(possible XML entity bomb\)$"):
        read_document(bomb)


def test_python_docx_parser_does_not_expand_entities():
    """Defence in depth: even past the DTD check, python-docx's parser leaves entities alone."""
    doc_xml = ('<!DOCTYPE w:document [<!ENTITY x "EXPANDED">]><w:document '
               'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
               '<w:body><w:p><w:r><w:t>a&x;b</w:t></w:r></w:p></w:body></w:document>')
    assert "EXPANDED" not in etree.tostring(parse_xml(doc_xml.encode())).decode()
    start = time.perf_counter()
    try:
        parse_xml(fb.ENTITY_BOMB.split("\n", 1)[1].encode())
    except etree.XMLSyntaxError:
        pass  # libxml2 refuses the amplification outright
    assert time.perf_counter() - start < 1


def test_broken_document_xml(tmp_path, built):
    broken = fb.build_broken_xml_docx(built["nested"], tmp_path / "broken.docx")
    with pytest.raises(ReadError, match=r"^not a valid DOCX \(XMLSyntaxError: "):
        read_document(broken)
