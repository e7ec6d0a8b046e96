"""Division-name matching: leftmost-longest names, everyday two-character districts skipped."""
from __future__ import annotations

from extractors.rules.region import find_divisions


def _names(text: str) -> list[tuple[int, int, str]]:
    return [(start, end, text[start:end]) for start, end, _ in find_divisions(text)]


def test_names_are_found_in_order_with_offsets():
    assert _names("北京市丰台区人民政府外事办公室") == [(0, 3, "北京市"), (3, 6, "丰台区")]


def test_the_longest_name_wins_over_one_inside_it():
    # 鞍山市 ends inside 马鞍山市; 阿拉善左旗 starts where 阿拉善盟 ends.
    assert _names("安徽省马鞍山市") == [(0, 3, "安徽省"), (3, 7, "马鞍山市")]
    assert _names("阿拉善盟阿拉善左旗") == [(0, 4, "阿拉善盟"), (4, 9, "阿拉善左旗")]


def test_two_character_districts_are_not_names():
    assert _names("城区郊区矿区") == []
    assert find_divisions("") == []
