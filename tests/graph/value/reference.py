"""Customer value and agent candidates (DESIGN.md §5) recomputed from a generated brand's raw
files with pandas, never touching Neo4j: the independent second way of counting that the
tests compare the graph's answers with. The referral forest and home stores come from
tests/graph/reference.py (itself checked against the graph); everything else is read here.
Amounts are kept in integer cents, so totals compare exactly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import networkx as nx
import pandas as pd

from tests.graph.reference import _appearances, _read, _when, referral_forest

WEEK = pd.Timedelta(weeks=1)
ENGAGED = {"claim_coupon", "contact_sales", "join_group_buy"}
BEFORE_TRACKING = pd.Timestamp("1970-01-01", tz="UTC")


def monday(t: pd.Timestamp) -> pd.Timestamp:
    day = t.tz_convert("UTC").normalize()
    return day - pd.Timedelta(days=day.weekday())


@dataclass
class Brand:
    """The raw files, read once: who is who, and every activity event and order."""

    forest: nx.DiGraph
    first: pd.Series  # person -> first appearance
    activity: pd.DataFrame  # person, at, action (shares, visits, orders)
    orders: pd.DataFrame  # person, at, store, cents
    member_since: pd.Series
    agent_since: pd.Series
    staff_since: pd.Series
    stores: list[str]

    @classmethod
    def read(cls, folder: Path) -> Brand:
        events = _appearances(folder).sort_values(["person", "at", "event_id"])
        shares, visits, raw = (
            _read(folder, "shares"),
            _read(folder, "visits"),
            _read(folder, "orders"),
        )
        orders = pd.DataFrame(
            {
                "person": raw.person_id,
                "at": _when(raw["at"]),
                "store": raw.store_id,
                "cents": (raw.amount.astype(float) * 100).round().astype(int),
            }
        )
        activity = pd.concat(
            [
                pd.DataFrame({"person": shares.sharer_id, "at": _when(shares["at"]),
                              "action": "share"}),
                pd.DataFrame({"person": visits.visitor_id, "at": _when(visits["at"]),
                              "action": visits.action}),
                orders[["person", "at"]].assign(action="order"),
            ],
            ignore_index=True,
        )  # fmt: skip
        members = _read(folder, "members")
        imported = pd.Series(_when(members.member_since).to_numpy(), index=members.person_id)
        member_since = pd.concat([orders.groupby("person")["at"].min(), imported])
        agents = _read(folder, "agents")
        staff = _read(folder, "staff")
        since = staff["since"] if "since" in staff else pd.Series("", index=staff.index)
        return cls(
            forest=referral_forest(folder),
            first=events.groupby("person")["at"].first(),
            activity=activity,
            orders=orders,
            member_since=member_since.groupby(level=0).min(),
            agent_since=pd.Series(_when(agents["at"]).to_numpy(), index=agents.person_id)
            .groupby(level=0)
            .min(),
            staff_since=pd.Series(
                _when(since.replace("", None)).fillna(BEFORE_TRACKING).to_numpy(),
                index=staff.person_id,
            ),
            stores=sorted(_read(folder, "stores").store_id),
        )

    def customers(self, store: str) -> list[str]:
        return sorted(
            p for p, a in self.forest.nodes(data=True) if a["home"] == store and not a["staff"]
        )

    def referrer(self, person: str) -> str | None:
        return next(iter(self.forest.predecessors(person)), None)


def value(b: Brand, store: str, start: datetime, end: datetime) -> dict[str, int]:
    people = set(b.customers(store))
    inside = b.activity[(b.activity["at"] >= start) & (b.activity["at"] < end)]
    active = people & set(inside.person)
    o = b.orders
    bought = o[(o["at"] >= start) & (o["at"] < end) & o.person.isin(people)]
    ever = o[(o["at"] < end) & o.person.isin(people)].groupby("person").size()
    at_store = o[(o["at"] >= start) & (o["at"] < end) & (o.store == store)]
    return {
        "customers": sum(b.first[p] < end for p in people),
        "active": len(active),
        "buyers": bought.person.nunique(),
        "orders": len(bought),
        "cents": int(bought.cents.sum()),
        "store_orders": len(at_store),
        "store_cents": int(at_store.cents.sum()),
        "ever_buyers": int((ever >= 1).sum()),
        "repeat_buyers": int((ever >= 2).sum()),
    }


def retention(b: Brand, store: str, start: datetime, end: datetime) -> list[tuple]:
    """(week start, people, retained per offset 1..8 or None) for every week from start's."""
    first_week = monday(pd.Timestamp(start))
    end = pd.Timestamp(end)
    weeks = -(-(end - first_week) // WEEK)
    cohort: dict[int, list[str]] = {c: [] for c in range(weeks)}
    for p in b.customers(store):
        if first_week <= b.first[p] < end:
            cohort[(b.first[p] - first_week) // WEEK].append(p)
    act = b.activity[b.activity["at"] < end]
    out = []
    for c, members in cohort.items():
        week = first_week + c * WEEK
        retained: list[int | None] = []
        for k in range(1, 9):
            lo, hi = week + k * WEEK, week + (k + 1) * WEEK
            if hi > end:
                retained.append(None)
                continue
            seen = act[(act["at"] >= lo) & (act["at"] < hi)].person
            retained.append(len(set(members) & set(seen)))
        out.append((week.to_pydatetime(), len(members), retained))
    return out


def sources(
    b: Brand, store: str, end: datetime, start: datetime | None = None
) -> dict[str, dict[str, tuple[int, int, int, int]]]:
    """{'source'|'generation': {group: (people, buyers, orders, cents)}}."""
    o = b.orders[b.orders["at"] < end]
    counts, cents = o.groupby("person").size(), o.groupby("person").cents.sum()
    out: dict[str, dict[str, list[int]]] = {"source": {}, "generation": {}}
    for p in b.customers(store):
        if not (b.first[p] < end and (start is None or b.first[p] >= start)):
            continue
        r, at = b.referrer(p), b.first[p]
        if r is None:
            source = "none"
        elif r in b.staff_since.index and b.staff_since[r] <= at:
            source = "staff"
        elif r in b.agent_since.index and b.agent_since[r] <= at:
            source = "agent"
        elif r in b.member_since.index and b.member_since[r] <= at:
            source = "member"
        else:
            source = "prospect"
        depth, up = 0, p
        while (up := b.referrer(up)) is not None:
            depth += 1
            if b.forest.nodes[up]["staff"]:
                break
        generation = "none" if up is None else "4+" if depth >= 4 else str(depth)
        n = int(counts.get(p, 0))
        for kind, group in (("source", source), ("generation", generation)):
            row = out[kind].setdefault(group, [0, 0, 0, 0])
            row[0] += 1
            row[1] += n > 0
            row[2] += n
            row[3] += int(cents.get(p, 0))
    return {kind: {g: tuple(v) for g, v in groups.items()} for kind, groups in out.items()}


def funnel(b: Brand, store: str, start: datetime, end: datetime) -> list[int]:
    act = b.activity[b.activity["at"] < end]
    acquired = [p for p in b.customers(store) if start <= b.first[p] < end]
    counts = [len(acquired), 0, 0, 0, 0]
    for p in acquired:
        mine = act[act.person == p]
        bought = (mine.action == "order").any()
        later = monday(b.first[p]) + WEEK
        counts[1] += bool(bought or mine.action.isin(ENGAGED).any())
        counts[2] += bool((mine["at"] >= later).any())
        counts[3] += bool(bought)
        counts[4] += any(b.first[c] < end for c in b.forest.successors(p))
    return counts


def agent_candidates(b: Brand, store: str, influence: dict[str, float]) -> list[tuple]:
    """(person, reach3, orders, cents) of the store's members who are not agents, ranked by
    `influence` (the stored store influence, checked against networkx elsewhere), reach(p, 3),
    spend, id."""
    counts, cents = b.orders.groupby("person").size(), b.orders.groupby("person").cents.sum()
    rows = []
    for p in b.customers(store):
        if p not in b.member_since.index or p in b.agent_since.index:
            continue
        reach3 = len(nx.single_source_shortest_path_length(b.forest, p, cutoff=3)) - 1
        rows.append((p, reach3, int(counts.get(p, 0)), int(cents.get(p, 0))))
    rows.sort(key=lambda r: (-influence.get(r[0], 0.0), -r[1], -r[3], r[0]))
    return rows
