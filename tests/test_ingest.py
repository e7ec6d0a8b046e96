"""Bulk ingest: incremental runs, replaced and renamed files, one writer, the run report."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.compute as pc
import pytest

from ingest_helpers import RAW, ingest, seed_variants, snapshot
from pipeline.cli import main
from pipeline.journal import JOURNAL_NAME
from pipeline.manifest import MANIFEST_NAME
from pipeline.outdir import OutputLock
from pipeline.runreport import RUNS_DIR
from pipeline.store import read_table
from schemas.tables import TABLES


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "in"
    shutil.copytree(RAW, root)
    return root


def doc_ids(out: Path, table: str = "documents") -> list[str]:
    return read_table(out, table).column("doc_id").to_pylist()


def test_first_run_extracts_and_an_unchanged_rerun_touches_nothing(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, report = ingest(corpus, out)
    assert code == 0
    assert report["counts"] == {"seen": 5, "extracted": 5, "partial": 0, "skipped": 0, "failed": 0, "removed": 0}
    assert sorted(doc_ids(out)) == sorted(e["doc_id"] for e in report["extracted"])
    assert read_table(out, "figures").num_rows > 0
    before = snapshot(out)

    code, report = ingest(corpus, out)
    assert code == 0
    assert report["counts"]["skipped"] == 5 and report["counts"]["extracted"] == 0
    assert report["peak_worker_rss_mb"] is None  # no worker was even started
    assert snapshot(out) == before  # not even the manifest's mtime changed
    assert len(list((out / RUNS_DIR).glob("*.json"))) == 0  # --report PATH was used instead


def test_a_changed_file_replaces_its_rows(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    ingest(corpus, out)
    target = corpus / "shijiazhuang-fao-2025-dept-self-eval.txt"
    old_id = next(d for d in read_table(out, "documents").to_pylist() if d["source"] == target.name)["doc_id"]
    target.write_text(target.read_text(encoding="utf-8") + "\n补充说明。\n", encoding="utf-8")

    code, report = ingest(corpus, out)
    assert code == 0
    assert report["counts"]["extracted"] == 1 and report["counts"]["skipped"] == 4
    new_id = report["extracted"][0]["doc_id"]
    for table in TABLES:
        ids = set(doc_ids(out, table))
        assert old_id not in ids
    assert new_id in doc_ids(out) and len(doc_ids(out)) == 5


def test_same_bytes_under_two_names_are_one_document_and_renames_cost_no_extraction(tmp_path: Path) -> None:
    root, out = tmp_path / "in", tmp_path / "out"
    (root / "sub").mkdir(parents=True)
    seed = RAW / "shijiazhuang-fao-2025-dept-self-eval.txt"
    shutil.copy(seed, root / "a.txt")
    shutil.copy(seed, root / "sub" / "copy.txt")

    code, report = ingest(root, out)
    assert code == 0
    assert [e["path"] for e in report["extracted"]] == ["a.txt", "sub/copy.txt"]
    [document] = read_table(out, "documents").to_pylist()
    assert document["sources"] == ["a.txt", "sub/copy.txt"]

    (root / "a.txt").rename(root / "z.txt")
    code, report = ingest(root, out)
    assert report["counts"]["extracted"] == 0 and report["removed"] == ["a.txt"]
    [document] = read_table(out, "documents").to_pylist()
    assert document["sources"] == ["sub/copy.txt", "z.txt"]
    assert document["source"] == "sub/copy.txt"

    (root / "z.txt").unlink()
    (root / "sub" / "copy.txt").unlink()
    code, report = ingest(root, out)
    assert report["removed"] == ["sub/copy.txt", "z.txt"]
    for table in TABLES:
        assert read_table(out, table).num_rows == 0


def test_force_and_a_new_extractor_version_extract_again(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    ingest(corpus, out)
    code, report = ingest(corpus, out, "--force")
    assert report["counts"]["extracted"] == 5

    manifest = json.loads((out / MANIFEST_NAME).read_text())
    for entry in manifest["documents"].values():
        entry["extractor_version"] = "0.0.1+older-rules"
    (out / MANIFEST_NAME).write_text(json.dumps(manifest))
    code, report = ingest(corpus, out)
    assert report["counts"]["extracted"] == 5
    assert set(read_table(out, "documents").column("extractor_version").to_pylist()) == {report["extractor_version"]}


def test_a_batch_cut_short_is_redone(corpus: Path, tmp_path: Path) -> None:
    """A journal left by a killed run: its documents are deleted and extracted again."""
    out = tmp_path / "out"
    ingest(corpus, out)
    victim = doc_ids(out)[0]
    (out / JOURNAL_NAME).write_text(json.dumps([victim]))

    code, report = ingest(corpus, out)
    assert report["recovered"] == [victim]
    assert [e["doc_id"] for e in report["extracted"]] == [victim]
    assert sorted(doc_ids(out)) == sorted(set(doc_ids(out))) and len(doc_ids(out)) == 5
    assert not (out / JOURNAL_NAME).exists()


def test_a_second_ingest_into_the_same_folder_is_refused(corpus: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with OutputLock(out):
        code, report = ingest(corpus, out)
    assert code == 3 and report == {}
    assert "another ingest is writing to" in capsys.readouterr().err
    assert ingest(corpus, out)[0] == 0  # the lock died with its holder


def test_usage_errors_exit_2(tmp_path: Path, capsys) -> None:
    assert main(["ingest", str(tmp_path / "missing"), "--out", str(tmp_path / "out")]) == 2
    assert main(["ingest", str(RAW), "--out", str(tmp_path / "out"), "--executor", "dask"]) == 2
    with pytest.raises(SystemExit) as exc:
        main(["ingest", str(RAW), "--workers", "0"])
    assert exc.value.code == 2
    assert "needs --scheduler" in capsys.readouterr().err


def test_summary_progress_and_default_report_location(tmp_path: Path, capsys) -> None:
    root = tmp_path / "in"
    seed_variants(root, 12)
    out = tmp_path / "out"
    assert main(["ingest", str(root), "--out", str(out), "--workers", "2", "--progress"]) == 0
    captured = capsys.readouterr()
    assert "extracted and stored 12/12 files" in captured.err and "ETA" in captured.err
    assert "extracted 12, partial 0, skipped (unchanged) 0, failed 0" in captured.out
    [report] = (out / RUNS_DIR).glob("*.json")
    assert json.loads(report.read_text())["counts"]["extracted"] == 12
    assert f"report: {report}" in captured.out
    documents = read_table(out, "documents", filter=pc.field("source") == "report-0003.txt")
    assert documents.num_rows == 1


def test_failures_are_reported_every_run_and_retried_on_request(tmp_path: Path) -> None:
    root, out = tmp_path / "in", tmp_path / "out"
    root.mkdir()
    (root / "empty.txt").write_bytes(b"")
    shutil.copy(RAW / "shijiazhuang-fao-2025-dept-self-eval.txt", root / "ok.txt")
    ingest(root, out)

    code, report = ingest(root, out)
    [failure] = report["failed"]
    assert failure["path"] == "empty.txt" and failure["earlier"] and failure["reason"] == "empty file (0 bytes)"
    assert report["counts"]["skipped"] == 1

    code, report = ingest(root, out, "--retry-failed")
    [failure] = report["failed"]
    assert "earlier" not in failure and report["counts"]["skipped"] == 1


def test_a_file_that_cannot_be_read_now_keeps_its_earlier_rows(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    ingest(corpus, out)
    code, report = ingest(corpus, out, "--max-size", "0.015")  # 15 kB: the three larger seeds are over
    failed = {e["path"]: e["reason"] for e in report["failed"]}
    assert len(failed) == 3 and report["removed"] == []
    assert all(reason.endswith("the rows from an earlier run are kept") for reason in failed.values())
    assert len(doc_ids(out)) == 5
