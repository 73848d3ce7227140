"""The load pipeline: read in chunks, validate, check against the graph, write in batches.

Each batch is one write transaction holding the reference checks (unknown share, visit before
its share, duplicate event, ...), the write, and what the written events add to derived data
(graph.derive.fold), so a batch is applied whole or not at all, and a row that fails is
reported with its reason while the rest of the batch loads. A row that names something not
known yet is held (loaders.held), exactly like an event sent over HTTP, and applied when what it
names arrives: later in the same load, in a later load, or over HTTP. What derivation could not
settle inside the transaction is finished by graph.derive.derive_stale after each type.
"""

from __future__ import annotations

import csv
import json
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, Literal

from neo4j.exceptions import ConstraintError
from pydantic import SecretStr, ValidationError

from fission.errors import InvalidInput
from graph.derive import DeriveReport, Fold, derive_stale, fold
from graph.erasure import erased_ids
from graph.gateway import Gateway, Tx, batched
from graph.queries import Query, query
from graph.schema import apply_schema
from loaders import held
from loaders.held import PEOPLE_FIELDS, ExpiryReport, HeldRow, Waiting, held_id
from loaders.models import (
    MODEL_BY_KIND,
    ROW_MODELS,
    InputRow,
    explain,
    is_blank,
    pseudonymise_raw,
)
from loaders.pseudonyms import validation_context
from loaders.readers import RawReject, detect_kind, file_format, read_chunks

KIND_ORDER = [model.kind for model in ROW_MODELS]
TIMED_KINDS = ("shares", "visits", "orders", "friendships", "agents", "notes")
# One query per type checks each row against the graph and writes the rows that pass.
WRITES: dict[str, Query] = {kind: query(f"load/{kind}") for kind in KIND_ORDER}


# What happened to one row or event, in the words the load queries, reports and API all use.
Status = Literal["accepted", "duplicate", "pending", "rejected"]


@dataclass(frozen=True)
class Verdict:
    """What happened to one row, with the reason when it was not accepted; a pending row says
    what it waits for ('share:SH1', 'person:P1', 'content:K1', 'staff:P2', 'store:S1')."""

    status: Status
    reason: str | None = None
    waits_for: str | None = None


@dataclass
class KindStats:
    """Rows of one type: `held` are still waiting for something they name (loaders.held)."""

    read: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    held: int = 0
    skipped: int = 0  # valid rows that `keep` left out (outside a replay window)


@dataclass
class LoadReport:
    stats: dict[str, KindStats] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    reject_file: Path | None = None
    load_seconds: float = 0.0
    derive: DeriveReport | None = None
    released: int = 0  # held events from earlier loads or the API that this load let through
    expired: ExpiryReport = field(default_factory=ExpiryReport)

    def kind(self, kind: str) -> KindStats:
        return self.stats.setdefault(kind, KindStats())

    def total(self, attr: str) -> int:
        return sum(getattr(s, attr) for s in self.stats.values())

    @property
    def seconds(self) -> float:
        return self.load_seconds + (self.derive.seconds if self.derive else 0.0)

    @property
    def rows_per_second(self) -> float:
        return self.total("read") / self.seconds if self.seconds else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "per_type": {k: vars(v) for k, v in self.stats.items()},
            "read": self.total("read"),
            "accepted": self.total("accepted"),
            "duplicates": self.total("duplicates"),
            "rejected": self.total("rejected"),
            "held": self.total("held"),
            "skipped": self.total("skipped"),
            "released_from_hold": self.released,
            "expired_from_hold": self.expired.expired,
            "expired_report": str(self.expired.report) if self.expired.report else None,
            "load_seconds": round(self.load_seconds, 3),
            "derive_seconds": round(self.derive.seconds, 3) if self.derive else 0.0,
            "rows_per_second": round(self.rows_per_second, 1),
            "reject_file": str(self.reject_file) if self.reject_file else None,
        }


class RejectWriter:
    """CSV of rejected rows (source, row, type, key, reason, raw); created on the first one."""

    COLUMNS = ("source", "row", "type", "key", "reason", "raw")

    def __init__(self, path: Path | None, secret: SecretStr | None = None) -> None:
        self.path = path
        self.secret = secret  # person ids are pseudonymised in the file, as in the graph
        self.count = 0
        self._handle: Any = None
        self._writer: Any = None

    def add(self, source: str, row: int, kind: str, key: str | None, reason: str, raw: Any) -> None:
        self.count += 1
        if self.path is None:
            return
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self.path.open("w", newline="", encoding="utf-8")
            self._writer = csv.writer(self._handle)
            self._writer.writerow(self.COLUMNS)
        if raw is not None and self.secret is not None:
            raw = pseudonymise_raw(kind, raw, self.secret)
            key = pseudonymise_raw(kind, {MODEL_BY_KIND[kind].key: key}, self.secret)[
                MODEL_BY_KIND[kind].key
            ]
        raw_text = json.dumps(raw, default=str, ensure_ascii=False) if raw is not None else ""
        self._writer.writerow([source, row, kind, key or "", reason, raw_text])

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()


@dataclass
class Item:
    """A valid row on its way to the graph, with where it came from."""

    source: str
    row: int
    model: InputRow
    raw: dict[str, Any]


def apply_batch(gateway: Gateway, kind: str, models: Sequence[InputRow]) -> list[Verdict]:
    """Checks and writes one batch of valid rows of one type in one transaction, with what they
    add to derived data; returns a verdict per row."""
    key = MODEL_BY_KIND[kind].key
    params = [{**m.params(), "i": i} for i, m in enumerate(models)]
    fields = PEOPLE_FIELDS.get(kind, ())
    erased = erased_ids(gateway, {p[f] for p in params for f in fields if p[f]})
    # Repeats inside the batch: the first one counts, the others are duplicates.
    first_by_key: dict[Any, int] = {}
    verdicts: list[Verdict | None] = [None] * len(params)
    for i, p in enumerate(params):
        gone = [p[f] for f in fields if p[f] in erased]
        if gone:
            verdicts[i] = Verdict("rejected", f"person {gone[0]} was erased on request")
        elif p[key] in first_by_key:
            first = params[first_by_key[p[key]]]
            same = {**first, "i": i} == p
            verdicts[i] = (
                Verdict("duplicate")
                if same
                else Verdict(
                    "rejected",
                    f"{key} {p[key]} is used earlier in this batch by an event with a "
                    "different payload",
                )
            )
        else:
            first_by_key[p[key]] = i
    if kind == "shares":
        _same_share_id_twice(params, verdicts)
    to_write = [
        p
        for wave in _waves(kind, [p for p, v in zip(params, verdicts, strict=True) if v is None])
        for p in wave
    ]

    def work(tx: Tx) -> list[Verdict | None]:
        result = list(verdicts)
        for p in to_write:
            result[p["i"]] = Verdict("accepted")
        answered: dict[int, dict[str, Any]] = {}
        for row in tx.run(WRITES[kind], rows=to_write):
            result[row["i"]] = Verdict(row["status"], row["reason"], row["missing"])
            answered[row["i"]] = row
        events = Fold()
        for p in to_write:
            verdict = result[p["i"]]
            if verdict is not None and verdict.status == "accepted":
                events.add(kind, p, answered.get(p["i"], {}))
        fold(tx, events)
        return result

    done = gateway.write_tx(work) if to_write else verdicts
    return [v or Verdict("rejected", "not checked") for v in done]


def arrivals(kind: str, params: dict[str, Any]) -> list[str]:
    """What an applied row of this type makes known, in the words of `Verdict.waits_for`."""
    match kind:
        case "stores":
            return [f"store:{params['store_id']}"]
        case "staff":
            return [f"staff:{params['person_id']}", f"person:{params['person_id']}"]
        case "content":
            return [f"content:{params['content_id']}"]
        case "shares":
            return [f"share:{params['share_id']}", f"person:{params['sharer_id']}"]
        case "friendships":
            return [f"person:{params['a_id']}", f"person:{params['b_id']}"]
        case "visits":
            return [f"person:{params['visitor_id']}"]
        case "members" | "orders":
            return [f"person:{params['person_id']}"]
    return []


Outcome = Callable[[Waiting, Verdict], None]


def release_held(
    gateway: Gateway, keys: Iterable[str], outcome: Outcome | None = None
) -> list[tuple[Waiting, Verdict]]:
    """Retries the held events waiting for these references (which just arrived), and in turn
    those waiting for what they bring; each leaves hold unless it now waits for something else.
    Those rejected on retry go to the held-events report. `outcome` hears each verdict."""
    keys = set(keys)
    outcomes: list[tuple[Waiting, Verdict]] = []
    # New references come only from events applied here, which leave hold: this ends.
    while keys:
        waiting = held.waiting_for(gateway, sorted(keys))
        keys = set()
        for kind in KIND_ORDER:
            of_kind = [w for w in waiting if w.kind == kind]
            for batch in batched(of_kind, gateway.settings.load_batch_rows):
                verdicts = apply_batch(gateway, kind, [w.model for w in batch])
                still: list[HeldRow] = []
                for w, verdict in zip(batch, verdicts, strict=True):
                    outcomes.append((w, verdict))
                    if outcome:
                        outcome(w, verdict)
                    if verdict.status == "pending":
                        still.append(
                            HeldRow(
                                kind,
                                w.model,
                                verdict.reason or "",
                                verdict.waits_for or "",
                                w.source,
                            )
                        )
                    elif verdict.status == "accepted":
                        keys.update(arrivals(kind, w.model.params()))
                rejected = [
                    {
                        **HeldRow(kind, w.model, v.reason or "", "", w.source).params(),
                        "outcome": "rejected",
                    }
                    for w, v in zip(batch, verdicts, strict=True)
                    if v.status == "rejected"
                ]
                if rejected:
                    held.append_report(gateway.settings.held_report_dir, "rejected", rejected)
                held.hold(gateway, still)
                held.drop(
                    gateway,
                    [w.id for w, v in zip(batch, verdicts, strict=True) if v.status != "pending"],
                )
    return outcomes


def _same_share_id_twice(params: list[dict[str, Any]], verdicts: list[Verdict | None]) -> None:
    owner: dict[str, str] = {}
    for i, p in enumerate(params):
        if verdicts[i] is not None:
            continue
        taken_by = owner.setdefault(p["share_id"], p["event_id"])
        if taken_by != p["event_id"]:
            verdicts[i] = Verdict(
                "rejected", f"share_id {p['share_id']} already belongs to event {taken_by}"
            )


def _waves(kind: str, rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Rows in the order they can be written: a reshare after its parent when both are in the
    batch (the load query takes rows one after the other, each seeing the rows before it);
    others by time, so that first appearances mostly arrive in order."""
    if kind in TIMED_KINDS:
        rows = sorted(rows, key=lambda r: (_when(r["at"]), r["event_id"]))
    if kind != "shares":
        return [rows]
    pending = {r["share_id"]: r for r in rows}
    waves: list[list[dict[str, Any]]] = []
    while pending:
        wave = [r for r in pending.values() if r["parent_share_id"] not in pending]
        if not wave:  # a cycle of reshares: each waits for the other, so both are held
            wave = list(pending.values())
        waves.append(wave)
        for r in wave:
            del pending[r["share_id"]]
    return waves


def _when(text: str) -> datetime:
    """A row's time for ordering; a time only the database can judge (rows built without
    validation) sorts last and fails there."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return datetime.max.replace(tzinfo=UTC)


def validate(kind: str, record: dict[str, Any], secret: SecretStr | None = None) -> InputRow | str:
    """The typed row (person ids pseudonymised with `secret`, if any), or why it is invalid."""
    # Blank cells are absent values: a required one is then reported as missing.
    present = {k: v for k, v in record.items() if not is_blank(v)}
    try:
        return MODEL_BY_KIND[kind].model_validate(present, context=validation_context(secret))
    except ValidationError as exc:
        return explain(exc)


def expand_paths(paths: Iterable[Path]) -> list[tuple[Path, str]]:
    """Files (directories expanded) with their recognised type, in load order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(p for p in sorted(path.iterdir()) if p.is_file() and _is_data_file(p))
        elif path.is_file():
            files.append(path)
        else:
            raise InvalidInput(f"{path}: no such file or directory")
    typed = [(p, detect_kind(p)) for p in files]
    return sorted(typed, key=lambda pk: (KIND_ORDER.index(pk[1]), str(pk[0])))


def _is_data_file(path: Path) -> bool:
    try:
        file_format(path)
    except Exception:
        return False
    return True


ProgressCallback = Callable[[str, int], None]
RowFilter = Callable[[InputRow], bool]


def load_files(
    gateway: Gateway,
    paths: Iterable[Path],
    reject_path: Path | None = None,
    progress: ProgressCallback | None = None,
    derive: bool = True,
    keep: RowFilter | None = None,
) -> LoadReport:
    """Loads files or directories; returns counts per type (`held`: rows still waiting for
    something they name), and where the rejects went. Held events older than the configured age
    are expired into a report at the end. With `keep`, valid rows it returns False for are
    counted as skipped and not written."""
    apply_schema(gateway)
    load = _Load(
        gateway, LoadReport(), RejectWriter(reject_path, gateway.settings.pseudonym_secret)
    )
    chunk_rows = gateway.settings.load_chunk_rows
    batch_rows = gateway.settings.load_batch_rows
    started = time.perf_counter()
    typed = expand_paths(paths)
    writer = BatchWriter(gateway, gateway.settings.load_writers)
    load.report.files = [str(p) for p, _ in typed]
    try:
        for kind in KIND_ORDER:
            stats = load.report.kind(kind)
            for path, _ in (pk for pk in typed if pk[1] == kind):
                for chunk in read_chunks(path, chunk_rows):
                    items: list[Item] = []
                    for row, record in chunk:
                        stats.read += 1
                        if isinstance(record, RawReject):
                            load.rejects.add(str(path), row, kind, None, record.reason, None)
                            stats.rejected += 1
                            continue
                        model = validate(kind, record, gateway.settings.pseudonym_secret)
                        if isinstance(model, str):
                            key = record.get(MODEL_BY_KIND[kind].key)
                            load.rejects.add(str(path), row, kind, _text(key), model, record)
                            stats.rejected += 1
                        elif keep is not None and not keep(model):
                            stats.skipped += 1
                        else:
                            items.append(Item(str(path), row, model, record))
                    for batch in batched(items, batch_rows):
                        writer.submit(
                            kind, [i.model for i in batch], partial(load.record, kind, batch)
                        )
                    if progress:
                        progress(kind, len(chunk))
            writer.drain()
            load.settle(kind, derive)
        load.report.expired = held.expire(gateway, gateway.settings.held_report_dir)
        load.report.load_seconds = time.perf_counter() - started - load.derive_seconds
    finally:
        writer.close()
        load.rejects.close()
    load.report.reject_file = reject_path if load.rejects.count and reject_path else None
    return load.report


@dataclass
class _Load:
    """The state of one `load_files` run: counts, rejects, this load's held rows, arrivals."""

    gateway: Gateway
    report: LoadReport
    rejects: RejectWriter
    to_hold: list[HeldRow] = field(default_factory=list)
    held_here: dict[str, tuple[Item, KindStats]] = field(default_factory=dict)
    arrived: set[str] = field(default_factory=set)
    derive_seconds: float = 0.0

    def record(self, kind: str, batch: list[Item], verdicts: list[Verdict]) -> None:
        """Counts a batch's outcomes, writes its rejects, collects pending rows and arrivals."""
        stats = self.report.kind(kind)
        for item, verdict in zip(batch, verdicts, strict=True):
            if verdict.status == "pending":
                stats.held += 1
                self.held_here[held_id(kind, item.model)] = (item, stats)
                self.to_hold.append(
                    HeldRow(
                        kind,
                        item.model,
                        verdict.reason or "",
                        verdict.waits_for or "",
                        f"{item.source}:{item.row}",
                    )
                )
                continue
            self._count(kind, item, verdict, stats)
            if verdict.status == "accepted":
                self.arrived.update(arrivals(kind, item.model.params()))

    def _count(self, kind: str, item: Item, verdict: Verdict, stats: KindStats) -> None:
        if verdict.status == "accepted":
            stats.accepted += 1
        elif verdict.status == "duplicate":
            stats.duplicates += 1
        else:
            model_key = getattr(item.model, MODEL_BY_KIND[kind].key, None)
            reason = verdict.reason or verdict.status
            self.rejects.add(item.source, item.row, kind, _text(model_key), reason, item.raw)
            stats.rejected += 1

    def settle(self, kind: str, derive: bool) -> None:
        """After a type's batches: holds its pending rows, lets through the held events waiting
        for what it brought (rows of this load count as applied once they are), and finishes
        derivation."""
        held.hold(self.gateway, self.to_hold)
        # What a row waits for may have arrived from a concurrent writer after the row was
        # judged and before it was held: held rows look again once.
        self.arrived |= held.known_now(self.gateway, (row.waits_for for row in self.to_hold))
        self.to_hold = []
        if self.arrived:
            release_held(self.gateway, self.arrived, self._released)
            self.arrived = set()
        if derive:
            started = time.perf_counter()
            done = derive_stale(self.gateway)
            self.derive_seconds += time.perf_counter() - started
            self.report.derive = _add_derive(self.report.derive, done)

    def _released(self, waiting: Waiting, verdict: Verdict) -> None:
        if verdict.status == "pending":
            return
        mine = self.held_here.pop(waiting.id, None)
        if mine is None:
            self.report.released += verdict.status != "rejected"
            return
        item, stats = mine
        stats.held -= 1
        self._count(waiting.kind, item, verdict, stats)


def _add_derive(total: DeriveReport | None, more: DeriveReport) -> DeriveReport:
    if total is None:
        return more
    total.people += more.people
    total.referrers_changed += more.referrers_changed
    total.homes_changed += more.homes_changed
    total.seconds += more.seconds
    for step, seconds in more.step_seconds.items():
        total.step_seconds[step] = round(total.step_seconds.get(step, 0.0) + seconds, 3)
    return total


class BatchWriter:
    """Applies batches on `writers` threads: Neo4j runs a transaction on one core, so two in
    flight keep both busy. Outcomes are recorded in the caller's thread, in submission order;
    `drain` waits for all (a type's batches all commit before the next type starts)."""

    def __init__(self, gateway: Gateway, writers: int) -> None:
        self.gateway = gateway
        self.writers = writers
        self.pool = ThreadPoolExecutor(max_workers=writers, thread_name_prefix="writer")
        self.inflight: deque[tuple[Future[list[Verdict]], Callable[[list[Verdict]], None]]] = (
            deque()
        )

    def submit(
        self, kind: str, models: list[InputRow], record: Callable[[list[Verdict]], None]
    ) -> None:
        future = self.pool.submit(_apply_retrying, self.gateway, kind, models)
        self.inflight.append((future, record))
        while len(self.inflight) > self.writers:
            self._finish_one()

    def drain(self) -> None:
        while self.inflight:
            self._finish_one()

    def _finish_one(self) -> None:
        future, record = self.inflight.popleft()
        record(future.result())

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def _apply_retrying(gateway: Gateway, kind: str, models: list[InputRow]) -> list[Verdict]:
    # Two batches in flight holding the same new event: the second to commit breaks a
    # uniqueness constraint; once the first has committed, a re-check calls it a duplicate.
    for attempt in range(3):
        try:
            return apply_batch(gateway, kind, models)
        except ConstraintError:
            if attempt == 2:
                raise
            time.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable")


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
