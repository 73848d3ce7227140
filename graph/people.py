"""A person's profile: who they are, whom they brought, how influential they are, what they like
(DESIGN.md §5 "Referrer", "Reach", "Influence", "Key node", "Interest tags"): one query, plus the
key-node rule of graph.keynodes for a customer.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from fission.errors import NotFound
from graph.access import Masker, masker
from graph.clock import as_of
from graph.fraud import Flag, person_flags_in
from graph.gateway import Gateway, Row, Tx
from graph.keynodes import KeyNode, KeyNodeRule, key_node_in
from graph.queries import query
from graph.roles import roles_of

PROFILE = query("people/profile")
BRIEFS = query("people/briefs")


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
    staff_id: str = Field(description="Or 'someone from another store #n' (graph.access).")
    staff_name: str | None


class StaffFriend(BaseModel):
    staff_id: str = Field(description="Or 'someone from another store #n' (graph.access).")
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
    influence_at: datetime | None = Field(
        description="When the scores were computed as they are (the last refresh changing them)."
    )
    key_node: bool = Field(description="DESIGN.md §5 Key node.")
    key_node_reasons: list[str]
    interests: list[Interest] = Field(description="Top 10 interest tags, scores decayed to now.")
    manual_tags: list[ManualTag] = Field(description="Tags staff gave in notes, latest first.")
    notes: list[Note] = Field(description="The last 10 notes about this person.")
    staff_friends: list[StaffFriend]
    order_count: int
    order_total: float
    last_order_at: datetime | None
    flags: list[Flag] = Field(
        default_factory=list, description="Fraud flags that name this person (graph.fraud)."
    )


def _note(row: dict[str, Any], mask: Masker) -> Note:
    if mask.hides(row["staff_id"]):
        return Note(**{**row, "staff_id": mask.id(row["staff_id"]), "staff_name": None})
    return Note(**row)


def _staff_friend(row: dict[str, Any], mask: Masker) -> StaffFriend:
    hidden = mask.hides(row["id"])
    return StaffFriend(
        staff_id=mask.id(row["id"]),
        display_name=None if hidden else row["display_name"],
        role=None if hidden else row["role"],
        store_id=None if hidden else row["store_id"],
        since=row["since"],
    )


def person_profile(
    gateway: Gateway,
    person_id: str,
    store_id: str | None = None,
    rule: KeyNodeRule | None = None,
) -> PersonProfile:
    """Everything known about a person (see `profile_and_key_node`)."""
    return profile_and_key_node(gateway, person_id, store_id, rule)[0]


def profile_and_key_node(
    gateway: Gateway,
    person_id: str,
    store_id: str | None = None,
    rule: KeyNodeRule | None = None,
) -> tuple[PersonProfile, KeyNode | None]:
    """Everything known about a person, with the `KeyNode` the key-node test found (None: not a
    key node) for callers that word its reasons themselves.

    With `store_id`, a person whose home is another store (or none) is reported as NotFound, so
    that a store-scoped caller cannot learn they exist, and people of other stores in the
    profile (referrer, note authors, staff friends) are hidden (graph.access); an unknown
    person is NotFound too. The key-node test is `graph.keynodes.key_node` for this one person
    (DESIGN.md §5 "Key node"; `rule` defaults to the settings' thresholds). The profile, the
    key-node test and the fraud flags are read in one transaction.
    """
    rule = rule or KeyNodeRule.from_settings(gateway.settings)

    def read(tx: Tx) -> tuple[Row, KeyNode | None, list[Flag]] | None:
        rows = tx.run(PROFILE, person_id=person_id, store_id=store_id)
        if not rows:
            return None
        row = rows[0]
        key = (
            key_node_in(tx, row["store_id"], person_id, rule)
            if row["store_id"] is not None and not row["staff"]
            else None
        )
        return row, key, person_flags_in(tx, person_id)

    found = gateway.read_tx(read)
    if found is None:
        raise NotFound(f"person {person_id}")
    row, key, flags = found
    reasons = key.reasons if key else []
    mask = masker(
        gateway,
        store_id,
        [
            *([row["referrer_id"]] if row["referrer_id"] else []),
            *(n["staff_id"] for n in row["notes"]),
            *(f["id"] for f in row["staff_friends"]),
        ],
    )
    profile = PersonProfile(
        person_id=row["id"],
        roles=roles_of(staff=row["staff"], agent=row["agent"], member=row["member"]),
        staff_role=row["role"] if row["staff"] else None,
        display_name=row["display_name"] if row["staff"] else None,
        member_since=row["member_since"] if row["member"] else None,
        agent_since=row["agent_since"] if row["agent"] else None,
        store_id=row["store_id"],
        store_name=row["store_name"],
        first_seen=row["first_seen"],
        first_kind=row["first_kind"],
        referrer_id=mask.optional_id(row["referrer_id"]),
        referred_at=row["referred_at"],
        direct_referrals=row["reach1"],
        reach1=row["reach1"],
        reach2=row["reach2"],
        reach3=row["reach3"],
        cascade_size=row["cascade_size"],
        network_revenue=float(row["network_revenue"]),
        influence=row["influence"],
        store_influence=row["store_influence"],
        store_influence_pct=row["store_influence_pct"],
        influence_at=row["influence_at"],
        key_node=bool(reasons),
        key_node_reasons=reasons,
        interests=[Interest(**i) for i in row["interests"]],
        manual_tags=[
            ManualTag(tag=t["tag"], times=t["times"], last_at=t["last_at"])
            for t in row["manual_tags"]
        ],
        notes=[_note(n, mask) for n in row["notes"]],
        staff_friends=[_staff_friend(f, mask) for f in row["staff_friends"]],
        order_count=row["order_count"],
        order_total=float(row["order_total"]),
        last_order_at=row["last_order_at"],
        flags=flags,
    )
    return profile, key


class PersonBrief(BaseModel):
    """A few lines about a person for tables and lists: top interests, last note, tags."""

    person_id: str
    interests: list[Interest] = Field(description="The 3 strongest, scores decayed to now.")
    last_note: Note | None
    manual_tags: list[str] = Field(description="The 3 most recent tags staff gave.")


def person_briefs(
    gateway: Gateway, person_ids: Sequence[str], now: datetime | None = None
) -> dict[str, PersonBrief]:
    """Briefs of the given people by id, in the order given (unknown ids are left out);
    interest scores decayed to `now` (default: the current time), as recommendations decay
    them."""
    if not person_ids:
        return {}
    rows = gateway.read(BRIEFS, ids=list(person_ids), now=as_of(now))
    found = {
        r["id"]: PersonBrief(
            person_id=r["id"],
            interests=[Interest(**i) for i in r["interests"]],
            last_note=Note(**r["last_note"]) if r["last_note"] else None,
            manual_tags=r["manual_tags"],
        )
        for r in rows
    }
    return {pid: found[pid] for pid in person_ids if pid in found}
