"""normalize_inline skips its markup and OCR edits when a string cannot need them;
each edit must still apply to the shortest string that does."""
from __future__ import annotations

import pytest

from extractors.normalize import normalize_inline


@pytest.mark.parametrize("raw, expected", [
    ("[bookmark:_Toc1]5", "5"), ("$\\geq 90\\%$", "≥90%"), ("\\le 3", "≤3"), ("**5**", "5"),
    ("__x__", "x"), ("L2 月", "12 月"), ("2O23", "2023"), ("1l0", "110"), ("a \u3000 b", "a b"),
])
def test_every_edit_applies_to_a_short_cell(raw, expected):
    assert normalize_inline(raw)[0] == expected


def test_plain_text_keeps_its_offsets():
    assert normalize_inline(" 办公设备 ") == ("办公设备", [1, 2, 3, 4])
