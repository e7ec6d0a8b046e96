"""The text reader on the seeds: decoding, converter artefacts, rebuilt tables, offsets."""
from __future__ import annotations

import pytest

from extractors.normalize import normalize_inline
from extractors.readers import ReadError, read_document
from extractors.readers.text import decode


def test_latex_and_bookmarks_are_normalised(seeds):
    doc = read_document(seeds["shijiazhuang-fao-2025-dept-self-eval"])
    assert "培训对象满意度 ≥90% 。" in doc.text
    assert "$" not in doc.text and "\\geq" not in doc.text
    gov = read_document(seeds["shijiazhuang-govoffice-2025-dept-self-eval"])
    assert "[bookmark" not in gov.text
    assert gov.text.startswith("附件4\n石家庄市人民政府办公室")


def test_wrapped_lines_are_joined_but_titles_are_not(seeds):
    doc = read_document(seeds["shijiazhuang-fao-2025-dept-self-eval"])
    assert "统筹管理我市邀请外国人来华签证工作" in doc.text
    assert "美丽省会城市贡献更多外事力量" in doc.text
    assert "石家庄市人民政府外事办公室 2025 年度整体支出绩效自评报告\n贯彻落实" in doc.text


def test_ocr_slip_in_month_is_repaired():
    text, offsets = normalize_inline("1\tL2 月底")
    assert text == "1 12 月底"
    assert offsets[2] == 2  # the repaired digit points at the L it replaced


def test_tab_table_is_rebuilt_with_cell_offsets(seeds):
    doc = read_document(seeds["beijing-fengtai-fao-2023-project-and-dept-eval"])
    tables = [b for b in doc.blocks if b.kind == "table"]
    self_eval = next(b.table for b in tables if any(c.text == "年度资金总额" for c in b.table.cells))
    cell = next(c for c in self_eval.cells if c.text == "年度资金总额")
    assert doc.text[cell.start:cell.end] == "年度资金总额"
    row = [c.text for c in self_eval.rows()[cell.row]]
    assert row[:5] == ["", "年度资金总额", "4.3", "4.3", "4.3"]


def test_one_cell_per_line_tables_become_rows(seeds):
    doc = read_document(seeds["shaoguan-fao-2022-dept-self-eval"])
    table = next(b.table for b in doc.blocks if b.kind == "table")
    assert [c.text for c in table.rows()[0]] == ["序号", "重点工作任务", "具体工作内容"]
    assert table.rows()[1][0].text == "1"


def test_source_offsets_lead_back_to_the_input(seeds):
    path = seeds["shijiazhuang-govoffice-2025-dept-self-eval"]
    doc = read_document(path)
    raw = path.read_text(encoding="utf-8")
    pos = doc.text.index("预算执行率96.31%")
    assert raw[doc.source_offsets[pos]:doc.source_offsets[pos] + 5] == "预算执行率"


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-16", "utf-8-sig"])
def test_chinese_encodings_decode(encoding):
    text = "部门整体支出绩效自评报告：预算执行率为96.31%。"
    assert decode(text.encode(encoding)) == text


def test_binary_named_txt_is_refused(tmp_path):
    path = tmp_path / "garbage.txt"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(ReadError, match="not text"):
        read_document(path)


def test_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(ReadError, match="empty"):
        read_document(path)
