"""Hostile and broken input: each file fails alone with a one-line reason, and the batch completes.

Which reader refuses a file (and with which words) is the readers' business; these tests
hold the ingest to its promise whatever the reason says, even "no reader".
"""
from __future__ import annotations

import os
import threading
import time
import zipfile
from pathlib import Path

import duckdb
import pytest

from ingest_helpers import RAW, by_path, ingest, tiny_pdf
from pipeline.sandbox import Limits, Sandbox
from pipeline.store import read_table

SEED = (RAW / "shijiazhuang-fao-2025-dept-self-eval.txt").read_text(encoding="utf-8")
SEED_DEPARTMENT = "石家庄市人民政府外事办公室"


def _zip_bomb(path: Path) -> None:
    """A DOCX-shaped zip whose document part inflates to 300 MB from about 300 kB."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            block = b" " * (1 << 20)
            for _ in range(300):
                member.write(block)


def _entity_bomb(path: Path) -> None:
    entities = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    document = (f'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">{entities}]>'
                '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                "<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", document)


# name -> how to make it; all of these must fail.
HOSTILE = {
    "empty.txt": lambda p: p.write_bytes(b""),
    "zero.pdf": lambda p: p.write_bytes(b""),
    "truncated.pdf": lambda p: p.write_bytes(tiny_pdf()[:300]),
    "corrupt.pdf": lambda p: p.write_bytes(b"%PDF-1.7\n" + os.urandom(4000)),
    "encrypted.pdf": lambda p: p.write_bytes(tiny_pdf(encrypted=True)),
    "not-a-zip.docx": lambda p: p.write_text("这不是一个 Word 文件", encoding="utf-8"),
    "zip-bomb.docx": _zip_bomb,
    "entity-bomb.docx": _entity_bomb,
    "text-named.pdf": lambda p: p.write_text("plain text that says it is a PDF", encoding="utf-8"),
    "garbage.txt": lambda p: p.write_bytes(os.urandom(6000)),
    "too-big.txt": lambda p: p.write_text(SEED * 100, encoding="utf-8"),
}
# name -> encoding; all of these must succeed and find the seed's department.
ENCODED = {"gbk.txt": "gbk", "gb18030.txt": "gb18030", "utf16.txt": "utf-16", "utf16be.txt": "utf-16-be"}
ODD_NAMES = ["with space.txt", "中文 名称.txt", "new\nline.txt", "-leading-dash.txt", "--force.txt",
             os.fsdecode(b"not-utf8-\xff.txt")]


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory) -> tuple[Path, int, dict]:
    root = tmp_path_factory.mktemp("hostile")
    out = root.parent / f"{root.name}-out"
    for name, make in HOSTILE.items():
        make(root / name)
    for name, encoding in ENCODED.items():
        (root / name).write_bytes((SEED + f"\n{name}\n").encode(encoding))
    for i, name in enumerate(ODD_NAMES):
        (root / name).write_text(SEED + f"\n第{i}份\n", encoding="utf-8")
    (root / "loop").mkdir()
    (root / "loop" / "parent").symlink_to("..")
    (root / "link-a").symlink_to("link-b")
    (root / "link-b").symlink_to("link-a")
    (root / "dangling").symlink_to("nowhere")
    os.mkfifo(root / "fifo.txt")
    (root / "pdf-named.txt").write_bytes(tiny_pdf())
    code, report = ingest(root, out, "--max-size", "0.5", "--workers", "2")
    return out, code, report


def test_every_hostile_file_fails_alone_with_a_one_line_reason(hostile_run) -> None:
    out, code, report = hostile_run
    assert code == 0
    files = by_path(report)
    failed = {path for path, entry in files.items() if entry["status"] == "failed"}
    expected = set(HOSTILE) | {"loop/parent", "link-a", "link-b", "dangling", "fifo.txt"}
    assert failed == expected
    for path in failed:
        reason = files[path]["reason"]
        assert reason and "\n" not in reason and len(reason) < 400, (path, reason)
    assert "--max-size" in files["too-big.txt"]["reason"]
    assert "--max-size" not in files["zip-bomb.docx"]["reason"]
    assert "not followed" in files["loop/parent"]["reason"]
    assert "loop" in files["link-a"]["reason"]
    assert "not a regular file" in files["fifo.txt"]["reason"]
    counts = report["counts"]
    assert counts["seen"] == len(expected) + len(ENCODED) + len(ODD_NAMES) + 1
    assert counts["failed"] == len(expected)


def test_chinese_encodings_and_odd_file_names_are_read(hostile_run) -> None:
    out, _, report = hostile_run
    files = by_path(report)
    odd = ["with space.txt", "中文 名称.txt", "new\nline.txt", "-leading-dash.txt", "--force.txt",
           "not-utf8-\\xff.txt"]
    for name in [*ENCODED, *odd]:
        assert files[name]["status"] in ("extracted", "partial"), (name, files[name])
    documents = [d for d in read_table(out, "documents").to_pylist() if d["format"] == "txt"]
    assert sorted(name for d in documents for name in d["sources"]) == sorted([*ENCODED, *odd])
    reports = read_table(out, "reports").to_pylist()
    text_ids = {d["doc_id"] for d in documents}
    assert {r["department"] for r in reports if r["doc_id"] in text_ids} == {SEED_DEPARTMENT}


def test_a_file_whose_bytes_contradict_its_name_is_read_as_what_it_is_with_a_warning(hostile_run) -> None:
    _, _, report = hostile_run
    entry = by_path(report)["pdf-named.txt"]
    assert entry["status"] == "partial"
    assert any("pdf" in warning for warning in entry["warnings"])


def test_the_dataset_reads_cleanly_and_stays_inside_its_folder(hostile_run) -> None:
    out, _, _ = hostile_run
    pattern = str(out / "**" / "*.parquet")
    rows = duckdb.sql(f"SELECT count(*) FROM read_parquet('{pattern}', union_by_name = true)").fetchall()[0][0]
    assert rows > 0
    assert not list(out.rglob("*.tmp"))


def test_department_names_cannot_escape_the_output_folder(tmp_path: Path) -> None:
    root, out = tmp_path / "in", tmp_path / "nest" / "out"
    root.mkdir()
    odd = ["石家庄市/../外事办公室", "石家庄市..外事办公室", "石家庄市\x00外事办公室", "石家庄市人民政府/外事办公室"]
    for i, name in enumerate(odd):
        (root / f"odd-{i}.txt").write_text(SEED.replace(SEED_DEPARTMENT, name), encoding="utf-8")
    code, report = ingest(root, out)
    assert code == 0 and report["counts"]["extracted"] == len(odd)
    assert sorted(set(read_table(out, "reports").column("department").to_pylist())) == sorted(odd)
    expected = {root, out.parent, out, out.parent / "out-report.json"}
    outside = [p for p in tmp_path.rglob("*") if p not in expected and root not in p.parents and out not in p.parents]
    assert outside == []
    for path in out.rglob("*"):
        assert path.resolve().is_relative_to(out.resolve())
        assert "\x00" not in str(path)


def test_a_file_over_the_time_limit_is_stopped_and_the_rest_goes_on(tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    (root / "slow.txt").write_text(SEED * 1200, encoding="utf-8")
    (root / "quick.txt").write_text(SEED, encoding="utf-8")
    started = time.monotonic()
    code, report = ingest(root, tmp_path / "out", "--timeout", "1", "--workers", "1")
    assert code == 0 and time.monotonic() - started < 30
    files = by_path(report)
    assert files["slow.txt"]["reason"] == "timed out after 1 s (--timeout)"
    assert files["quick.txt"]["status"] == "extracted"


def test_a_file_over_the_memory_limit_is_stopped_and_the_rest_goes_on(tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    (root / "huge.txt").write_text(SEED * 3000, encoding="utf-8")  # 23 MB of text
    (root / "quick.txt").write_text(SEED, encoding="utf-8")
    code, report = ingest(root, tmp_path / "out", "--max-memory", "400", "--workers", "1", "--timeout", "60")
    assert code == 0
    files = by_path(report)
    assert "out of memory" in files["huge.txt"]["reason"] or "worker process" in files["huge.txt"]["reason"]
    assert files["quick.txt"]["status"] == "extracted"


def test_a_worker_that_dies_is_replaced(tmp_path: Path) -> None:
    slow = tmp_path / "slow.txt"
    slow.write_text(SEED * 1200, encoding="utf-8")
    box = Sandbox(Limits(timeout=60))
    try:
        assert box.run(str(RAW / "shijiazhuang-fao-2025-dept-self-eval.txt")).ok
        first = box.pid
        killer = threading.Timer(0.3, os.kill, (first, 9))
        killer.start()
        outcome = box.run(str(slow))
        killer.join()
        assert not outcome.ok and outcome.reason.startswith("worker process killed by SIGKILL")
        assert box.run(str(RAW / "shijiazhuang-fao-2025-dept-self-eval.txt")).ok
        assert box.pid != first
    finally:
        box.close()
