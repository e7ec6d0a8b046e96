"""Safety checks for Office Open XML packages (DOCX, XLSX) before any parser sees them.

A hostile file can pose as a document: a zip whose members inflate to gigabytes, or an
XML part with a DTD that declares nested entities ("billion laughs"). Both are refused
from the zip directory and the first bytes of each part, without inflating anything
big, so the batch gets a one-line ReadError instead of running out of memory.
"""
from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

from extractors.readers.base import ReadError

MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_MEMBERS = 10_000
MAX_RATIO = 200            # a member inflating more than this many times its packed size
_RATIO_FLOOR = 1024 * 1024  # small members may compress very well; only big ones are judged
_PROLOG_BYTES = 4096        # a DOCTYPE can only stand before the root element


def _prolog(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    with archive.open(info) as handle:
        head = handle.read(_PROLOG_BYTES)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", "ignore").encode("ascii", "ignore")
    return head


def check_package(path: Path, kind: str, required: str) -> None:
    """Raise ReadError unless `path` is a sane zip holding `required` and no XML DTDs.

    `kind` names the format in messages ("DOCX"); `required` is a member every valid
    file has ("word/document.xml").
    """
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ReadError(f"not a valid {kind} (not a zip archive)") from None
    except OSError as exc:
        raise ReadError(f"not a valid {kind} ({exc.strerror or exc})") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise ReadError(f"refused {kind}: {len(members)} zip members (possible zip bomb)")
        total = sum(m.file_size for m in members)
        if total > MAX_UNCOMPRESSED_BYTES:
            raise ReadError(f"refused {kind}: members inflate to {total // (1024 * 1024)} MB, "
                            f"over the {MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB cap (possible zip bomb)")
        for m in members:
            if m.file_size > _RATIO_FLOOR and m.file_size > MAX_RATIO * max(m.compress_size, 1):
                raise ReadError(f"refused {kind}: {m.filename} inflates {m.file_size // max(m.compress_size, 1)}"
                                f" times (possible zip bomb)")
        names = {m.filename for m in members}
        if required not in names:
            raise ReadError(f"not a valid {kind} (no {required} in the archive)")
        try:
            for m in members:
                if m.filename.endswith((".xml", ".rels")) and b"<!DOCTYPE" in _prolog(archive, m):
                    raise ReadError(f"refused {kind}: {m.filename} declares a DTD (possible XML entity bomb)")
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError) as exc:
            raise ReadError(f"not a valid {kind} (damaged zip: {exc})") from None
