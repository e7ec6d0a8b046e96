"""Renders the seed reports as other formats, to prove the same facts come out of each.

A seed's text is first read by the text reader; its Document is then laid out as a real
Word file (paragraphs as paragraphs, table blocks as Word tables, A4 with the margins and
type sizes of GB/T 9704 official documents, so lines and cells wrap as they would in a
published report), and LibreOffice prints that to PDF. The Fengtai 项目支出绩效自评表
(附件3) is also built the way its template is drawn (merged labels down their rows) as a
DOCX table, an XLSX sheet and an HTML table, and the Shijiazhuang FAO 2025 report as an
HTML page. Functions write into a directory they are given.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from html import escape
from pathlib import Path

import docx
import openpyxl
import pypdfium2 as pdfium
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt
from openpyxl.styles import Alignment

from extractors.readers import read_document
from pipeline.evaluate import LISTS, score_file
from pipeline.extract import extract_file
from schemas.document import Document
from schemas.records import extraction_to_json

BODY_FONT = "Noto Serif CJK SC"   # stands in for 仿宋_GB2312 / 宋体
BODY_PT = 16                       # 三号, the body size of GB/T 9704
TABLE_PT = 10.5                    # 五号, the usual size inside forms
_HEADING = re.compile(r"^(附件\s*\d+|[一二三四五六七八九十]+、|第[一二三四五六七八九十]+部分)")

# The Fengtai 项目支出绩效自评表 as its template draws it: (row, col, text, rowspan, colspan)
# on a 9-column grid. Labels are merged down their blocks; a merged cell is listed once.
FENGTAI_TITLE = "项目支出绩效自评表"
FENGTAI_YEAR = "(2023 年度)"
_INDICATORS = [  # (一级指标, [(二级指标, [三级指标, ...])]); every value cell holds 10, as in the seed
    ("产出指标", [("数量指标", ["国际友城交流活动", "涉外活动", "优化国际语言环境建设"]),
                  ("质量指标", ["年度工作计划"])]),
    ("效益指标", [("社会效益指标", ["国际友好交流活动", "青少年友好交流活动", "国际交往中心功能建设"]),
                  ("可持续影响指标", ["优化国际语言环境建设", "国际交往中心功能建设"])]),
    ("满意度指标", [("服务对象满意度指标", ["区属中学满意程度", "重点涉外场所满意程度"])]),
]
GridCell = tuple[int, int, str, int, int]


def fengtai_self_eval_cells() -> tuple[list[GridCell], int, int]:
    """The 附件3 table as (row, col, text, rowspan, colspan) cells, n_rows, n_cols."""
    cells: list[GridCell] = [
        (0, 0, "项目名称", 1, 2), (0, 2, "外事办外事工作经费", 1, 7),
        (1, 0, "主管部门", 1, 2), (1, 2, "北京市丰台区人民政府外事办公室", 1, 3),
        (1, 5, "实施单位", 1, 2), (1, 7, "区政府外办", 1, 2),
        (2, 0, "项目负责人", 1, 2), (2, 2, "高瑞", 1, 3), (2, 5, "联系电话", 1, 2), (2, 7, "83656602", 1, 2),
        (3, 0, "项目资金 (万元)", 5, 1), (3, 1, "", 1, 2),
    ]
    cells += [(3, c, text, 1, 1) for c, text in enumerate(["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"], 3)]
    money = [("年度资金总额", "4.3", "10", "100%", "10"), ("其中：当年财政拨款", "4.3", "—", "", "—"),
             ("上年结转资金", "0", "—", "", "—"), ("其他资金", "0", "—", "", "—")]
    for r, (label, amount, weight, rate, score) in enumerate(money, start=4):
        cells += [(r, 1, label, 1, 2)] + [(r, c, text, 1, 1) for c, text in
                                           enumerate([amount, amount, amount, weight, rate, score], 3)]
    cells += [
        (8, 0, "年度总体目标", 2, 1), (8, 1, "预期目标", 1, 5), (8, 6, "实际完成情况", 1, 3),
        (9, 1, "开展国际对外友好交往，推进区域国际交往中心功能建设，进行涉外活动宣传，购买涉外礼品等支出。", 1, 5),
        (9, 6, "2023 年加强与国际城市的友好交往，优化国际语言环境建设，推进区域国际交往中心功能建设。", 1, 3),
    ]
    n_indicators = sum(len(names) for _, blocks in _INDICATORS for _, names in blocks)
    cells.append((10, 0, "绩效指标", n_indicators + 1, 1))
    cells += [(10, c, text, 1, 1) for c, text in enumerate(
        ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"], 1)]
    r = 11
    for level1, blocks in _INDICATORS:
        cells.append((r, 1, level1, sum(len(names) for _, names in blocks), 1))
        for level2, names in blocks:
            cells.append((r, 2, level2, len(names), 1))
            for name in names:
                cells += [(r, 3, name, 1, 1)] + [(r, c, "10", 1, 1) for c in range(4, 8)] + [(r, 8, "", 1, 1)]
                r += 1
    cells += [(r, 0, "总分", 1, 6), (r, 6, "100", 1, 1), (r, 7, "100", 1, 1), (r, 8, "", 1, 1)]
    return cells, r + 1, 9


# ---- Word ----------------------------------------------------------------------------------

def _new_document() -> docx.document.Document:
    """An A4 document with GB/T 9704 margins, a CJK body font and a `— N —` page number."""
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    style = document.styles["Normal"]
    style.font.name = BODY_FONT
    style.font.size = Pt(BODY_PT)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), BODY_FONT)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.text = "— "
    footer._p.append(parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple>'))
    footer.add_run(" —")
    return document


def _body_paragraph(document: docx.document.Document, text: str) -> None:
    """Body text indented two characters; titles and 附件 labels flush left, as printed."""
    paragraph = document.add_paragraph(text)
    if not _HEADING.match(text) and len(text) > 20:
        paragraph.paragraph_format.first_line_indent = Pt(2 * BODY_PT)


def _word_table(document: docx.document.Document, cells: list[GridCell], n_rows: int, n_cols: int) -> None:
    """A ruled Word table, one Word cell per logical cell, merged across its spans."""
    table = document.add_table(rows=n_rows, cols=n_cols)
    table.style = "Table Grid"
    for row, col, text, rowspan, colspan in cells:
        cell = table.cell(row, col)
        if rowspan > 1 or colspan > 1:
            cell = cell.merge(table.cell(row + rowspan - 1, col + colspan - 1))
        cell.text = text
        for paragraph in cell.paragraphs:
            for run in paragraph.runs:
                run.font.size = Pt(TABLE_PT)


def _document_cells(block_table) -> list[GridCell]:
    return [(c.row, c.col, c.text, c.rowspan, c.colspan) for c in block_table.cells]


def build_seed_docx(seed: Path, path: Path) -> Path:
    """The seed as the text reader sees it, laid out as a Word document."""
    doc: Document = read_document(seed)
    document = _new_document()
    for block in doc.blocks:
        if block.kind == "table" and block.table is not None:
            _word_table(document, _document_cells(block.table), block.table.n_rows, block.table.n_cols)
            document.add_paragraph()  # Word needs a paragraph between two adjacent tables
        else:
            _body_paragraph(document, doc.block_text(block))
    document.save(path)
    return path


def build_fengtai_self_eval_docx(path: Path) -> Path:
    """附件3 alone: its title, year line and the merged template table."""
    document = _new_document()
    document.add_paragraph("附件 3")
    document.add_paragraph(FENGTAI_TITLE).alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(FENGTAI_YEAR).alignment = WD_ALIGN_PARAGRAPH.CENTER
    cells, n_rows, n_cols = fengtai_self_eval_cells()
    _word_table(document, cells, n_rows, n_cols)
    document.save(path)
    return path


# ---- PDF and images ------------------------------------------------------------------------

def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_pdf(sources: list[Path], outdir: Path) -> list[Path]:
    """LibreOffice prints the files to PDF in one run (its start-up is the slow part)."""
    exe = soffice()
    if exe is None:
        raise RuntimeError("LibreOffice is not installed")
    profile = (outdir / "lo-profile").as_uri()
    subprocess.run([exe, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                    "--convert-to", "pdf", "--outdir", str(outdir), *map(str, sources)],
                   check=True, capture_output=True, timeout=300)
    out = [outdir / f"{s.stem}.pdf" for s in sources]
    missing = [p.name for p in out if not p.is_file()]
    if missing:
        raise RuntimeError(f"LibreOffice did not produce {', '.join(missing)}")
    return out


def build_image_only_pdf(source_pdf: Path, path: Path, dpi: int = 200) -> Path:
    """Every page of `source_pdf` as a picture: a scan with no text layer at all."""
    pdf = pdfium.PdfDocument(str(source_pdf))
    try:
        images = [page.render(scale=dpi / 72, grayscale=True).to_pil() for page in pdf]
    finally:
        pdf.close()
    images[0].save(path, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return path


def pdf_page_texts(path: Path) -> list[str]:
    """Each page's text layer with all whitespace removed, for locating evidence."""
    pdf = pdfium.PdfDocument(str(path))
    try:
        out = []
        for page in pdf:
            textpage = page.get_textpage()
            out.append(re.sub(r"\s+", "", textpage.get_text_range()))
            textpage.close()
        return out
    finally:
        pdf.close()


# ---- Excel and HTML ------------------------------------------------------------------------

def build_fengtai_self_eval_xlsx(path: Path) -> Path:
    """The 附件3 table on one sheet, merged like the template; title rows above it."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "项目支出绩效自评表"
    sheet.cell(1, 1, "附件3")
    sheet.cell(2, 1, FENGTAI_TITLE)
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=10)
    sheet.cell(3, 1, FENGTAI_YEAR)
    sheet.merge_cells(start_row=3, start_column=1, end_row=3, end_column=10)
    cells, _, _ = fengtai_self_eval_cells()
    top = 4
    for row, col, text, rowspan, colspan in cells:
        target = sheet.cell(top + row, col + 1, _sheet_value(text))
        target.alignment = Alignment(wrap_text=True, vertical="center")
        if text.endswith("%"):
            target.number_format = "0%"
        if rowspan > 1 or colspan > 1:
            sheet.merge_cells(start_row=top + row, start_column=col + 1,
                              end_row=top + row + rowspan - 1, end_column=col + colspan)
    workbook.save(path)
    return path


def _sheet_value(text: str) -> str | float | int:
    """Numbers stored as numbers (a percent as its fraction), as a filled-in template has them."""
    if re.fullmatch(r"\d+(\.\d+)?%", text):
        return float(text[:-1]) / 100
    if re.fullmatch(r"\d+", text) and len(text) < 6:
        return int(text)
    if re.fullmatch(r"\d+\.\d+", text):
        return float(text)
    return text


def fengtai_self_eval_html_table() -> str:
    """The 附件3 table as HTML, merged cells as rowspan/colspan."""
    cells, n_rows, _ = fengtai_self_eval_cells()
    rows: list[list[str]] = [[] for _ in range(n_rows)]
    for row, _col, text, rowspan, colspan in sorted(cells, key=lambda c: (c[0], c[1])):
        spans = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (f' colspan="{colspan}"' if colspan > 1 else "")
        rows[row].append(f"<td{spans}>{escape(text)}</td>")
    body = "\n".join(f"<tr>{''.join(r)}</tr>" for r in rows)
    return f'<table border="1">\n{body}\n</table>'


def _html_page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f"</head>\n<body>\n<nav><a href=\"/\">首页</a> &gt; 财政信息</nav>\n<main>\n{body}\n</main>\n</body></html>\n")


def build_fengtai_self_eval_html(path: Path) -> Path:
    body = (f"<p>附件3</p>\n<h2>{FENGTAI_TITLE}</h2>\n<p>{escape(FENGTAI_YEAR)}</p>\n"
            + fengtai_self_eval_html_table())
    path.write_text(_html_page(FENGTAI_TITLE, body), encoding="utf-8")
    return path


_H2 = re.compile(r"^(附件\s*\d+|[一二三四五六七八九十]+、)")
_H3 = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")


def build_report_html(seed: Path, path: Path) -> Path:
    """A report page as a government site publishes it: the title as <h1>, section
    headings as <h2>/<h3>, paragraphs as <p>, tables as <table>."""
    doc = read_document(seed)
    parts: list[str] = []
    title = ""
    for block in doc.blocks:
        text = doc.block_text(block)
        if block.kind == "table" and block.table is not None:
            rows: list[list[str]] = [[] for _ in range(block.table.n_rows)]
            for c in block.table.cells:
                rows[c.row].append(f"<td>{escape(c.text)}</td>")
            parts.append("<table>" + "".join(f"<tr>{''.join(r)}</tr>" for r in rows) + "</table>")
        elif not title and not _H2.match(text) and "报告" in text:
            title = text
            parts.append(f"<h1>{escape(text)}</h1>")
        elif _H2.match(text):
            parts.append(f"<h2>{escape(text)}</h2>")
        elif _H3.match(text):
            parts.append(f"<h3>{escape(text)}</h3>")
        else:
            parts.append(f"<p>{escape(text)}</p>")
    path.write_text(_html_page(title, "\n".join(parts)), encoding="utf-8")
    return path


# ---- scoring -------------------------------------------------------------------------------

def list_f1(predicted: dict, gold: dict) -> dict[str, float]:
    """F1 per contract list of one extraction (contract JSON) against its gold file."""
    lists = score_file(predicted, gold).lists
    return {name: lists[name].f1 for name in LISTS}


def render_seeds(seeds: list[Path], outdir: Path) -> dict[str, dict[str, Path]]:
    """Each seed as txt (itself), docx and pdf, by seed name."""
    word = [build_seed_docx(seed, outdir / f"{seed.stem}.docx") for seed in seeds]
    pdfs = convert_to_pdf(word, outdir)
    return {seed.stem: {"txt": seed, "docx": w, "pdf": p} for seed, w, p in zip(seeds, word, pdfs)}


def main(outdir: Path) -> None:
    """Render every seed into `outdir` and print its per-list F1 in each format."""
    root = Path(__file__).resolve().parent.parent
    outdir.mkdir(parents=True, exist_ok=True)
    renderings = render_seeds(sorted((root / "data" / "raw").glob("*.txt")), outdir)
    print(f"{'seed':45} {'format':6} " + " ".join(f"{name:>15}" for name in LISTS))
    for name, files in renderings.items():
        gold = json.loads((root / "tests" / "gold" / f"{name}.json").read_text(encoding="utf-8"))
        for fmt, path in files.items():
            f1 = list_f1(extraction_to_json(extract_file(path)), gold)
            print(f"{name:45} {fmt:6} " + " ".join(f"{f1[n]:15.3f}" for n in LISTS))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
