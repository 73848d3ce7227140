"""Fraud patterns in the referral graph, flagged with a reason and the evidence, per store and
per person. Three patterns, each with documented thresholds:

- **Coupon farm** (`coupon_farm`): a share whose coupon at least `FARM_MIN_ACCOUNTS` (8)
  people claimed within `FARM_WINDOW` (30 minutes) of the share, each appearing for the first
  time with that claim and never doing anything else (no other visit, share or order). Names
  the sharer (`sharer`) and the accounts (`account`).
- **Ring** (`ring`): a group of `RING_MIN_SIZE`..`RING_MAX_SIZE` (4..12) customers that engage
  only with each other: a weakly connected component (`gds.wcc`) of the customers' engagement
  graph (who opened whose shares, staff left out, so the staff share a group came in through
  does not join it to the rest), dense (at least `RING_MIN_DENSITY` = 50% of the ordered pairs
  opened each other's shares) and closed (every member in a triangle, `gds.triangleCount`).
  Names the members (`member`).
- **Self-referral** (`self_referral`): an agent with at least `SELF_MIN_PEOPLE` (3) referees who
  appeared after the agent became one (so the agent is credited with their orders), have no
  tie but the agent, never share, bought only at the agent's store and first within
  `SELF_MAX_HOURS` (24 h) of appearing. Names the agent (`agent`) and those buyers (`buyer`).

A flag belongs to the home store of its subject (the farm's sharer, the agent) or, for a ring,
the home store most of its members share. `refresh_flags` detects every pattern brand-wide and
replaces the stored flags in one transaction (`fission flags`, and after `fission load`); rings
need Graph Data Science and are skipped, and reported as skipped, without it. On the clean
`small` brand the thresholds raise no flag (tests/graph/test_fraud.py measures it).

Attribution can leave flagged credit out (graph.attribution, `exclude_flagged`): orders of the
people a flag names as `account`, `member` or `buyer` are then credited to nobody and reported
as excluded.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, Field

from fission.errors import NotFound
from graph.gateway import Gateway, Row, Tx
from graph.gds import projected, server_plugins
from graph.queries import query

COUPON_FARMS = query("fraud/coupon_farms")
SELF_REFERRALS = query("fraud/self_referrals")
PROJECT_CUSTOMERS = query("gds/project_customer_engagement")
COMPONENTS = query("fraud/components")
TRIANGLES = query("fraud/triangles")
GROUP = query("fraud/group_engagement")
REPLACE = query("fraud/replace")
FLAGS = query("fraud/flags")

FARM_WINDOW = timedelta(minutes=30)
FARM_MIN_ACCOUNTS = 8
RING_MIN_SIZE = 4
RING_MAX_SIZE = 12
RING_MIN_DENSITY = 0.5
SELF_MAX_HOURS = 24
SELF_MIN_PEOPLE = 3
# People whose orders do not earn credit when attribution excludes flagged credit.
EXCLUDED_PARTS = ("account", "member", "buyer")

Kind = Literal["coupon_farm", "ring", "self_referral"]


class FlaggedPerson(BaseModel):
    person_id: str
    part: str = Field(description="sharer | account | member | agent | buyer")


class Flag(BaseModel):
    id: str = Field(description="Stable for the same case: kind and its subject or members.")
    kind: Kind
    store_id: str | None
    reason: str
    evidence: dict[str, Any]
    detected_at: datetime
    people: list[FlaggedPerson]


class FlagsReport(BaseModel):
    flags: dict[str, int] = Field(description="Flags written, per kind.")
    skipped: list[str] = Field(description="Patterns not checked, and why.")
    computed_at: datetime
    seconds: float


class FlagPage(BaseModel):
    store_id: str | None = None
    person_id: str | None = None
    total: int
    flags: list[Flag]


def _farms(gateway: Gateway) -> list[dict[str, Any]]:
    rows = gateway.read(
        COUPON_FARMS,
        window_seconds=int(FARM_WINDOW.total_seconds()),
        min_accounts=FARM_MIN_ACCOUNTS,
    )
    return [
        {
            "id": f"coupon_farm:{r['share_id']}",
            "kind": "coupon_farm",
            "store_id": r["store_id"],
            "reason": f"{len(r['accounts'])} brand-new people claimed the coupon of share "
            f"{r['share_id']} by {r['sharer_id']} within "
            f"{(r['last_claim'] - r['shared_at']).total_seconds() / 60:.0f} minutes and never "
            "did anything else",
            "evidence": {
                "share_id": r["share_id"],
                "shared_at": r["shared_at"].isoformat(),
                "first_claim": r["first_claim"].isoformat(),
                "last_claim": r["last_claim"].isoformat(),
                "accounts": len(r["accounts"]),
            },
            "people": [{"id": r["sharer_id"], "part": "sharer"}]
            + [{"id": a, "part": "account"} for a in sorted(r["accounts"])],
        }
        for r in rows
    ]


def _self_referrals(gateway: Gateway) -> list[dict[str, Any]]:
    rows = gateway.read(SELF_REFERRALS, max_hours=SELF_MAX_HOURS, min_people=SELF_MIN_PEOPLE)
    flags = []
    for r in rows:
        people = sorted(r["people"], key=lambda p: p["id"])
        amount = sum(p["amount"] for p in people)
        flags.append(
            {
                "id": f"self_referral:{r['agent_id']}",
                "kind": "self_referral",
                "store_id": r["store_id"],
                "reason": f"agent {r['agent_id']} is credited with the orders of {len(people)} "
                f"new people whose only contact is the agent and who bought at store "
                f"{r['store_id']} within {SELF_MAX_HOURS} h of appearing "
                f"({amount:.2f} in total)",
                "evidence": {
                    "agent_since": r["agent_since"].isoformat(),
                    "orders": sum(p["orders"] for p in people),
                    "amount": round(amount, 2),
                    "minutes_to_first_order": {
                        p["id"]: round((p["first_order_at"] - p["first_seen"]).total_seconds() / 60)
                        for p in people
                    },
                },
                "people": [{"id": r["agent_id"], "part": "agent"}]
                + [{"id": p["id"], "part": "buyer"} for p in people],
            }
        )
    return flags


def _rings(gateway: Gateway) -> list[dict[str, Any]]:
    with projected(gateway, PROJECT_CUSTOMERS) as graph:
        if graph.name is None:
            return []
        wcc = gateway.read(COMPONENTS, graph_name=graph.name)[0]
        triangles = gateway.read(TRIANGLES, graph_name=graph.name)[0]
    people = pd.DataFrame({"component": wcc["components"]}, index=wcc["ids"])
    people["triangles"] = pd.Series(triangles["triangles"], index=triangles["ids"])
    sizes = people.groupby("component")["component"].transform("size")
    small = people[(sizes >= RING_MIN_SIZE) & (sizes <= RING_MAX_SIZE)]
    closed = small.groupby("component")["triangles"].min() > 0
    flags = []
    for component in closed[closed].index:
        ids = sorted(small.index[small["component"] == component])
        group = gateway.read(GROUP, ids=ids)[0]
        n = len(ids)
        density = len(group["edges"]) / (n * (n - 1))
        if density < RING_MIN_DENSITY:
            continue
        homes = Counter(m["store_id"] for m in group["members"] if m["store_id"] is not None)
        store_id = min(homes, key=lambda s: (-homes[s], s)) if homes else None
        visits = sum(e["visits"] for e in group["edges"])
        reshares = sum(e["reshares"] for e in group["edges"])
        flags.append(
            {
                "id": f"ring:{ids[0]}",
                "kind": "ring",
                "store_id": store_id,
                "reason": f"{n} customers who open and re-share only each other's shares: "
                f"{density:.0%} of the pairs engage, every member is in a triangle, and "
                "nobody outside the group engages with them",
                "evidence": {
                    "size": n,
                    "density": round(density, 3),
                    "visits_within": visits,
                    "reshares_within": reshares,
                    "triangles": int(small.loc[ids, "triangles"].sum() // 3),
                    "orders": sum(m["orders"] for m in group["members"]),
                },
                "people": [{"id": pid, "part": "member"} for pid in ids],
            }
        )
    return flags


def refresh_flags(gateway: Gateway, now: datetime | None = None) -> FlagsReport:
    """Detects every pattern brand-wide and replaces the stored flags (module docstring)."""
    computed_at = now or datetime.now(UTC)
    started = time.perf_counter()
    flags = _farms(gateway) + _self_referrals(gateway)
    skipped = []
    if server_plugins(gateway).has_gds:
        flags += _rings(gateway)
    else:
        skipped.append("ring: needs the Graph Data Science plugin (gds.wcc, gds.triangleCount)")
    rows = [{**f, "evidence": json.dumps(f["evidence"], sort_keys=True)} for f in flags]
    gateway.write(REPLACE, flags=rows, at=computed_at)
    return FlagsReport(
        flags=dict(Counter(f["kind"] for f in flags)),
        skipped=skipped,
        computed_at=computed_at,
        seconds=round(time.perf_counter() - started, 3),
    )


def _flag(row: Row) -> Flag:
    return Flag(
        id=row["id"],
        kind=row["kind"],
        store_id=row["store_id"],
        reason=row["reason"],
        evidence=json.loads(row["evidence"]),
        detected_at=row["detected_at"],
        people=[FlaggedPerson(person_id=p["id"], part=p["part"]) for p in row["people"]],
    )


def store_flags(gateway: Gateway, store_id: str) -> FlagPage:
    """The stored flags of a store (unknown store -> NotFound)."""
    row = gateway.read(FLAGS, store_id=store_id, person_id=None)[0]
    if not row["found"]:
        raise NotFound(f"store {store_id}")
    flags = [_flag(f) for f in row["flags"]]
    return FlagPage(store_id=store_id, total=len(flags), flags=flags)


def person_flags(gateway: Gateway, person_id: str) -> list[Flag]:
    """The stored flags that name a person (none for an unknown one)."""
    return gateway.read_tx(lambda tx: person_flags_in(tx, person_id))


def person_flags_in(tx: Tx, person_id: str) -> list[Flag]:
    """`person_flags` inside a read transaction that also runs other queries (a profile)."""
    return [_flag(f) for f in tx.run(FLAGS, store_id=None, person_id=person_id)[0]["flags"]]


def excluded_people(gateway: Gateway, store_id: str) -> list[str]:
    """People of the store's flags whose orders earn nobody credit when attribution excludes
    flagged credit (parts in EXCLUDED_PARTS)."""
    flags = store_flags(gateway, store_id).flags
    return sorted({p.person_id for f in flags for p in f.people if p.part in EXCLUDED_PARTS})
