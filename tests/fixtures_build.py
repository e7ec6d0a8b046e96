"""Builds the reader test fixtures with code, so every byte of them can be reviewed here.

The DOCX is shaped like a 项目支出绩效自评表 (merged cells across and down, auto-numbered
Chinese headings, a header and footer that must not leak into the text); LibreOffice
renders it to PDF (fonts-noto-cjk for the glyphs); pypdfium2 and PIL turn a page of
that PDF into an image-only PDF for OCR. Hostile files (zip bomb, entity bomb, corrupt
and encrypted PDFs) are made here too. Functions write into a directory they are given.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import openpyxl
import pypdfium2 as pdfium
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt

# Real published files are read from ../shared/real beside the repository (or $JIXIAO_REAL_DIR):
# they are copies of public repositories' snapshots and are never committed here.
REAL = Path(os.environ.get("JIXIAO_REAL_DIR") or Path(__file__).resolve().parents[2] / "shared" / "real")
needs_real = pytest.mark.skipif(
    not REAL.is_dir(),
    reason=f"real files not found at {REAL}: they are not bundled (set JIXIAO_REAL_DIR to a copy of shared/real)",
)

# The indicator block of the self-evaluation table: level 1, level 2, level 3, target, actual, weight, score.
INDICATORS = [
    ("产出指标", "数量指标", "购置办公设备数量", "≥10台", "12台", "20", "20"),
    ("产出指标", "数量指标", "设备验收合格率", "=100%", "100%", "20", "20"),
    ("产出指标", "时效指标", "按时完成率", "100%", "100%", "10", "10"),
    ("满意度指标", "服务对象满意度指标", "使用人员满意度", "≥90%", "95%", "10", "9.55"),
]
NARRATIVE = (
    "根据《中华人民共和国预算法》和财政部门关于开展预算绩效自评工作的要求，我单位对2025年度项目支出开展了绩效自评。"
    "项目年初预算数为100.00万元，全年预算数为100.00万元，全年执行数为95.50万元，预算执行率为95.5%。"
    "项目按计划完成了办公设备购置、安装调试和验收工作，设备运行稳定，使用人员满意度达到95%以上。"
)

_NUMBERING = f"""<w:abstractNum {nsdecls('w')} w:abstractNumId="90">
  <w:multiLevelType w:val="multilevel"/>
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
  <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>
</w:abstractNum>"""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _numbered(document: docx.document.Document, text: str, level: int) -> None:
    """A paragraph numbered by the numbering part only (its text has no number)."""
    paragraph = document.add_paragraph(text)
    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'))


def _add_numbering(document: docx.document.Document) -> None:
    numbering = document.part.numbering_part.element
    numbering.insert(0, parse_xml(_NUMBERING))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))


def _merge(table, r0: int, c0: int, r1: int, c1: int, text: str) -> None:
    cell = table.cell(r0, c0).merge(table.cell(r1, c1))
    cell.text = text


def _self_eval_table(document: docx.document.Document) -> None:
    """12 rows x 8 columns: header rows merged across, 项目资金 and 绩效指标 merged down."""
    table = document.add_table(rows=12, cols=8)
    table.style = "Table Grid"
    _merge(table, 0, 1, 0, 7, "办公设备购置")
    table.cell(0, 0).text = "项目名称"
    table.cell(1, 0).text = "主管部门"
    _merge(table, 1, 1, 1, 3, "石家庄市人民政府外事办公室")
    table.cell(1, 4).text = "实施单位"
    _merge(table, 1, 5, 1, 7, "石家庄市外事办")
    _merge(table, 2, 0, 4, 0, "项目资金（万元）")
    for c, text in enumerate(["", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"], start=1):
        table.cell(2, c).text = text
    for c, text in enumerate(["年度资金总额", "100.00", "100.00", "95.50", "10", "95.5%", "9.55"], start=1):
        table.cell(3, c).text = text
    for c, text in enumerate(["其中：当年财政拨款", "100.00", "100.00", "95.50", "—", "95.5%", "—"], start=1):
        table.cell(4, c).text = text
    table.cell(5, 0).text = "年度总体目标"
    _merge(table, 5, 1, 5, 4, "完成办公设备购置")
    _merge(table, 5, 5, 5, 7, "已完成办公设备购置并投入使用")
    for c, text in enumerate(["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"], start=1):
        table.cell(6, c).text = text
    for r, row in enumerate(INDICATORS, start=7):
        for c, text in enumerate(row[2:], start=3):
            table.cell(r, c).text = text
    _merge(table, 6, 0, 10, 0, "绩效指标")
    _merge(table, 7, 1, 9, 1, "产出指标")
    _merge(table, 7, 2, 8, 2, "数量指标")
    table.cell(9, 2).text = "时效指标"
    table.cell(10, 1).text = "满意度指标"
    table.cell(10, 2).text = "服务对象满意度指标"
    _merge(table, 11, 0, 11, 5, "总分")
    table.cell(11, 6).text = "100"
    table.cell(11, 7).text = "99.55"


def build_self_eval_docx(path: Path) -> Path:
    """The 自评表 DOCX: numbered headings, a narrative paragraph, the merged table."""
    document = docx.Document()
    _add_numbering(document)
    section = document.sections[0]
    section.header.paragraphs[0].text = "页眉不应出现"
    section.footer.paragraphs[0].text = "页脚不应出现"
    style = document.styles["Normal"]
    style.font.name = "Noto Sans CJK SC"
    style.font.size = Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "Noto Sans CJK SC")
    document.add_paragraph("项目支出绩效自评表")
    _numbered(document, "基本情况", 0)
    _numbered(document, "项目概况", 1)
    document.add_paragraph(NARRATIVE)
    _numbered(document, "绩效目标完成情况", 1)
    _numbered(document, "自评结果", 0)
    _numbered(document, "评分说明", 2)
    _self_eval_table(document)
    document.add_paragraph("填表人：张三")
    document.save(path)
    return path


def build_nested_table_docx(path: Path) -> Path:
    """A 2x2 table whose last cell holds a nested 2x2 table."""
    document = docx.Document()
    outer = document.add_table(rows=2, cols=2)
    outer.cell(0, 0).text = "项目"
    outer.cell(0, 1).text = "说明"
    outer.cell(1, 0).text = "资金来源"
    inner_cell = outer.cell(1, 1)
    inner_cell.text = "明细如下"
    inner = inner_cell.add_table(rows=2, cols=2)
    for (r, c), text in {(0, 0): "财政拨款", (0, 1): "80.00", (1, 0): "其他资金", (1, 1): "20.00"}.items():
        inner.cell(r, c).text = text
    document.add_paragraph("表后文字")
    document.save(path)
    return path


def build_narrative_docx(path: Path, pages: int = 4) -> Path:
    """Several pages of prose with a running header and a `— N —` page number footer."""
    document = docx.Document()
    style = document.styles["Normal"]
    style.font.name = "Noto Sans CJK SC"
    style.font.size = Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "Noto Sans CJK SC")
    section = document.sections[0]
    section.header.paragraphs[0].text = "石家庄市外事办公室绩效自评报告"
    footer = section.footer.paragraphs[0]
    footer.text = "— "
    footer._p.append(parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple>'))
    footer.add_run(" —")
    for i in range(pages * 4):
        document.add_paragraph(f"（{i + 1}）" + NARRATIVE * 2)
    document.save(path)
    return path


def convert(source: Path, target_format: str, outdir: Path) -> Path:
    """LibreOffice headless conversion (docx->pdf, xlsx->xls); the converted file's path."""
    exe = soffice()
    if exe is None:
        raise RuntimeError("LibreOffice is not installed")
    profile = (outdir / "lo-profile").as_uri()
    subprocess.run([exe, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                    "--convert-to", target_format, "--outdir", str(outdir), str(source)],
                   check=True, capture_output=True, timeout=180)
    converted = outdir / f"{source.stem}.{target_format.split(':')[0]}"
    if not converted.is_file():
        raise RuntimeError(f"LibreOffice did not produce {converted.name}")
    return converted


def build_image_only_pdf(source_pdf: Path, path: Path, dpi: int = 300) -> Path:
    """The first page of `source_pdf` as a picture in a PDF: no text layer at all."""
    pdf = pdfium.PdfDocument(str(source_pdf))
    try:
        image = pdf[0].render(scale=dpi / 72).to_pil().convert("RGB")
    finally:
        pdf.close()
    image.save(path, "PDF", resolution=dpi)
    return path


def build_workbook(path: Path) -> Path:
    """An XLSX with a merged title and header, a percent format and a hidden helper column."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "自评表"
    sheet["A1"] = "项目支出绩效自评表"
    sheet.merge_cells("A1:E1")
    sheet["A2"], sheet["B2"], sheet["D2"] = "项目", "资金（万元）", "执行率"
    sheet.merge_cells("A2:A3")
    sheet.merge_cells("B2:C2")
    sheet.merge_cells("D2:D3")
    sheet["B3"], sheet["C3"] = "预算数", "执行数"
    sheet["A4"], sheet["B4"], sheet["C4"], sheet["D4"] = "办公设备购置", 100, 95.5, 0.955
    sheet["D4"].number_format = "0.0%"
    sheet["B4"].number_format = "#,##0.00"
    sheet["E4"] = "辅助列"
    sheet.column_dimensions["E"].hidden = True
    hidden = workbook.create_sheet("草稿")
    hidden["A1"] = "不应出现"
    hidden.sheet_state = "hidden"
    workbook.save(path)
    return path


GBK_PAGE = """<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk">
<title>标题不应出现</title><style>p {{ color: red }}</style>
<script>var x = "脚本不应出现";</script></head>
<body>
<nav><a href="/">首页</a> 导航不应出现</nav>
<div style="display:none">隐藏不应出现</div>
<h1>石家庄市外事办公室2025年度项目支出绩效自评报告</h1>
<p>一、基本情况</p>
<p>项目年初预算数为100.00万元，
全年执行数为95.50万元。</p>
<table border="1">
<tr><th rowspan="2">项目</th><th colspan="2">资金（万元）</th><th rowspan="2">执行率</th></tr>
<tr><th>预算数</th><th>执行数</th></tr>
<tr><td>办公设备购置</td><td>100.00</td><td>95.50</td><td>95.5%</td></tr>
</table>
<table><tr><td><p>布局表格里的正文</p></td></tr></table>
<p>结束语{extra}</p>
</body></html>
"""


def build_gbk_html(path: Path) -> Path:
    path.write_bytes(GBK_PAGE.format(extra="").encode("gbk"))
    return path


def build_zip_bomb(path: Path, inflated_mb: int = 210) -> Path:
    """A 'DOCX' whose document part inflates past the 200 MB cap (about 200 KB on disk)."""
    chunk = b"\0" * (1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            for _ in range(inflated_mb):
                member.write(chunk)
    return path


ENTITY_BOMB = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE w:document [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>
"""


def build_entity_bomb_docx(template_docx: Path, path: Path) -> Path:
    """A valid DOCX package whose document part is a billion-laughs XML."""
    with zipfile.ZipFile(template_docx) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = ENTITY_BOMB.encode() if item.filename == "word/document.xml" else source.read(item)
            target.writestr(item, data)
    return path


def build_corrupt_pdf(path: Path) -> Path:
    path.write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" + bytes(range(256)) * 8)
    return path


def build_truncated_pdf(source: Path, path: Path, keep: int = 1500) -> Path:
    path.write_bytes(source.read_bytes()[:keep])
    return path


def build_encrypted_pdf(source: Path, path: Path, user_password: str = "secret") -> Path:
    """AES-256 encryption with a user password, made by qpdf."""
    exe = shutil.which("qpdf")
    if exe is None:
        raise RuntimeError("qpdf is not installed")
    subprocess.run([exe, "--encrypt", user_password, "owner-pw", "256", "--", str(source), str(path)],
                   check=True, capture_output=True, timeout=60)
    return path


def build_long_merge_docx(path: Path, rows: int = 800) -> Path:
    """A label merged down `rows` rows beside one value per row (python-docx's row.cells
    takes tens of seconds on this)."""
    document = docx.Document()
    cells = []
    for r in range(rows):
        merge = '<w:vMerge w:val="restart"/>' if r == 0 else "<w:vMerge/>"
        label = "<w:r><w:t>项目支出</w:t></w:r>" if r == 0 else ""
        cells.append(f"<w:tr><w:tc><w:tcPr>{merge}</w:tcPr><w:p>{label}</w:p></w:tc>"
                     f"<w:tc><w:p><w:r><w:t>{r + 1}.00</w:t></w:r></w:p></w:tc></w:tr>")
    table = parse_xml(f'<w:tbl {nsdecls("w")}><w:tblGrid><w:gridCol/><w:gridCol/></w:tblGrid>{"".join(cells)}</w:tbl>')
    document.element.body.insert(0, table)
    document.save(path)
    return path


def build_broken_xml_docx(template_docx: Path, path: Path) -> Path:
    """A zip-valid DOCX whose document part is cut off mid-element."""
    with zipfile.ZipFile(template_docx) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, data[: len(data) // 2] if item.filename == "word/document.xml" else data)
    return path


def _minimal_pdf(content: bytes, font: bytes) -> bytes:
    """A one-page PDF around a content stream and one font dictionary, xref computed."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
               b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
               b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
               font]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def build_unmapped_glyph_pdf(path: Path) -> Path:
    """Text whose glyphs have made-up names, so no Unicode can be derived: pdfplumber
    prints letters or (cid:N), a reader sees garbage; the page must count as a scan."""
    lines = b"".join(b"BT /F1 12 Tf 72 %d Td (ABCDEFGHIJ ABCDEFGHIJ) Tj ET\n" % (750 - 20 * i) for i in range(10))
    font = (b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Type /Encoding "
            b"/Differences [65 /g1 /g2 /g3 /g4 /g5 /g6 /g7 /g8 /g9 /g10] >> >>")
    path.write_bytes(_minimal_pdf(lines, font))
    return path


def build_fake_bold_pdf(path: Path) -> Path:
    """`Budget 2025` printed twice, 0.3 pt apart: how some exporters fake bold type."""
    text = b"BT /F1 12 Tf 72 750 Td (Budget 2025) Tj ET\nBT /F1 12 Tf 72.3 750 Td (Budget 2025) Tj ET\n"
    path.write_bytes(_minimal_pdf(text, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"))
    return path


def build_rotated_pdf(source_pdf: Path, path: Path) -> Path:
    """The first page of `source_pdf` stored sideways in a landscape page with /Rotate 90,
    inside a form XObject: displayed, it looks exactly like the original."""
    source = pdfium.PdfDocument(str(source_pdf))
    target = pdfium.PdfDocument.new()
    width, height = source[0].get_size()
    xobject = source.page_as_xobject(0, target)
    placed = xobject.as_pageobject()
    placed.set_matrix(pdfium.PdfMatrix(0, 1, -1, 0, height, 0))  # (x, y) -> (height - y, x)
    page = target.new_page(height, width)
    page.insert_obj(placed)
    page.gen_content()
    page.set_rotation(90)
    target.save(path)
    source.close()
    return path
