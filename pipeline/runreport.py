"""What one ingest run did, file by file: the JSON run report and its human summary.

Every file seen ends in exactly one status: `extracted`, `partial` (extracted, with
warnings), `skipped` (unchanged since an earlier run) or `failed` (with a one-line
reason). A file that failed in an earlier run and has not changed stays `failed`, marked
`earlier`, so every report lists every file that is missing from the tables.
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from pipeline.outdir import write_atomic

RUNS_DIR = "_runs"
STATUSES = ("extracted", "partial", "skipped", "failed")
SUMMARY_FAILURES = 20
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


@dataclass
class FileResult:
    path: str
    status: str  # one of STATUSES
    doc_id: str | None = None
    reason: str | None = None
    warnings: list[str] = field(default_factory=list)
    seconds: float | None = None
    earlier: bool = False  # a failure recorded by an earlier run; the file has not changed


@dataclass
class RunReport:
    input: str
    output: str
    extractor_version: str
    executor: str
    options: dict[str, object]
    started_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    finished_at: datetime | None = None
    files: list[FileResult] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # paths gone from the input since the last run
    recovered: list[str] = field(default_factory=list)  # doc_ids redone after an interrupted run
    peak_worker_rss_mb: float | None = None
    store_seconds: float = 0.0  # time this process spent writing Parquet files and the manifest
    interrupted: bool = False

    def counts(self) -> dict[str, int]:
        counts = {"seen": len(self.files), **dict.fromkeys(STATUSES, 0)}
        for result in self.files:
            counts[result.status] += 1
        counts["removed"] = len(self.removed)
        return counts

    def to_json(self) -> dict[str, object]:
        finished = self.finished_at or datetime.now(timezone.utc)
        listed = {status: [_file_json(r) for r in self.files if r.status == status]
                  for status in STATUSES if status != "skipped"}
        return {
            "input": self.input,
            "output": self.output,
            "started_at": self.started_at.isoformat(),
            "finished_at": finished.isoformat(),
            "seconds": round((finished - self.started_at).total_seconds(), 3),
            "interrupted": self.interrupted,
            "extractor_version": self.extractor_version,
            "executor": self.executor,
            "options": self.options,
            "counts": self.counts(),
            "peak_worker_rss_mb": self.peak_worker_rss_mb,
            "store_seconds": round(self.store_seconds, 3),
            **listed,
            "removed": self.removed,
            "recovered": self.recovered,
        }

    def write(self, out_dir: Path, path: Path | None = None) -> Path:
        """Write the JSON to `path`, or to out_dir/_runs/<start time>.json; returns where."""
        if path is None:
            stamp = self.started_at.strftime("%Y%m%dT%H%M%S.%fZ")
            path = Path(out_dir) / RUNS_DIR / f"{stamp}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.to_json(), ensure_ascii=False, indent=1)
        # Non-UTF-8 file names hold lone surrogates; as \udcXX they stay valid JSON escapes.
        write_atomic(path, text.encode("utf-8", "backslashreplace") + b"\n")
        return path

    def summary(self, report_path: Path | None) -> str:
        counts = self.counts()
        seconds = ((self.finished_at or datetime.now(timezone.utc)) - self.started_at).total_seconds()
        lines = [
            f"ingest {self.input} -> {self.output}: {counts['seen']} files in {seconds:.1f} s"
            + (" (INTERRUPTED)" if self.interrupted else ""),
            f"  extracted {counts['extracted']}, partial {counts['partial']}, skipped (unchanged) "
            f"{counts['skipped']}, failed {counts['failed']}, removed {counts['removed']}",
        ]
        if self.recovered:
            lines.append(f"  redid {len(self.recovered)} documents left half-written by an interrupted run")
        failures = [r for r in self.files if r.status == "failed"]
        for result in failures[:SUMMARY_FAILURES]:
            earlier = " (unchanged since an earlier run)" if result.earlier else ""
            lines.append(f"  FAILED {printable(result.path)}: {result.reason}{earlier}")
        if len(failures) > SUMMARY_FAILURES:
            lines.append(f"  … and {len(failures) - SUMMARY_FAILURES} more failures in the report")
        if report_path is not None:
            lines.append(f"  report: {report_path}")
        return "\n".join(lines)


def _file_json(result: FileResult) -> dict[str, object]:
    data = asdict(result)
    if result.seconds is not None:
        data["seconds"] = round(result.seconds, 4)
    return {key: value for key, value in data.items() if value not in (None, [], False) and key != "status"}


def printable(text: str) -> str:
    """`text` on one line: control characters and undecodable bytes as escapes."""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape", "backslashreplace").decode("ascii"), text)
