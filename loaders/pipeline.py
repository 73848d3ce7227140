"""The load pipeline: read in chunks, validate, check against the graph, write in batches.

Each batch is one write transaction holding both the reference check (unknown share, visit
before its share, duplicate event, ...) and the write, so a batch is applied whole or not at
all, and a row that fails is reported with its reason while the rest of the batch loads.
Derived data is recomputed afterwards for the people the load touched (see graph.derive).
"""

from __future__ import annotations

import csv
import json
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Literal

from neo4j.exceptions import ConstraintError
from pydantic import SecretStr, ValidationError

from fission.errors import InvalidInput
from graph.derive import DeriveReport, derive_stale
from graph.erasure import erased_ids
from graph.gateway import Gateway, Tx, batched
from graph.queries import Query, query
from graph.schema import apply_schema
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
# One query per type checks each row against the graph and writes the rows that pass.
WRITES: dict[str, Query] = {kind: query(f"load/{kind}") for kind in KIND_ORDER}


# What happened to one row or event, in the words the load queries, reports and API all use.
Status = Literal["accepted", "duplicate", "pending", "rejected"]


@dataclass(frozen=True)
class Verdict:
    """What happened to one row, with the reason when it was not accepted."""

    status: Status
    reason: str | None = None


@dataclass
class KindStats:
    read: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0


@dataclass
class LoadReport:
    stats: dict[str, KindStats] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    reject_file: Path | None = None
    load_seconds: float = 0.0
    derive: DeriveReport | None = None

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


# The people each type of row names; rows naming someone erased on request are refused.
PEOPLE_FIELDS: dict[str, tuple[str, ...]] = {
    "staff": ("person_id",),
    "members": ("person_id",),
    "shares": ("sharer_id",),
    "visits": ("visitor_id",),
    "orders": ("person_id",),
    "friendships": ("a_id", "b_id"),
    "agents": ("person_id", "invited_by"),
    "notes": ("staff_id", "person_id"),
}


def apply_batch(gateway: Gateway, kind: str, models: Sequence[InputRow]) -> list[Verdict]:
    """Checks and writes one batch of valid rows of one type in one transaction."""
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
    to_write = [p for p, v in zip(params, verdicts, strict=True) if v is None]

    def work(tx: Tx) -> list[Verdict | None]:
        result = list(verdicts)
        for wave in _waves(kind, to_write):
            for i in (p["i"] for p in wave):
                result[i] = Verdict("accepted")
            for row in tx.run(WRITES[kind], rows=wave):
                result[row["i"]] = Verdict(row["status"], row["reason"])
        return result

    done = gateway.write_tx(work) if to_write else verdicts
    return [v or Verdict("rejected", "not checked") for v in done]


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
    batch (each wave is one query in the same transaction, so it sees the waves before it)."""
    if kind != "shares":
        return [rows]
    pending = {r["share_id"]: r for r in rows}
    waves: list[list[dict[str, Any]]] = []
    while pending:
        wave = [r for r in pending.values() if r["parent_share_id"] not in pending]
        if not wave:  # a cycle of reshares: let the query refuse them together
            wave = list(pending.values())
        waves.append(wave)
        for r in wave:
            del pending[r["share_id"]]
    return waves


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


def load_files(
    gateway: Gateway,
    paths: Iterable[Path],
    reject_path: Path | None = None,
    progress: ProgressCallback | None = None,
    derive: bool = True,
) -> LoadReport:
    """Loads files or directories; returns counts per type and where the rejects went."""
    apply_schema(gateway)
    report = LoadReport()
    rejects = RejectWriter(reject_path, gateway.settings.pseudonym_secret)
    chunk_rows = gateway.settings.load_chunk_rows
    batch_rows = gateway.settings.load_batch_rows
    started = time.perf_counter()
    typed = expand_paths(paths)
    writer = BatchWriter(gateway, gateway.settings.load_writers)
    report.files = [str(p) for p, _ in typed]
    try:
        for kind in KIND_ORDER:
            pending: list[Item] = []
            for path, _ in (pk for pk in typed if pk[1] == kind):
                stats = report.kind(kind)
                for chunk in read_chunks(path, chunk_rows):
                    items: list[Item] = []
                    for row, record in chunk:
                        stats.read += 1
                        if isinstance(record, RawReject):
                            rejects.add(str(path), row, kind, None, record.reason, None)
                            stats.rejected += 1
                            continue
                        model = validate(kind, record, gateway.settings.pseudonym_secret)
                        if isinstance(model, str):
                            key = record.get(MODEL_BY_KIND[kind].key)
                            rejects.add(str(path), row, kind, _text(key), model, record)
                            stats.rejected += 1
                        else:
                            items.append(Item(str(path), row, model, record))
                    for batch in batched(items, batch_rows):
                        writer.submit(
                            kind,
                            [i.model for i in batch],
                            partial(
                                _record, kind, batch, stats=stats, rejects=rejects, waiting=pending
                            ),
                        )
                    if progress:
                        progress(kind, len(chunk))
            writer.drain()
            # Rows naming something unknown (a reshare whose parent came after it, a visit to a
            # share not loaded) are retried until no more resolve; what is left is rejected.
            stats = report.kind(kind)
            while pending:
                before = len(pending)
                retry, pending = pending, []
                for batch in batched(retry, batch_rows):
                    verdicts = apply_batch(gateway, kind, [i.model for i in batch])
                    _record(kind, batch, verdicts, stats, rejects, waiting=pending)
                if len(pending) == before:
                    verdicts = apply_batch(gateway, kind, [i.model for i in pending])
                    _record(kind, pending, verdicts, stats, rejects, waiting=None)
                    pending = []
        report.load_seconds = time.perf_counter() - started
        if derive:
            report.derive = derive_stale(gateway)
    finally:
        writer.close()
        rejects.close()
    report.reject_file = reject_path if rejects.count and reject_path else None
    return report


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


def _record(
    kind: str,
    batch: list[Item],
    verdicts: list[Verdict],
    stats: KindStats,
    rejects: RejectWriter,
    waiting: list[Item] | None,
) -> None:
    """Counts a batch's outcomes, writes its rejects; `waiting` collects rows still pending
    (None: pending rows are final and rejected)."""
    key = MODEL_BY_KIND[kind].key
    for item, verdict in zip(batch, verdicts, strict=True):
        if verdict.status == "accepted":
            stats.accepted += 1
        elif verdict.status == "duplicate":
            stats.duplicates += 1
        elif verdict.status == "pending" and waiting is not None:
            waiting.append(item)
        else:
            stats.rejected += 1
            model_key = getattr(item.model, key, None)
            rejects.add(
                item.source,
                item.row,
                kind,
                _text(model_key),
                verdict.reason or verdict.status,
                item.raw,
            )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
