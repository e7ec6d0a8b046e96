"""Writes extractions as Hive-partitioned Parquet and reads them back.

Layout under `out_dir`:

    documents/part-<doc_id[:16]>.parquet
    <table>/department=<encoded>/fiscal_year=<year>/part-<doc_id[:16]>.parquet

Files are named by document, so re-ingesting a document replaces exactly its rows: its
new part files are written, then its old ones in other partitions (its department or
year changed) are removed. Each file is written under a hidden temporary name in its
final directory and renamed into place, so readers never see half a file; the files of
a batch are flushed to disk together. One writer at a time is assumed.

Storing is two steps so that the costly one runs in parallel: `encode_document` turns
an extraction into Parquet bytes (in an ingest worker), `PartFiles.put` puts them in
place (in the one writer).

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
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.outdir import is_temporary_name, sync_filesystem, temporary_name, write_atomic, write_new
from schemas.records import SCHEMA_VERSION
from schemas.tables import PARTITIONED, RECORD_FIELDS, ROW_KEYS, TABLES

if TYPE_CHECKING:
    import pyarrow.compute as pc

HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"
# Bytes of an encoded partition value; with "department=" this stays well under the
# 255-byte limit most filesystems put on one path segment.
MAX_VALUE_BYTES = 180
# Hive's escape set plus NUL and the characters Windows forbids in names.
_UNSAFE = frozenset('\x00"#%\'*/:=?\\{[]^<>|')
_DOC_ID = re.compile(r"[0-9a-f]{64}")
# A part file, or a hidden temporary file it is written as (outdir.temporary_name).
_PART_NAME = re.compile(r"(?P<temporary>\.)?part-(?P<key>[0-9a-f]{16})\.parquet(?(temporary)\..+\.tmp)")
# A part file's path relative to out_dir; encode_partition_value leaves no "/" or NUL.
_PART_PATH = re.compile(r"(?P<table>[a-z_]+)/(?P<partition>department=[^/\x00]+/fiscal_year=[^/\x00]+/)?"
                        r"part-(?P<key>[0-9a-f]{16})\.parquet")
# Contract keys that a record may leave out (records.py omits a null label).
_OPTIONAL_KEYS = frozenset({"label"})
# Report lists added after the contract's first version; older JSON goes without them.
_OPTIONAL_LISTS = frozenset({"notes"})


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


@dataclass(frozen=True)
class DocumentParts:
    """One document's rows, already encoded as the Parquet files it will occupy.

    Encoding (rows to Arrow to Parquet) and creating files are most of the cost of
    storing; ingest workers do both in parallel (`encode_document`, `stage`) and the one
    writer only renames the staged files into place (`PartFiles.put`). A worker on
    another machine (Dask) cannot stage: its bytes travel in `files`.
    """

    doc_id: str
    files: dict[str, bytes]  # path relative to out_dir, "/"-separated -> Parquet bytes
    rows: dict[str, int]  # table -> rows in these files
    staged: dict[str, str] = field(default_factory=dict)  # path -> hidden file beside it holding its bytes


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
    part_files = PartFiles(out_dir)
    for doc_id, group in by_doc.items():
        sources = list(dict.fromkeys(e["source"] for e in group))
        try:
            parts = encode_document(group[0], sources, extracted_at=extracted_at,
                                    extractor_version=extractor_version)
        except InvalidExtraction as exc:
            result.failed[doc_id] = str(exc)
            continue
        written, removed = part_files.put(parts, durable=False)
        result.documents.append(doc_id)
        result.written.extend(written)
        result.removed.extend(removed)
        for table, count in parts.rows.items():
            result.rows[table] += count
    if result.documents:
        sync_filesystem(Path(out_dir))
    return result


def encode_document(
    extraction: dict[str, Any],
    sources: list[str],
    *,
    extracted_at: datetime,
    extractor_version: str | None,
) -> DocumentParts:
    """The document's part files, `sources` being every name its bytes go by.

    Raises InvalidExtraction, naming the value, when the extraction does not fit the
    contract or the table types.
    """
    doc_id = extraction.get("doc_id")
    if not isinstance(doc_id, str) or not _DOC_ID.fullmatch(doc_id):
        raise InvalidExtraction(f"doc_id must be a sha256 hex digest, got {doc_id!r}")
    try:
        tables = _document_tables(extraction, sources, extracted_at, extractor_version)
    except InvalidExtraction:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError) as exc:
        raise InvalidExtraction(f"{type(exc).__name__}: {exc}") from exc
    rows = dict.fromkeys(TABLES, 0)
    files = {}
    for relative, table in tables.items():
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink)
        files[relative] = sink.getvalue().to_pybytes()
        rows[relative.split("/", 1)[0]] += table.num_rows
    return DocumentParts(doc_id, files, rows)


def stage(parts: DocumentParts, out_dir: Path) -> DocumentParts:
    """Write the parts' files beside their places under hidden temporary names, for the
    writer to rename (`PartFiles.put`): creating a file costs this file system about
    60 µs of CPU, renaming one 17, and the writer is the part of ingest that does not
    run in parallel. Not flushed: the writer syncs each batch once."""
    staged: dict[str, str] = {}
    try:
        for relative, data in parts.files.items():
            target = Path(out_dir) / _checked_part_path(relative, parts.doc_id)
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = temporary_name(target)
            write_new(temporary, data)
            staged[relative] = temporary.name
    except BaseException:
        discard(DocumentParts(parts.doc_id, {}, parts.rows, staged), out_dir)
        raise
    return DocumentParts(parts.doc_id, {}, parts.rows, staged)


def discard(parts: DocumentParts, out_dir: Path) -> None:
    """Remove the files staged for `parts` that will not be put in place."""
    for relative, name in parts.staged.items():
        target = Path(out_dir) / _checked_part_path(relative, parts.doc_id)
        _checked_staged_path(target, name).unlink(missing_ok=True)


class PartFiles:
    """Every document's part files under `out_dir`, listed once and kept current as
    this writer changes them.

    Listing the dataset once per run, rather than looking into every partition folder
    for every document stored, keeps the cost of storing flat as the dataset grows.
    One writer at a time is assumed (ingest holds the output lock).
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = Path(out_dir)
        self._by_doc: dict[str, set[Path]] | None = None

    def load(self) -> None:
        """List the dataset afresh and remove the temporary files a killed run left: a
        run that stages files calls this before its workers stage any."""
        self._by_doc = self._scan(remove_temporaries=True)

    def put(self, parts: DocumentParts, *, durable: bool = True) -> tuple[list[Path], list[Path]]:
        """Put the document's files in place (rename the staged ones, write the others),
        then remove its files that were not replaced (its department or year changed).
        Returns (written, removed).

        `durable=False` leaves flushing to the caller (`sync_filesystem` once per batch):
        a crash before that is undone by the ingest journal.
        """
        index = self._index()
        written = []
        for relative, data in parts.files.items():
            target = self.out_dir / _checked_part_path(relative, parts.doc_id)
            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(target, data, sync=durable, sync_dir=False)
            written.append(target)
        for relative, name in parts.staged.items():
            target = self.out_dir / _checked_part_path(relative, parts.doc_id)
            os.replace(_checked_staged_path(target, name), target)
            written.append(target)
        removed = sorted(index.get(parts.doc_id[:16], set()) - set(written))
        self._remove(removed)
        index[parts.doc_id[:16]] = set(written)
        return written, removed

    def delete(self, doc_id: str) -> list[Path]:
        """Remove every file of `doc_id`; returns them."""
        if not _DOC_ID.fullmatch(doc_id):
            raise ValueError(f"doc_id must be a sha256 hex digest, got {doc_id!r}")
        removed = sorted(self._index().pop(doc_id[:16], set()))
        self._remove(removed)
        return removed

    def _remove(self, paths: list[Path]) -> None:
        for path in paths:
            path.unlink(missing_ok=True)
            _prune_empty(path.parent, self.out_dir / path.relative_to(self.out_dir).parts[0])

    def _index(self) -> dict[str, set[Path]]:
        if self._by_doc is None:
            self._by_doc = self._scan(remove_temporaries=False)
        return self._by_doc

    def _scan(self, remove_temporaries: bool) -> dict[str, set[Path]]:
        by_doc: dict[str, set[Path]] = defaultdict(set)
        for table in TABLES:
            for directory in _partition_dirs(self.out_dir / table):
                for entry in os.scandir(directory):
                    match = _PART_NAME.fullmatch(entry.name)
                    if match is None or not entry.is_file(follow_symlinks=False):
                        continue
                    if not match["temporary"]:
                        by_doc[match["key"]].add(directory / entry.name)
                    elif remove_temporaries:
                        os.unlink(entry.path)
        return by_doc


def read_table(out_dir: Path, name: str, filter: pc.Expression | None = None) -> pa.Table:
    """One table across all partitions, typed by its explicit schema, in key order.

    Directories prune by `fiscal_year` only; `department` comes from the files, whose
    value is exact even where the directory name was cut. A table with no files reads
    as an empty table of the right schema.
    """
    import pyarrow.dataset as ds  # here, not at the top: workers never read, and it costs them 0.15 s to start

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


def _document_tables(
    extraction: dict[str, Any], sources: list[str], extracted_at: datetime, extractor_version: str | None
) -> dict[str, pa.Table]:
    """Every part file of one document, as "/"-separated paths relative to out_dir -> table."""
    if extraction["schema_version"] != SCHEMA_VERSION:
        raise InvalidExtraction(f"schema_version {extraction['schema_version']!r} is not {SCHEMA_VERSION}")
    doc_id = extraction["doc_id"]
    part = f"part-{doc_id[:16]}.parquet"
    reports = extraction["reports"]
    document = {
        "doc_id": doc_id,
        "source": sources[0],
        "sources": sources,
        "format": extraction["format"],
        "pages": extraction["pages"],
        "schema_version": extraction["schema_version"],
        "report_count": len(reports),
        "warnings": list(extraction.get("warnings", [])),
        "extracted_at": extracted_at,
        "extractor_version": extractor_version,
    }
    files = {f"documents/{part}": _to_table("documents", [document])}
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
        directory = (f"{table}/department={encode_partition_value(department)}"
                     f"/fiscal_year={HIVE_NULL if year is None else year}")
        files[f"{directory}/{part}"] = _to_table(table, rows)
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
        records = report.get(table, []) if table in _OPTIONAL_LISTS else report[table]
        for index, record in enumerate(records):
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


def _checked_staged_path(target: Path, name: str) -> Path:
    """The staged file `name` beside `target`, if it is named as `stage` names it."""
    if not is_temporary_name(name, target):
        raise ValueError(f"{name!r} is not a staged file of {target.name}")
    return target.with_name(name)


def _checked_part_path(relative: str, doc_id: str) -> str:
    """`relative` if it is one of `doc_id`'s part files as `encode_document` names them.

    A lexical check, so no part can land outside out_dir whoever encoded it (a Dask
    worker runs elsewhere), without resolving every path on disk.
    """
    match = _PART_PATH.fullmatch(relative)
    if (match is None or match["key"] != doc_id[:16] or match["table"] not in TABLES
            or (match["partition"] is not None) != (match["table"] in PARTITIONED)):
        raise ValueError(f"{relative!r} is not a part file of document {doc_id}")
    return relative


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
