"""`fission import`: the bulk first load. Builds the whole graph from event files in memory and
has `neo4j-admin database import full` write it as the local server's database.

Steps (each timed in the report): read and validate the files (loaders.bulk.validate); decide
every row as `fission load` would (loaders.bulk.resolve: accepted, duplicate, rejected into the
reject file, or held); derive first appearances, referrers, homes, ties and interests, and rank
influence (loaders.bulk.build with graph.derive_columnar and graph.influence); write the import
files; stop the server, import with overwrite, start it; apply the schema. The result is the
graph `fission load` + `fission influence` build from the same files, with the same
`:HeldEvent` nodes for rows that name something the files do not bring, ready for online
loading to continue on top of it (and to apply those held rows when what they wait for
arrives).

It needs the database files, so only the project's local server (fission.localserver) can be
the target. The database is replaced: one that holds data is only replaced when asked
(`replace=True`); tombstones of people erased on request are carried over, so their events stay
refused.
"""

from __future__ import annotations

import gc
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from fission.errors import ConfigurationError, InvalidInput
from fission.localserver import LocalNeo4j
from fission.settings import Settings
from graph.gateway import Gateway
from graph.influence import RECORD_REFRESH
from graph.queries import query
from graph.schema import apply_schema
from loaders.bulk.build import build_graph, write_files
from loaders.bulk.resolve import resolve
from loaders.bulk.steps import Steps
from loaders.bulk.validate import validate_files
from loaders.pipeline import KIND_ORDER, KindStats, RejectWriter, expand_paths

CONTENTS = query("bulk/contents")
TOMBSTONES = query("bulk/tombstones")
HELD_PEOPLE = query("bulk/held_people")

Progress = Callable[[str], None]
VERDICTS = ("read", "accepted", "duplicates", "held", "rejected")


@dataclass
class ImportReport:
    """Rows per type and verdict (`held`: rows left waiting for something they name, as in
    `fission load`'s report), what the graph holds, where rejects went, step timings."""

    stats: dict[str, KindStats] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    reject_file: Path | None = None
    rejected: int = 0
    import_bytes: int = 0
    step_seconds: dict[str, float] = field(default_factory=dict)
    importer_summary: str = ""

    @property
    def seconds(self) -> float:
        return round(sum(self.step_seconds.values()), 3)

    def total(self, attr: str) -> int:
        return sum(getattr(s, attr) for s in self.stats.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "per_type": {k: vars(v) for k, v in self.stats.items()},
            **{verdict: self.total(verdict) for verdict in VERDICTS},
            "graph": self.counts,
            "import_bytes": self.import_bytes,
            "step_seconds": self.step_seconds,
            "seconds": self.seconds,
            "reject_file": str(self.reject_file) if self.reject_file else None,
        }


def check_target(settings: Settings, server: LocalNeo4j) -> None:
    """Refuses any server but the project's local one: the import writes its database files."""
    if not server.serves(settings.neo4j_uri):
        raise ConfigurationError(
            f"fission import builds the database files of the project's local server "
            f"({server.home}, bolt://127.0.0.1:{server.bolt_port}), but NEO4J_URI is "
            f"{settings.neo4j_uri}. Load other servers with `fission load`, or run "
            "`neo4j-admin database import` on that server's machine."
        )
    if settings.neo4j_database != "neo4j":
        raise ConfigurationError(
            f"fission import builds the local server's default database `neo4j`, not "
            f"{settings.neo4j_database!r} (Neo4j Community has one user database)."
        )


def bulk_import(
    settings: Settings,
    paths: Iterable[Path],
    *,
    server: LocalNeo4j | None = None,
    reject_path: Path | None = None,
    now: datetime | None = None,
    replace: bool = False,
    work_dir: Path | None = None,
    keep_files: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Builds the local server's database from files (see the module docstring); `now` is the
    time interest tags are aged to (its whole second) and influence is stamped with (default:
    now)."""
    server = server or LocalNeo4j.from_settings(settings)
    check_target(settings, server)
    now = now or datetime.now(UTC)
    typed = expand_paths(paths)
    step = Steps(progress)
    report = ImportReport(files=[str(p) for p, _ in typed], step_seconds=step.seconds)

    server.start(log=progress)
    with Gateway(settings) as gateway:
        contents = gateway.read(CONTENTS)[0]
        tombstones = gateway.read(TOMBSTONES)
    if contents["nodes"] > len(tombstones) and not replace:
        raise InvalidInput(
            f"The database holds {contents['nodes']:,} nodes ({contents['held_events']:,} held "
            "events); fission import replaces the whole database. Pass --replace to do so, or "
            "add these files with `fission load`."
        )
    step("check target")

    validated = validate_files(typed, progress)
    step("read and validate")
    resolved = resolve(
        validated,
        frozenset(str(t["id_sha256"]) for t in tombstones),
        progress,
        chunk_rows=settings.load_chunk_rows,
        batch_rows=settings.load_batch_rows,
    )
    report.stats = resolved.stats
    report.reject_file = _write_rejects(resolved.rejects, reject_path)
    report.rejected = len(resolved.rejects)
    step("check references")

    tables = build_graph(resolved, now, tombstones, progress)
    report.counts = tables.counts
    step.seconds.update({f"derive: {k}": v for k, v in tables.step_seconds.items()})
    step.restart()

    folder = work_dir or settings.var_dir / "import" / now.strftime("%Y%m%dT%H%M%S")
    files = write_files(tables, folder)
    report.import_bytes = files.bytes
    # Give the memory back before neo4j-admin and the server need it.
    del tables, resolved, validated
    gc.collect()
    pa.default_memory_pool().release_unused()
    step("write import files")

    server.stop()
    step("stop server")
    report.importer_summary = server.import_database(
        settings.neo4j_database,
        [(None if label == "Person" else label, path) for label, path in files.nodes],
        files.relationships,
        files.multiline,
        heap=settings.import_heap,
        max_off_heap=settings.import_max_off_heap,
        threads=settings.import_threads,
    )
    step("neo4j-admin import")
    server.start(timeout=600, log=progress)
    step("start server")
    with Gateway(settings) as gateway:
        apply_schema(gateway)
        gateway.write(HELD_PEOPLE)
        # The import ranked influence as a refresh does: say so where `fission status` looks.
        gateway.write(
            RECORD_REFRESH,
            at=now,
            seconds=step.seconds.get("derive: influence", 0.0),
            people=report.counts.get("Person", 0),
        )
    step("schema")
    if not keep_files:
        shutil.rmtree(folder, ignore_errors=True)
    return report


def _write_rejects(rejects: list[Any], path: Path | None) -> Path | None:
    writer = RejectWriter(path)
    for r in sorted(rejects, key=lambda r: (KIND_ORDER.index(r.kind), r.source, r.row)):
        writer.add(r.source, r.row, r.kind, r.key, r.reason, r.raw)
    writer.close()
    return path if rejects and path else None
