"""Listing the input tree: every regular file once, nothing that could hang or loop.

Symbolic links to directories are not followed (a link back to a parent would loop
forever) and are reported, as are broken links, link loops and things that are not
regular files (a FIFO would block the reader forever, a device never ends). Links to
regular files are read: the same bytes under two names become one document listed with
both paths. The output folder is left out when it lies inside the input.
"""
from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Found:
    rel: str  # path relative to the root, '/'-separated, exactly as on disk
    path: Path  # absolute
    size: int


@dataclass(frozen=True)
class Refused:
    rel: str
    reason: str


def scan(root: Path, exclude: Path | None = None) -> tuple[list[Found], list[Refused]]:
    """(files to ingest, entries refused with a one-line reason), both sorted by path."""
    root = Path(root).absolute()
    skip = _identity(exclude) if exclude is not None else None
    found: list[Found] = []
    refused: list[Refused] = []

    def on_error(exc: OSError) -> None:
        refused.append(Refused(_rel(root, exc.filename), f"cannot list folder: {exc.strerror}"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=on_error, followlinks=False):
        kept = []
        for name in sorted(dirnames):
            path = os.path.join(dirpath, name)
            if os.path.islink(path):
                refused.append(Refused(_rel(root, path), "symbolic link to a folder: not followed"))
            elif skip is None or _identity(Path(path)) != skip:
                kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            entry = _examine(root, path)
            (found if isinstance(entry, Found) else refused).append(entry)
    found.sort(key=lambda f: f.rel)
    refused.sort(key=lambda r: r.rel)
    return found, refused


def _examine(root: Path, path: str) -> Found | Refused:
    rel = _rel(root, path)
    try:
        info = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return Refused(rel, "symbolic link loop")
        if exc.errno == errno.ENOENT and os.path.islink(path):
            return Refused(rel, "broken symbolic link")
        return Refused(rel, f"cannot read: {exc.strerror}")
    if not stat.S_ISREG(info.st_mode):
        return Refused(rel, f"not a regular file ({_kind(info.st_mode)})")
    return Found(rel, Path(path), info.st_size)


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "named pipe"), (stat.S_ISSOCK, "socket"), (stat.S_ISCHR, "device"),
                       (stat.S_ISBLK, "device"), (stat.S_ISDIR, "folder")):
        if test(mode):
            return name
    return "special file"


def _rel(root: Path, path: str | bytes | None) -> str:
    return Path(os.fsdecode(path or root)).relative_to(root).as_posix()


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino
