"""Load runs: every load the command line or the drop folder starts is recorded in the graph.

`run_load` wraps `loaders.pipeline.load_files`: it writes a `:LoadRun` marked `running` before
the first row is read and, when the load ends, its counts (`done`) or its error (`failed`). A
run killed half-way stays `running`, so `fission status` shows it rather than hiding it. The
load itself is unchanged: loading the same rows again makes them duplicates.

A run may replay a time window (`TimeWindow`): event rows whose `at` is outside
[since, until) are skipped; reference rows (stores, staff, content, members) always load.
"""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, Literal

from fission.errors import InvalidInput
from graph.gateway import Gateway
from graph.queries import query
from graph.schema import apply_schema
from loaders.files import input_files
from loaders.models import EVENT_KINDS, InputRow
from loaders.pipeline import LoadReport, ProgressCallback, load_files

START = query("runs/start")
FINISH = query("runs/finish")

Source = Literal["load", "watch", "rejects"]
ERROR_CHARS = 2_000


@dataclass(frozen=True)
class TimeWindow:
    """Event time window [since, until); either end may be open."""

    since: datetime | None = None
    until: datetime | None = None

    def __post_init__(self) -> None:
        if self.since and self.until and self.since >= self.until:
            raise InvalidInput(f"--since ({self.since}) must be before --until ({self.until})")

    def __call__(self, row: InputRow) -> bool:
        """Whether a row belongs to the window: reference rows always do."""
        if row.kind not in EVENT_KINDS:
            return True
        at: datetime | None = getattr(row, "at", None)
        if at is None:
            return True
        return (self.since is None or at >= self.since) and (self.until is None or at < self.until)

    @property
    def is_open(self) -> bool:
        return self.since is None and self.until is None


def parse_instant(text: str, option: str) -> datetime:
    """An ISO 8601 date (meaning midnight UTC) or a date and time with an offset."""
    try:
        if len(text) == len("2026-05-01"):
            return datetime.combine(date.fromisoformat(text), time(0), tzinfo=UTC)
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(
            f"{option}: {text!r} is not an ISO 8601 date (2026-05-01) or a time with an offset "
            "(2026-05-01T00:00+08:00)"
        ) from exc
    if value.tzinfo is None:
        raise InvalidInput(f"{option}: {text!r} needs a timezone offset (e.g. +08:00)")
    return value


@dataclass
class RunResult:
    run_id: str
    report: LoadReport


def new_run_id(now: datetime) -> str:
    """Sortable by start time, unique across hosts: `20260501T101500Z-1a2b3c4d`."""
    return f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


def run_load(
    gateway: Gateway,
    paths: Iterable[Path],
    *,
    source: Source = "load",
    reject_path: Path | None = None,
    window: TimeWindow | None = None,
    progress: ProgressCallback | None = None,
    derive: bool = True,
    names: list[str] | None = None,
) -> RunResult:
    """Loads files (folders: the input files directly inside them, see loaders.files) as one
    recorded :LoadRun, which names `names` as its files (default: the files); returns its id
    and the pipeline's report."""
    files = input_files(paths)
    apply_schema(gateway)
    started = datetime.now(UTC)
    run_id = new_run_id(started)
    window = window or TimeWindow()
    gateway.write(
        START,
        run={
            "id": run_id,
            "source": source,
            "host": socket.gethostname(),
            "files": names or [str(f) for f in files],
            "since": window.since,
            "until": window.until,
        },
        now=started,
    )
    try:
        report = load_files(
            gateway,
            files,
            reject_path,
            progress=progress,
            derive=derive,
            keep=None if window.is_open else window,
        )
    except Exception as exc:
        gateway.write(
            FINISH,
            id=run_id,
            outcome={"status": "failed", "error": f"{type(exc).__name__}: {exc}"[:ERROR_CHARS]},
            now=datetime.now(UTC),
        )
        raise
    gateway.write(FINISH, id=run_id, outcome=_outcome(report), now=datetime.now(UTC))
    return RunResult(run_id, report)


def _outcome(report: LoadReport) -> dict[str, Any]:
    summary = report.to_dict()
    return {
        "status": "done",
        **{
            k: summary[k]
            for k in (
                "read",
                "accepted",
                "duplicates",
                "rejected",
                "held",
                "skipped",
                "load_seconds",
                "derive_seconds",
                "reject_file",
            )
        },
        "per_type": json.dumps(summary["per_type"]),
        "error": None,
    }
