"""Builds the whole graph from the accepted rows, in memory, as node and relationship tables for
`neo4j-admin database import full`: what `fission load` writes (cypher/load), what derivation
adds (first appearance, REFERRED with the stored reach3, HOME, KNOWS, INTERESTED_IN:
graph.derive_columnar), influence (graph.influence.influence_scores), and the `:HeldEvent`
nodes of rows that wait for something the files do not bring (loaders.held), with the same
labels, properties and types.

Nodes get integer import ids (`:ID(<group>)`, never stored); every property the online path
sets is a column typed for the importer (`:datetime` from the ISO text the online loader sends
to Cypher's datetime(), so offsets survive; `:long`, `:double`, `:boolean`, `:string[]`).
A missing value is an empty cell, which the importer leaves unset, as Cypher's SET to null does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from graph.derive_columnar import (
    NONE,
    engagement_edges,
    first_by_time,
    home_stores,
    interest_scores,
    reach_within,
    referrers,
    social_ties,
)
from graph.influence import influence_scores
from graph.schema import MIGRATIONS
from loaders.bulk.resolve import Resolved, position_in
from loaders.bulk.steps import Steps
from loaders.bulk.validate import micros
from loaders.held import HeldRow

# Array properties are written joined by this (ids cannot contain it: loaders.models.Id).
ARRAY_DELIMITER = ";"
KIND_SHARE, KIND_VISIT, KIND_ORDER, KIND_FRIENDSHIP, KIND_STAFF, KIND_MEMBER = range(6)
FIRST_KINDS = ["share", "visit", "order", "friendship", "staff", "member"]


@dataclass
class GraphTables:
    """Node tables by label group and relationship tables by type, with import headers as
    column names; `counts` says how many of each (labels counted on every node carrying them)."""

    nodes: dict[str, pa.Table] = field(default_factory=dict)
    relationships: dict[str, pa.Table] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    step_seconds: dict[str, float] = field(default_factory=dict)


def _np(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return np.asarray(column.to_numpy(zero_copy_only=False))


def _codes(values: pa.ChunkedArray | pa.Array, keys: pa.Array) -> np.ndarray:
    return position_in(values, keys)


def _text(values: np.ndarray | list[object]) -> pa.Array:
    return pa.array(values, type=pa.string())


def _array(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    return column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column


def _take(column: pa.ChunkedArray | pa.Array, index: np.ndarray) -> pa.Array:
    """column[index], null where index is NONE."""
    values = _array(column)
    if len(values) == 0:
        return pa.nulls(len(index), values.type)
    missing = index == NONE
    taken = values.take(pa.array(np.where(missing, 0, index)))
    return pc.if_else(pa.array(missing), pa.scalar(None, taken.type), taken)


def _node_table(label: str, count: int, columns: dict[str, pa.Array]) -> pa.Table:
    """A node file's table: integer import ids (not stored), then the properties."""
    return pa.table({f":ID({label})": pa.array(np.arange(count)), **columns})


def _joined(groups: np.ndarray, values: np.ndarray, size: int) -> pa.Array:
    """Per group 0..size-1, its values (in the given order) joined by the array delimiter."""
    frame = pd.DataFrame({"g": groups, "v": values})
    joined = frame.groupby("g", sort=True)["v"].agg(ARRAY_DELIMITER.join)
    out = np.full(size, None, dtype=object)
    out[joined.index.to_numpy()] = joined.to_numpy()
    return _text(out)


def build_graph(
    resolved: Resolved,
    now: datetime,
    tombstones: list[dict[str, object]] | None = None,
    progress: Callable[[str], None] | None = None,
    received_at: datetime | None = None,
) -> GraphTables:
    """Every node and relationship of the graph the accepted and held rows make (see the module
    docstring); `now` is the time interests are aged to (its whole second) and influence is
    stamped with, `received_at` the wall-clock time held rows are stamped with (default: the
    clock now)."""
    step = Steps(progress)
    out = GraphTables(step_seconds=step.seconds)

    t = resolved.tables
    stores, staff, content, members = t["stores"], t["staff"], t["content"], t["members"]
    shares, visits, orders = t["shares"], t["visits"], t["orders"]
    friendships, agents, notes = t["friendships"], t["agents"], t["notes"]

    # People: everyone a row of these types names, coded in id order.
    person_columns = [
        staff.column("person_id"),
        members.column("person_id"),
        shares.column("sharer_id"),
        visits.column("visitor_id"),
        orders.column("person_id"),
        friendships.column("a_id"),
        friendships.column("b_id"),
    ]
    everyone = pc.unique(
        pa.chunked_array([c for col in person_columns for c in col.chunks], pa.string())
    )
    people = everyone.take(pc.sort_indices(everyone))
    n = len(people)
    store_ids = stores.column("store_id").combine_chunks()
    share_ids = shares.column("share_id").combine_chunks()

    staff_person = _codes(staff.column("person_id"), people)
    member_person = _codes(members.column("person_id"), people)
    sharer = _codes(shares.column("sharer_id"), people)
    visitor = _codes(visits.column("visitor_id"), people)
    visit_share = _codes(visits.column("share_id"), share_ids)
    buyer = _codes(orders.column("person_id"), people)
    friend_a = _codes(friendships.column("a_id"), people)
    friend_b = _codes(friendships.column("b_id"), people)
    share_content = _codes(shares.column("content_id"), content.column("content_id"))
    parent_share = _codes(shares.column("parent_share_id"), share_ids)
    step("people")

    # First appearance (cypher/derive/first_appearance.cypher).
    staff_eids = _text([f"staff:{p}" for p in staff.column("person_id").to_pylist()])
    member_eids = _text([f"member:{p}" for p in members.column("person_id").to_pylist()])
    parts = [
        (
            sharer,
            shares,
            "at",
            _array(shares.column("event_id")),
            KIND_SHARE,
            np.full(len(sharer), NONE),
        ),
        (visitor, visits, "at", _array(visits.column("event_id")), KIND_VISIT, visit_share),
        (
            buyer,
            orders,
            "at",
            _array(orders.column("event_id")),
            KIND_ORDER,
            np.full(len(buyer), NONE),
        ),
        (
            friend_a,
            friendships,
            "at",
            _array(friendships.column("event_id")),
            KIND_FRIENDSHIP,
            np.full(len(friend_a), NONE),
        ),
        (
            friend_b,
            friendships,
            "at",
            _array(friendships.column("event_id")),
            KIND_FRIENDSHIP,
            np.full(len(friend_b), NONE),
        ),
        (staff_person, staff, "since", staff_eids, KIND_STAFF, np.full(len(staff_person), NONE)),
        (
            member_person,
            members,
            "member_since",
            member_eids,
            KIND_MEMBER,
            np.full(len(member_person), NONE),
        ),
    ]
    cand_person = np.concatenate([p[0] for p in parts]).astype(np.int64)
    cand_us = np.concatenate([_np(p[1].column(f"{p[2]}_us")) for p in parts]).astype(np.int64)
    cand_off = np.concatenate([_np(p[1].column(f"{p[2]}_off")) for p in parts]).astype(np.int32)
    cand_eid = pa.concat_arrays([p[3] for p in parts])
    cand_kind = np.concatenate([np.full(len(p[0]), p[4], dtype=np.int8) for p in parts])
    cand_share = np.concatenate([p[5] for p in parts]).astype(np.int64)
    cand_text = pa.chunked_array(
        [c for p in parts for c in p[1].column(p[2]).chunks], pa.string()
    ).combine_chunks()
    first = first_by_time(cand_person, cand_us, cand_off, cand_eid, n)
    first_us, first_off = cand_us[first], cand_off[first]
    first_eid = cand_eid.take(pa.array(first))
    first_kind = cand_kind[first]
    first_share = np.where(first_kind == KIND_VISIT, cand_share[first], NONE)
    first_order = first_by_time(
        buyer,
        _np(orders.column("at_us")),
        _np(orders.column("at_off")),
        _np(orders.column("event_id")),
        n,
    )
    order_store = _codes(orders.column("store_id"), store_ids)
    first_order_store = np.where(first_order == NONE, NONE, order_store[first_order])
    step("first appearance")

    share_sharer = sharer
    first_visited_sharer = np.where(first_share == NONE, NONE, share_sharer[first_share])
    parent = referrers(first_visited_sharer, first_us, first_off, first_eid)
    step("referrers")

    own_store = np.full(n, NONE, dtype=np.int64)
    own_store[member_person] = _codes(members.column("store_id"), store_ids)
    own_store[staff_person] = _codes(staff.column("store_id"), store_ids)
    home = home_stores(parent, own_store, first_order_store)
    reach3 = reach_within(parent, 3)
    step("homes")

    referred = np.flatnonzero(parent != NONE)
    visit_sharer = share_sharer[visit_share]
    other = visitor != visit_sharer
    ties = social_ties(
        (friend_a, friend_b), (parent[referred], referred), (visitor[other], visit_sharer[other]), n
    )
    step("ties")

    content_topics_lists = content.column("topics").to_pylist()
    topic_names = sorted({name for names in content_topics_lists for name in names})
    topic_code = {name: i for i, name in enumerate(topic_names)}
    content_topics = [
        np.array([topic_code[x] for x in names], dtype=np.int64) for names in content_topics_lists
    ]
    # Interest tags are stamped in whole seconds, as graph.derive stamps them: events folded
    # in later (cypher/derive/interests_add) age a score by whole seconds since its as_of.
    interests_as_of = now.replace(microsecond=0)
    interests = interest_scores(
        np.concatenate([sharer, visitor]),
        np.concatenate([share_content, share_content[visit_share]]),
        np.concatenate([_np(shares.column("at_us")), _np(visits.column("at_us"))]).astype(np.int64),
        np.concatenate([np.full(len(sharer), 2.0), np.full(len(visitor), 1.0)]),
        content_topics,
        len(topic_names),
        micros(interests_as_of),
    )
    step("interests")

    edges = engagement_edges(visitor, visit_share, share_sharer)
    home_series = pd.Series(home, index=pd.RangeIndex(n)).astype(object).where(home != NONE, None)
    ranked = influence_scores(edges, home_series)
    step("influence")

    now_text = now.isoformat()
    # --- Person nodes
    is_staff = np.zeros(n, dtype=bool)
    is_staff[staff_person] = True
    is_member = np.zeros(n, dtype=bool)
    is_member[member_person] = True
    is_member[buyer] = True
    agent_person = _codes(agents.column("person_id"), people)
    is_agent = np.zeros(n, dtype=bool)
    is_agent[agent_person] = True
    labels = np.where(
        is_staff,
        np.where(
            is_member,
            np.where(is_agent, "Person;Staff;Member;Agent", "Person;Staff;Member"),
            np.where(is_agent, "Person;Staff;Agent", "Person;Staff"),
        ),
        np.where(
            is_member,
            np.where(is_agent, "Person;Member;Agent", "Person;Member"),
            np.where(is_agent, "Person;Agent", "Person"),
        ),
    )
    staff_row = np.full(n, NONE, dtype=np.int64)
    staff_row[staff_person] = np.arange(len(staff_person))
    member_row = np.full(n, NONE, dtype=np.int64)
    member_row[member_person] = np.arange(len(member_person))
    # member_since: the earliest of the import and the orders, first processed on equal times.
    imports = resolved.member_since if resolved.member_since is not None else members
    since_group = np.concatenate([_codes(imports.column("person_id"), people), buyer])
    since_us = np.concatenate([_np(imports.column("member_since_us")), _np(orders.column("at_us"))])
    since_off = np.concatenate(
        [_np(imports.column("member_since_off")), _np(orders.column("at_off"))]
    )
    since_text = pa.chunked_array(
        [*imports.column("member_since").chunks, *orders.column("at").chunks], pa.string()
    ).combine_chunks()
    since_first = first_by_time(since_group, since_us, since_off, np.arange(len(since_group)), n)
    # Agents: the earliest event decides (the first written among equal times); ids in the
    # order they are written.
    agent_written = _np(agents.column("_write"))
    agent_first = first_by_time(
        agent_person,
        _np(agents.column("at_us")),
        _np(agents.column("at_off")),
        agent_written,
        n,
    )
    agent_order = np.argsort(agent_written)
    scores = ranked.scores
    pct = scores["store_influence_pct"].to_numpy(dtype=float)
    person_table = pa.table(
        {
            ":ID(Person)": pa.array(np.arange(n)),
            ":LABEL": _text(labels),
            "id": people,
            "first_seen:datetime": _take(cand_text, first),
            "first_event_id": first_eid,
            "first_kind": _text(np.array(FIRST_KINDS, dtype=object)[first_kind]),
            "first_share_id": _take(share_ids, first_share),
            "first_order_store_id": _take(store_ids, first_order_store),
            "role": _take(staff.column("role"), staff_row),
            "display_name": _take(staff.column("display_name"), staff_row),
            "staff_since:datetime": _take(staff.column("since"), staff_row),
            "staff_store_id": _take(staff.column("store_id"), staff_row),
            "member_since:datetime": _take(since_text, since_first),
            "member_store_id": _take(members.column("store_id"), member_row),
            "imported_member_since:datetime": _take(members.column("member_since"), member_row),
            "agent_since:datetime": _take(agents.column("at"), agent_first),
            "agent_store_id": _take(agents.column("store_id"), agent_first),
            "invited_by": _take(agents.column("invited_by"), agent_first),
            "agent_event_ids:string[]": _joined(
                agent_person[agent_order], _np(agents.column("event_id"))[agent_order], n
            ),
            "influence:double": pa.array(scores["influence"].to_numpy(dtype=float)),
            "store_influence:double": pa.array(scores["store_influence"].to_numpy(dtype=float)),
            "store_influence_pct:double": pa.array(pct, mask=np.isnan(pct)),
            "influence_at:datetime": _text(np.full(n, now_text, dtype=object)),
            "reach3:long": pa.array(reach3, mask=reach3 == 0),
        }
    )
    out.nodes["Person"] = person_table
    out.counts.update(
        Person=n, Staff=int(is_staff.sum()), Member=int(is_member.sum()), Agent=int(is_agent.sum())
    )

    # --- Other nodes
    out.nodes["Store"] = _node_table(
        "Store",
        stores.num_rows,
        {
            "id": store_ids,
            "name": stores.column("name"),
            "city": stores.column("city"),
            "region": stores.column("region"),
            "opened_on:date": stores.column("opened_on"),
        },
    )
    out.nodes["Content"] = _node_table(
        "Content",
        content.num_rows,
        {
            "id": content.column("content_id"),
            "kind": content.column("kind"),
            "title": content.column("title"),
            "store_id": content.column("store_id"),
        },
    )
    out.nodes["Topic"] = _node_table(
        "Topic",
        len(topic_names),
        {
            "name": _text(topic_names),
        },
    )
    out.nodes["Share"] = _node_table(
        "Share",
        shares.num_rows,
        {
            "id": share_ids,
            "event_id": shares.column("event_id"),
            "at:datetime": shares.column("at"),
            "channel": shares.column("channel"),
            "sharer_id": shares.column("sharer_id"),
        },
    )
    out.nodes["Order"] = _node_table(
        "Order",
        orders.num_rows,
        {
            "id": orders.column("event_id"),
            "at:datetime": orders.column("at"),
            "amount:double": orders.column("amount"),
            "currency": orders.column("currency"),
            "store_id": orders.column("store_id"),
        },
    )
    # Built by this code: nothing for graph.schema's data migrations to fill in.
    out.nodes["Migration"] = pa.table(
        {
            "name": _text(list(MIGRATIONS)),
            "applied_at:datetime": _text([now_text] * len(MIGRATIONS)),
        }
    )
    if tombstones:
        out.nodes["ErasedPerson"] = pa.table(
            {
                "id_sha256": _text([str(t["id_sha256"]) for t in tombstones]),
                "erased_at:datetime": _text(
                    [
                        None if t.get("erased_at") is None else _iso(t["erased_at"])
                        for t in tombstones
                    ]
                ),
            }
        )
    if resolved.held:
        out.nodes["HeldEvent"] = held_events(resolved.held, received_at or datetime.now(UTC))
    for label in ("Store", "Content", "Topic", "Share", "Order", "ErasedPerson", "HeldEvent"):
        if label in out.nodes:
            out.counts[label] = out.nodes[label].num_rows

    # --- Relationships
    def rel(start: str, end: str, a: np.ndarray, b: np.ndarray, **props: pa.Array) -> pa.Table:
        return pa.table(
            {
                f":START_ID({start})": pa.array(np.asarray(a, dtype=np.int64)),
                f":END_ID({end})": pa.array(np.asarray(b, dtype=np.int64)),
                **props,
            }
        )

    r = out.relationships
    r["WORKS_AT"] = rel(
        "Person", "Store", staff_person, _codes(staff.column("store_id"), store_ids)
    )
    about_content = np.repeat(np.arange(content.num_rows), [len(x) for x in content_topics])
    about_topic = np.concatenate(content_topics) if content_topics else np.zeros(0, dtype=np.int64)
    r["ABOUT"] = rel("Content", "Topic", about_content, about_topic)
    r["SHARED"] = rel("Person", "Share", sharer, np.arange(shares.num_rows))
    r["OF"] = rel("Share", "Content", np.arange(shares.num_rows), share_content)
    reshare = np.flatnonzero(parent_share != NONE)
    r["RESHARE_OF"] = rel("Share", "Share", reshare, parent_share[reshare])
    r["VISITED"] = rel(
        "Person",
        "Share",
        visitor,
        visit_share,
        **{
            "at:datetime": visits.column("at"),
            "action": visits.column("action"),
            "event_id": visits.column("event_id"),
        },
    )
    r["PLACED"] = rel("Person", "Order", buyer, np.arange(orders.num_rows))
    r["AT"] = rel("Order", "Store", np.arange(orders.num_rows), order_store)
    r["FRIEND_OF"] = _friendships(friendships, friend_a, friend_b, n)
    staff_codes = _codes(notes.column("staff_id"), people)
    r["NOTED"] = rel(
        "Person",
        "Person",
        staff_codes,
        _codes(notes.column("person_id"), people),
        **{
            "at:datetime": notes.column("at"),
            "kind": notes.column("kind"),
            "text": notes.column("text"),
            "tag": notes.column("tag"),
            "event_id": notes.column("event_id"),
        },
    )
    r["REFERRED"] = rel(
        "Person",
        "Person",
        parent[referred],
        referred,
        **{
            "at:datetime": _take(cand_text, first[referred]),
            "share_id": _take(share_ids, first_share[referred]),
        },
    )
    homed = np.flatnonzero(home != NONE)
    r["HOME"] = rel("Person", "Store", homed, home[homed])
    r["KNOWS"] = rel(
        "Person",
        "Person",
        ties.a,
        ties.b,
        **{
            "weight:long": pa.array(ties.weight),
            "friends:boolean": pa.array(ties.friends),
            "referral:boolean": pa.array(ties.referral),
            "visits:long": pa.array(ties.visits),
        },
    )
    r["INTERESTED_IN"] = rel(
        "Person",
        "Topic",
        interests["person"].to_numpy(),
        interests["topic"].to_numpy(),
        **{
            "score:double": pa.array(interests["score"].to_numpy()),
            "as_of:datetime": _text(
                np.full(len(interests), interests_as_of.isoformat(), dtype=object)
            ),
            "latest:datetime": pa.chunked_array(
                [*shares.column("at").chunks, *visits.column("at").chunks], pa.string()
            )
            .combine_chunks()
            .take(pa.array(interests["latest"].to_numpy())),
        },
    )
    for kind, table in r.items():
        out.counts[kind] = table.num_rows
    step("tables")
    return out


def held_events(rows: list[HeldRow], received_at: datetime) -> pa.Table:
    """The `:HeldEvent` nodes cypher/ingest/hold.cypher leaves after holding `rows` in load order
    at `received_at`: a row held again under the same id (reference data repeated in a later
    batch) keeps the first one's payload, people and source, takes the last one's reason and
    what it waits for, and counts an attempt."""
    nodes: dict[str, dict[str, Any]] = {}
    for row in rows:
        held = row.params()
        node = nodes.setdefault(held["id"], {**held, "attempts": 0})
        node.update(reason=held["reason"], waits_for=held["waits_for"])
        node["attempts"] += 1
    values = list(nodes.values())
    texts = ("id", "event_id", "kind", "payload", "reason", "waits_for", "source")
    stamp = _text([received_at.isoformat()] * len(values))
    return _node_table(
        "HeldEvent",
        len(values),
        {
            **{name: _text([v[name] for v in values]) for name in texts},
            # An empty list leaves the property unset: loaders.bulk.run sets [] after the import.
            "people:string[]": _text([ARRAY_DELIMITER.join(v["people"]) for v in values]),
            "received_at:datetime": stamp,
            "attempts:long": pa.array([v["attempts"] for v in values], pa.int64()),
            "last_try:datetime": stamp,
        },
    )


def _iso(value: object) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _friendships(friendships: pa.Table, a: np.ndarray, b: np.ndarray, people: int) -> pa.Table:
    """One FRIEND_OF per pair (cypher/load/friendships.cypher): directed as its first written
    event; `since` and `event_id` from its earliest event by (at, event_id); `event_ids` in the
    order they are written (loaders.bulk.resolve.write_order)."""
    keys = np.minimum(a, b).astype(np.int64) * people + np.maximum(a, b)
    pair_codes, pair = np.unique(keys, return_inverse=True)
    count = len(pair_codes)
    written = _np(friendships.column("_write"))
    first_written = np.full(count, len(keys), dtype=np.int64)
    np.minimum.at(first_written, pair, written)
    row_of = np.argsort(written)
    event_ids = _np(friendships.column("event_id"))
    earliest = first_by_time(
        pair, _np(friendships.column("at_us")), _np(friendships.column("at_off")), event_ids, count
    )
    return pa.table(
        {
            ":START_ID(Person)": pa.array(a[row_of[first_written]]),
            ":END_ID(Person)": pa.array(b[row_of[first_written]]),
            "since:datetime": _take(friendships.column("at"), earliest),
            "event_id": _text(event_ids[earliest]),
            "event_ids:string[]": _joined(pair[row_of], event_ids[row_of], count),
        }
    )


# ----------------------------------------------------------------------------- files

# Text columns that may hold line breaks (the importer must be told which files have them).
_FREE_TEXT = ("name", "city", "region", "title", "display_name", "text", "tag", "payload", "reason")


def _has_line_breaks(table: pa.Table) -> bool:
    for name in table.column_names:
        if (
            name in _FREE_TEXT
            and pc.any(pc.match_substring_regex(table.column(name), "[\r\n]")).as_py()
        ):
            return True
    return False


@dataclass
class ImportFiles:
    """The files written for neo4j-admin: (label or type, path) pairs and the files whose
    fields span lines."""

    nodes: list[tuple[str, Path]]
    relationships: list[tuple[str, Path]]
    multiline: list[Path]
    bytes: int


def write_files(tables: GraphTables, folder: Path) -> ImportFiles:
    """Writes each table as a CSV file with its header line."""
    folder.mkdir(parents=True, exist_ok=True)
    options = pacsv.WriteOptions(include_header=True, batch_size=65_536)
    nodes: list[tuple[str, Path]] = []
    relationships: list[tuple[str, Path]] = []
    multiline: list[Path] = []
    size = 0
    for group, items, target in (
        ("nodes", tables.nodes, nodes),
        ("relationships", tables.relationships, relationships),
    ):
        for name, table in items.items():
            path = folder / f"{group}-{name}.csv"
            pacsv.write_csv(table, path, write_options=options)
            target.append((name, path))
            size += path.stat().st_size
            if _has_line_breaks(table):
                multiline.append(path)
    return ImportFiles(nodes, relationships, multiline, size)
