"""The drop folder (`fission watch DIR`): every complete file that lands in DIR is loaded once.

**Complete files.** Files directly in DIR, by the convention of loaders.files: temporary names
(`*.part`, `*.tmp`, dotfiles, `_*`, ...) are never read; a file must also be unmodified for
`settle` seconds (a safety net for writers that do not rename), or, with `marker`, have a
`<name>.done` beside it. Sub-folders are not read.

**One drop, one run.** Each look at the folder (every `interval` seconds) loads all complete
files found as one recorded load run (loaders.runs), so the pipeline orders them by type:
stores before staff, shares before visits, and so on. A file that cannot be read at all
(unknown type or format, a broken file) goes to `failed/` with `<name>.error.txt`; the others
still load. When a run fails part-way for such a reason, its files are loaded again one by one
so that only the bad one fails.

**Where files go.** `done/<UTC date>/<name>`, with `<name>.rejects.csv` beside it when rows
were refused; `failed/<name>` when the file could not be loaded or more than `max_rejects` of
its rows were refused (its other rows are loaded), with `<name>.rejects.csv` or
`<name>.error.txt`. A name already taken gets the first 12 digits of the content hash added.

**Exactly once.** Each file's SHA-256 is recorded in the graph (`:LoadedFile`) as `loading`
before its rows are read, as `done` or `failed` once the load ends, and as moved once it is.
After a crash or a kill:
- a file whose record says `loading` is loaded again: the load is idempotent (repeated events
  are duplicates), so nothing is applied twice;
- a file whose record says `done` or `failed` but that was not moved is moved, not loaded;
- a file with the content of one already loaded and moved is moved to `done/` without loading
  (the same export dropped twice); content that failed before is loaded again, since what it
  named may have arrived since.
Rejects wait in `DIR/.fission/` until their file moves. One watcher per folder (a lock file
there); a second one is refused.

**Influence.** By default it is refreshed once the loads are done: when the latest load that
finished is newer than the latest refresh and no complete file is waiting. With
`influence_every`, it is refreshed on that schedule instead (which also covers events streamed
over HTTP, which never refresh it).

**Failures of the database** (Neo4j down, a connection lost) move no file: the watcher waits,
doubling the wait up to five minutes, and tries again.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import chain, count
from pathlib import Path
from typing import Literal

from neo4j.exceptions import DriverError, TransientError

from fission.errors import ConfigurationError, DatabaseUnavailable, InvalidInput
from graph.gateway import Gateway
from graph.influence import refresh_influence
from graph.queries import query
from graph.stores import refresh_store_overview
from loaders.files import (
    ERROR_SUFFIX,
    MARKER_SUFFIX,
    REJECTS_SUFFIX,
    is_note,
    is_temporary,
    sha256_of,
)
from loaders.pipeline import KIND_ORDER
from loaders.readers import columns_of, detect_kind, file_format
from loaders.rejects import RejectRow, read_reject_file, write_reject_file
from loaders.runs import run_load
from loaders.status import influence_refresh, load_runs

log = logging.getLogger("fission.watch")

FILES = query("watch/files")
RECORD = query("watch/record")
MOVED = query("watch/moved")

# Errors of the database or the connection, not of a file: nothing moves, the watcher waits.
UNAVAILABLE = (DriverError, TransientError, DatabaseUnavailable)
MAX_BACKOFF_SECONDS = 300.0
Outcome = Literal["done", "failed"]


@dataclass(frozen=True)
class WatchOptions:
    interval: float = 10.0
    settle: float = 10.0
    marker: bool = False
    max_rejects: int = 0
    influence: bool = True
    influence_every: timedelta | None = None


@dataclass
class Handled:
    """What happened to one file of the drop folder."""

    name: str
    sha256: str
    outcome: Outcome
    moved_to: Path
    rejected: int = 0
    reason: str | None = None
    loaded: bool = True


@dataclass
class Cycle:
    """One look at the folder."""

    handled: list[Handled] = field(default_factory=list)
    run_ids: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)

    @property
    def loaded(self) -> list[Handled]:
        return [h for h in self.handled if h.loaded]


@dataclass
class Candidate:
    path: Path
    sha256: str
    size: int
    kind: str | None = None
    outcome: Outcome = "done"
    reason: str | None = None
    rejects: list[RejectRow] = field(default_factory=list)


class DropFolder:
    def __init__(self, gateway: Gateway, folder: Path, options: WatchOptions) -> None:
        if not folder.is_dir():
            raise InvalidInput(f"{folder}: no such folder")
        self.gateway = gateway
        self.folder = folder.resolve()
        self.options = options
        self.done = self.folder / "done"
        self.failed = self.folder / "failed"
        self.work = self.folder / ".fission"
        for sub in (self.done, self.failed, self.work):
            sub.mkdir(exist_ok=True)

    # ------------------------------------------------------------------------- the folder

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Holds the folder's lock: one watcher per folder."""
        path = self.work / "watch.lock"
        with path.open("a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                handle.seek(0)
                holder = handle.read().strip() or "?"
                raise ConfigurationError(
                    f"another `fission watch` is using {self.folder} (pid {holder})"
                ) from exc
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))
            handle.flush()
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def scan(self, now: float | None = None) -> tuple[list[Path], list[Path]]:
        """Complete files, and files still arriving (temporary name, not settled, no marker)."""
        now = now if now is not None else datetime.now(UTC).timestamp()
        ready: list[Path] = []
        waiting: list[Path] = []
        for path in sorted(self.folder.iterdir()):
            if not path.is_file() or path.name.startswith((".", "_")) or is_note(path):
                continue
            if is_temporary(path):
                waiting.append(path)
            elif self.options.marker:
                (ready if _marker(path).exists() else waiting).append(path)
            else:
                settled = now - path.stat().st_mtime >= self.options.settle
                (ready if settled else waiting).append(path)
        return ready, waiting

    # ------------------------------------------------------------------------- one cycle

    def poll(self) -> Cycle:
        """Loads and moves every complete file now in the folder."""
        cycle = Cycle()
        ready, waiting = self.scan()
        cycle.waiting = [p.name for p in waiting]
        candidates: dict[str, Candidate] = {}
        for path in ready:
            try:
                candidate = Candidate(path, sha256_of(path), path.stat().st_size)
            except FileNotFoundError:  # taken away between the scan and now
                continue
            # The same content under two names: the first now, the other on the next cycle.
            candidates.setdefault(candidate.sha256, candidate)
        if not candidates:
            return cycle
        records = {r["sha256"]: r for r in self.gateway.read(FILES, hashes=list(candidates))}
        to_load: list[Candidate] = []
        for sha, candidate in candidates.items():
            record = records.get(sha)
            if record and record["outcome"] in ("done", "failed") and not record["moved_at"]:
                log.info(
                    "%s: loaded before a restart (run %s); moving it",
                    candidate.path.name,
                    record["run_id"],
                )
                cycle.handled.append(
                    self._move(
                        candidate, record["outcome"], loaded=False, rejected=record["rejected"] or 0
                    )
                )
            elif record and record["outcome"] == "done":
                log.info(
                    "%s: same content as %s, loaded %s; not loaded again",
                    candidate.path.name,
                    record["name"],
                    record["recorded_at"],
                )
                cycle.handled.append(self._move(candidate, "done", loaded=False))
            else:
                if record and record["outcome"] == "loading":
                    log.info("%s: its load was interrupted; loading it again", candidate.path.name)
                to_load.append(candidate)
        self._load(to_load, cycle)
        return cycle

    def _load(self, candidates: list[Candidate], cycle: Cycle) -> None:
        """Loads the files as one run (one by one when that run fails because of a file),
        records what happened to each, then moves each."""
        readable = []
        for candidate in candidates:
            try:
                candidate.kind = _readable_kind(candidate.path)
            except InvalidInput as exc:
                candidate.reason = str(exc)
                self._fail(candidate, cycle)
            else:
                readable.append(candidate)
        if not readable:
            return
        self._record(readable, "loading", run_id=None)
        try:
            run_id = self._run(readable)
        except UNAVAILABLE:
            raise
        except Exception as exc:
            if len(readable) == 1:
                readable[0].reason = f"{type(exc).__name__}: {exc}"
                self._fail(readable[0], cycle)
            else:
                log.warning(
                    "a drop of %d files failed (%s); loading them one by one", len(readable), exc
                )
                for candidate in sorted(readable, key=lambda c: KIND_ORDER.index(c.kind or "")):
                    self._load([candidate], cycle)
            return
        cycle.run_ids.append(run_id)
        for candidate in readable:
            cycle.handled.append(
                self._move(
                    candidate, candidate.outcome, loaded=True, rejected=len(candidate.rejects)
                )
            )

    def _run(self, candidates: list[Candidate]) -> str:
        """Loads the files as one recorded run, keeps each file's rejects beside its record,
        and records each file's outcome; returns the run's id."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        combined = self.work / f"{stamp}{REJECTS_SUFFIX}"
        result = run_load(
            self.gateway, [c.path for c in candidates], source="watch", reject_path=combined
        )
        by_source: dict[str, list[RejectRow]] = {}
        if combined.exists():
            for row in read_reject_file(combined):
                by_source.setdefault(row.source, []).append(row)
        for candidate in candidates:
            candidate.rejects = by_source.get(str(candidate.path), [])
            if candidate.rejects:
                write_reject_file(self._sidecar(candidate, REJECTS_SUFFIX), candidate.rejects)
            if len(candidate.rejects) > self.options.max_rejects:
                candidate.outcome = "failed"
                candidate.reason = f"{len(candidate.rejects)} rows refused"
        for outcome in ("done", "failed"):
            group = [c for c in candidates if c.outcome == outcome]
            if group:
                self._record(group, outcome, run_id=result.run_id)
        combined.unlink(missing_ok=True)
        report = result.report
        log.info(
            "run %s: %d files, %d rows read, %d accepted, %d duplicates, %d held, %d rejected",
            result.run_id,
            len(candidates),
            report.total("read"),
            report.total("accepted"),
            report.total("duplicates"),
            report.total("held"),
            report.total("rejected"),
        )
        return result.run_id

    def _fail(self, candidate: Candidate, cycle: Cycle) -> None:
        self._sidecar(candidate, ERROR_SUFFIX).write_text(
            f"{candidate.path.name} was not loaded: {candidate.reason}\n", encoding="utf-8"
        )
        self._record([candidate], "failed", run_id=None)
        cycle.handled.append(self._move(candidate, "failed", loaded=False))

    # ------------------------------------------------------------------------- records, moves

    def _record(self, candidates: list[Candidate], outcome: str, run_id: str | None) -> None:
        rows = [
            {
                "sha256": c.sha256,
                "name": c.path.name,
                "size": c.size,
                "outcome": outcome,
                "run_id": run_id,
                "rejected": len(c.rejects),
                "reason": c.reason,
            }
            for c in candidates
        ]
        self.gateway.write(RECORD, rows=rows, now=datetime.now(UTC))

    def _sidecar(self, candidate: Candidate, suffix: str) -> Path:
        return self.work / f"{candidate.sha256}{suffix}"

    def _move(
        self, candidate: Candidate, outcome: Outcome, loaded: bool, rejected: int = 0
    ) -> Handled:
        if outcome == "done":
            folder = self.done / datetime.now(UTC).strftime("%Y-%m-%d")
        else:
            folder = self.failed
        folder.mkdir(parents=True, exist_ok=True)
        target = _free_name(folder, candidate.path.name, candidate.sha256)
        shutil.move(candidate.path, target)
        for suffix in (REJECTS_SUFFIX, ERROR_SUFFIX):
            note = self._sidecar(candidate, suffix)
            if note.exists():
                shutil.move(note, target.with_name(target.name + suffix))
        _marker(candidate.path).unlink(missing_ok=True)
        self.gateway.write(
            MOVED,
            rows=[{"sha256": candidate.sha256, "moved_to": str(target)}],
            now=datetime.now(UTC),
        )
        log.info("%s -> %s", candidate.path.name, target.relative_to(self.folder))
        return Handled(
            name=candidate.path.name,
            sha256=candidate.sha256,
            outcome=outcome,
            moved_to=target,
            rejected=rejected,
            reason=candidate.reason,
            loaded=loaded,
        )

    # ------------------------------------------------------------------------- influence

    def influence_due(self, now: datetime | None = None) -> bool:
        """Whether influence should be refreshed now (see the module docstring)."""
        if not self.options.influence:
            return False
        now = now or datetime.now(UTC)
        refreshed_at, _ = influence_refresh(self.gateway)
        if self.options.influence_every is not None:
            return refreshed_at is None or now - refreshed_at >= self.options.influence_every
        finished = [r.finished_at for r in load_runs(self.gateway) if r.status == "done"]
        latest = max((f for f in finished if f is not None), default=None)
        if latest is None or (refreshed_at is not None and refreshed_at >= latest):
            return False
        ready, _ = self.scan()
        return not ready

    # ------------------------------------------------------------------------- the loop

    def run(self, stop: threading.Event, once: bool = False) -> None:
        """Looks at the folder every `interval` seconds until `stop` is set (or once)."""
        backoff = 0.0
        with self.locked():
            log.info("watching %s every %.0f s", self.folder, self.options.interval)
            while not stop.is_set():
                try:
                    self.poll()
                    if self.influence_due():
                        report = refresh_influence(self.gateway)
                        log.info("influence refreshed in %.1f s", report.seconds)
                        overview = refresh_store_overview(self.gateway)
                        log.info("HQ overview precomputed in %.1f s", overview.seconds)
                    backoff = 0.0
                except UNAVAILABLE as exc:
                    if once:
                        raise DatabaseUnavailable(f"Neo4j is not available: {exc}") from exc
                    backoff = min(max(self.options.interval, 2 * backoff), MAX_BACKOFF_SECONDS)
                    log.warning("Neo4j is not available (%s); trying again in %.0f s", exc, backoff)
                    stop.wait(backoff)
                    continue
                if once:
                    return
                stop.wait(self.options.interval)
            log.info("stopped")


def _readable_kind(path: Path) -> str:
    """The file's type, once its format is known and its header (CSV, JSON Lines) or footer
    (Parquet) reads; InvalidInput says why not. Rows are checked by the load itself."""
    file_format(path)
    try:
        columns_of(path)
    except (ValueError, OSError) as exc:  # pyarrow's and pandas' errors are ValueErrors
        raise InvalidInput(f"{path.name}: cannot read it ({type(exc).__name__}: {exc})") from exc
    return detect_kind(path)


def _marker(path: Path) -> Path:
    return path.with_name(path.name + MARKER_SUFFIX)


def _free_name(folder: Path, name: str, sha256: str) -> Path:
    """`name` in `folder`, or, when taken, `<stem>-<hash>[-n].<suffixes>` (the type stays the
    first word of the name)."""
    stem, dot, rest = name.partition(".")
    numbered = (f"{stem}-{sha256[:12]}-{n}{dot}{rest}" for n in count(2))
    names = chain([name, f"{stem}-{sha256[:12]}{dot}{rest}"], numbered)
    return next(folder / n for n in names if not (folder / n).exists())
