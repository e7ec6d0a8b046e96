"""kill -9 in the middle of an ingest: the dataset still reads cleanly, and the next run completes it."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from ingest_helpers import ingest, rows_without_time, seed_variants
from pipeline.store import read_table
from schemas.tables import ROW_KEYS, TABLES

COUNT = 150


def test_a_killed_run_leaves_a_readable_dataset_and_the_next_run_completes_it(tmp_path: Path) -> None:
    root, out = tmp_path / "in", tmp_path / "out"
    seed_variants(root, COUNT)
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "ingest", str(root), "--out", str(out),
                             "--workers", "2", "--quiet"])
    deadline = time.monotonic() + 60
    while len(list((out / "documents").glob("part-*.parquet"))) < 20:  # the first batch is being stored
        assert proc.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    stored = len(list((out / "documents").glob("part-*.parquet")))
    assert stored < COUNT

    # What a reader sees right after the kill: whole files only.
    for path in out.rglob("*.parquet"):
        pq.read_metadata(path)
    pattern = str(out / "documents" / "**" / "*.parquet")
    assert duckdb.sql(f"SELECT count(DISTINCT doc_id) FROM read_parquet('{pattern}')").fetchall()[0][0] >= 1
    for table in TABLES:
        read_table(out, table)

    code, report = ingest(root, out)
    assert code == 0 and report["counts"]["failed"] == 0
    ids = read_table(out, "documents").column("doc_id").to_pylist()
    assert len(ids) == len(set(ids)) == COUNT
    for table, keys in ROW_KEYS.items():
        rows = read_table(out, table).select(list(keys)).to_pylist()
        assert len(rows) == len({tuple(r.values()) for r in rows}), table

    clean = tmp_path / "clean"
    assert ingest(root, clean)[0] == 0
    for table in TABLES:
        assert rows_without_time(out, table) == rows_without_time(clean, table), table
