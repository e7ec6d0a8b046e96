"""The ingest manifest: which file holds which document, and which extractor made its rows.

`out_dir/_manifest.json` maps each input folder (by absolute path) and each file in it
(by path relative to the folder) to its content hash, the doc_id; and each doc_id to the
extractor version that produced its rows and how that went. A file is up to date when
its bytes hash to a doc_id that this extractor version already processed, so unchanged
files cost one hash and no extraction, and a rule or vocabulary change (a new
`extractor_version`) re-extracts everything.

The file is replaced atomically and only when something changed: an unchanged re-run
leaves it, mtime included, as it was. Paths are stored exactly (non-UTF-8 names as
\\udcXX escapes, which round-trip through `os.fsencode`).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from pipeline.outdir import write_atomic

MANIFEST_NAME = "_manifest.json"
MANIFEST_VERSION = 1
# What decides an extraction's output besides the input bytes: the readers, the rules,
# the vocabularies and the record shapes. A change to any of these files re-extracts.
_SOURCE_PACKAGES = ("extractors", "schemas")
_SOURCE_FILES = ("pipeline/extract.py",)
_SOURCE_SUFFIXES = (".py", ".json", ".txt", ".csv")


class ManifestError(ValueError):
    """A manifest this version cannot read; the message says what to do."""


@dataclass(frozen=True)
class FileEntry:
    doc_id: str
    size: int


@dataclass(frozen=True)
class DocEntry:
    """How a document's last extraction went; `failed` documents have no rows.

    `sources` is what its `documents` row lists, so a change of names is noticed even
    after a run that died before it could update the row.
    """

    extractor_version: str
    status: str  # "extracted" | "partial" | "failed"
    reason: str | None = None
    warnings: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()


@dataclass
class Manifest:
    roots: dict[str, dict[str, FileEntry]] = field(default_factory=dict)
    documents: dict[str, DocEntry] = field(default_factory=dict)

    @classmethod
    def load(cls, out_dir: Path) -> Manifest:
        path = Path(out_dir) / MANIFEST_NAME
        if not path.exists():
            return cls()
        try:
            data = json.loads(path.read_text(encoding="ascii"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ManifestError(f"{path} is not readable ({exc}); move it away to re-extract everything") from None
        if data.get("manifest_version") != MANIFEST_VERSION:
            raise ManifestError(f"{path}: manifest_version {data.get('manifest_version')!r} is not "
                                f"{MANIFEST_VERSION}; move it away to re-extract everything")
        return cls(
            roots={root: {rel: FileEntry(**e) for rel, e in files.items()} for root, files in data["roots"].items()},
            documents={
                doc_id: DocEntry(e["extractor_version"], e["status"], e.get("reason"),
                                 tuple(e.get("warnings", ())), tuple(e.get("sources", ())))
                for doc_id, e in data["documents"].items()
            },
        )

    def save(self, out_dir: Path) -> None:
        data = {
            "manifest_version": MANIFEST_VERSION,
            "roots": {root: {rel: {"doc_id": e.doc_id, "size": e.size} for rel, e in files.items()}
                      for root, files in self.roots.items()},
            "documents": {doc_id: _doc_json(e) for doc_id, e in self.documents.items()},
        }
        # Compact: only then does json use its C encoder, 10x faster on a big manifest.
        text = json.dumps(data, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
        write_atomic(Path(out_dir) / MANIFEST_NAME, text.encode("ascii") + b"\n")

    def paths_by_doc(self) -> dict[str, list[tuple[str, str]]]:
        """doc_id -> every (root, relative path) that holds its bytes, sorted."""
        out: dict[str, list[tuple[str, str]]] = {}
        for root, files in sorted(self.roots.items()):
            for rel, entry in sorted(files.items()):
                out.setdefault(entry.doc_id, []).append((root, rel))
        return out


def _doc_json(entry: DocEntry) -> dict[str, object]:
    out: dict[str, object] = {"extractor_version": entry.extractor_version, "status": entry.status}
    if entry.reason:
        out["reason"] = entry.reason
    if entry.warnings:
        out["warnings"] = list(entry.warnings)
    if entry.sources:
        out["sources"] = list(entry.sources)
    return out


def extractor_version() -> str:
    """The package version plus a hash of every source file that shapes an extraction."""
    repo = Path(__file__).resolve().parent.parent
    files = [p for pkg in _SOURCE_PACKAGES for p in (repo / pkg).rglob("*") if p.suffix in _SOURCE_SUFFIXES]
    files += [repo / f for f in _SOURCE_FILES]
    digest = hashlib.sha256()
    for path in sorted(p for p in files if "__pycache__" not in p.parts):
        digest.update(path.relative_to(repo).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    try:
        version = metadata.version("jixiao")
    except metadata.PackageNotFoundError:
        version = "0"
    return f"{version}+{digest.hexdigest()[:12]}"
