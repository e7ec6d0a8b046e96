"""What every reader shares: its error type and the document id."""
from __future__ import annotations

import hashlib
from pathlib import Path


class ReadError(Exception):
    """A file that cannot be read; the message is the one-line reason users see."""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
