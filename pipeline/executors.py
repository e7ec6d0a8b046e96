"""Where `sandbox.run_file` runs: threads on this machine, or tasks on a Dask cluster.

Both yield lists of finished outcomes at least every `TICK` seconds (possibly empty
lists), so the caller can store finished work and refresh its progress line while a
slow file is still running. Results always come back to the caller, which alone writes
the output: cluster workers need read access to the input files, nothing more.
"""
from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

from pipeline.sandbox import Limits, Outcome, close_all, run_file
from pipeline.worker import one_line

TICK = 1.0
CONNECT_SECONDS = 20.0  # how long to wait for the Dask scheduler to answer


class ExecutorError(Exception):
    """The executor cannot run at all (Dask missing, scheduler unreachable)."""


def run_local(paths: list[str], limits: Limits, workers: int) -> Iterator[list[Outcome]]:
    """One thread per worker, each driving its own sandboxed child process."""
    with ThreadPoolExecutor(workers, thread_name_prefix="jixiao-extract") as pool:
        pending = {pool.submit(run_file, path, limits) for path in paths}
        try:
            while pending:
                done, pending = wait(pending, timeout=TICK, return_when=FIRST_COMPLETED)
                yield [future.result() for future in done]
        finally:
            for future in pending:
                future.cancel()
            close_all()  # ends any file still running, so the pool can shut down


def run_dask(paths: list[str], limits: Limits, scheduler: str) -> Iterator[list[Outcome]]:
    """Each file as one task on the cluster at `scheduler`; results gathered here."""
    try:
        from distributed import Client
        from distributed import wait as dask_wait
    except ImportError:
        raise ExecutorError("--executor dask needs the 'distributed' package: pip install distributed") from None
    try:
        client = Client(scheduler, timeout=CONNECT_SECONDS)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ExecutorError(f"cannot reach the Dask scheduler at {scheduler}: {one_line(exc)}") from None
    with client:
        futures = client.map(run_file, paths, limits=limits, pure=False)
        path_of = dict(zip(futures, paths))
        pending = set(futures)
        try:
            while pending:
                try:
                    done, pending = dask_wait(pending, timeout=TICK, return_when="FIRST_COMPLETED")
                except TimeoutError:
                    yield []
                    continue
                yield [_dask_outcome(future, path_of.pop(future)) for future in done]
        finally:
            client.cancel(list(pending))


def _dask_outcome(future, path: str) -> Outcome:  # future: distributed.Future
    """The task's outcome, or a failure when the cluster lost it (a worker died 3 times)."""
    try:
        return future.result()
    except Exception as exc:
        return Outcome(path, False, f"dask task failed: {one_line(exc)}")
    finally:
        future.release()
