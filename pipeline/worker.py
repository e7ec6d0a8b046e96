"""The extraction worker: a child process that extracts and encodes one file per request,
under limits.

`sandbox.Sandbox` starts it as `python -m pipeline.worker MAX_MEMORY_MB` and speaks
length-prefixed pickles over its stdin and stdout. Once the rules and libraries are
loaded, and before the first file, its address space is capped at what it then holds
plus MAX_MEMORY_MB, so a zip bomb or a runaway table fails with MemoryError here instead
of swapping the machine; the limit is what one file may take, whatever the libraries
reserve at import (pyarrow alone maps over 300 MB). The first frame out announces the
extractor version, so a client can refuse workers that run different rules. stdout is moved away from fd 1 so
a stray print in a library cannot corrupt the protocol.
"""
from __future__ import annotations

import faulthandler
import os
import pickle
import resource
import struct
import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

FRAME_HEADER = struct.Struct("<Q")
# Errors after which the process may be in a bad state; the worker answers, then exits.
_FATAL = (MemoryError, SystemError)


def write_frame(fd: int, obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(FRAME_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


def read_frame(fd: int) -> Any:
    """The next object from `fd`, or None at end of file. Blocks."""
    header = read_exactly(fd, FRAME_HEADER.size)
    if header is None:
        return None
    body = read_exactly(fd, FRAME_HEADER.unpack(header)[0])
    if body is None:
        raise EOFError("frame cut short")
    return pickle.loads(body)


def read_exactly(fd: int, size: int, before_read: Callable[[], None] | None = None) -> bytes | None:
    """`size` bytes from `fd`, or None at end of file. `before_read` runs before each
    read: the parent uses it to wait for data with a deadline."""
    chunks, left = [], size
    while left:
        if before_read is not None:
            before_read()
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    name = type(exc).__name__
    reason = f"{name}: {text}" if text else name
    return reason if len(reason) <= 300 else reason[:299] + "…"


class _CannotStage(Exception):
    """The output folder refused a staged file (full, read-only)."""


def extract(request: dict[str, Any], version: str, max_memory_mb: int) -> dict[str, Any]:
    """One file through reader and rules into its Parquet parts (`store.encode_document`),
    staged in the output folder when the request names one (`store.stage`); a reply dict
    that never raises (but on fatal errors). `version` is the extractor's."""
    from extractors.readers import ReadError
    from pipeline.extract import extract_file
    from pipeline.store import InvalidExtraction, encode_document, stage
    from schemas.records import extraction_to_json

    started = time.perf_counter()
    reply: dict[str, Any] = {"ok": False}
    try:
        extraction = extraction_to_json(extract_file(request["path"]))
        parts = encode_document(extraction, request["sources"], extracted_at=datetime.now(timezone.utc),
                                extractor_version=version)
        if request["stage_in"] is not None:
            try:
                parts = stage(parts, Path(request["stage_in"]))
            except OSError as exc:
                raise _CannotStage(one_line(exc)) from exc
        reply = {"ok": True, "parts": parts, "warnings": extraction["warnings"]}
    except ReadError as exc:
        reply["reason"] = " ".join(str(exc).split()) or "unreadable"
    except InvalidExtraction as exc:
        reply["reason"] = f"cannot store the rows: {one_line(exc)}"
    except _CannotStage as exc:
        reply["reason"] = f"cannot write to the output folder: {exc}"
    except MemoryError:
        reply.update(reason=f"out of memory: over the worker limit of {max_memory_mb} MB (--max-memory)", fatal=True)
    except RecursionError:
        reply["reason"] = "too deeply nested to read (RecursionError)"
    except Exception as exc:  # a bug or an input the readers did not foresee: report, go on
        reply.update(reason=f"extractor error: {one_line(exc)}", fatal=isinstance(exc, _FATAL))
    reply["seconds"] = time.perf_counter() - started
    reply["max_rss_mb"] = peak_rss_mb()
    return reply


def _address_space_bytes() -> int:
    """This process's mapped address space now (VmSize), 0 where /proc is missing."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) << 10
    except OSError:
        pass
    return 0


def peak_rss_mb() -> float:
    """This process's peak resident memory since it started.

    Linux's VmHWM, not ru_maxrss: a child forked from a big parent inherits the parent's
    ru_maxrss across exec, and would report the parent's size as its own.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _warm_up() -> None:
    """Load the rules and their data now, so the first file's time limit measures the file.

    jieba's dictionary (0.4 s) is left to load on first use: most files never need it
    (no bench DOCX table or PDF did), and a short run then starts that much sooner.
    """
    import pipeline.extract  # noqa: F401
    import pipeline.store  # noqa: F401
    from extractors.rules.region import resolve_region

    resolve_region("石家庄市人民政府外事办公室", "")


def main(argv: list[str]) -> int:
    max_memory_mb = int(argv[1])
    out = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    faulthandler.enable()
    _warm_up()
    from pipeline.manifest import extractor_version

    version = extractor_version()
    if max_memory_mb:
        limit = _address_space_bytes() + (max_memory_mb << 20)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    write_frame(out, {"hello": version})
    while (request := read_frame(0)) is not None:
        reply = extract(request, version, max_memory_mb)
        write_frame(out, reply)
        if reply.get("fatal"):
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
