"""Helpers shared by the tests: wiping the database, counting it, writing input files."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from graph.gateway import Gateway
from graph.queries import Query


def plan_operators(gateway: Gateway, query: Query, **params: Any) -> list[str]:
    """The operators of the plan the server makes for `query` (EXPLAIN: nothing runs), without
    their runtime suffix ('NodeIndexSeek@neo4j' -> 'NodeIndexSeek')."""
    plan = gateway.driver.execute_query(
        "EXPLAIN " + query.text, params, database_=gateway.database
    ).summary.plan
    assert plan is not None

    def walk(step: dict[str, Any]) -> list[str]:
        children = step.get("children", [])
        return [step["operatorType"].split("@")[0], *(op for c in children for op in walk(c))]

    return walk(plan)


def wipe(gateway: Gateway) -> None:
    """Deletes every node and relationship (schema stays)."""
    with gateway.driver.session(database=gateway.database) as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 1000 ROWS").consume()


def renew_driver(gateway: Gateway) -> Gateway:
    """After a bulk import the database is new: the driver's pooled connections and its
    bookmarks (which name transactions of the old database) are stale, so the gateway gets a
    new driver."""
    gateway.driver.close()
    gateway.driver = Gateway(gateway.settings).driver
    gateway.read("RETURN 1 AS one")
    return gateway


def stale_reach3(gateway: Gateway) -> list[dict[str, object]]:
    """People whose stored reach3 (cypher/derive/reach3) is not reach(p, 3) counted afresh, or
    is a stored 0 (0 is stored as no property)."""
    return gateway.read(
        "MATCH (p:Person) WITH p, COUNT { (p)-[:REFERRED*1..3]->(:Person) } AS counted "
        "WHERE coalesce(p.reach3, 0) <> counted OR p.reach3 = 0 "
        "RETURN p.id AS id, p.reach3 AS stored, counted ORDER BY id LIMIT 20"
    )


def counts(gateway: Gateway) -> dict[str, int]:
    """Nodes per label and relationships per type: the fingerprint reload tests compare. The
    record of the schema's data migrations (graph.schema), which every load leaves, is left
    out."""
    rows = gateway.read(
        "CALL db.labels() YIELD label "
        "CALL (label) { MATCH (n) WHERE label IN labels(n) RETURN count(n) AS c } "
        "RETURN 'node:' + label AS k, c "
        "UNION ALL "
        "CALL db.relationshipTypes() YIELD relationshipType AS t "
        "CALL (t) { MATCH ()-[r]->() WHERE type(r) = t RETURN count(r) AS c } "
        "RETURN 'rel:' + t AS k, c"
    )
    return {r["k"]: r["c"] for r in rows if r["c"] and r["k"] != "node:Migration"}


# Nodes that record how the graph was operated (load runs, dropped files, refreshes, figures
# precomputed for pages), not data.
OPERATIONS_LABELS = (
    "LoadRun",
    "LoadedFile",
    "InfluenceRefresh",
    "StoreOverview",
    "ValueSnapshot",
    "Migration",
)
# A held event's wall-clock times: when it was received and last tried, not what it holds.
HELD_CLOCK_PROPERTIES = ("received_at", "last_try")


def data_counts(gateway: Gateway) -> dict[str, int]:
    """`counts` without the operations records: what two ways of loading the same data agree on."""
    return {
        k: v for k, v in counts(gateway).items() if k.removeprefix("node:") not in OPERATIONS_LABELS
    }


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


Dump = dict[str, dict[tuple, dict[str, tuple]]]


def _value(value: object) -> tuple:
    """A property value with its type, so 1, 1.0 and True differ; temporals with their offset."""
    if hasattr(value, "isoformat"):
        return (type(value).__name__, value.isoformat())
    if isinstance(value, list):
        return ("list", tuple(_value(v) for v in value))
    return (type(value).__name__, value)


INTEREST_CARRIED_TO = datetime(2027, 1, 1, tzinfo=UTC)


def _interest_at(props: dict[str, object], at: datetime = INTEREST_CARRIED_TO) -> dict:
    """An interest tag's score carried to one instant (as cypher/derive/interests_add does,
    whole seconds) in place of its score and as_of: tags are stored as of when they were last
    computed, which depends on how the events were batched, not on what they say. Ages count
    whole seconds, as the scores' own do."""
    as_of = props.pop("as_of").to_native().replace(microsecond=0)  # type: ignore[attr-defined]
    age = int((at - as_of).total_seconds())
    return {**props, "score": props["score"] * 0.5 ** (age / 2592000.0)}  # type: ignore[operator]


def graph_dump(gateway: Gateway) -> Dump:
    """Every node (by label and key) and relationship (type, ends, event id) with all its
    properties, typed: what the same-graph tests compare. Operations records (load runs,
    loaded files, influence refreshes) are left out: they say when and how, not what; so are a
    held event's received_at and last_try (the clock of the load that held it); interest tags
    are compared by their score carried to one instant."""
    nodes: dict[str, tuple] = {}
    out: Dump = {"nodes": {}, "relationships": {}}
    with gateway.driver.session(database=gateway.database) as session:
        for record in session.run(
            "MATCH (n) WHERE NOT any(label IN labels(n) WHERE label IN $operations) "
            "RETURN elementId(n) AS eid, labels(n) AS labels, n",
            operations=list(OPERATIONS_LABELS),
        ):
            props = dict(record["n"].items())
            labels = tuple(sorted(record["labels"]))
            key = props.get("id", props.get("name", props.get("id_sha256", props.get("event_id"))))
            main = next(
                iter(
                    set(labels)
                    & {
                        "Person",
                        "Store",
                        "Content",
                        "Topic",
                        "Share",
                        "Order",
                        "ErasedPerson",
                        "HeldEvent",
                    }
                ),
                labels,
            )
            if main == "HeldEvent":
                for name in HELD_CLOCK_PROPERTIES:
                    props.pop(name, None)
            nodes[record["eid"]] = (main, key)
            out["nodes"][(main, key)] = {
                "labels": labels,
                **{k: _value(v) for k, v in props.items()},
            }
        for record in session.run(
            "MATCH (a)-[r]->(b) RETURN elementId(a) AS a, elementId(b) AS b, type(r) AS t, r"
        ):
            props = dict(record["r"].items())
            if record["t"] == "INTERESTED_IN":
                props = _interest_at(props)
            ends = (nodes[record["a"]], nodes[record["b"]])
            if record["t"] == "FRIEND_OF":  # symmetric: stored one way or the other
                ends = tuple(sorted(ends, key=str))  # type: ignore[assignment]
            key = (record["t"], *ends, props.get("event_id"))
            assert key not in out["relationships"], f"two relationships {key}"
            out["relationships"][key] = {k: _value(v) for k, v in props.items()}
    return out


def graph_differences(left: Dump, right: Dump, rel_tol: float = 1e-9, limit: int = 20) -> list[str]:
    """What differs between two dumps (floats within `rel_tol`, relative or absolute)."""
    problems: list[str] = []
    for part in ("nodes", "relationships"):
        a, b = left[part], right[part]
        problems += [f"{part} only left: {k}" for k in sorted(a.keys() - b.keys(), key=str)[:limit]]
        problems += [
            f"{part} only right: {k}" for k in sorted(b.keys() - a.keys(), key=str)[:limit]
        ]
        for key in sorted(a.keys() & b.keys(), key=str):
            pa_, pb = a[key], b[key]
            for name in sorted(pa_.keys() | pb.keys()):
                va, vb = pa_.get(name), pb.get(name)
                if va == vb:
                    continue
                if (
                    va is not None
                    and vb is not None
                    and va[0] == vb[0] == "float"
                    and abs(va[1] - vb[1]) <= rel_tol * max(1.0, abs(va[1]), abs(vb[1]))
                ):
                    continue
                problems.append(f"{part} {key}: {name} {va} != {vb}")
                if len(problems) >= limit:
                    return problems
    return problems


def graph_state(gateway: Gateway, at: str = "2027-01-01T00:00:00Z") -> dict[str, object]:
    """Everything a load determines, for comparing two ways of loading the same events: counts
    (without bookkeeping labels), people's first appearances and labels, referral edges, homes,
    ties with their parts, and interest scores carried to the instant `at` (scores are stored
    as of the time they were computed)."""
    bookkeeping = ("Stale", "HeldEvent", "ErasedPerson")
    people = gateway.read(
        "MATCH (p:Person) RETURN p.id AS id, [l IN labels(p) WHERE l <> 'Stale'] AS labels, "
        "p.first_seen AS first_seen, p.first_event_id AS first_event_id, "
        "p.first_kind AS first_kind, p.first_share_id AS first_share_id, "
        "p.first_order_store_id AS first_order_store_id, p.member_since AS member_since"
    )
    referrals = gateway.read(
        "MATCH (a:Person)-[r:REFERRED]->(b:Person) "
        "RETURN a.id AS a, b.id AS b, r.share_id AS share_id, r.at AS at"
    )
    ties = gateway.read(
        "MATCH (a:Person)-[k:KNOWS]->(b:Person) RETURN a.id AS a, b.id AS b, k.weight AS w, "
        "k.friends AS f, k.referral AS r, k.visits AS v"
    )
    interests = gateway.read(
        "MATCH (p:Person)-[i:INTERESTED_IN]->(t:Topic) "
        "RETURN p.id AS p, t.name AS t, "
        "i.score * 0.5 ^ (duration.inSeconds(i.as_of, datetime($at)).seconds / 2592000.0) AS s",
        at=at,
    )
    return {
        "counts": {k: v for k, v in counts(gateway).items() if k.split(":")[1] not in bookkeeping},
        "people": {r["id"]: {**r, "labels": sorted(r["labels"])} for r in people},
        "referrals": {(r["a"], r["b"]): (r["share_id"], r["at"]) for r in referrals},
        "homes": homes(gateway),
        "ties": {(r["a"], r["b"]): (r["w"], r["f"], r["r"], r["v"]) for r in ties},
        "interests": {(r["p"], r["t"]): round(r["s"], 9) for r in interests},
    }


# Interest scores are stored as of their derivation time; every score halves every 30 days
# (DESIGN.md §5), so scores derived at different times compare once decayed to one instant.
SCORES_AT = "2026-11-01T00:00:00Z"


def fingerprint(gateway: Gateway) -> dict[str, object]:
    """The graph as the equivalence tests compare it: nodes per label and relationships per
    type (bookkeeping — :Stale marks, held events, operations records — left out), and every
    derived value:
    first appearances, referrers, homes, tie weights and interest scores, with a SHA-256 over
    them for the report."""
    bookkeeping = ("Stale", "Deriving", "HeldEvent", *OPERATIONS_LABELS)
    graph_counts = {
        k: v for k, v in counts(gateway).items() if k.removeprefix("node:") not in bookkeeping
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
