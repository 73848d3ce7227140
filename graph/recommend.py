"""Recommended contacts: whom a staff member should contact today (DESIGN.md §5 "Recommended
contacts").

Candidates are the key nodes of the staff member's store (DESIGN.md §5 "Key node") who are not
the staff member's friends and whom they have not noted as contacted or visited in the last
14 days. Each is scored from four parts in [0, 1]:

- influence: the person's store influence percentile / 100;
- nearness: 1 for a direct KNOWS tie, 0.5 for a common tie (2 hops), 0 further or unreachable
  (the full introduction path is then fetched only for the people shown);
- activity: events as an actor (shares, visits, orders) in the last 30 days, capped at 10, / 10;
- interest: with a campaign topic, the person's interest score s in it (decayed to `now`) as
  s / (1 + s); else 0.

score = 0.35 influence + 0.25 nearness + 0.2 activity + 0.2 interest; ties by person id.

The reason also says when a person is a bridge between circles of the store (graph.circles: a
good introducer to people the staff member may not reach otherwise); the score does not use it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from fission.errors import InvalidInput
from graph.access import staff_store
from graph.circles import circle_marks
from graph.clock import as_of
from graph.gateway import Gateway, Reader, Row
from graph.keynodes import KeyNode, KeyNodeRule, key_nodes_in
from graph.paths import IntroductionPath, introduction_paths
from graph.people import Interest
from graph.queries import query

CANDIDATES = query("recommend/candidates")

NOTED_WINDOW = timedelta(days=14)
ACTIVE_WINDOW = timedelta(days=30)
ACTIVITY_CAP = 10
WEIGHTS = {"influence": 0.35, "nearness": 0.25, "activity": 0.2, "interest": 0.2}
NEARNESS = {1: 1.0, 2: 0.5}


class Recommendation(BaseModel):
    rank: int
    person_id: str
    score: float = Field(description="Weighted sum of the parts (see graph.recommend).")
    parts: dict[str, float] = Field(description="influence, nearness, activity, interest.")
    reason: str
    top_influence: bool = Field(description="A key node by store influence rank (see KeyNode).")
    influence_rank: int = Field(description="1 + the store's customers with higher influence.")
    high_reach: bool = Field(description="A key node by reach(p, 3) (see KeyNode).")
    near_hops: int | None = Field(
        description="1: a direct KNOWS tie with the staff member; 2: a common tie; null: further."
    )
    bridge_circle: int | None = Field(
        None, description="When a bridge between circles (graph.circles): their own circle."
    )
    store_influence: float
    influence_pct: float | None
    reach3: int
    recent_events: int = Field(description="Shares, visits and orders in the last 30 days.")
    topic: str | None
    topic_score: float
    member: bool
    agent: bool
    path: IntroductionPath
    top_interests: list[Interest] = Field(description="The person's 3 strongest interests.")


def _parts(node: KeyNode, row: Row) -> dict[str, float]:
    topic_score = float(row["topic_score"])
    return {
        "influence": (node.influence_pct or 0.0) / 100.0,
        "nearness": NEARNESS.get(row["near_hops"], 0.0),
        "activity": min(row["recent_events"], ACTIVITY_CAP) / ACTIVITY_CAP,
        "interest": topic_score / (1.0 + topic_score),
    }


def _reason(node: KeyNode, row: Row, topic: str | None, marks: Row | None = None) -> str:
    parts = list(node.reasons)
    if marks and marks["bridge"]:
        parts.append(f"a bridge from circle {marks['circle']} to other circles: a good introducer")
    if row["near_hops"] == 1:
        parts.append("already has a tie with you")
    elif row["near_hops"] == 2:
        parts.append("a friend of someone you know")
    events = row["recent_events"]
    if events:
        parts.append(f"{events} event{'s' if events != 1 else ''} in the last 30 days")
    if topic is not None and row["topic_score"] > 0:
        parts.append(f"interested in {topic} (score {row['topic_score']:.2f})")
    return "; ".join(parts)


def recommended_contacts(
    gateway: Gateway,
    staff_id: str,
    topic: str | None = None,
    limit: int = 10,
    now: datetime | None = None,
    rule: KeyNodeRule | None = None,
    scope: str | None = None,
) -> list[Recommendation]:
    """Whom staff member `staff_id` should contact, best first (DESIGN.md §5).

    Ranked by the score in this module's docstring, ties by person id; each with its reason,
    the introduction path and top 3 interests. `now` (default: the current time) anchors the
    14-day note window and the 30-day activity window. Reads stored store influence
    (refresh_influence must have run). With `scope` (a store key's store), the staff member
    must work there and people of other stores on the introduction paths are hidden
    (graph.access). Unknown staff member, or one of another store than `scope` -> NotFound
    (graph.access.staff_store: the caller need not check first).
    """
    if limit < 1:
        raise InvalidInput("limit must be at least 1")
    now = as_of(now)
    rule = rule or KeyNodeRule.from_settings(gateway.settings)
    # One read transaction: one state of the graph, no transaction set-up per query.
    return gateway.read_tx(lambda tx: _recommended(tx, staff_id, topic, limit, now, rule, scope))


def _recommended(
    tx: Reader,
    staff_id: str,
    topic: str | None,
    limit: int,
    now: datetime,
    rule: KeyNodeRule,
    scope: str | None,
) -> list[Recommendation]:
    nodes = {n.person_id: n for n in key_nodes_in(tx, staff_store(tx, staff_id, scope), rule)}
    if not nodes:
        return []
    rows = tx.read(
        CANDIDATES,
        staff_id=staff_id,
        ids=sorted(nodes),
        now=now,
        noted_since=now - NOTED_WINDOW,
        active_since=now - ACTIVE_WINDOW,
        topic=topic,
    )
    scored = []
    for row in rows:
        parts = _parts(nodes[row["id"]], row)
        score = round(sum(WEIGHTS[k] * v for k, v in parts.items()), 9)
        scored.append((score, row, parts))
    scored.sort(key=lambda item: (-item[0], item[1]["id"]))
    chosen = scored[:limit]
    paths = introduction_paths(tx, staff_id, [row["id"] for _, row, _ in chosen], scope)
    marks = circle_marks(tx, [row["id"] for _, row, _ in chosen])
    result = []
    for rank, ((score, row, parts), path) in enumerate(zip(chosen, paths, strict=True), 1):
        node = nodes[row["id"]]
        result.append(
            Recommendation(
                rank=rank,
                person_id=node.person_id,
                score=score,
                parts=parts,
                reason=_reason(node, row, topic, marks.get(row["id"])),
                top_influence=node.top_influence,
                influence_rank=node.influence_rank,
                high_reach=node.high_reach,
                near_hops=row["near_hops"],
                bridge_circle=mark["circle"]
                if (mark := marks.get(row["id"])) and mark["bridge"]
                else None,
                store_influence=node.influence,
                influence_pct=node.influence_pct,
                reach3=node.reach3,
                recent_events=row["recent_events"],
                topic=topic,
                topic_score=float(row["topic_score"]),
                member=node.member,
                agent=node.agent,
                path=path,
                top_interests=[Interest(**i) for i in row["interests"]],
            )
        )
    return result
