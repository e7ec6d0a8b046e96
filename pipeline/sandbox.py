"""Running one file's extraction in a child process that can be killed.

A pathological file must not stall or sink the batch. Each `Sandbox` owns one
`pipeline.worker` child (its own session, an address-space limit, one file at a time):
past the time limit the whole process group is killed; a child that dies (a crash, the
memory limit, the OOM killer) is noticed at once. Either way the file gets a failure
with a one-line reason and the next file gets a fresh child. A process pool cannot do
this: it cannot kill one task, and one dead worker breaks the whole pool.

`run_file` is the unit of work. Local runs call it from a thread per worker, Dask
workers call it as a task, so both executors do exactly the same per-file work.
"""
from __future__ import annotations

import atexit
import fcntl
import os
import pickle
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from dataclasses import dataclass
from typing import Any

from pipeline.store import DocumentParts
from pipeline.worker import FRAME_HEADER, read_exactly, write_frame

DEFAULT_TIMEOUT = 120.0
DEFAULT_MAX_MEMORY_MB = 1500
STARTUP_TIMEOUT = 60.0
# Deterministic hashing in every child, so the same file gives the same rows anywhere.
# Arrow allocates with malloc, not mimalloc, whose arenas reserve a gigabyte of address space.
_CHILD_ENV = {"PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
              "ARROW_DEFAULT_MEMORY_POOL": "system"}


@dataclass(frozen=True)
class Limits:
    timeout: float = DEFAULT_TIMEOUT  # seconds per file
    max_memory_mb: int = DEFAULT_MAX_MEMORY_MB  # address space one file may add to a worker; 0 = no limit


@dataclass(frozen=True)
class Job:
    """One file to extract; `sources` are the names its document's rows will list.

    With `stage_in` (the output folder, when the worker shares this machine's file
    system), the worker writes the part files there for the writer to rename.
    """

    path: str
    sources: tuple[str, ...]
    stage_in: str | None = None


@dataclass
class Outcome:
    """What happened to one file: when ok, its rows as Parquet parts and its warnings."""

    path: str
    ok: bool
    reason: str | None = None
    parts: DocumentParts | None = None
    warnings: tuple[str, ...] = ()
    seconds: float = 0.0
    max_rss_mb: float | None = None
    extractor_version: str | None = None


class _Died(Exception):
    pass


class Sandbox:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.version: str | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._stderr = tempfile.TemporaryFile()
        flags = fcntl.fcntl(self._stderr.fileno(), fcntl.F_GETFL)
        fcntl.fcntl(self._stderr.fileno(), fcntl.F_SETFL, flags | os.O_APPEND)

    @property
    def pid(self) -> int | None:
        """The running child's process id, if one is running."""
        proc = self._proc
        return proc.pid if proc is not None else None

    def run(self, path: str, sources: tuple[str, ...] = (), stage_in: str | None = None) -> Outcome:
        """Extract `path` in the child (see Job); `sources` default to the path itself."""
        started = time.monotonic()
        try:
            proc = self._start()
        except (_Died, TimeoutError, OSError, EOFError) as exc:
            self.close()
            return Outcome(path, False, f"worker could not start: {exc or 'no greeting in time'}")
        os.ftruncate(self._stderr.fileno(), 0)
        try:
            write_frame(proc.stdin.fileno(), {"path": path, "sources": list(sources or (path,)), "stage_in": stage_in})
            reply = _read(proc, started + self.limits.timeout)
        except TimeoutError:
            self.close()
            return Outcome(path, False, f"timed out after {self.limits.timeout:g} s (--timeout)",
                           seconds=time.monotonic() - started)
        except (_Died, OSError, EOFError):
            reason = self._death_reason(proc)
            self.close()
            return Outcome(path, False, reason, seconds=time.monotonic() - started)
        if reply.get("fatal"):
            self.close()
        return Outcome(path, reply["ok"], reply.get("reason"), reply.get("parts"), tuple(reply.get("warnings", ())),
                       reply["seconds"], reply.get("max_rss_mb"), self.version)

    def close(self) -> None:
        """Kill the child and everything it started; the next `run` starts a fresh one.

        Safe from another thread while `run` waits: that wait then ends as a dead worker.
        """
        with self._lock:
            proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()

    def _start(self) -> subprocess.Popen[bytes]:
        with self._lock:
            if self._proc is not None:
                return self._proc
            proc = self._proc = subprocess.Popen(
                [sys.executable, "-m", "pipeline.worker", str(self.limits.max_memory_mb)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
                start_new_session=True, env={**os.environ, **_CHILD_ENV},
            )
        try:
            hello = _read(proc, time.monotonic() + STARTUP_TIMEOUT)
        except _Died:
            raise _Died(self._death_reason(proc)) from None
        self.version = hello["hello"]
        return proc

    def _death_reason(self, proc: subprocess.Popen[bytes]) -> str:
        try:
            code = proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        if code is not None and code < 0:
            name = signal.Signals(-code).name
            what = f"worker process killed by {name}" + (" (out of memory?)" if name == "SIGKILL" else "")
        else:
            what = f"worker process exited with status {code}"
        tail = self._stderr_tail()
        return f"{what}: {tail}" if tail else what

    def _stderr_tail(self) -> str:
        self._stderr.seek(0)
        text = self._stderr.read()[-4096:].decode(errors="replace")
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        return lines[-1][:200] if lines else ""


def _read(proc: subprocess.Popen[bytes], deadline: float) -> dict[str, Any]:
    """The child's next reply; TimeoutError past `deadline`, _Died at end of file."""
    fd = proc.stdout.fileno()
    header = _read_exactly(fd, FRAME_HEADER.size, deadline)
    return pickle.loads(_read_exactly(fd, FRAME_HEADER.unpack(header)[0], deadline))


def _read_exactly(fd: int, size: int, deadline: float) -> bytes:
    poller = select.poll()
    poller.register(fd, select.POLLIN)

    def wait() -> None:
        left = deadline - time.monotonic()
        if left <= 0 or not poller.poll(left * 1000):
            raise TimeoutError
    data = read_exactly(fd, size, wait)
    if data is None:
        raise _Died
    return data


_local = threading.local()
# Every live sandbox of this process; one whose thread ended is dropped with it, and its
# child, seeing its input close, exits.
_boxes: weakref.WeakSet[Sandbox] = weakref.WeakSet()
_boxes_lock = threading.Lock()


def run_file(job: Job, limits: Limits) -> Outcome:
    """Extract one file in this thread's sandbox (started on first use, replaced on change)."""
    box: Sandbox | None = getattr(_local, "box", None)
    if box is None or box.limits != limits:
        if box is not None:
            box.close()
        box = _local.box = Sandbox(limits)
        with _boxes_lock:
            _boxes.add(box)
    return box.run(job.path, job.sources, job.stage_in)


@atexit.register
def close_all() -> None:
    """Stop every child of this process (they would also exit at the end of their input)."""
    with _boxes_lock:
        boxes = list(_boxes)
    for box in boxes:
        box.close()
