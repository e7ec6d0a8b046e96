"""Report splitting at 附件 labels and the section tree from Chinese numbering."""
from __future__ import annotations

from extractors.normalize import normalize_inline
from extractors.readers import read_document
from extractors.segment import ATTACHMENT_RE, section_tree, split_reports


def test_attachment_labels_alone_or_with_a_title():
    assert ATTACHMENT_RE.match("附件 4").group(1) == "4"
    assert ATTACHMENT_RE.match("附件2：项目支出绩效自评表").groups() == ("2", "项目支出绩效自评表")
    assert ATTACHMENT_RE.match("附件4 关于印发的通知要求") is None  # a sentence, not a label


def test_section_tree_of_the_fengtai_department_report(seeds):
    doc = read_document(seeds["beijing-fengtai-fao-2023-project-and-dept-eval"])
    span = split_reports(doc)[2]
    tree = section_tree(span)
    assert [s.heading.text for s in tree][:3] == ["一、部门概况", "二、当年预算执行情况", "三、整体绩效目标实现情况"]
    first = tree[0]
    assert [c.heading.text for c in first.children] == ["（一）机构设置及职责工作任务情况", "(二) 部门整体绩效目标设立情况"]
    assert first.end == tree[1].heading.start
    assert "预算执行率为 100%" in doc.text[tree[1].heading.start:tree[1].end]


def test_ocr_letters_inside_numbers():
    assert normalize_inline("2O23年完成率1O0%")[0] == "2023年完成率100%"
