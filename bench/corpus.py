"""A benchmark corpus made from the five seed reports in data/raw.

Text reports vary the seeds the way real ones differ: another department of the same
kind, another year, other amounts (every money figure scaled by one factor, so sums
still add up), and a numbered closing line so no two files share bytes. DOCX files are
built from the same text (tab-separated lines become Word tables) and converted to PDF
by LibreOffice when it is installed, in two kinds: `narrative` (paragraphs only) and
`tables` (mostly the seeds' tables), since PDF tables cost far more to read.
"""
from __future__ import annotations

import random
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import docx

RAW = Path(__file__).resolve().parent.parent / "data" / "raw"
# Department names per seed, and same-kind names to swap in (same city, another body).
DEPARTMENTS = {
    "石家庄市人民政府外事办公室": ["石家庄市财政局", "石家庄市教育局", "石家庄市商务局"],
    "石家庄市人民政府办公室": ["石家庄市发展和改革委员会", "石家庄市审计局"],
    "北京市丰台区人民政府外事办公室": ["北京市丰台区财政局", "北京市丰台区教育委员会", "北京市丰台区商务局"],
    "中共韶关市委外事工作委员会办公室": ["韶关市财政局", "韶关市教育局", "韶关市商务局"],
}
_MONEY = re.compile(r"(?<![\d.])(\d{1,6}\.\d{2})(?=\s*万元)")
_YEAR = re.compile(r"(20[12]\d)(?=\s*年)")


def seeds() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(RAW.glob("*.txt"))]


def vary(text: str, number: int) -> str:
    """Seed `text` as report `number`: another department, year and amounts, unique bytes."""
    rng = random.Random(number)
    for name, others in DEPARTMENTS.items():
        if name in text:
            text = text.replace(name, rng.choice([name, *others]))
    shift = rng.choice([-1, 0, 0, 1])
    text = _YEAR.sub(lambda m: str(int(m.group(1)) + shift), text)
    factor = Decimal(rng.randint(50, 200)) / 100
    text = _MONEY.sub(lambda m: f"{Decimal(m.group(1)) * factor:.2f}", text)
    return text + f"\n（报告编号：{number:06d}）\n"


def write_text_reports(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    texts = seeds()
    paths = []
    for number in range(count):
        path = folder / f"report-{number:06d}.txt"
        path.write_text(vary(texts[number % len(texts)], number), encoding="utf-8")
        paths.append(path)
    return paths


def narrative(text: str) -> str:
    """The seed's paragraphs without its tables."""
    return "\n".join(line for line in text.splitlines() if "\t" not in line)


def tables(text: str) -> str:
    """The seed's title and its tables (the heading line before each table kept)."""
    lines = text.splitlines()
    kept = [lines[0]] if lines else []
    for i, line in enumerate(lines):
        if "\t" in line:
            if i and "\t" not in lines[i - 1] and lines[i - 1].strip():
                kept.append(lines[i - 1])
            kept.append(line)
    return "\n".join(kept)


def write_docx(text: str, path: Path) -> None:
    """Paragraphs as paragraphs; each run of tab-separated lines as one bordered table."""
    document = docx.Document()
    block: list[list[str]] = []

    def flush() -> None:
        if block:
            width = max(len(row) for row in block)
            table = document.add_table(rows=len(block), cols=width)
            table.style = "Table Grid"
            for row, values in zip(table.rows, block):  # table.cell() rebuilds the grid on each call
                for cell, value in zip(row.cells, values):
                    cell.text = value
            block.clear()

    for line in text.splitlines():
        if "\t" in line:
            block.append(line.split("\t"))
            continue
        flush()
        if line.strip():
            document.add_paragraph(line.strip())
    flush()
    document.save(path)


def write_office_reports(folder: Path, count: int, convert: int) -> dict[str, list[Path]]:
    """`count` DOCX and `count` PDF files of each kind (narrative, tables).

    LibreOffice converts the first `convert` DOCX of each kind (it takes about a second a
    file); the other PDFs are copies of those with a distinct trailing comment, which
    changes the bytes and nothing a reader sees. Returns {"docx-narrative": [...],
    "docx-tables": [...], "pdf-narrative": [...], "pdf-tables": [...]}; the PDF lists are
    empty without LibreOffice.
    """
    texts = seeds()
    made: dict[str, list[Path]] = {}
    for kind, shape in (("narrative", narrative), ("tables", tables)):
        docx_dir = folder / f"docx-{kind}"
        docx_dir.mkdir(parents=True, exist_ok=True)
        sources = [t for t in texts if shape(t).count("\n") > 10]
        made[f"docx-{kind}"] = []
        for number in range(count):
            path = docx_dir / f"{kind}-{number:04d}.docx"
            write_docx(shape(vary(sources[number % len(sources)], number)), path)
            made[f"docx-{kind}"].append(path)
        pdf_dir = folder / f"pdf-{kind}"
        converted = to_pdf(made[f"docx-{kind}"][:convert], pdf_dir)
        for number in range(len(converted), count if converted else 0):
            original = converted[number % len(converted)]
            copy = pdf_dir / f"{kind}-{number:04d}.pdf"
            copy.write_bytes(original.read_bytes() + f"\n%jixiao bench copy {number}\n".encode())
        made[f"pdf-{kind}"] = sorted(pdf_dir.glob("*.pdf")) if converted else []
    return made


def to_pdf(sources: list[Path], folder: Path) -> list[Path]:
    """Convert with LibreOffice (one process for all files); [] when it is not installed."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or not sources:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    profile = folder / ".lo-profile"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(folder), *map(str, sources)],
                   check=True, capture_output=True, timeout=1800)
    shutil.rmtree(profile, ignore_errors=True)
    return sorted(folder.glob("*.pdf"))
