"""Writing into the output folder safely: one writer at a time, whole files or none.

`OutputLock` is an exclusive `flock` on `out_dir/.lock`: the kernel drops it when the
holder exits, even by kill -9, so a stale lock can never block a later run and two live
runs can never both hold it (a pid file would race on both counts). The lock file is
created once and never rewritten, so a run that changes nothing leaves it untouched.
"""
from __future__ import annotations

import ctypes
import fcntl
import os
import re
import secrets
from pathlib import Path

LOCK_NAME = ".lock"
_HEX = re.compile(r"[0-9a-f]+")


class LockHeld(Exception):
    """Another ingest is writing to the same output folder."""


class OutputLock:
    def __init__(self, out_dir: Path) -> None:
        self.path = Path(out_dir) / LOCK_NAME
        self._fd: int | None = None

    def __enter__(self) -> OutputLock:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise LockHeld(f"another ingest is writing to {self.path.parent} (it holds {self.path}); "
                           "wait for it to finish") from None
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor releases the lock
            self._fd = None


def write_atomic(path: Path, data: bytes, sync: bool = True, sync_dir: bool = True) -> None:
    """Replace `path` with `data`: a reader or a crash sees the old file or the new,
    never part.

    `sync` flushes the file before the rename, so a power cut cannot leave the new name
    on empty contents; a caller that writes many files may skip it and call
    `sync_filesystem` once before it records them as done.
    """
    path = Path(path)
    tmp = temporary_name(path)
    try:
        write_new(tmp, data, sync)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if sync_dir:
        fsync_dir(path.parent)


def temporary_name(path: Path) -> Path:
    """A hidden name beside `path`, ending in `.tmp` so `**/*.parquet` globs never see
    it, and random so two writers never share one."""
    return path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")


def is_temporary_name(name: str, of: Path) -> bool:
    """Whether `name` is one `temporary_name(of)` could have given."""
    prefix = f".{of.name}."
    token = name[len(prefix):-len(".tmp")]
    return name.startswith(prefix) and name.endswith(".tmp") and _HEX.fullmatch(token) is not None


def write_new(path: Path, data: bytes, sync: bool = False) -> None:
    """Create `path`, which must not exist, holding `data` and readable by everyone
    (whatever the umask: the dataset is for all its readers)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
    try:
        os.fchmod(fd, 0o644)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        if sync:
            os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(directory: Path) -> None:
    """Make a rename or unlink in `directory` durable."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sync_filesystem(directory: Path) -> None:
    """Flush every write and rename on `directory`'s file system: one syncfs(2) for a
    whole batch of files instead of an fsync per file (about 10x cheaper here)."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        if _LIBC is None or _LIBC.syncfs(fd) != 0:
            os.sync()
    finally:
        os.close(fd)


def _libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc if hasattr(libc, "syncfs") else None
    except OSError:
        return None


_LIBC = _libc()
