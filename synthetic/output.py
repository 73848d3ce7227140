"""Writes a simulated brand as the loaders' input files, and `generate`, the entry point."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from synthetic.arrays import Arr, id_width, iso_dates, iso_times, make_ids
from synthetic.brand import Brand, local_shuffle
from synthetic.fraud import plant
from synthetic.presets import (
    ACTIONS,
    ADJECTIVES,
    CHANNELS,
    CHUNK_ROWS,
    CITIES,
    COLUMNS,
    CONTENT_KINDS,
    DEFAULT_END,
    GIVEN_NAMES,
    KIND_TITLES,
    NOTE_KINDS,
    NOTE_TAGS,
    NOTE_TEXTS,
    PLACES,
    PRESETS,
    ROLES,
    SURNAMES,
    TOPICS,
    Fmt,
    GenerationSummary,
    Preset,
)


@dataclass
class Planted:
    """Fraud patterns to plant (synthetic.fraud); `_frames` fills in their rows and cases."""

    patterns: Sequence[str]
    seed: int
    rows: dict[str, pd.DataFrame] = field(default_factory=dict)
    cases: list[dict[str, Any]] = field(default_factory=list)


def _frames(
    b: Brand, fmt: Fmt, planted: Planted | None = None
) -> Iterator[tuple[str, int, Callable[[], Iterator[pd.DataFrame]]]]:
    """Per file type: name, row count and a factory of DataFrame chunks (strings built lazily).
    With `planted`, its rows and cases are filled in before the first file type is yielded."""
    rng = b.rng
    pw = id_width(b.n_people, 7)
    pnum = rng.permutation(b.n_people) + 1  # pseudonymous: id order says nothing about role/store
    sw = id_width(b.p.stores, 4)
    cw = id_width(b.p.contents, 4)

    def person(idx: Arr) -> Arr:
        return make_ids("P", pnum[idx], pw)

    def store(idx: Arr) -> Arr:
        return make_ids("S", np.asarray(idx) + 1, sw)

    def content(idx: Arr) -> Arr:
        return make_ids("C", np.asarray(idx) + 1, cw)

    def optional(values: Arr, present: Arr) -> Arr:
        out = values.astype(object)
        out[~present] = None
        return out

    def chunked(
        n: int, make: Callable[[Arr], pd.DataFrame]
    ) -> Callable[[], Iterator[pd.DataFrame]]:
        def gen() -> Iterator[pd.DataFrame]:
            for lo in range(0, max(n, 1), CHUNK_ROWS):
                yield make(np.arange(lo, min(n, lo + CHUNK_ROWS)))

        return gen

    # Planted fraud draws from its own generator, so the clean brand is the same without it.
    if planted is not None:
        coupons = np.flatnonzero(b.content_kind == 0)
        planted.rows, planted.cases = plant(
            planted.patterns, planted.seed, b.end, b.p.stores, b.staff_start,
            int(coupons[0]) if len(coupons) else 0, person, store, content,
        )  # fmt: skip

    def event_order(at: Arr) -> Arr:
        # Chronological ids, then a local shuffle so files are not sorted by time.
        return np.argsort(at, kind="stable")[local_shuffle(rng, len(at))]

    # Reference data.
    s_idx = np.arange(b.p.stores)
    names = []
    seen_names: dict[str, int] = {}
    for i in s_idx:
        base = f"{CITIES[b.store_city[i]][0]} {PLACES[b.store_place[i]]}"
        seen_names[base] = seen_names.get(base, 0) + 1
        names.append(base if seen_names[base] == 1 else f"{base} {seen_names[base]}")
    stores_df = pd.DataFrame(
        {
            "store_id": store(s_idx),
            "name": names,
            "city": [CITIES[c][0] for c in b.store_city],
            "region": [CITIES[c][1] for c in b.store_city],
            "opened_on": iso_dates(b.store_opened),
        }
    )
    yield "stores", len(stores_df), lambda: iter([stores_df])

    st = np.arange(b.n_staff)
    staff_df = pd.DataFrame(
        {
            "person_id": person(st),
            "store_id": store(b.staff_store),
            "role": np.array(ROLES)[b.staff_role],
            "display_name": [
                f"{SURNAMES[k // len(GIVEN_NAMES)]} {GIVEN_NAMES[k % len(GIVEN_NAMES)]}"
                for k in b.staff_name
            ],
        }
    )
    yield "staff", len(staff_df), lambda: iter([staff_df])

    cidx = np.arange(b.p.contents)
    titles = []
    for i in cidx:
        kind = CONTENT_KINDS[b.content_kind[i]]
        topic = TOPICS[b.content_topics[i][0]]
        titles.append(KIND_TITLES[kind].format(adj=ADJECTIVES[b.content_adj[i]], topic=topic))
    topic_lists = [[TOPICS[t] for t in ts] for ts in b.content_topics]
    content_df = pd.DataFrame(
        {
            "content_id": content(cidx),
            "kind": np.array(CONTENT_KINDS)[b.content_kind],
            "title": titles,
            "topics": ["|".join(t) for t in topic_lists] if fmt == "csv" else topic_lists,
            "store_id": optional(store(np.maximum(b.content_store, 0)), b.content_store >= 0),
        }
    )
    yield "content", len(content_df), lambda: iter([content_df])

    members_df = pd.DataFrame(
        {
            "person_id": person(b.member_ids),
            "store_id": store(b.pool_store[b.member_ids]),
            "member_since": iso_dates(b.member_since),
        }
    )
    yield "members", len(members_df), lambda: iter([members_df])

    # Shares: ids numbered chronologically so a parent always has a smaller number.
    sh = b.sh
    n = len(sh.at)
    chrono = np.argsort(sh.at, kind="stable")
    rank = np.empty(n, dtype=np.int64)
    rank[chrono] = np.arange(n)
    hw = id_width(n, 8)
    s_rows = chrono[local_shuffle(rng, n)]

    def share_chunk(r: Arr) -> pd.DataFrame:
        i = s_rows[r]
        has_parent = sh.parent[i] >= 0
        parent = rank[np.maximum(sh.parent[i], 0)] + 1
        return pd.DataFrame(
            {
                "event_id": make_ids("E-SHR-", rank[i] + 1, hw),
                "share_id": make_ids("SH", rank[i] + 1, hw),
                "sharer_id": person(sh.sharer[i]),
                "content_id": content(sh.content[i]),
                "channel": np.array(CHANNELS)[sh.channel[i]],
                "at": iso_times(sh.at[i]),
                "parent_share_id": optional(make_ids("SH", parent, hw), has_parent),
            }
        )

    yield "shares", n, chunked(n, share_chunk)

    vi = b.vi
    nv = len(vi.at)
    v_chrono = np.argsort(vi.at, kind="stable")
    v_rank = np.empty(nv, dtype=np.int64)
    v_rank[v_chrono] = np.arange(nv)
    v_rows = v_chrono[local_shuffle(rng, nv)]
    vw = id_width(nv, 8)

    def visit_chunk(r: Arr) -> pd.DataFrame:
        i = v_rows[r]
        return pd.DataFrame(
            {
                "event_id": make_ids("E-VIS-", v_rank[i] + 1, vw),
                "share_id": make_ids("SH", rank[vi.share[i]] + 1, hw),
                "visitor_id": person(vi.visitor[i]),
                "at": iso_times(vi.at[i]),
                "action": np.array(ACTIONS)[vi.action[i]],
            }
        )

    yield "visits", nv, chunked(nv, visit_chunk)

    def simple(
        prefix: str, at: Arr, cols: Callable[[Arr], dict[str, Any]]
    ) -> tuple[int, Callable[[], Iterator[pd.DataFrame]]]:
        m = len(at)
        chrono_ = np.argsort(at, kind="stable")
        rk = np.empty(m, dtype=np.int64)
        rk[chrono_] = np.arange(m)
        rows = chrono_[local_shuffle(rng, m)]
        w = id_width(m, 7)

        def make(r: Arr) -> pd.DataFrame:
            i = rows[r]
            return pd.DataFrame({"event_id": make_ids(prefix, rk[i] + 1, w), **cols(i)})

        return m, chunked(m, make)

    yield (
        "orders",
        *simple(
            "E-ORD-",
            b.ord_at,
            lambda i: {
                "person_id": person(b.ord_who[i]),
                "store_id": store(b.ord_store[i]),
                "amount": b.ord_amount[i],
                "currency": np.full(len(i), "CNY"),
                "at": iso_times(b.ord_at[i]),
            },
        ),
    )
    yield (
        "friendships",
        *simple(
            "E-FRN-",
            b.fr_at,
            lambda i: {
                "a_id": person(b.fr_a[i]),
                "b_id": person(b.fr_b[i]),
                "at": iso_times(b.fr_at[i]),
            },
        ),
    )
    yield (
        "agents",
        *simple(
            "E-AGT-",
            b.agent_at,
            lambda i: {
                "person_id": person(b.agent[i]),
                "store_id": store(b.agent_store[i]),
                "invited_by": person(b.agent_by[i]),
                "at": iso_times(b.agent_at[i]),
            },
        ),
    )
    texts = np.array([*NOTE_TEXTS, ""])
    yield (
        "notes",
        *simple(
            "E-NOT-",
            b.note_at,
            lambda i: {
                "staff_id": person(b.note_staff[i]),
                "person_id": person(b.note_who[i]),
                "at": iso_times(b.note_at[i]),
                "kind": np.array(NOTE_KINDS)[b.note_kind[i]],
                "text": optional(
                    texts[b.note_text[i]], (b.note_text[i] >= 0) & (b.note_kind[i] != 2)
                ),
                "tag": optional(np.array(NOTE_TAGS)[b.note_tag[i]], b.note_kind[i] == 2),
            },
        ),
    )


def _arrow_schema(name: str) -> pa.Schema:
    types: dict[str, pa.DataType] = {"amount": pa.float64(), "topics": pa.list_(pa.string())}
    return pa.schema([(c, types.get(c, pa.string())) for c in COLUMNS[name]])


def _write(path: Path, name: str, fmt: Fmt, chunks: Iterator[pd.DataFrame]) -> None:
    cols = list(COLUMNS[name])
    if fmt == "parquet":
        schema = _arrow_schema(name)
        with pq.ParquetWriter(path, schema) as writer:
            for df in chunks:
                table = pa.Table.from_pandas(df[cols], schema=schema, preserve_index=False)
                writer.write_table(table.replace_schema_metadata(None))
        return
    with path.open("w", encoding="utf-8", newline="") as fh:
        for k, df in enumerate(chunks):
            if fmt == "csv":
                df[cols].to_csv(
                    fh, index=False, header=k == 0, lineterminator="\n", float_format="%.2f"
                )
            elif len(df):
                text = df[cols].to_json(orient="records", lines=True)
                fh.write(text.rstrip("\n") + "\n")


def _nodes(b: Brand) -> dict[str, int]:
    people = np.concatenate(
        [
            np.arange(b.n_staff),
            b.member_ids,
            b.sh.sharer,
            b.vi.visitor,
            b.ord_who,
            b.fr_a,
            b.fr_b,
            b.agent,
            b.note_who,
            b.note_staff,
        ]
    )
    members = np.union1d(b.member_ids, b.ord_who)
    topics = {t for ts in b.content_topics for t in ts}
    return {
        "Store": b.p.stores,
        "Staff": b.n_staff,
        "Person": len(np.unique(people)),
        "Member": len(members),
        "Agent": len(np.unique(b.agent)),
        "Content": b.p.contents,
        "Topic": len(topics),
        "Share": len(b.sh.at),
        "Order": len(b.ord_at),
    }


def _followed_by(
    chunks: Callable[[], Iterator[pd.DataFrame]], extra: pd.DataFrame
) -> Callable[[], Iterator[pd.DataFrame]]:
    def gen() -> Iterator[pd.DataFrame]:
        yield from chunks()
        yield extra

    return gen


def _planted_nodes(nodes: dict[str, int], rows: dict[str, pd.DataFrame]) -> dict[str, int]:
    """Node counts with the planted people (all new), shares, orders, members and agents."""
    empty = pd.DataFrame()
    people = set()
    for kind, column in (("shares", "sharer_id"), ("visits", "visitor_id"),
                         ("orders", "person_id")):  # fmt: skip
        people |= {p for p in rows.get(kind, empty).get(column, []) if p.startswith("PF")}
    orders, agents = rows.get("orders", empty), rows.get("agents", empty)
    return {
        **nodes,
        "Person": nodes["Person"] + len(people),
        "Member": nodes["Member"] + (orders["person_id"].nunique() if len(orders) else 0),
        "Agent": nodes["Agent"] + (agents["person_id"].nunique() if len(agents) else 0),
        "Share": nodes["Share"] + len(rows.get("shares", empty)),
        "Order": nodes["Order"] + len(orders),
    }


def generate(
    preset: str | Preset,
    seed: int,
    out: Path,
    fmt: Fmt = "csv",
    end: datetime | None = None,
    progress: Callable[[str], None] | None = None,
    plant: Sequence[str] = (),
) -> GenerationSummary:
    """Generate a synthetic brand into `out` (plus `out/summary.json`) and return its summary.

    `plant` names fraud patterns (synthetic.fraud.PATTERNS) to add on top of the clean brand;
    their cases are in the summary and in `out/planted.json`. Without it (the default) nothing
    is planted and the files are those of the clean brand."""
    if isinstance(preset, str):
        if preset not in PRESETS:
            raise ValueError(f"unknown preset {preset!r}; choose from {', '.join(PRESETS)}")
        name, p = preset, PRESETS[preset]
    else:
        name, p = "custom", preset
    if fmt not in ("csv", "jsonl", "parquet"):
        raise ValueError(f"unknown format {fmt!r}; choose csv, jsonl or parquet")
    if p.stores < 1 or p.staff_per_store < 1 or p.contents < 1 or p.people < 1:
        raise ValueError("a preset needs at least one store, staff member, person and content")
    end = DEFAULT_END if end is None else end
    if end.tzinfo is None:
        raise ValueError("end must be timezone-aware")
    end = end.astimezone(UTC).replace(microsecond=0)
    say = progress or (lambda _msg: None)

    b = Brand(p, seed, end)
    say("population")
    b.build_population()
    b.build_content()
    say("cascades")
    b.run_cascades()
    say("friendships, orders, notes")
    b.build_friendships()
    b.build_orders()
    b.build_notes()
    b.finish()

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    files: list[Path] = []
    planted = Planted(tuple(plant), seed) if plant else None
    for ftype, rows, chunks in _frames(b, fmt, planted):
        extra = planted.rows.get(ftype) if planted else None
        if extra is not None:
            rows, chunks = rows + len(extra), _followed_by(chunks, extra)
        path = out / f"{ftype}.{fmt}"
        say(f"writing {path.name} ({rows} rows)")
        _write(path, ftype, fmt, chunks())
        counts[ftype] = rows
        files.append(path)

    summary = GenerationSummary(
        counts=counts,
        nodes=_planted_nodes(_nodes(b), planted.rows) if planted else _nodes(b),
        planted=planted.cases if planted else [],
        files=files,
        preset=name,
        seed=seed,
        fmt=fmt,
        end=end,
        settings={k: v for k, v in vars(p).items()},
    )
    (out / "summary.json").write_text(json.dumps(summary.to_dict(), indent=2) + "\n")
    if planted:
        (out / "planted.json").write_text(json.dumps(planted.cases, indent=2) + "\n")
    say("done")
    return summary
