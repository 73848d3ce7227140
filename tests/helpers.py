"""Helpers shared by the tests: wiping the database, counting it, writing input files."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from graph.gateway import Gateway


def wipe(gateway: Gateway) -> None:
    """Deletes every node and relationship (schema stays)."""
    with gateway.driver.session(database=gateway.database) as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 1000 ROWS").consume()


def counts(gateway: Gateway) -> dict[str, int]:
    """Nodes per label and relationships per type: the fingerprint reload tests compare."""
    rows = gateway.read(
        "CALL db.labels() YIELD label "
        "CALL (label) { MATCH (n) WHERE label IN labels(n) RETURN count(n) AS c } "
        "RETURN 'node:' + label AS k, c "
        "UNION ALL "
        "CALL db.relationshipTypes() YIELD relationshipType AS t "
        "CALL (t) { MATCH ()-[r]->() WHERE type(r) = t RETURN count(r) AS c } "
        "RETURN 'rel:' + t AS k, c"
    )
    return {r["k"]: r["c"] for r in rows if r["c"]}


def write_rows(folder: Path, name: str, rows: list[dict], fmt: str = "csv") -> Path:
    """Writes hand-made rows as a loader input file `<name>.<fmt>`."""
    folder.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame(rows)
    path = folder / f"{name}.{fmt}"
    if fmt == "csv":
        frame.to_csv(path, index=False)
    elif fmt == "jsonl":
        frame.to_json(path, orient="records", lines=True, force_ascii=False)
    else:
        frame.to_parquet(path, index=False)
    return path


STORES = [
    {
        "store_id": "S1",
        "name": "Jing'an",
        "city": "Shanghai",
        "region": "East",
        "opened_on": "2020-01-01",
    },
    {
        "store_id": "S2",
        "name": "Chaoyang",
        "city": "Beijing",
        "region": "North",
        "opened_on": "2021-05-01",
    },
]
STAFF = [
    {"person_id": "M1", "store_id": "S1", "role": "manager", "display_name": "Ma"},
    {"person_id": "C1", "store_id": "S1", "role": "clerk", "display_name": "Chen"},
    {"person_id": "M2", "store_id": "S2", "role": "manager", "display_name": "Li"},
]
CONTENT = [
    {
        "content_id": "K1",
        "kind": "coupon",
        "title": "10% off",
        "topics": "coffee|baby",
        "store_id": "",
    },
    {
        "content_id": "K2",
        "kind": "story",
        "title": "Our story",
        "topics": "fitness",
        "store_id": "S1",
    },
]


def ts(day: int, hour: int = 12, minute: int = 0) -> str:
    """A May 2026 timestamp in China time, as the mini program would send it."""
    return f"2026-05-{day:02d}T{hour:02d}:{minute:02d}:00+08:00"


def share(eid: str, sid: str, sharer: str, at: str, parent: str = "", content: str = "K1") -> dict:
    return {
        "event_id": eid,
        "share_id": sid,
        "sharer_id": sharer,
        "content_id": content,
        "channel": "moments",
        "at": at,
        "parent_share_id": parent,
    }


def visit(eid: str, sid: str, visitor: str, at: str, action: str = "view") -> dict:
    return {"event_id": eid, "share_id": sid, "visitor_id": visitor, "at": at, "action": action}


def order(eid: str, person: str, store: str, at: str, amount: float = 100.0) -> dict:
    return {
        "event_id": eid,
        "person_id": person,
        "store_id": store,
        "amount": amount,
        "currency": "CNY",
        "at": at,
    }


def friendship(eid: str, a: str, b: str, at: str) -> dict:
    return {"event_id": eid, "a_id": a, "b_id": b, "at": at}


def reference_files(folder: Path, fmt: str = "csv") -> None:
    write_rows(folder, "stores", STORES, fmt)
    write_rows(folder, "staff", STAFF, fmt)
    write_rows(folder, "content", CONTENT, fmt)


def referrers(gateway: Gateway) -> dict[str, str]:
    rows = gateway.read("MATCH (a:Person)-[:REFERRED]->(b:Person) RETURN a.id AS a, b.id AS b")
    return {r["b"]: r["a"] for r in rows}


def homes(gateway: Gateway) -> dict[str, str]:
    rows = gateway.read("MATCH (p:Person)-[:HOME]->(s:Store) RETURN p.id AS p, s.id AS s")
    return {r["p"]: r["s"] for r in rows}


# Interest scores are stored as of their derivation time; every score halves every 30 days
# (DESIGN.md §5), so scores derived at different times compare once decayed to one instant.
SCORES_AT = "2026-11-01T00:00:00Z"


def fingerprint(gateway: Gateway) -> dict[str, object]:
    """The graph as the equivalence tests compare it: nodes per label and relationships per
    type (bookkeeping — :Stale marks, held events — left out), and every derived value:
    first appearances, referrers, homes, tie weights and interest scores, with a SHA-256 over
    them for the report."""
    graph_counts = {
        k: v
        for k, v in counts(gateway).items()
        if k not in ("node:Stale", "node:Deriving", "node:HeldEvent")
    }
    firsts = gateway.read(
        "MATCH (p:Person) RETURN p.id AS id, toString(p.first_seen) AS at, p.first_kind AS kind"
    )
    ties = gateway.read(
        "MATCH (a:Person)-[k:KNOWS]-(b:Person) WHERE a.id < b.id "
        "RETURN a.id AS a, b.id AS b, k.weight AS w, k.friends AS f, k.referral AS r, "
        "k.visits AS v"
    )
    interests = gateway.read(
        "MATCH (p:Person)-[i:INTERESTED_IN]->(t:Topic) "
        "RETURN p.id AS id, t.name AS topic, i.score * 0.5 ^ "
        "(duration.inSeconds(i.as_of, datetime($at)).seconds / 2592000.0) AS score",
        at=SCORES_AT,
    )
    derived = {
        "first": sorted((r["id"], r["at"], r["kind"]) for r in firsts),
        "referrers": sorted(referrers(gateway).items()),
        "homes": sorted(homes(gateway).items()),
        "ties": sorted(tuple(r.values()) for r in ties),
        "interests": sorted((r["id"], r["topic"], f"{r['score']:.9g}") for r in interests),
    }
    digest = hashlib.sha256(repr(sorted(derived.items())).encode()).hexdigest()
    return {"counts": graph_counts, "derived_sha256": digest, **derived}
