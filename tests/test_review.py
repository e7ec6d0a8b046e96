"""`jixiao review`: nested highlights, one per evidence span, and a page that works in Chromium."""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from extractors.readers import read_document
from pipeline import review
from pipeline.extract import extract_file
from pipeline.highlight import Span, highlight
from schemas.records import extraction_to_json

FENGTAI = "beijing-fengtai-fao-2023-project-and-dept-eval"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class Marks(HTMLParser):
    """Collects, for the #text element, its plain text and each span's characters."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0  # >0 inside <pre id="text">
        self.open: list[str | None] = []
        self.text: list[str] = []
        self.spans: dict[str, str] = {}
        self.firsts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "pre" and a.get("id") == "text":
            self.depth = 1
        elif self.depth and tag == "mark":
            span = a["data-span"]
            self.open.append(span)
            self.spans.setdefault(span, "")
            if "hl-cont" not in (a.get("class") or "").split():
                self.firsts.append(span)

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag == "mark":
            self.open.pop()
        elif tag == "pre":
            self.depth = 0

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.text.append(data)
            for span in set(self.open):
                self.spans[span] += data


def parse(page: str) -> Marks:
    marks = Marks()
    marks.feed(page)
    return marks


def expected_spans(path: Path) -> int:
    extraction = extraction_to_json(extract_file(path))
    count = 0
    for report in extraction["reports"]:
        count += 1
        for kind in review.LISTS:
            for record in report.get(kind) or []:
                count += len(record["evidence"]) if isinstance(record["evidence"], list) else 1
    return count


def test_crossing_spans_are_split_and_nested() -> None:
    page = highlight("a<b&cdefgh", [Span(1, 5, "A"), Span(3, 7, "B"), Span(2, 4, "C"), Span(6, 6, "E")])
    marks = parse(f'<pre id="text">{page}</pre>')
    assert "".join(marks.text) == "a<b&cdefgh"
    assert marks.spans == {"A": "<b&c", "C": "b&", "B": "&cde", "E": ""}
    assert sorted(marks.firsts) == ["A", "B", "C", "E"]
    assert page.count('class="hl hl-cont" data-span="B"') == 2


def test_spans_starting_together_nest_longest_outside() -> None:
    page = highlight("abcdef", [Span(0, 2, "short"), Span(0, 6, "long"), Span(0, 6, "same")])
    assert page.startswith('<mark class="hl" data-span="long"><mark class="hl" data-span="same">'
                           '<mark class="hl" data-span="short">ab</mark>')
    assert "hl-cont" not in page


@pytest.fixture(scope="module")
def fengtai_page(seeds: dict[str, Path]) -> str:
    return review.build_review(seeds[FENGTAI])


def test_page_shows_the_whole_text_with_one_highlight_per_evidence_span(seeds, fengtai_page: str) -> None:
    path = seeds[FENGTAI]
    text = read_document(path).text
    marks = parse(fengtai_page)
    assert "".join(marks.text) == text
    assert len(marks.firsts) == len(set(marks.firsts)) == expected_spans(path) > 70
    extraction = extraction_to_json(extract_file(path))
    for r, report in enumerate(extraction["reports"]):
        for i, figure in enumerate(report["figures"]):
            assert marks.spans[f"r{r}-figures-{i}"] == figure["evidence"]["text"]
        for i, check in enumerate(report["checks"]):
            for k, ev in enumerate(check["evidence"]):
                span = f"r{r}-checks-{i}" if len(check["evidence"]) == 1 else f"r{r}-checks-{i}-e{k}"
                assert marks.spans[span] == ev["text"]


def test_panel_groups_records_and_shows_checks_beside_values(fengtai_page: str) -> None:
    assert fengtai_page.count('<section class="report">') == 3
    assert "[2] 附件4 dept_overall_self_eval · 北京市丰台区人民政府外事办公室 · FY2023" in fengtai_page
    carryover = re.search(r'<button[^>]*data-record="r2-figures-6"[^>]*>(.*?)</button>', fengtai_page).group(1)
    assert carryover.startswith("actual carryover = 5.97万元")
    assert "⚠ warning · carryover_full_execution</div>" in carryover and "5.97万元 is left over" in carryover
    assert re.search(r'<mark class="hl checks warning first" data-span="r2-checks-\d-e0"', fengtai_page)
    assert "http://" not in fengtai_page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in fengtai_page


def test_review_command_writes_the_page(seeds, tmp_path: Path, capsys) -> None:
    parser = argparse.ArgumentParser()
    review.register(parser.add_subparsers(dest="command", required=True))
    out = tmp_path / "page.html"
    args = parser.parse_args(["review", str(seeds["shaoguan-fao-2022-dept-self-eval"]), "--out", str(out)])
    assert args.func(args) == 0
    page = out.read_text(encoding="utf-8")
    assert "公务用车购置及运行费: stated rate 89.8% but 1.79万元 / 2万元 = 89.5%" in page


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={tmp_path / 'profile'}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=90, check=True)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium fonts-noto-cjk)")
def test_page_in_headless_chromium(seeds, fengtai_page: str, tmp_path: Path) -> None:
    page = tmp_path / "review.html"
    page.write_text(fengtai_page, encoding="utf-8")
    shot = tmp_path / "review.png"
    chromium(tmp_path, f"--screenshot={shot}", "--window-size=1400,900", page.as_uri())
    assert shot.stat().st_size > 100_000  # a blank page of this size is a few kB
    dom = chromium(tmp_path, "--dump-dom", page.as_uri() + "#selftest").stdout
    firsts = re.findall(r'<mark class="hl (?!hl-cont)[^"]*" data-span="([^"]+)"', dom)
    assert len(firsts) == len(set(firsts)) == expected_spans(seeds[FENGTAI])
    result = re.search(r'<div id="selftest-result"([^>]*)>([^<]*)</div>', dom)
    assert result, "the self-test did not run"
    attrs = dict(re.findall(r'(data-[\w-]+)="([^"]*)"', result.group(1)))
    assert attrs["data-spans-checked"] == str(len(firsts)) and attrs["data-spans-wrong"] == ""
    assert attrs["data-clicked"] == "r1-checks-0"
    assert (attrs["data-visible"], attrs["data-flashed"], attrs["data-ok"]) == ("true", "true", "true")
    assert result.group(2) == "selftest ok"
