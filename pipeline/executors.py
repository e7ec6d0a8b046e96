"""Where `sandbox.run_file` runs: threads on this machine, or tasks on a Dask cluster.

Both yield lists of finished outcomes at least every `TICK` seconds (possibly empty
lists), so the caller can store finished work and refresh its progress line while a
slow file is still running. Results always come back to the caller, which alone puts
files in place: local workers stage theirs in the output folder, cluster workers send
the bytes and need read access to the input files, nothing more.
"""
from __future__ import annotations

import queue
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pipeline.sandbox import Job, Limits, Outcome, close_all, run_file
from pipeline.worker import one_line

TICK = 1.0
CONNECT_SECONDS = 20.0  # how long to wait for the Dask scheduler to answer


class ExecutorError(Exception):
    """The executor cannot run at all (Dask missing, scheduler unreachable)."""


def run_local(jobs: list[Job], limits: Limits, workers: int) -> Iterator[list[Outcome]]:
    """One thread per worker, each driving its own sandboxed child process."""
    with ThreadPoolExecutor(workers, thread_name_prefix="jixiao-extract") as pool:
        futures = [pool.submit(run_file, job, limits) for job in jobs]
        try:
            for done in _as_finished(futures):
                yield [future.result() for future in done]
        finally:
            for future in futures:
                future.cancel()
            close_all()  # ends any file still running, so the pool can shut down


def run_dask(jobs: list[Job], limits: Limits, scheduler: str) -> Iterator[list[Outcome]]:
    """Each file as one task on the cluster at `scheduler`; results gathered here."""
    try:
        from distributed import Client
    except ImportError:
        raise ExecutorError("--executor dask needs the 'distributed' package: pip install distributed") from None
    try:
        client = Client(scheduler, timeout=CONNECT_SECONDS)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ExecutorError(f"cannot reach the Dask scheduler at {scheduler}: {one_line(exc)}") from None
    with client:
        futures = client.map(run_file, jobs, limits=limits, pure=False)
        path_of = {future.key: job.path for future, job in zip(futures, jobs)}
        try:
            for done in _as_finished(futures):
                yield [_dask_outcome(future, path_of[future.key]) for future in done]
        finally:
            client.cancel([future for future in futures if not future.done()])


def _as_finished(futures: list[Any]) -> Iterator[list[Any]]:
    """The futures (concurrent or Dask) in lists as they finish, a list at least every
    TICK seconds (maybe empty).

    Each future reports itself through a queue when done, so collecting one costs the
    same however many are pending (`wait` on thousands costs that many per call).
    """
    finished: queue.SimpleQueue[Any] = queue.SimpleQueue()
    for future in futures:
        future.add_done_callback(finished.put)
    left = len(futures)
    while left:
        done = []
        try:
            done.append(finished.get(timeout=TICK))
            while True:
                done.append(finished.get_nowait())
        except queue.Empty:
            pass
        left -= len(done)
        yield done


def _dask_outcome(future: Any, path: str) -> Outcome:  # future: distributed.Future
    """The task's outcome, or a failure when the cluster lost it (a worker died 3 times)."""
    try:
        return future.result()
    except Exception as exc:
        return Outcome(path, False, f"dask task failed: {one_line(exc)}")
    finally:
        future.release()
