"""`jixiao ingest DIR --out OUT`: every file under DIR into the Parquet tables, in parallel,
incrementally, and so that an interrupted or crashed run loses nothing (pipeline/batch.py
does the work; this module is the command, kept light so other commands start fast).

Exit status: 0 when the batch completed, failed files included (they are in the
report); 2 for usage errors (no such folder, bad option, Dask unavailable or its
scheduler unreachable, an unreadable manifest); 3 when another ingest holds the output
folder; 130 when interrupted (the documents finished so far are stored).
"""
from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.sandbox import DEFAULT_MAX_MEMORY_MB, DEFAULT_TIMEOUT, Limits

DEFAULT_OUT = Path("data/parquet")
DEFAULT_MAX_SIZE_MB = 200.0
EXIT_OK, EXIT_USAGE, EXIT_LOCKED, EXIT_INTERRUPTED = 0, 2, 3, 130


def _cores() -> int:
    """Cores this process may run on (a container may allow fewer than the machine has)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


@dataclass(frozen=True)
class IngestOptions:
    """One run's settings; the defaults are the command's."""

    root: Path
    out: Path = DEFAULT_OUT
    workers: int = field(default_factory=_cores)
    force: bool = False
    retry_failed: bool = False
    executor: str = "local"  # "local" | "dask"
    scheduler: str | None = None
    limits: Limits = Limits()
    max_size_mb: float = DEFAULT_MAX_SIZE_MB
    progress: bool = False


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "ingest", help="extract every file under DIR into the Parquet tables (parallel, incremental)",
        description="Extract every file under DIR into the Parquet tables at --out. Unchanged files are "
                    "skipped; every run writes a JSON report to OUT/_runs/. Exit status: 0 when the batch "
                    "completed (failed files are in the report), 2 on usage errors, 3 when another ingest "
                    "holds OUT, 130 when interrupted.",
    )
    p.add_argument("dir", type=Path, metavar="DIR", help="folder of reports (searched recursively)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"dataset folder (default: {DEFAULT_OUT})")
    p.add_argument("--workers", type=_positive_int, default=_cores(), metavar="N",
                   help="worker processes (default: the number of cores)")
    p.add_argument("--force", action="store_true", help="re-extract every file, changed or not")
    p.add_argument("--retry-failed", action="store_true", help="extract again files that failed in an earlier run")
    p.add_argument("--executor", choices=("local", "dask"), default="local",
                   help="run on this machine (default) or on a Dask cluster (needs --scheduler)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--timeout", type=_positive_float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                   help=f"time limit per file (default: {DEFAULT_TIMEOUT:g})")
    p.add_argument("--max-memory", type=_non_negative_int, default=DEFAULT_MAX_MEMORY_MB, metavar="MB",
                   help=f"address space one file may take in a worker, beyond its loaded code; 0 for none "
                        f"(default: {DEFAULT_MAX_MEMORY_MB})")
    p.add_argument("--max-size", type=_positive_float, default=DEFAULT_MAX_SIZE_MB, metavar="MB",
                   help=f"files larger than this fail without being read (default: {DEFAULT_MAX_SIZE_MB:g})")
    p.add_argument("--report", type=Path, metavar="PATH", help="write the run report here instead of OUT/_runs/")
    shown = p.add_mutually_exclusive_group()
    shown.add_argument("--quiet", action="store_true", help="print nothing but errors (the report is still written)")
    shown.add_argument("--progress", action="store_true", help="show progress even when stderr is not a terminal")
    p.set_defaults(func=cmd_ingest)


def cmd_ingest(args: argparse.Namespace) -> int:
    if not args.dir.is_dir():
        return _usage(f"{args.dir}: not a folder")
    if args.executor == "dask" and not args.scheduler:
        return _usage("--executor dask needs --scheduler ADDRESS")
    options = IngestOptions(
        root=args.dir, out=args.out, workers=args.workers, force=args.force, retry_failed=args.retry_failed,
        executor=args.executor, scheduler=args.scheduler, limits=Limits(args.timeout, args.max_memory),
        max_size_mb=args.max_size, progress=not args.quiet and (args.progress or sys.stderr.isatty()),
    )
    from pipeline.batch import ingest
    from pipeline.executors import ExecutorError
    from pipeline.manifest import ManifestError
    from pipeline.outdir import LockHeld

    try:
        report = ingest(options)
    except LockHeld as exc:
        print(f"jixiao ingest: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    except (ExecutorError, ManifestError) as exc:
        return _usage(str(exc))
    except KeyboardInterrupt:
        print("jixiao ingest: interrupted before any document was stored", file=sys.stderr)
        return EXIT_INTERRUPTED
    path = report.write(args.out, args.report)
    if not args.quiet:
        print(report.summary(path))
    if report.interrupted:
        print("jixiao ingest: interrupted; the documents finished so far are stored", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_OK


def _usage(message: str) -> int:
    print(f"jixiao ingest: {message}", file=sys.stderr)
    return EXIT_USAGE


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value
