"""A person's profile: who they are, whom they brought, how influential they are, what they like
(DESIGN.md §5 "Referrer", "Reach", "Influence", "Key node", "Interest tags"), in one query.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from fission.errors import NotFound
from graph.gateway import Gateway
from graph.keynodes import MIN_REACH3, TOP_SHARE, influence_reason, reach_reason
from graph.queries import cypher

PROFILE = cypher("people/profile")


def native(value: Any) -> Any:
    """Neo4j temporal values as Python datetimes (anything else unchanged)."""
    return value.to_native() if hasattr(value, "to_native") else value


class Interest(BaseModel):
    topic: str
    score: float = Field(
        description="DESIGN.md §5 Interest tags: engagement with the topic, halving every 30 "
        "days (in a profile as of the person's last load; in recommendations as of `now`)."
    )


class ManualTag(BaseModel):
    tag: str
    times: int = Field(description="How many notes gave this tag.")
    last_at: datetime


class Note(BaseModel):
    at: datetime
    kind: str
    text: str | None
    tag: str | None
    staff_id: str
    staff_name: str | None


class StaffFriend(BaseModel):
    staff_id: str
    display_name: str | None
    role: str | None
    store_id: str | None
    since: datetime


class PersonProfile(BaseModel):
    person_id: str
    roles: list[str] = Field(description="Among 'staff', 'member', 'agent', 'prospect'.")
    staff_role: str | None = Field(description="manager | clerk | guide, for staff.")
    display_name: str | None = Field(description="Staff members' display name.")
    member_since: datetime | None
    agent_since: datetime | None
    store_id: str | None = Field(description="Home store (DESIGN.md §5 Home store).")
    store_name: str | None
    first_seen: datetime | None = Field(description="First appearance (DESIGN.md §5).")
    first_kind: str | None
    referrer_id: str | None = Field(description="First-touch referrer (DESIGN.md §5).")
    referred_at: datetime | None
    direct_referrals: int
    reach1: int
    reach2: int
    reach3: int
    cascade_size: int
    network_revenue: float
    influence: float = Field(description="Brand-wide PageRank (DESIGN.md §5 Influence).")
    store_influence: float = Field(description="PageRank within the home store's network.")
    store_influence_pct: float | None = Field(
        description="Percent of the home store's network with a lower store influence."
    )
    influence_at: datetime | None = Field(description="When the scores were computed.")
    key_node: bool = Field(description="DESIGN.md §5 Key node.")
    key_node_reasons: list[str]
    interests: list[Interest] = Field(description="Top 10 interest tags, scores decayed to now.")
    manual_tags: list[ManualTag] = Field(description="Tags staff gave in notes, latest first.")
    notes: list[Note] = Field(description="The last 10 notes about this person.")
    staff_friends: list[StaffFriend]
    order_count: int
    order_total: float
    last_order_at: datetime | None


def _roles(row: dict[str, Any]) -> list[str]:
    roles = [name for name in ("staff", "member", "agent") if row[name]]
    return roles or ["prospect"]


def person_profile(
    gateway: Gateway,
    person_id: str,
    store_id: str | None = None,
    top_share: float = TOP_SHARE,
    min_reach3: int = MIN_REACH3,
) -> PersonProfile:
    """Everything known about a person, in one round trip.

    With `store_id`, a person whose home is another store (or none) is reported as NotFound, so
    that a store-scoped caller cannot learn they exist; an unknown person is NotFound too. The
    key-node test uses `top_share` / `min_reach3` and the stored store influence (DESIGN.md §5
    "Key node").
    """
    rows = gateway.read_text(
        PROFILE,
        person_id=person_id,
        store_id=store_id,
        top_share=top_share,
        min_reach3=min_reach3,
    )
    if not rows:
        raise NotFound(f"person {person_id}")
    row = rows[0]
    customers, rank = row["customers"], row["higher"] + 1
    # Same rule as keynodes/store: ranked among the ⌈top_share⌉ of the home store's customers.
    top_k = min(math.ceil(round(top_share * customers, 9)), customers)
    customer = row["store_id"] is not None and not row["staff"]
    reasons = []
    if customer and row["store_influence"] > 0 and rank <= top_k:
        reasons.append(influence_reason(top_share, rank, customers))
    if customer and row["reach3"] >= min_reach3:
        reasons.append(reach_reason(row["reach3"]))
    return PersonProfile(
        person_id=row["id"],
        roles=_roles(row),
        staff_role=row["role"] if row["staff"] else None,
        display_name=row["display_name"] if row["staff"] else None,
        member_since=native(row["member_since"]) if row["member"] else None,
        agent_since=native(row["agent_since"]) if row["agent"] else None,
        store_id=row["store_id"],
        store_name=row["store_name"],
        first_seen=native(row["first_seen"]),
        first_kind=row["first_kind"],
        referrer_id=row["referrer_id"],
        referred_at=native(row["referred_at"]),
        direct_referrals=row["reach1"],
        reach1=row["reach1"],
        reach2=row["reach2"],
        reach3=row["reach3"],
        cascade_size=row["cascade_size"],
        network_revenue=float(row["network_revenue"]),
        influence=row["influence"],
        store_influence=row["store_influence"],
        store_influence_pct=row["store_influence_pct"],
        influence_at=native(row["influence_at"]),
        key_node=bool(reasons),
        key_node_reasons=reasons,
        interests=[Interest(**i) for i in row["interests"]],
        manual_tags=[
            ManualTag(tag=t["tag"], times=t["times"], last_at=native(t["last_at"]))
            for t in row["manual_tags"]
        ],
        notes=[Note(**{**n, "at": native(n["at"])}) for n in row["notes"]],
        staff_friends=[
            StaffFriend(
                staff_id=f["id"],
                display_name=f["display_name"],
                role=f["role"],
                store_id=f["store_id"],
                since=native(f["since"]),
            )
            for f in row["staff_friends"]
        ],
        order_count=row["order_count"],
        order_total=float(row["order_total"]),
        last_order_at=native(row["last_order_at"]),
    )
