"""Decides, for every valid row, what `fission load` into an empty database would decide:
accepted, duplicate, rejected (with the load queries' reason) or held (it names something the
load does not know, and waits for it).

The rules are those of `cypher/load/*.cypher` and `loaders.pipeline.apply_batch`, applied to
whole columns, type by type in load order:

- a row naming a person erased on request is rejected (`person X was erased on request`);
- a repeated event_id is a duplicate of an earlier copy in the same online batch, or of an
  earlier copy that was accepted; a copy in a later batch whose earlier copies were held or
  rejected is checked on its own, as the online loader sends it to the database (a held copy
  does not take the event id); reference data (stores, staff, content, members) is upserted as
  the online loader does: a repeat within one of its batches is a duplicate, a repeat in a
  later batch is applied again (the last one counts);
- shares: a share_id already taken by an earlier event is rejected; unknown content is
  held; a reshare waits for its parent share (parents later in the files count, as the online
  loader's retries do), is rejected when earlier than it, and is held when the parent never
  comes (or is itself held or refused);
- visits: unknown share held; earlier than the share rejected;
- orders, staff, members, content: unknown store held; agents: unknown person, store or
  inviter held; notes: unknown staff member or person held.

A held row is checked in the load queries' order and waits for the first unknown reference they
name ('share:SH1', 'person:P1', 'content:K1', 'staff:P2', 'store:S1'), with their reason.
`settle` is the one place that says what becomes of refused and held rows: refused rows go to
the reject file; held rows become `loaders.held.HeldRow`s, which loaders.bulk.build writes as
the `:HeldEvent` nodes `fission load` would leave, to be applied when what they wait for
arrives.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from loaders.bulk.validate import EPOCH, Reject, Validated
from loaders.held import HeldRow
from loaders.models import MODEL_BY_KIND, REFERENCE_KINDS
from loaders.pipeline import KIND_ORDER, PEOPLE_FIELDS, KindStats, validate

UNDECIDED, DUPLICATE, REJECTED, HELD = 0, 1, 2, 3
WAITING_TURN = 4  # a repeat of an event id, checked after the copies before it
# Types whose graph depends on the order rows are written in (lists of event ids, ties among
# events at the same time): their accepted rows get a `_write` column (write_order).
WRITE_ORDER_KINDS = ("friendships", "agents")
# What a row naming an unknown value of each field waits for (the load queries' `missing`).
WAITS_FOR = {
    "store_id": "store",
    "content_id": "content",
    "parent_share_id": "share",
    "share_id": "share",
    "person_id": "person",
    "invited_by": "person",
    "staff_id": "staff",
}
# The people a row brings into the graph (agents and notes name people but must find them).
CREATES_PEOPLE = {k: v for k, v in PEOPLE_FIELDS.items() if k not in ("agents", "notes")}


@dataclass
class Resolved:
    """Accepted rows per type (load order), counts per type, rejected rows, and held rows (in
    load order)."""

    tables: dict[str, pa.Table] = field(default_factory=dict)
    stats: dict[str, KindStats] = field(default_factory=dict)
    rejects: list[Reject] = field(default_factory=list)
    held: list[HeldRow] = field(default_factory=list)
    # Every accepted member import (a repeat in a later batch is applied again): member_since
    # is the earliest of them and the person's orders.
    member_since: pa.Table | None = None


def neo4j_text(us: int, off: int) -> str:
    """A DateTime as Cypher's toString() writes it (reasons quote times that way)."""
    local = EPOCH.replace(tzinfo=None) + timedelta(microseconds=int(us) + int(off) * 1_000_000)
    text = local.strftime("%Y-%m-%dT%H:%M:%S")
    if local.microsecond:
        text += f".{local.microsecond:06d}".rstrip("0")
    if off == 0:
        return text + "Z"
    sign = "+" if off > 0 else "-"
    hours, minutes = divmod(abs(off) // 60, 60)
    return f"{text}{sign}{hours:02d}:{minutes:02d}"


def _strings(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return np.asarray(column.to_numpy(zero_copy_only=False), dtype=object)


def first_rows(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """True where a value appears for the first time (nulls never repeat)."""
    encoded = pc.dictionary_encode(column).combine_chunks()
    codes = np.asarray(pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False))
    if len(codes) == 0:
        return np.zeros(0, dtype=bool)
    seen = np.maximum.accumulate(codes)
    before = np.concatenate([[-1], seen[:-1]])
    return (codes > before) | (codes < 0)


def position_in(values: pa.ChunkedArray | pa.Array, keys: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """For each value, its position among `keys` (unique), or -1."""
    if len(keys) == 0:
        return np.full(len(values), -1, dtype=np.int64)
    found = pc.index_in(values, value_set=pa.chunked_array([keys]).combine_chunks())
    return np.asarray(pc.fill_null(found, -1).to_numpy(zero_copy_only=False), dtype=np.int64)


def earlier(us_a: np.ndarray, off_a: np.ndarray, us_b: np.ndarray, off_b: np.ndarray) -> np.ndarray:
    """Cypher's `a < b` on DateTimes: by instant, then by offset (equal instants with different
    offsets are not equal in Neo4j)."""
    return (us_a < us_b) | ((us_a == us_b) & (off_a < off_b))


class Outcome:
    """The verdict of each row of one type, decided in the order the load queries check."""

    def __init__(self, kind: str, table: pa.Table) -> None:
        self.kind = kind
        self.table = table
        self.status = np.zeros(table.num_rows, dtype=np.int8)
        self.reason = np.full(table.num_rows, None, dtype=object)
        self.waits_for = np.full(table.num_rows, None, dtype=object)

    @property
    def open(self) -> np.ndarray:
        return self.status == UNDECIDED

    def decide(self, mask: np.ndarray, status: int, reasons: np.ndarray | str | None) -> None:
        chosen = mask & self.open
        self.status[chosen] = status
        if isinstance(reasons, np.ndarray):
            self.reason[chosen] = reasons[chosen]
        else:
            self.reason[chosen] = reasons

    def column(self, name: str) -> np.ndarray:
        return _strings(self.table.column(name))

    def numbers(self, name: str) -> np.ndarray:
        return np.asarray(self.table.column(name).to_numpy())

    def unknown(self, mask: np.ndarray, field_name: str) -> None:
        """Rows naming an unknown `field_name` value: held, with the loader's reason and what
        they wait for."""
        rows = np.flatnonzero(mask & self.open)
        if len(rows) == 0:
            return
        values = self.table.column(field_name).take(pa.array(rows)).to_pylist()
        reasons = np.full(len(mask), None, dtype=object)
        reasons[rows] = [f"unknown {field_name} {v}" for v in values]
        self.waits_for[rows] = [f"{WAITS_FOR[field_name]}:{v}" for v in values]
        self.decide(mask, HELD, reasons)


def _erased(outcome: Outcome, tombstones: frozenset[str]) -> None:
    if not tombstones:
        return
    for field_name in PEOPLE_FIELDS.get(outcome.kind, ()):
        values = outcome.column(field_name)
        gone = np.array(
            [v is not None and hashlib.sha256(v.encode()).hexdigest() in tombstones for v in values]
        )
        reasons = np.array([f"person {v} was erased on request" for v in values], dtype=object)
        outcome.decide(gone, REJECTED, reasons)


def _batches(table: pa.Table, chunk_rows: int, batch_rows: int) -> np.ndarray:
    """The online loader's batch of each valid row: files are read `chunk_rows` rows at a time
    and each chunk's valid rows written `batch_rows` at a time."""
    frame = pd.DataFrame(
        {
            "file": np.asarray(table.column("_file").to_numpy()),
            "chunk": (np.asarray(table.column("_row").to_numpy()) - 1) // chunk_rows,
        }
    )
    within = frame.groupby(["file", "chunk"], sort=False).cumcount().to_numpy() // batch_rows
    keys = frame.assign(batch=within)
    return keys.groupby(["file", "chunk", "batch"], sort=False).ngroup().to_numpy()


def _duplicates(outcome: Outcome, batches: np.ndarray) -> None:
    """Repeated keys within one of the online loader's `batches`: duplicates of the first (the
    loader sends only that one to the database). Reference data is upserted, so a repeat in a
    later batch is applied again and the last accepted row of a key counts (`_latest`); events
    repeated in later batches are checked in turns (`_check_in_turns`)."""
    key = MODEL_BY_KIND[outcome.kind].key
    considered = outcome.open
    values = outcome.table.column(key).filter(pa.array(considered))
    scoped = pc.binary_join_element_wise(pa.array(batches[considered].astype(str)), values, "\x1f")
    first = np.zeros(len(considered), dtype=bool)
    first[considered] = first_rows(scoped)
    repeats = considered & ~first
    if outcome.kind not in REFERENCE_KINDS and repeats.any():
        differs = _other_payload(outcome, scoped, considered, repeats)
        reasons = np.full(len(considered), None, dtype=object)
        reasons[differs] = [
            f"{key} {v} is used earlier in this batch by an event with a different payload"
            for v in outcome.column(key)[differs]
        ]
        outcome.decide(differs, REJECTED, reasons)
    outcome.decide(repeats, DUPLICATE, None)


def _other_payload(
    outcome: Outcome, scoped: pa.Array, considered: np.ndarray, repeats: np.ndarray
) -> np.ndarray:
    """Repeats whose payload (every column but the row's file and number) differs from the first
    copy's in their batch: the online loader refuses those instead of counting duplicates."""
    payload = [n for n in outcome.table.column_names if not n.startswith("_")]
    rows = np.flatnonzero(considered)
    frame = outcome.table.select(payload).take(pa.array(rows)).to_pandas().astype(str)
    text = frame.apply("\x1f".join, axis=1).to_numpy() if payload else np.full(len(rows), "")
    groups = pd.Series(np.asarray(scoped.to_pylist(), dtype=object))
    first_text = pd.Series(text).groupby(groups.to_numpy()).transform("first").to_numpy()
    differs = np.zeros(len(considered), dtype=bool)
    differs[rows] = text != first_text
    return differs & repeats


def write_order(accepted: pa.Table, batches: np.ndarray) -> np.ndarray:
    """Each accepted event's position in the order the online loader writes them: batch by
    batch, and within a batch by time, then event id (loaders.pipeline._waves)."""
    frame = pd.DataFrame(
        {
            "batch": batches,
            "us": np.asarray(accepted.column("at_us").to_numpy()),
            "event_id": _strings(accepted.column("event_id")),
        }
    )
    order = frame.sort_values(["batch", "us", "event_id"], kind="stable").index.to_numpy()
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank


def _latest(kind: str, accepted: pa.Table) -> pa.Table:
    """Reference data as the graph ends up: the last accepted row of each key."""
    key = MODEL_BY_KIND[kind].key
    reversed_rows = accepted.take(pa.array(np.arange(accepted.num_rows)[::-1]))
    last = first_rows(reversed_rows.column(key))
    return reversed_rows.filter(pa.array(last)).take(pa.array(np.arange(int(last.sum()))[::-1]))


class Known:
    """What the load has accepted so far that later rows may name."""

    def __init__(self) -> None:
        self.stores = pa.array([], pa.string())
        self.content = pa.array([], pa.string())
        self.staff = pa.array([], pa.string())
        self.people: list[pa.Array] = []
        self.merged = False

    def person_ids(self) -> pa.Array:
        if not self.people:
            return pa.array([], pa.string())
        if not self.merged:  # once: agents and notes both ask
            self.people = [pc.unique(pa.chunked_array(self.people, pa.string()))]
            self.merged = True
        return self.people[0]


def _accepted(outcome: Outcome) -> pa.Table:
    return outcome.table.filter(pa.array(outcome.open))


def _resolve_shares(outcome: Outcome, known: Known) -> None:
    share_ids = outcome.table.column("share_id")
    considered = outcome.open
    owner = np.zeros(len(considered), dtype=bool)
    owner[considered] = first_rows(share_ids.filter(pa.array(considered)))
    taken = considered & ~owner
    if taken.any():
        owners = outcome.table.filter(pa.array(owner))
        owner_event = _strings(owners.column("event_id"))[
            position_in(share_ids, owners.column("share_id"))
        ]
        ids = outcome.column("share_id")
        reasons = np.array(
            [
                f"share_id {s} already belongs to event {e}"
                for s, e in zip(ids, owner_event, strict=True)
            ],
            dtype=object,
        )
        outcome.decide(taken, REJECTED, reasons)
    content = position_in(outcome.table.column("content_id"), known.content)
    outcome.unknown(content < 0, "content_id")

    has_parent = np.asarray(
        pc.is_valid(outcome.table.column("parent_share_id")).to_numpy(zero_copy_only=False)
    )
    us, off = outcome.numbers("at_us"), outcome.numbers("at_off")
    # Accepted shares by id: a reshare is decided once the row holding its parent id is.
    accepted = outcome.open & ~has_parent
    waiting = outcome.open & has_parent
    parent_row = np.full(outcome.table.num_rows, -1, dtype=np.int64)
    if waiting.any():
        # The row that owns each parent id (first row with that share_id that is not taken).
        keys = outcome.table.filter(pa.array(owner)).column("share_id")
        owner_rows = np.flatnonzero(owner)
        where = position_in(outcome.table.column("parent_share_id"), keys)
        parent_row[where >= 0] = owner_rows[where[where >= 0]]
    while True:
        ready = waiting & (parent_row >= 0)
        ready[ready] = accepted[parent_row[ready]]
        if not ready.any():
            break
        rows = np.flatnonzero(ready)
        parents = parent_row[rows]
        too_early = earlier(us[rows], off[rows], us[parents], off[parents])
        bad = rows[too_early]
        if len(bad):
            reasons = np.full(len(outcome.status), None, dtype=object)
            reasons[bad] = [
                f"reshare at {neo4j_text(us[r], off[r])} is earlier than its parent share at "
                f"{neo4j_text(us[p], off[p])}"
                for r, p in zip(bad, parent_row[bad], strict=True)
            ]
            mask = np.zeros(len(outcome.status), dtype=bool)
            mask[bad] = True
            outcome.decide(mask, REJECTED, reasons)
        accepted[rows[~too_early]] = True
        waiting[rows] = False
    outcome.unknown(waiting, "parent_share_id")


def _resolve_visits(outcome: Outcome, shares: pa.Table) -> None:
    where = position_in(outcome.table.column("share_id"), shares.column("share_id"))
    outcome.unknown(where < 0, "share_id")
    found = outcome.open & (where >= 0)
    rows = np.flatnonzero(found)
    us, off = outcome.numbers("at_us"), outcome.numbers("at_off")
    share_us = np.asarray(shares.column("at_us").to_numpy())
    share_off = np.asarray(shares.column("at_off").to_numpy())
    target = where[rows]
    too_early = earlier(us[rows], off[rows], share_us[target], share_off[target])
    if too_early.any():
        reasons = np.full(len(outcome.status), None, dtype=object)
        mask = np.zeros(len(outcome.status), dtype=bool)
        for r, s in zip(rows[too_early], target[too_early], strict=True):
            reasons[r] = (
                f"visit at {neo4j_text(us[r], off[r])} is earlier than its share at "
                f"{neo4j_text(share_us[s], share_off[s])}"
            )
            mask[r] = True
        outcome.decide(mask, REJECTED, reasons)


def _is_valid(column: pa.ChunkedArray) -> np.ndarray:
    return np.asarray(pc.is_valid(column).to_numpy(zero_copy_only=False), dtype=bool)


def resolve(
    validated: Validated,
    tombstones: frozenset[str] = frozenset(),
    progress: Callable[[str], None] | None = None,
    chunk_rows: int = 50_000,
    batch_rows: int = 5_000,
) -> Resolved:
    """Every valid row's verdict, type by type in load order (see the module docstring)."""
    result = Resolved(rejects=list(validated.rejects))
    known = Known()
    for kind in KIND_ORDER:
        outcome = Outcome(kind, validated.tables[kind])
        _erased(outcome, tombstones)
        is_reference = kind in REFERENCE_KINDS
        check = partial(_check_references, outcome, known, result)
        if is_reference:
            _duplicates(outcome, _batches(outcome.table, chunk_rows, batch_rows))
            check()
        else:
            _check_in_turns(outcome, check, chunk_rows, batch_rows)
        settle(outcome, validated, result)
        accepted = _accepted(outcome)
        if kind in WRITE_ORDER_KINDS:
            batches = _batches(outcome.table, chunk_rows, batch_rows)[outcome.open]
            accepted = accepted.append_column("_write", pa.array(write_order(accepted, batches)))
        if kind == "members":
            result.member_since = accepted.select(
                ["person_id", "member_since", "member_since_us", "member_since_off"]
            )
        result.tables[kind] = _latest(kind, accepted) if is_reference else accepted
        _remember(kind, accepted, known)
        stats = result.stats.setdefault(kind, KindStats())
        stats.read = validated.read.get(kind, 0)
        stats.accepted = accepted.num_rows
        stats.duplicates = int((outcome.status == DUPLICATE).sum())
        stats.held = int((outcome.status == HELD).sum())
        stats.rejected = stats.read - stats.accepted - stats.duplicates - stats.held
        if progress:
            progress(
                f"checked {kind}: {stats.accepted:,} accepted, {stats.duplicates:,} duplicates, "
                f"{stats.held:,} held, {stats.rejected:,} rejected"
            )
    return result


def _check_references(outcome: Outcome, known: Known, result: Resolved) -> None:
    """The load queries' checks of the rows still open (accepted so far): held when they name
    something unknown, rejected when they break a rule. Checking accepted rows again decides
    nothing new, so this may run once per turn of `_check_in_turns`."""
    kind, table = outcome.kind, outcome.table
    if kind in ("staff", "members", "orders"):
        outcome.unknown(position_in(table.column("store_id"), known.stores) < 0, "store_id")
    elif kind == "content":
        missing = position_in(table.column("store_id"), known.stores) < 0
        outcome.unknown(missing & _is_valid(table.column("store_id")), "store_id")
    elif kind == "shares":
        _resolve_shares(outcome, known)
    elif kind == "visits":
        _resolve_visits(outcome, result.tables["shares"])
    elif kind == "agents":
        people = known.person_ids()
        outcome.unknown(position_in(table.column("person_id"), people) < 0, "person_id")
        outcome.unknown(position_in(table.column("store_id"), known.stores) < 0, "store_id")
        inviter = position_in(table.column("invited_by"), people) < 0
        outcome.unknown(inviter & _is_valid(table.column("invited_by")), "invited_by")
    elif kind == "notes":
        outcome.unknown(position_in(table.column("staff_id"), known.staff) < 0, "staff_id")
        people = known.person_ids()
        outcome.unknown(position_in(table.column("person_id"), people) < 0, "person_id")


def _check_in_turns(
    outcome: Outcome, check: Callable[[], None], chunk_rows: int, batch_rows: int
) -> None:
    """Events, with repeated event ids decided as the online loader meets them: a repeat within
    one of its batches is a duplicate of the first copy there; the first copy in each later
    batch is checked in its turn, a duplicate if an earlier copy was accepted, and otherwise
    on its own (a copy held or rejected before does not take the event id)."""
    key = outcome.table.column(MODEL_BY_KIND[outcome.kind].key)
    if first_rows(key.filter(pa.array(outcome.open))).all():  # no event id repeats
        check()
        return
    _duplicates(outcome, _batches(outcome.table, chunk_rows, batch_rows))
    considered = np.flatnonzero(outcome.open)
    turn = np.full(outcome.table.num_rows, -1, dtype=np.int64)
    codes = np.asarray(pc.dictionary_encode(key).combine_chunks().indices)[considered]
    turn[considered] = pd.Series(codes).groupby(codes).cumcount().to_numpy()
    outcome.status[turn > 0] = WAITING_TURN
    check()
    for this_turn in range(1, int(turn.max()) + 1):
        accepted = key.filter(pa.array(outcome.open))
        now = turn == this_turn
        outcome.status[now] = UNDECIDED
        outcome.decide(now & (position_in(key, accepted) >= 0), DUPLICATE, None)
        if (now & outcome.open).any():
            check()


def _remember(kind: str, accepted: pa.Table, known: Known) -> None:
    if kind == "stores":
        known.stores = accepted.column("store_id").combine_chunks()
    elif kind == "content":
        known.content = accepted.column("content_id").combine_chunks()
    elif kind == "staff":
        known.staff = accepted.column("person_id").combine_chunks()
    for field_name in CREATES_PEOPLE.get(kind, ()):
        known.people.append(accepted.column(field_name).combine_chunks())
        known.merged = False


def settle(outcome: Outcome, validated: Validated, result: Resolved) -> None:
    """What becomes of the rows that are not accepted or duplicates: rejected rows go to the
    reject file with their reason; held rows (they name something unknown) are kept with the
    validated row, the reason and what they wait for, as `fission load` holds them."""
    refused = np.flatnonzero((outcome.status == REJECTED) | (outcome.status == HELD))
    if len(refused) == 0:
        return
    key = MODEL_BY_KIND[outcome.kind].key
    files = np.asarray(outcome.table.column("_file").to_numpy())[refused]
    rows = np.asarray(outcome.table.column("_row").to_numpy())[refused]
    keys = np.array(outcome.table.column(key).take(pa.array(refused)).to_pylist(), dtype=object)
    held = outcome.status[refused] == HELD
    # Files in load order, rows in file order: held rows are kept in load order.
    for file_index in np.unique(files):
        here = files == file_index
        source = validated.sources[int(file_index)]
        records = validated.raw_records(int(file_index), rows[here])
        for row, key_value, reason, waits_for, is_held, raw in zip(
            rows[here],
            keys[here],
            outcome.reason[refused][here],
            outcome.waits_for[refused][here],
            held[here],
            records,
            strict=True,
        ):
            if not is_held:
                result.rejects.append(
                    Reject(source, int(row), outcome.kind, key_value, str(reason), raw)
                )
                continue
            model = validate(outcome.kind, raw)
            if isinstance(model, str):  # the vectorised check and the model disagree
                raise AssertionError(f"{source}:{row}: a valid row fails its model: {model}")
            result.held.append(
                HeldRow(outcome.kind, model, str(reason), str(waits_for), f"{source}:{row}")
            )
