"""The write-ahead list of documents whose rows a batch is about to change.

Before a batch touches the Parquet files, `out_dir/_journal.json` names every doc_id it
will write or delete; after the manifest records the batch, the journal is removed. A
journal found at the start of a run means the last run died in between: those
documents may have some files old, some new, some missing. `recover` deletes their rows
and forgets them in the manifest, so this run extracts them again from scratch.
"""
from __future__ import annotations

import json
from pathlib import Path

from pipeline.manifest import Manifest
from pipeline.outdir import fsync_dir, write_atomic
from pipeline.store import PartFiles

JOURNAL_NAME = "_journal.json"


def begin(out_dir: Path, doc_ids: list[str]) -> None:
    write_atomic(Path(out_dir) / JOURNAL_NAME, json.dumps(sorted(set(doc_ids))).encode("ascii") + b"\n")


def end(out_dir: Path) -> None:
    (Path(out_dir) / JOURNAL_NAME).unlink(missing_ok=True)
    fsync_dir(Path(out_dir))


def recover(out_dir: Path, manifest: Manifest, part_files: PartFiles) -> list[str]:
    """Undo an interrupted batch; returns the doc_ids that will be extracted again."""
    path = Path(out_dir) / JOURNAL_NAME
    if not path.exists():
        return []
    doc_ids = json.loads(path.read_text(encoding="ascii"))
    for doc_id in doc_ids:
        part_files.delete(doc_id)
        manifest.documents.pop(doc_id, None)
    manifest.save(out_dir)
    end(out_dir)
    return doc_ids
