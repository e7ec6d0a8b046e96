"""`--executor dask`: the same per-file work on a Dask cluster gives the same tables as a local run."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ingest_helpers import RAW, by_path, ingest, rows_without_time
from pipeline import executors
from schemas.tables import TABLES

distributed = pytest.importorskip("distributed")


def test_a_dask_run_writes_the_same_tables_as_a_local_run(tmp_path: Path) -> None:
    root = tmp_path / "in"
    shutil.copytree(RAW, root)
    (root / "empty.txt").write_bytes(b"")
    shutil.copy(RAW / "shaoguan-fao-2022-dept-self-eval.txt", root / "copy.txt")

    code, local = ingest(root, tmp_path / "local", "--workers", "2")
    assert code == 0
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:
        code, remote = ingest(root, tmp_path / "dask", "--executor", "dask", "--scheduler", cluster.scheduler_address)
    assert code == 0
    assert remote["executor"] == "dask"
    assert remote["counts"] == local["counts"] == {
        "seen": 7, "extracted": 6, "partial": 0, "skipped": 0, "failed": 1, "removed": 0}
    assert by_path(remote)["empty.txt"]["reason"] == by_path(local)["empty.txt"]["reason"]
    for table in TABLES:
        assert rows_without_time(tmp_path / "dask", table) == rows_without_time(tmp_path / "local", table), table


def test_an_unreachable_scheduler_is_a_usage_error(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setattr(executors, "CONNECT_SECONDS", 1.0)
    code, _ = ingest(RAW, tmp_path / "out", "--executor", "dask", "--scheduler", "tcp://127.0.0.1:9")
    assert code == 2
    assert "cannot reach the Dask scheduler" in capsys.readouterr().err
