"""Keeping `documents.sources` current when only the names of unchanged bytes change.

A file copied, renamed or deleted beside an identical copy changes which paths hold a
document, not its rows; rewriting its one `documents` part file is enough, so no
extraction is repeated. The layout (`documents/part-<doc_id[:16]>.parquet`) and the
write (hidden temporary file, then rename) are store.py's.
"""
from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.outdir import write_atomic
from schemas.tables import TABLES


def set_sources(out_dir: Path, doc_id: str, sources: list[str]) -> bool:
    """Set the document's `sources` (and `source`, if that name is gone); False if it has no rows."""
    path = Path(out_dir) / "documents" / f"part-{doc_id[:16]}.parquet"
    if not path.exists():
        return False
    table = pq.read_table(path, schema=TABLES["documents"])
    source = table.column("source")[0].as_py()
    if source not in sources:
        source = sources[0]
    table = table.set_column(table.schema.get_field_index("source"), "source", pa.array([source], pa.string()))
    table = table.set_column(table.schema.get_field_index("sources"), "sources",
                             pa.array([sources], pa.list_(pa.string())))
    sink = pa.BufferOutputStream()
    pq.write_table(table.cast(TABLES["documents"]), sink)
    write_atomic(path, sink.getvalue().to_pybytes())
    return True
