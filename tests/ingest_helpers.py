"""Shared by the ingest tests: running the command, reading its report, making input files."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pipeline.cli import main
from pipeline.runreport import RUNS_DIR
from pipeline.store import read_table

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"


def ingest(root: Path, out: Path, *args: str) -> tuple[int, dict[str, Any]]:
    """Run `jixiao ingest` in this process; (exit status, the run report as JSON)."""
    report = out.parent / f"{out.name}-report.json"
    report.unlink(missing_ok=True)
    code = main(["ingest", str(root), "--out", str(out), "--quiet", "--report", str(report), *args])
    return code, json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}


def rows_without_time(out: Path, table: str) -> list[dict[str, Any]]:
    """A table's rows in key order, without `extracted_at`, which differs from run to run."""
    rows = read_table(out, table).to_pylist()
    for row in rows:
        row.pop("extracted_at", None)
    return rows


def by_path(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """path -> {status, reason, ...} for every listed (not skipped) file of a run report."""
    return {entry["path"]: {**entry, "status": status}
            for status in ("extracted", "partial", "failed") for entry in report[status]}


def seed_variants(folder: Path, count: int) -> list[Path]:
    """`count` distinct text reports: the seeds in turn, each made unique by a trailing line."""
    folder.mkdir(parents=True, exist_ok=True)
    seeds = [p.read_text(encoding="utf-8") for p in sorted(RAW.glob("*.txt"))]
    paths = []
    for i in range(count):
        path = folder / f"report-{i:04d}.txt"
        path.write_text(seeds[i % len(seeds)] + f"\n（本文件编号：{i}）\n", encoding="utf-8")
        paths.append(path)
    return paths


def snapshot(out: Path) -> dict[str, tuple[int, int, int]]:
    """Every file under `out` but the run reports: path -> (inode, size, mtime_ns)."""
    found = {}
    for dirpath, _dirs, files in os.walk(out):
        for name in files:
            path = Path(dirpath, name)
            if RUNS_DIR not in path.relative_to(out).parts:
                info = path.stat()
                found[str(path.relative_to(out))] = (info.st_ino, info.st_size, info.st_mtime_ns)
    return found


def tiny_pdf(text: str = "Hello", encrypted: bool = False) -> bytes:
    """A valid one-page PDF; `encrypted` adds a standard security handler whose password is not empty."""
    content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    if encrypted:
        objects.append(b"<< /Filter /Standard /V 1 /R 2 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32 + b"> /P -4 >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    trailer = b"/Size %d /Root 1 0 R" % (len(objects) + 1)
    if encrypted:
        trailer += b" /Encrypt 6 0 R /ID [<" + b"ab" * 16 + b"> <" + b"ab" * 16 + b">]"
    out += b"trailer\n<< " + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)
