"""How fresh everything is, in one place: `fission status`, `GET /status` and the HQ page.

- **Loads**: the latest recorded load runs (loaders.runs), newest first; the data is as of the
  end of the latest run that finished.
- **Held events**: events waiting for what they name (loaders.stream), by type and by what
  they wait for, with the oldest arrival.
- **Awaiting derivation**: people marked `:Stale` whose derived data is not recomputed yet.
- **Influence**: when it was last refreshed (graph.influence records each refresh).
- **Database size**: nodes, relationships and people from Neo4j's count store (any server),
  and bytes on disk (store files plus transaction logs) when the server's data folder — which
  the server reports through `dbms.listConfig` — is visible from this machine, as it is for
  the project's local server. Neo4j 5 Community has no procedure that reports store sizes to a
  remote client, so for a remote server the bytes are unknown and the status says why.
- **Warnings**: influence older than `influence_max_age_hours`, at least `held_warn_count`
  events held, a failed last load, people left awaiting derivation.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from neo4j.exceptions import Neo4jError
from pydantic import BaseModel, Field

from graph.gateway import Gateway
from graph.queries import query

RECENT_RUNS = query("runs/recent")
HELD_EVENTS = query("status/held_events")
STALE_PEOPLE = query("status/stale_people")
INFLUENCE_REFRESH = query("status/influence_refresh")
INFLUENCE_SCORED_AT = query("status/influence_scored_at")
COUNTS = query("status/counts")
DIRECTORIES = query("status/directories")

RECENT_LOADS = 5
# A run still `running` after this long was most likely killed (a crash, a reboot).
RUN_LOOKS_DEAD_HOURS = 12


class LoadRunInfo(BaseModel):
    """One recorded load run; counts are null while it runs or when it failed."""

    id: str
    source: str = Field(description="load (fission load), watch (drop folder), rejects.")
    status: Literal["running", "done", "failed"]
    host: str | None = None
    started_at: datetime
    finished_at: datetime | None = None
    files: list[str] = []
    since: datetime | None = Field(None, description="Replay window start (event time).")
    until: datetime | None = Field(None, description="Replay window end (exclusive).")
    read: int | None = None
    accepted: int | None = None
    duplicates: int | None = None
    rejected: int | None = None
    held: int | None = None
    skipped: int | None = Field(None, description="Rows outside the replay window.")
    per_type: dict[str, dict[str, int]] | None = None
    reject_file: str | None = None
    load_seconds: float | None = None
    derive_seconds: float | None = None
    error: str | None = None


class HeldGroup(BaseModel):
    kind: str = Field(description="Type of the held events (shares, visits, ...).")
    waiting_for: str = Field(description="What they name that is not known yet.")
    count: int
    oldest: datetime | None
    example: str | None = Field(description="One full reason, with the id it names.")


class HeldSummary(BaseModel):
    count: int
    oldest: datetime | None
    by_reason: list[HeldGroup]


class InfluenceFreshness(BaseModel):
    refreshed_at: datetime | None
    age_hours: float | None
    seconds: float | None = Field(description="How long the last refresh took.")


class DatabaseSize(BaseModel):
    nodes: int
    relationships: int
    people: int
    store_bytes: int | None = Field(description="Store files and transaction logs on disk.")
    store_note: str = Field(description="Where the bytes were measured, or why they are unknown.")


class Notice(BaseModel):
    """One warning: its kind and figures (pages word it in their own language) and the same in
    plain English."""

    kind: Literal[
        "influence_never", "influence_old", "held", "load_failed", "load_stuck", "stale_people"
    ]
    text: str
    figures: dict[str, Any] = Field(
        default_factory=dict,
        description="influence_old {age_hours, refreshed_at}; held {count, oldest}; "
        "load_failed {run, error}; load_stuck {run, hours}; stale_people {people}.",
    )


class OperationsStatus(BaseModel):
    """What the data is as of, what is waiting, and what needs attention."""

    as_of: datetime = Field(description="When this status was taken.")
    data_as_of: datetime | None = Field(description="End of the latest load that finished.")
    last_load: LoadRunInfo | None
    recent_loads: list[LoadRunInfo]
    held: HeldSummary
    stale_people: int = Field(description="People awaiting derivation.")
    influence: InfluenceFreshness
    database: DatabaseSize
    warnings: list[str]
    notices: list[Notice] = Field(
        default_factory=list, description="The warnings as data, in the same order."
    )


def load_runs(gateway: Gateway, limit: int = RECENT_LOADS) -> list[LoadRunInfo]:
    """The latest recorded load runs, newest first."""
    runs = []
    for row in gateway.read(RECENT_RUNS, limit=limit):
        run: dict[str, Any] = row["run"]
        if run.get("per_type"):
            run["per_type"] = json.loads(run["per_type"])
        runs.append(LoadRunInfo.model_validate(run))
    return runs


def held_summary(gateway: Gateway) -> HeldSummary:
    groups = [HeldGroup.model_validate(r) for r in gateway.read(HELD_EVENTS)]
    oldest = [g.oldest for g in groups if g.oldest is not None]
    return HeldSummary(
        count=sum(g.count for g in groups), oldest=min(oldest, default=None), by_reason=groups
    )


def database_size(gateway: Gateway) -> DatabaseSize:
    counts = gateway.read(COUNTS)[0]
    try:
        folders = {r["name"]: Path(r["value"]) for r in gateway.read(DIRECTORIES)}
    except Neo4jError as exc:
        size: tuple[int | None, str] = (None, f"the server did not say where its data is: {exc}")
    else:
        size = store_bytes(folders, gateway.database)
    return DatabaseSize(**counts, store_bytes=size[0], store_note=size[1])


def store_bytes(folders: dict[str, Path], database: str) -> tuple[int | None, str]:
    """Bytes on disk of a database's store files and transaction logs, from the server's
    `server.directories.*` settings, when those folders are visible here; else None and why."""
    data = folders.get("server.directories.data")
    store = data / "databases" / database if data else None
    if data is None or store is None or not store.is_dir():
        return None, (
            f"the server's data folder ({data}) is not visible from this machine; "
            "Neo4j Community reports no store sizes to remote clients"
        )
    logs = folders.get("server.directories.transaction.logs.root", data / "transactions")
    tx_logs = logs / database
    total = _disk_usage(store) + _disk_usage(tx_logs)
    return total, f"measured on this machine: {store} and {tx_logs}"


def _disk_usage(folder: Path) -> int:
    """Bytes allocated on disk for a folder and everything in it, as `du` counts them."""
    total = 0
    for root, _, names in os.walk(folder):
        for path in (Path(root), *(Path(root) / name for name in names)):
            try:
                total += path.stat().st_blocks * 512
            except FileNotFoundError:  # a log rotated away while we walked
                continue
    return total


def influence_refresh(gateway: Gateway) -> tuple[datetime | None, float | None]:
    """When influence was last refreshed (None: never) and how many seconds that took (None:
    not recorded). A database scored before refreshes were recorded gives the latest score's
    time, from a scan of every person that runs only then."""
    recorded = gateway.read(INFLUENCE_REFRESH)
    if recorded:
        return recorded[0]["refreshed_at"], recorded[0]["seconds"]
    return gateway.read(INFLUENCE_SCORED_AT)[0]["scored_at"], None


def operations_status(gateway: Gateway, now: datetime | None = None) -> OperationsStatus:
    """Loads, held events, derivation backlog, influence age, size, and warnings."""
    now = now or datetime.now(UTC)
    settings = gateway.settings
    runs = load_runs(gateway)
    finished = [r.finished_at for r in runs if r.status == "done" and r.finished_at]
    held = held_summary(gateway)
    stale = gateway.read(STALE_PEOPLE)[0]["people"]
    refreshed_at, seconds = influence_refresh(gateway)
    age = (now - refreshed_at).total_seconds() / 3600 if refreshed_at else None
    influence = InfluenceFreshness(
        refreshed_at=refreshed_at,
        age_hours=round(age, 2) if age is not None else None,
        seconds=seconds,
    )
    database = database_size(gateway)
    status = OperationsStatus(
        as_of=now,
        data_as_of=max(finished, default=None),
        last_load=runs[0] if runs else None,
        recent_loads=runs,
        held=held,
        stale_people=stale,
        influence=influence,
        database=database,
        warnings=[],
    )
    status.notices = notices(status, settings.influence_max_age_hours, settings.held_warn_count)
    status.warnings = [n.text for n in status.notices]
    return status


def notices(
    status: OperationsStatus, influence_max_age_hours: float, held_warn: int
) -> list[Notice]:
    """What needs someone's attention: each kind with its figures, and in plain words."""
    found: list[Notice] = []
    influence = status.influence
    if influence.refreshed_at is None:
        if status.database.people:
            found.append(
                Notice(
                    kind="influence_never",
                    text="Influence has never been computed: run `fission influence`.",
                )
            )
    elif influence.age_hours is not None and influence.age_hours > influence_max_age_hours:
        found.append(
            Notice(
                kind="influence_old",
                text=f"Influence is {influence.age_hours:.0f} h old (refreshed "
                f"{influence.refreshed_at:%Y-%m-%d %H:%M} UTC): run `fission influence`, or "
                "`fission watch --influence-every 6h`.",
                figures={"age_hours": influence.age_hours, "refreshed_at": influence.refreshed_at},
            )
        )
    if status.held.count >= held_warn:
        oldest = status.held.oldest
        since = f", the oldest since {oldest:%Y-%m-%d %H:%M} UTC" if oldest else ""
        found.append(
            Notice(
                kind="held",
                text=f"Events held waiting for what they name: {status.held.count:,}{since}. "
                "See held events by reason.",
                figures={"count": status.held.count, "oldest": oldest},
            )
        )
    last = status.last_load
    loading = False
    if last is not None and last.status == "failed":
        found.append(
            Notice(
                kind="load_failed",
                text=f"The last load ({last.id}) failed: {last.error}",
                figures={"run": last.id, "error": last.error},
            )
        )
    elif last is not None and last.status == "running":
        hours = (status.as_of - last.started_at).total_seconds() / 3600
        loading = hours < RUN_LOOKS_DEAD_HOURS
        if not loading:
            found.append(
                Notice(
                    kind="load_stuck",
                    text=f"The last load ({last.id}) has been running for {hours:.0f} h; if its "
                    "process is gone it was interrupted: load its files again (loads are "
                    "idempotent).",
                    figures={"run": last.id, "hours": hours},
                )
            )
    if status.stale_people and not loading:
        found.append(
            Notice(
                kind="stale_people",
                text=f"{status.stale_people:,} people await derivation with no load running: "
                "run `fission derive`.",
                figures={"people": status.stale_people},
            )
        )
    return found
