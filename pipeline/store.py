"""Writes extractions as Hive-partitioned Parquet and reads them back.

Layout under `out_dir`:

    documents/part-<doc_id[:16]>.parquet
    <table>/department=<encoded>/fiscal_year=<year>/part-<doc_id[:16]>.parquet

Files are named by document, so re-ingesting a document replaces exactly its rows:
its old part files are removed from every partition (its department or year may have
changed) before the new ones are written. Each file is written under a hidden temporary
name in its final directory, synced and renamed into place, so readers never see half a
file. One writer at a time is assumed.

Directory values are percent-encoded only where a character is unsafe in a path or
special to Hive, so normal Chinese names stay readable and hive-aware readers
(pyarrow, DuckDB) decode them back to the exact name. A name too long for one path
segment is cut and suffixed with a hash; the `department` column in the file always
holds the exact name, and `read_table` takes it from there.
"""
from __future__ import annotations

import hashlib
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation
from importlib import metadata
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from pipeline.outdir import write_atomic
from schemas.records import SCHEMA_VERSION
from schemas.tables import PARTITIONED, RECORD_FIELDS, ROW_KEYS, TABLES

HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"
# Bytes of an encoded partition value; with "department=" this stays well under the
# 255-byte limit most filesystems put on one path segment.
MAX_VALUE_BYTES = 180
# Hive's escape set plus NUL and the characters Windows forbids in names.
_UNSAFE = frozenset('\x00"#%\'*/:=?\\{[]^<>|')
_DOC_ID = re.compile(r"[0-9a-f]{64}")
# Contract keys that a record may leave out (records.py omits a null label).
_OPTIONAL_KEYS = frozenset({"label"})


class InvalidExtraction(ValueError):
    """An extraction that does not fit the contract or the table types."""


@dataclass
class StoreResult:
    """What one `write_extractions` call did.

    `failed` maps a document (its doc_id, else its source) to why it was not stored;
    such a document's previous rows are left untouched.
    """

    documents: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))
    failed: dict[str, str] = field(default_factory=dict)


def encode_partition_value(value: str | None) -> str:
    """A path-safe, readable Hive directory value that decodes back to `value`.

    Unsafe characters become %XX (UTF-8), so no value can add a path separator or a
    NUL; `..` stays literal but harmless, since the segment always starts with `key=`.
    Null and "" become Hive's default partition.
    """
    if not value:
        return HIVE_NULL
    encoded = [_encode_char(ch) for ch in value]
    if sum(len(e.encode()) for e in encoded) <= MAX_VALUE_BYTES:
        return "".join(encoded)
    suffix = "~" + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    kept, size = [], len(suffix)
    for e in encoded:
        size += len(e.encode())
        if size > MAX_VALUE_BYTES:
            break
        kept.append(e)
    return "".join(kept) + suffix


def _encode_char(ch: str) -> str:
    if ch in _UNSAFE or not ch.isprintable():
        return "".join(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass"))
    return ch


def write_extractions(
    extractions: list[dict[str, Any]],
    out_dir: Path,
    *,
    extracted_at: datetime | None = None,
    extractor_version: str | None = None,
) -> StoreResult:
    """Store each extraction's rows, replacing any earlier rows of the same doc_id.

    Extractions sharing a doc_id (identical bytes under several paths) are stored once,
    with every path in `documents.sources`. A document that does not fit the tables is
    reported in `failed` and nothing of it is written; file-system errors propagate.
    """
    out_dir = Path(out_dir)
    extracted_at = extracted_at or datetime.now(timezone.utc)
    if extractor_version is None:
        extractor_version = _installed_version()
    result = StoreResult()
    by_doc: dict[str, list[dict[str, Any]]] = {}
    for i, extraction in enumerate(extractions):
        doc_id = extraction.get("doc_id")
        if not isinstance(doc_id, str) or not _DOC_ID.fullmatch(doc_id):
            name = str(doc_id or extraction.get("source") or f"#{i}")
            result.failed[name] = f"doc_id must be a sha256 hex digest, got {doc_id!r}"
            continue
        by_doc.setdefault(doc_id, []).append(extraction)
    for doc_id, group in by_doc.items():
        try:
            files = _document_files(group, extracted_at, extractor_version)
        except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError) as exc:
            result.failed[doc_id] = f"{type(exc).__name__}: {exc}"
            continue
        removed = delete_document(out_dir, doc_id)
        written = [_write_atomic(out_dir, rel, table) for rel, table in files.items()]
        result.documents.append(doc_id)
        result.written.extend(written)
        result.removed.extend(p for p in removed if p not in written)
        for rel, table in files.items():
            result.rows[rel.parts[0]] += table.num_rows
    return result


def read_table(out_dir: Path, name: str, filter: pc.Expression | None = None) -> pa.Table:
    """One table across all partitions, typed by its explicit schema, in key order.

    Directories prune by `fiscal_year` only; `department` comes from the files, whose
    value is exact even where the directory name was cut. A table with no files reads
    as an empty table of the right schema.
    """
    schema = TABLES[name]
    root = Path(out_dir) / name
    if not root.is_dir():
        return schema.empty_table()
    partitioning = None
    if name in PARTITIONED:
        partitioning = ds.partitioning(pa.schema([schema.field("fiscal_year")]), flavor="hive")
    dataset = ds.dataset(root, schema=schema, format="parquet", partitioning=partitioning)
    table = dataset.to_table(filter=filter)
    return table.sort_by([(key, "ascending") for key in ROW_KEYS[name]])


def delete_document(out_dir: Path, doc_id: str) -> list[Path]:
    """Remove every part file of `doc_id`; returns them.

    Part files are named by document, so only partition folders are listed, never the
    files in them: the cost grows with the number of departments and years, not with
    the number of documents. A hidden temporary file left beside a part file by a
    crash is removed with it. Partition directories left empty are removed too.
    """
    if not _DOC_ID.fullmatch(doc_id):
        raise ValueError(f"doc_id must be a sha256 hex digest, got {doc_id!r}")
    name = f"part-{doc_id[:16]}.parquet"
    removed: list[Path] = []
    for table in TABLES:
        root = Path(out_dir) / table
        for directory in _partition_dirs(root):
            path = directory / name
            if not path.exists():
                continue
            path.unlink()
            removed.append(path)
            for leftover in directory.glob(f".{name}.*.tmp"):
                leftover.unlink(missing_ok=True)
                removed.append(leftover)
            _prune_empty(directory, root)
    return removed


def _partition_dirs(root: Path) -> list[Path]:
    """The table folder and its department=/fiscal_year= folders."""
    if not root.is_dir():
        return []
    out = [root]
    for department in os.scandir(root):
        if department.is_dir() and department.name.startswith("department="):
            out.extend(Path(year.path) for year in os.scandir(department.path)
                       if year.is_dir() and year.name.startswith("fiscal_year="))
    return out


def _document_files(
    group: list[dict[str, Any]], extracted_at: datetime, extractor_version: str | None
) -> dict[Path, pa.Table]:
    """Every part file of one document, as paths relative to out_dir -> table."""
    extraction = group[0]
    if extraction["schema_version"] != SCHEMA_VERSION:
        raise InvalidExtraction(f"schema_version {extraction['schema_version']!r} is not {SCHEMA_VERSION}")
    doc_id = extraction["doc_id"]
    part = f"part-{doc_id[:16]}.parquet"
    reports = extraction["reports"]
    sources = list(dict.fromkeys(e["source"] for e in group))
    document = {
        "doc_id": doc_id,
        "source": extraction["source"],
        "sources": sources,
        "format": extraction["format"],
        "pages": extraction["pages"],
        "schema_version": extraction["schema_version"],
        "report_count": len(reports),
        "warnings": list(extraction.get("warnings", [])),
        "extracted_at": extracted_at,
        "extractor_version": extractor_version,
    }
    files = {Path("documents", part): _to_table("documents", [document])}
    groups: dict[tuple[str, Any, Any], list[dict[str, Any]]] = defaultdict(list)
    for position, report in enumerate(reports):
        try:
            rows = _report_rows(doc_id, report)
        except KeyError as exc:
            raise InvalidExtraction(f"reports[{position}]: missing key {exc}") from exc
        except (TypeError, ValueError, AttributeError) as exc:
            raise InvalidExtraction(f"reports[{position}]: {exc}") from exc
        for table, row in rows:
            groups[(table, row["department"], row["fiscal_year"])].append(row)
    for (table, department, year), rows in groups.items():
        directory = Path(
            table,
            f"department={encode_partition_value(department)}",
            f"fiscal_year={HIVE_NULL if year is None else year}",
        )
        files[directory / part] = _to_table(table, rows)
    return files


def _report_rows(doc_id: str, report: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(table, row) for the report itself and each of its records."""
    department, year = report["department"], report["fiscal_year"]
    if department is not None and not isinstance(department, str):
        raise InvalidExtraction(f"department must be a string, got {department!r}")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        raise InvalidExtraction(f"fiscal_year must be an integer, got {year!r}")
    key = {
        "doc_id": doc_id,
        "report_index": report["report_index"],
        "department": department,
        "fiscal_year": year,
    }
    region = report["region"]
    rows = [
        (
            "reports",
            {
                **key,
                "attachment": report["attachment"],
                "report_type": report["report_type"],
                "province": region["province"],
                "city": region["city"],
                "county": region["county"],
                "adcode": region["adcode"],
                "report_date": _iso_date(report["report_date"]),
                **_evidence_columns(report["evidence"]),
            },
        )
    ]
    for table, fields in RECORD_FIELDS.items():
        for index, record in enumerate(report[table]):
            row = {**key, "record_index": index}
            try:
                for f in fields:
                    row[f.name] = record.get(f.name) if f.name in _OPTIONAL_KEYS else record[f.name]
                if table == "checks":
                    row["evidence"] = [dict(e) for e in record["evidence"]]
                else:
                    row.update(_evidence_columns(record["evidence"]))
            except KeyError as exc:
                raise InvalidExtraction(f"{table}[{index}]: missing key {exc}") from exc
            rows.append((table, row))
    return rows


def _iso_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text is not None else None
    except ValueError as exc:
        raise InvalidExtraction(f"report_date {text!r}: {exc}") from exc


def _evidence_columns(evidence: dict[str, Any]) -> dict[str, Any]:
    return {
        "evidence_page": evidence["page"],
        "evidence_start": evidence["start"],
        "evidence_end": evidence["end"],
        "evidence_text": evidence["text"],
    }


def _to_table(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    """Rows -> a table of the explicit schema; decimals are converted exactly or refused."""
    schema = TABLES[name]
    decimals = [f for f in schema if pa.types.is_decimal(f.type)]
    for row in rows:
        for f in decimals:
            try:
                row[f.name] = _exact_decimal(row[f.name], f.type)
            except (TypeError, ValueError, ArithmeticError) as exc:
                where = ", ".join(f"{k}={row[k]}" for k in ROW_KEYS[name][1:])
                raise InvalidExtraction(f"{name} ({where}) {f.name}={row[f.name]!r}: {exc}") from exc
    try:
        return pa.Table.from_pylist(rows, schema=schema)
    except (pa.ArrowException, OverflowError) as exc:
        raise InvalidExtraction(f"{name}: {exc}") from exc


def _exact_decimal(value: Any, type_: pa.Decimal128Type) -> Decimal | None:
    """A decimal string or JSON number as a Decimal at the column's scale, never rounded."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise TypeError(f"not a number: {type(value).__name__}")
    # repr gives a float's shortest round-trip digits: 98.5, not 98.5000000000000071.
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        raise ValueError("not a decimal number") from None
    if not number.is_finite():
        raise ValueError("not a finite number")
    whole_digits = type_.precision - type_.scale
    if number.adjusted() >= whole_digits:
        raise ValueError(f"more than {whole_digits} integer digits")
    scaled = number.quantize(Decimal(1).scaleb(-type_.scale))
    if scaled != number:
        raise ValueError(f"more than {type_.scale} decimal places")
    return scaled


def _write_atomic(out_dir: Path, relative: Path, table: pa.Table) -> Path:
    """Write to a hidden temporary file beside the target, sync, then rename over it."""
    root = out_dir.resolve()
    target = root / relative
    if not target.resolve().is_relative_to(root):
        raise ValueError(f"{relative} would leave {root}")
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, lambda handle: pq.write_table(table, handle), sync_dir=False)
    return out_dir / relative


def _prune_empty(directory: Path, stop: Path) -> None:
    """Remove `directory` and its parents up to (not including) `stop` while empty."""
    while directory != stop and directory.is_dir() and not any(directory.iterdir()):
        directory.rmdir()
        directory = directory.parent


def _installed_version() -> str | None:
    try:
        return metadata.version("jixiao")
    except metadata.PackageNotFoundError:
        return None
