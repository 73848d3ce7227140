"""The plain-UNWIND baseline the online loader is measured against (issue 8).

On a fresh database (heap 2g, page cache 2g, the project's schema), one client sends a preset's
shares and then its visits in batches of 10 000 with the plainest write that stores them
(cypher/baseline/): no validation, no checks, no derived data. Then it writes the derived data
the whole brand makes (first appearances, referral edges, homes, social ties, interest scores,
stored reach), as the bulk import computes them, each once with the plainest write: what any
online loader that keeps derived data current must write at the least, with its derivation for
free. Then it sends the visits again with a duplicate check through the VISITED event_id index
(nothing is written). Last, on a second fresh database, what an online loader whose derivation
cost nothing would write: the same shares and visits in the loader's batches, each batch in one
transaction with the derived data it adds, computed beforehand (the first appearance, referral
edge and home of each person it brings for the first time, written plainly; the ties and
interest scores it adds to, through the loader's own fold queries derive/ties_add and
derive/interests_add). Rows are read and derived before the clock starts; the time is the
client's wall clock, packing included.

flock /tmp/fission-heavy.lock .venv/bin/python -m benchmarks.unwind_baseline --preset medium
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from benchmarks.common import cpu_seconds, dataset, fresh_server, record
from fission.settings import get_settings
from graph.gateway import Gateway, Tx, batched
from graph.queries import Query, query
from graph.schema import apply_schema
from loaders.bulk.build import build_graph
from loaders.bulk.resolve import resolve
from loaders.bulk.validate import validate_files
from loaders.pipeline import expand_paths

SHARES = query("baseline/shares")
VISITS = query("baseline/visits")
VISITS_RESENT = query("baseline/visits_resent")
SETUP_STORES = query("baseline/setup_stores")
SETUP_TOPICS = query("baseline/setup_topics")
SETUP_CONTENT = query("baseline/setup_content")
TIES_ADD = query("derive/ties_add")
INTERESTS_ADD = query("derive/interests_add")
# Derived data, written in this order (people first: the relationships match both ends).
DERIVED: dict[str, Query] = {
    name: query(f"baseline/derived_{name}")
    for name in ("people", "referred", "home", "knows", "interests")
}
PERSON_PROPERTIES = {
    "first_seen:datetime": "first_seen",
    "first_event_id": "first_event_id",
    "first_kind": "first_kind",
    "first_share_id": "first_share_id",
    "first_order_store_id": "first_order_store_id",
    "reach3:long": "reach3",
}
RELATIONSHIP_ENDS = {
    "referred": ("REFERRED", "Person"),
    "home": ("HOME", "Store"),
    "knows": ("KNOWS", "Person"),
    "interests": ("INTERESTED_IN", "Topic"),
}
BATCH = 10_000
SHARE_COLUMNS = ["event_id", "share_id", "sharer_id", "content_id", "channel", "at"]
VISIT_COLUMNS = ["event_id", "share_id", "visitor_id", "at", "action"]


def read_rows(folder: Path, name: str, columns: list[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = pq.read_table(
        folder / f"{name}.parquet", columns=columns
    ).to_pylist()
    return rows


@dataclass
class Derived:
    """The bulk import's derived data as plain rows: the stores, topics and content they point
    to or are folded through, and the rows of each `DERIVED` write."""

    stores: list[dict[str, Any]]
    topics: list[dict[str, Any]]
    content: list[dict[str, Any]]
    rows: dict[str, list[dict[str, Any]]]


def derived_rows(folder: Path, now: datetime) -> Derived:
    """What `fission import` derives from the preset's files (interests aged to `now`)."""
    settings = get_settings()
    resolved = resolve(
        validate_files(expand_paths([folder])),
        frozenset(),
        chunk_rows=settings.load_chunk_rows,
        batch_rows=settings.load_batch_rows,
    )
    tables = build_graph(resolved, now)
    keys = {
        "Person": _values(tables.nodes["Person"].column("id")),
        "Store": _values(tables.nodes["Store"].column("id")),
        "Topic": _values(tables.nodes["Topic"].column("name")),
    }
    people = tables.nodes["Person"].select(list(PERSON_PROPERTIES))
    rows = {"people": people.rename_columns(list(PERSON_PROPERTIES.values())).to_pylist()}
    for person, row in zip(keys["Person"], rows["people"], strict=True):
        row["id"] = person
    for name, (rel_type, end) in RELATIONSHIP_ENDS.items():
        table = tables.relationships[rel_type]
        start_col, end_col = table.column_names[:2]
        props = table.drop_columns([start_col, end_col])
        props = props.rename_columns([c.split(":")[0] for c in props.column_names])
        ends = pa.table(
            {
                "a": keys["Person"][_values(table.column(start_col)).astype(np.int64)],
                "b": keys[end][_values(table.column(end_col)).astype(np.int64)],
            }
        )
        rows[name] = [{**e, **p} for e, p in zip(ends.to_pylist(), props.to_pylist(), strict=True)]
    content = tables.nodes["Content"].column("id").to_pylist()
    about = tables.relationships["ABOUT"]
    topics_of: dict[str, list[str]] = {c: [] for c in content}
    for c, t in zip(
        _values(about.column(0)).astype(np.int64),
        _values(about.column(1)).astype(np.int64),
        strict=True,
    ):
        topics_of[content[c]].append(str(keys["Topic"][t]))
    return Derived(
        stores=[{"id": s} for s in keys["Store"]],
        topics=[{"name": t} for t in keys["Topic"]],
        content=[{"id": c, "topics": topics} for c, topics in topics_of.items()],
        rows=rows,
    )


@dataclass
class FoldedBatch:
    """One loader batch of events and the writes of the derived data it adds, in order."""

    events: int
    writes: list[tuple[Query, dict[str, Any]]]


def folded_batches(
    shares: list[dict[str, Any]],
    visits: list[dict[str, Any]],
    derived: Derived,
    size: int,
    now: datetime,
) -> list[FoldedBatch]:
    """The shares and visits in batches of `size` (shares first, as the loader's type order),
    each with what it adds to derived data: people first seen in it get their first appearance,
    referral edge and home (the brand's final ones, as an online loader would have derived them
    by then); every visit adds to the tie of visitor and sharer, every share and visit to the
    actor's interest in the content (a share counting double)."""
    sharer = {row["share_id"]: row["sharer_id"] for row in shares}
    content = {row["share_id"]: row["content_id"] for row in shares}
    people = {row["id"]: row for row in derived.rows["people"]}
    referred = {row["b"]: row for row in derived.rows["referred"]}
    home = {row["a"]: row for row in derived.rows["home"]}
    seen: set[str] = set()
    out = []
    for kind, rows, write in (("shares", shares, SHARES), ("visits", visits, VISITS)):
        for part in batched(rows, size):
            actors = [
                (r["sharer_id"], r["content_id"], 2.0)
                if kind == "shares"
                else (r["visitor_id"], content[r["share_id"]], 1.0)
                for r in part
            ]
            new = sorted({actor for actor, _, _ in actors} - seen)
            seen.update(new)
            ties: dict[tuple[str, str], dict[str, Any]] = {}
            if kind == "visits":
                for r in part:
                    if r["visitor_id"] != sharer[r["share_id"]]:
                        _tie(ties, r["visitor_id"], sharer[r["share_id"]])["visits"] += 1
            new_referred = [referred[p] for p in new if p in referred]
            for row in new_referred:
                _tie(ties, row["a"], row["b"])["referral"] = True
            interests: dict[tuple[str, str], dict[str, Any]] = {}
            for (person, content_id, add), r in zip(actors, part, strict=True):
                at = datetime.fromisoformat(r["at"])
                entry = interests.setdefault((person, content_id), {"add": 0.0, "latest": at})
                entry["add"] += add
                entry["latest"] = max(entry["latest"], at)
            writes: list[tuple[Query, dict[str, Any]]] = [
                (write, {"rows": part}),
                (DERIVED["people"], {"rows": [people[p] for p in new]}),
                (DERIVED["referred"], {"rows": new_referred}),
                (DERIVED["home"], {"rows": [home[p] for p in new if p in home]}),
                (TIES_ADD, {"rows": [{"a": a, "b": b, **t} for (a, b), t in ties.items()]}),
                (
                    INTERESTS_ADD,
                    {
                        "rows": [
                            {"person_id": person, "content_id": content_id, "add": e["add"],
                             "latest": e["latest"].isoformat()}
                            for (person, content_id), e in interests.items()
                        ],
                        "now": now,
                    },
                ),
            ]  # fmt: skip
            out.append(FoldedBatch(len(part), [(q, p) for q, p in writes if p["rows"]]))
    return out


def _tie(ties: dict[tuple[str, str], dict[str, Any]], a: str, b: str) -> dict[str, Any]:
    """The tie of a and b in a batch's additions (stored from the smaller id to the larger)."""
    key = (a, b) if a < b else (b, a)
    return ties.setdefault(key, {"visits": 0, "friends": None, "referral": None})


def _values(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return np.asarray(column.to_numpy(zero_copy_only=False))


def timed_batches(gateway: Gateway, rows: list[dict[str, Any]], write: Any) -> float:
    started = time.perf_counter()
    for batch in batched(rows, BATCH):
        gateway.write(write, rows=batch)
    return time.perf_counter() - started


def one_run(folder: Path, derived: Derived, heap: str, pagecache: str) -> dict[str, Any]:
    shares = read_rows(folder, "shares", SHARE_COLUMNS)
    visits = read_rows(folder, "visits", VISIT_COLUMNS)
    with fresh_server(heap, pagecache) as (gateway, server):
        apply_schema(gateway)
        gateway.write(SETUP_STORES, rows=derived.stores)
        gateway.write(SETUP_TOPICS, rows=derived.topics)
        pid = server.status().pid
        assert pid is not None
        cpu_before = cpu_seconds(pid)
        share_s = timed_batches(gateway, shares, SHARES)
        visit_s = timed_batches(gateway, visits, VISITS)
        server_cpu = cpu_seconds(pid) - cpu_before
        derived_s = {
            name: timed_batches(gateway, derived.rows[name], write)
            for name, write in DERIVED.items()
        }
        derived_cpu = cpu_seconds(pid) - cpu_before - server_cpu
        resent_s = timed_batches(gateway, visits, VISITS_RESENT)
        stored = gateway.read("MATCH ()-[v:VISITED]->() RETURN count(v) AS n")[0]["n"]
    if stored != len(visits):
        raise AssertionError(f"{stored} visits stored, {len(visits)} sent")
    events = len(shares) + len(visits)
    with_derived_s = share_s + visit_s + sum(derived_s.values())
    return {
        "shares_seconds": round(share_s, 2),
        "visits_seconds": round(visit_s, 2),
        "resent_visits_seconds": round(resent_s, 2),
        "shares_per_second": round(len(shares) / share_s),
        "visits_per_second": round(len(visits) / visit_s),
        "shares_and_visits_per_second": round(events / (share_s + visit_s)),
        "resent_visits_per_second": round(len(visits) / resent_s),
        "server_cpu_us_per_event": round(server_cpu / events * 1e6, 1),
        **{f"derived_{name}_seconds": round(sec, 2) for name, sec in derived_s.items()},
        "derived_seconds": round(sum(derived_s.values()), 2),
        "derived_server_cpu_us_per_event": round(derived_cpu / events * 1e6, 1),
        "with_derived_per_second": round(events / with_derived_s),
    }


def folded_run(
    batches: list[FoldedBatch], derived: Derived, heap: str, pagecache: str
) -> dict[str, Any]:
    """Every batch and the derived data it adds in one write transaction, on a fresh server."""
    with fresh_server(heap, pagecache) as (gateway, server):
        apply_schema(gateway)
        gateway.write(SETUP_STORES, rows=derived.stores)
        gateway.write(SETUP_TOPICS, rows=derived.topics)
        gateway.write(SETUP_CONTENT, rows=derived.content)
        pid = server.status().pid
        assert pid is not None
        cpu_before = cpu_seconds(pid)
        started = time.perf_counter()
        for batch in batches:

            def write(tx: Tx, batch: FoldedBatch = batch) -> None:
                for q, params in batch.writes:
                    tx.run(q, **params)

            gateway.write_tx(write)
        seconds = time.perf_counter() - started
        server_cpu = cpu_seconds(pid) - cpu_before
    events = sum(b.events for b in batches)
    return {
        "folded_seconds": round(seconds, 2),
        "folded_per_second": round(events / seconds),
        "folded_server_cpu_us_per_event": round(server_cpu / events * 1e6, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--preset", default="small")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=1, help="Repeat on fresh servers; medians.")
    parser.add_argument("--heap", default="2g")
    parser.add_argument("--pagecache", default="2g")
    args = parser.parse_args()

    folder = dataset(args.preset, "parquet", args.seed)
    counts = json.loads((folder / "summary.json").read_text())["counts"]
    end = datetime.fromisoformat(json.loads((folder / "summary.json").read_text())["end"])
    derived = derived_rows(folder, end)
    batch_rows = get_settings().load_batch_rows
    batches = folded_batches(
        read_rows(folder, "shares", SHARE_COLUMNS),
        read_rows(folder, "visits", VISIT_COLUMNS),
        derived,
        batch_rows,
        end,
    )
    runs = [
        {
            **one_run(folder, derived, args.heap, args.pagecache),
            **folded_run(batches, derived, args.heap, args.pagecache),
        }
        for _ in range(args.runs)
    ]
    medians = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    result = {
        "preset": args.preset,
        "shares": counts["shares"],
        "visits": counts["visits"],
        "server": {"heap": args.heap, "pagecache": args.pagecache},
        "derived_rows": {name: len(rows) for name, rows in derived.rows.items()},
        "batch_rows": BATCH,
        "folded_batch_rows": batch_rows,
        "clients": 1,
        "note": "medians of fresh-server runs",
        "median": medians,
        "runs": runs,
    }
    path = record(f"unwind-baseline-{args.preset}", result)
    print(json.dumps(medians, indent=2))
    print(f"recorded in {path}")


if __name__ == "__main__":
    main()
