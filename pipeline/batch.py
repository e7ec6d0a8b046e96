"""One ingest run: the tree in, the Parquet tables and the run report out.

Take the output lock; undo a batch a killed run left half-written (journal.py); list the
tree (scan.py); hash every file; extract, in sandboxed worker processes, only documents
whose bytes or extractor version are new (manifest.py), the workers also encoding the
rows as Parquet and staging the files; put finished documents' files in place in
batches, each bracketed by the journal, flushed to disk once, and followed by an atomic
manifest update;
finally drop rows no path refers to any more and refresh changed `sources`. Every file
ends in the run report (runreport.py) as extracted, partial, skipped or failed with its
reason.
"""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

from extractors.readers.base import file_sha256
from pipeline import journal
from pipeline.aliases import set_sources
from pipeline.executors import run_dask, run_local
from pipeline.ingest import IngestOptions
from pipeline.manifest import DocEntry, FileEntry, Manifest, extractor_version
from pipeline.outdir import OutputLock, sync_filesystem
from pipeline.progress import Progress
from pipeline.runreport import FileResult, RunReport
from pipeline.sandbox import Job, Outcome
from pipeline.scan import Found, scan
from pipeline.store import PartFiles, discard

# Store the documents finished so far BATCH_SECONDS after the last store: storing then
# runs alongside extraction instead of after it, and a kill loses little work. The pause
# grows to SAVE_SHARE x the manifest's save time, so rewriting a big manifest never takes
# more than a tenth of the run.
BATCH_SECONDS = 0.5
SAVE_SHARE = 10


@dataclass
class _Done:
    """A document this run processed: its outcome and the manifest entry it earned."""

    entry: DocEntry
    seconds: float | None = None


@dataclass
class _Run:
    options: IngestOptions
    version: str
    manifest: Manifest
    report: RunReport
    part_files: PartFiles
    root_key: str = ""
    current: dict[str, FileEntry] = field(default_factory=dict)  # rel -> entry, this run's files
    done: dict[str, _Done] = field(default_factory=dict)  # doc_id -> what happened this run
    pending: list[tuple[str, Outcome]] = field(default_factory=list)  # (doc_id, outcome) not yet stored
    refused: dict[str, str] = field(default_factory=dict)  # rel -> why it failed before extraction
    changed: bool = False  # whether the manifest needs writing
    save_seconds: float = 0.0  # how long the last manifest save took

    # ---- planning -----------------------------------------------------------------------

    def hash_files(self, found: list[Found]) -> None:
        """Hash every file within the size cap; others fail here, before any work."""
        cap = self.options.max_size_mb
        within = []
        for f in found:
            if f.size > cap * 2**20:
                self.fail_file(f.rel, f"file is {f.size / 2**20:.1f} MB, over the --max-size limit of {cap:g} MB")
            else:
                within.append(f)
        progress = Progress("hashing", len(within), self.options.progress)
        with ThreadPoolExecutor(max(1, self.options.workers)) as pool:
            for f, digest in zip(within, pool.map(_hash, within)):
                if digest.startswith("!"):
                    self.fail_file(f.rel, f"cannot read: {digest[1:]}")
                else:
                    self.current[f.rel] = FileEntry(digest, f.size)
                progress.advance(failed=digest.startswith("!"))
        progress.finish()

    def jobs(self) -> dict[str, str]:
        """doc_id -> the file (relative path) to extract it from, for documents that need work."""
        out: dict[str, str] = {}
        for rel, entry in sorted(self.current.items()):
            known = self.manifest.documents.get(entry.doc_id)
            stale = (self.options.force or known is None or known.extractor_version != self.version
                     or (self.options.retry_failed and known.status == "failed"))
            if stale and entry.doc_id not in out:
                out[entry.doc_id] = rel
        return out

    def kept(self) -> dict[str, FileEntry]:
        """This folder's files after the run: those hashed now, and those that could not be
        read now but were ingested before (their earlier rows stay)."""
        old = self.manifest.roots.get(self.root_key, {})
        return {**{rel: old[rel] for rel in self.refused if rel in old}, **self.current}

    def sources(self) -> dict[str, list[str]]:
        """doc_id -> every name its bytes have after this run, in every ingested folder."""
        roots = {**self.manifest.roots, self.root_key: self.kept()}
        return {doc_id: [_display(rel) for _, rel in paths]
                for doc_id, paths in Manifest(roots=roots).paths_by_doc().items()}

    # ---- storing ------------------------------------------------------------------------

    def add(self, doc_id: str, outcome: Outcome) -> None:
        """Queue a finished file for the next store. An outcome that must not be stored
        becomes a failure, and the files its worker staged are removed."""
        reason = None
        if outcome.ok and outcome.parts.doc_id != doc_id:
            reason = "the file changed while it was being ingested; run again"
        elif outcome.ok and outcome.extractor_version != self.version:
            reason = f"the worker runs extractor {outcome.extractor_version}, not {self.version}"
        if reason is not None:
            discard(outcome.parts, self.options.out)
            outcome = replace(outcome, ok=False, parts=None, reason=reason)
        self.pending.append((doc_id, outcome))

    def store(self, sources: dict[str, list[str]]) -> tuple[int, int]:
        """Put the pending documents' part files in place, flush them, then record them in
        the manifest.

        Returns how many documents were done, and how many of them failed.
        """
        batch, self.pending = self.pending, []
        if not batch:
            return 0, 0
        started = time.perf_counter()
        stored = [outcome.parts for _, outcome in batch if outcome.ok]
        if stored:
            journal.begin(self.options.out, [parts.doc_id for parts in stored])
            for parts in stored:
                self.part_files.put(parts, durable=False)
            sync_filesystem(self.options.out)
        for doc_id, outcome in batch:
            if outcome.ok:
                warnings = outcome.warnings
                entry = DocEntry(self.version, "partial" if warnings else "extracted", None, warnings,
                                 tuple(sources[doc_id]))
                self.manifest.documents[doc_id] = entry
            else:
                entry = self._failed(doc_id, outcome.reason or "failed")
            self.done[doc_id] = _Done(entry, outcome.seconds)
        stored_ids = {doc_id for doc_id, _ in batch}
        files = self.manifest.roots.setdefault(self.root_key, {})
        files.update({rel: e for rel, e in self.current.items() if e.doc_id in stored_ids})
        saving = time.perf_counter()
        self.manifest.save(self.options.out)
        self.save_seconds = time.perf_counter() - saving
        if stored:
            journal.end(self.options.out)
        self.report.store_seconds += time.perf_counter() - started
        return len(batch), sum(self.done[doc_id].entry.status == "failed" for doc_id, _ in batch)

    def _failed(self, doc_id: str, reason: str) -> DocEntry:
        """Record a failure; rows an earlier run stored stay (and stay in the manifest)."""
        earlier = self.manifest.documents.get(doc_id)
        if earlier is not None and earlier.status != "failed":
            return DocEntry(self.version, "failed", f"{reason}; the rows from an earlier run are kept")
        entry = self.manifest.documents[doc_id] = DocEntry(self.version, "failed", reason)
        return entry

    def finish(self, sources: dict[str, list[str]]) -> None:
        """Make the manifest match the tree: forget vanished names, drop unreferenced rows."""
        old, kept = self.manifest.roots.get(self.root_key, {}), self.kept()
        self.report.removed = sorted(_display(rel) for rel in old.keys() - kept.keys() - self.refused.keys())
        if old != kept:
            self.manifest.roots[self.root_key] = kept
            if not kept:
                del self.manifest.roots[self.root_key]
            self.changed = True
        orphans = sorted(self.manifest.documents.keys() - sources.keys())
        if orphans:
            journal.begin(self.options.out, orphans)
            for doc_id in orphans:
                self.part_files.delete(doc_id)
                del self.manifest.documents[doc_id]
            self.changed = True
        for doc_id, entry in self.manifest.documents.items():
            if entry.status != "failed" and list(entry.sources) != sources[doc_id]:
                set_sources(self.options.out, doc_id, sources[doc_id])
                self.manifest.documents[doc_id] = replace(entry, sources=tuple(sources[doc_id]))
                self.changed = True
        if self.changed:
            self.manifest.save(self.options.out)
        if orphans:
            journal.end(self.options.out)

    # ---- reporting ----------------------------------------------------------------------

    def fail_file(self, rel: str, reason: str) -> None:
        self.refused[rel] = reason

    def file_results(self, jobs: dict[str, str]) -> None:
        """One result per file seen, from this run's outcome or the manifest."""
        old = self.manifest.roots.get(self.root_key, {})
        for rel, reason in self.refused.items():
            if rel in old:
                reason += "; the rows from an earlier run are kept"
            self.report.files.append(FileResult(_display(rel), "failed", old[rel].doc_id if rel in old else None,
                                                reason))
        for rel, entry in sorted(self.current.items()):
            doc_id, name = entry.doc_id, _display(rel)
            done = self.done.get(doc_id)
            if done is not None:
                seconds = done.seconds if jobs[doc_id] == rel else None
                result = FileResult(name, done.entry.status, doc_id, done.entry.reason, list(done.entry.warnings),
                                    seconds)
            elif doc_id in jobs:
                result = FileResult(name, "failed", doc_id, "not processed: the run was interrupted")
            else:
                known = self.manifest.documents[doc_id]
                failed = known.status == "failed"
                result = FileResult(name, "failed" if failed else "skipped", doc_id, known.reason, earlier=failed)
            self.report.files.append(result)
        self.report.files.sort(key=lambda r: r.path)


def ingest(options: IngestOptions) -> RunReport:
    """Run one ingest and return its report.

    Raises LockHeld, ManifestError or ExecutorError before any row is written. An
    interrupt during extraction stores what is finished and returns a report marked
    `interrupted`; one during listing or hashing (nothing written yet) propagates.
    """
    out = Path(options.out)
    out.mkdir(parents=True, exist_ok=True)
    with OutputLock(out):
        version = extractor_version()
        manifest = Manifest.load(out)
        report = RunReport(str(options.root), str(out), version, options.executor, _options_json(options))
        part_files = PartFiles(out)
        report.recovered = journal.recover(out, manifest, part_files)
        run = _Run(options, version, manifest, report, part_files, str(Path(options.root).resolve()))
        found, refused = scan(options.root, exclude=out)
        for r in refused:
            run.fail_file(r.rel, r.reason)
        run.hash_files(found)
        jobs = run.jobs()
        sources = run.sources()
        try:
            _extract(run, jobs, sources)
            run.finish(sources)
        except KeyboardInterrupt:
            report.interrupted = True
            run.store(sources)
        run.file_results(jobs)
        report.finished_at = datetime.now(timezone.utc)
    return report


def _extract(run: _Run, jobs: dict[str, str], sources: dict[str, list[str]]) -> None:
    """Extract the jobs and store them as they finish; largest first, since a big file
    started last would run on alone."""
    root = Path(run.options.root).absolute()
    doc_of = {str(root / rel): doc_id for doc_id, rel in jobs.items()}
    options = run.options
    # Workers on this machine stage the part files in the output folder; the listing of
    # what is there must come first (PartFiles removes temporary files it finds).
    run.part_files.load()
    stage_in = str(Path(options.out).absolute()) if options.executor == "local" else None
    by_size = [Job(path, tuple(sources[doc_id]), stage_in)
               for path, doc_id in sorted(doc_of.items(), key=lambda item: -run.current[jobs[item[1]]].size)]
    if options.executor == "dask":
        batches = run_dask(by_size, options.limits, options.scheduler)
    else:
        batches = run_local(by_size, options.limits, options.workers)
    progress = Progress("extracted and stored", len(by_size), options.progress)
    stored_at = time.monotonic()
    peak = None
    for outcomes in batches:
        for outcome in outcomes:
            run.add(doc_of[outcome.path], outcome)
            if outcome.max_rss_mb is not None:
                peak = max(peak or 0.0, outcome.max_rss_mb)
        if time.monotonic() - stored_at >= max(BATCH_SECONDS, SAVE_SHARE * run.save_seconds):
            progress.advance(*run.store(sources))
            stored_at = time.monotonic()
    progress.advance(*run.store(sources))
    progress.finish()
    run.report.peak_worker_rss_mb = round(peak, 1) if peak is not None else None


def _hash(found: Found) -> str:
    """The file's sha256, or '!' and why it could not be read."""
    try:
        return file_sha256(found.path)
    except OSError as exc:
        return "!" + (exc.strerror or str(exc))


def _display(rel: str) -> str:
    """A path as stored in the tables: undecodable bytes of a file name as \\xNN."""
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _options_json(options: IngestOptions) -> dict[str, object]:
    return {
        "workers": options.workers if options.executor == "local" else None,
        "scheduler": options.scheduler,
        "force": options.force,
        "retry_failed": options.retry_failed,
        "timeout_seconds": options.limits.timeout,
        "max_memory_mb": options.limits.max_memory_mb,
        "max_size_mb": options.max_size_mb,
    }
