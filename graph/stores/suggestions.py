"""Plain-language suggestions from a store's diagnosis figures (DESIGN.md §5 "Store diagnosis":
"plain-language suggestions derived from those numbers"), each naming the people to act on."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from graph.stores.model import (
    PLAN_BROUGHT_EACH,
    PLAN_CONVERSION,
    PLAN_PROSPECTS,
    StoreDiagnosis,
    Suggestion,
)
from graph.value.candidates import StoreAgentCandidates

STALLED_DAYS = 14
NOTED_DAYS = 14  # as for recommended contacts: a key node noted in the last 14 days is in hand
LOW_FISSION_RATIO = 1.0
NAMED = 5  # people named per suggestion
INVITE_MIN_REACH3 = 1  # agent candidates worth inviting have brought someone in


def _names(ids: Sequence[str]) -> str:
    return ", ".join(ids)


def suggestions(
    d: StoreDiagnosis,
    people: dict[str, Any],
    staff_idle: list[str],
    candidates: StoreAgentCandidates | None = None,
) -> list[Suggestion]:
    """Plain-language suggestions from the diagnosis figures, by these rules in order:

    1. `start` — no customers: every staff member should start sharing (names the staff).
    2. `share_more` — starter tier with customers: staff should share more to reach 100
       prospects (names the staff who shared nothing in the last 4 weeks).
    3. `convert` — conversion below 10%: follow up the prospects who engaged (claimed a coupon,
       contacted sales, joined a group buy) but have not bought, latest first.
    4. `activate_members` — members or agents exist and the fission ratio is below 1 referred
       customer each: ask those who have referred nobody to share (highest store influence,
       then spend, first).
    5. `invite_agents` — members who are not agents yet have brought someone in (reach(p, 3)
       >= 1): invite the strongest (`candidates`: DESIGN.md §5 "Agent candidates", those
       with reach(p, 3) >= 1, strongest first) to become agents, the seed's third conversion
       action.
    6. `contact_key_nodes` — key nodes no staff member of the store noted as contacted or
       visited in the last 14 days.
    7. `stalled` — customers but nobody new in the last 2 weeks.
    8. `broadcast_only` — cascades exist but none goes past the first generation (depth 1):
       shares reach direct contacts only, nobody re-shares.
    9. `review_flags` — fraud flags name people of the store (graph.fraud): review them before
       paying rewards or commission (names the flags' subjects).
    10. `on_track` — none of the above applies.
    """
    out: list[Suggestion] = []
    if d.customers == 0:
        out.append(
            Suggestion(
                rule="start",
                text="No customers in this store's network yet. Every staff member should "
                "share a coupon, red packet or group buy from the mini program to bring in "
                f"the first {PLAN_PROSPECTS} prospects.",
                person_ids=[s.person_id for s in d.staff],
                figures={"target": PLAN_PROSPECTS},
            )
        )
    elif d.tier == "starter":
        missing = PLAN_PROSPECTS - d.customers
        idle = (
            f" Shared nothing in the last 4 weeks: {_names(staff_idle)}."
            if staff_idle
            else " Every staff member shared in the last 4 weeks; share more often."
        )
        out.append(
            Suggestion(
                rule="share_more",
                text=f"Starter store: {d.customers} customers, {missing} short of "
                f"{PLAN_PROSPECTS}. Staff should share more content into their circles.{idle}",
                person_ids=staff_idle,
                figures={"customers": d.customers, "missing": missing, "target": PLAN_PROSPECTS},
            )
        )
    if d.customers and d.conversion_rate < PLAN_CONVERSION:
        engaged = people["engaged"]
        follow = (
            f" {people['engaged_count']} prospects engaged but have not bought; follow up "
            f"first: {_names(engaged)}."
            if engaged
            else " No prospect has engaged yet: share coupons and group buys."
        )
        out.append(
            Suggestion(
                rule="convert",
                text=f"Conversion is {d.conversion_rate:.1%}, below the "
                f"{PLAN_CONVERSION:.0%} target.{follow}",
                person_ids=engaged,
                figures={
                    "conversion_rate": d.conversion_rate,
                    "target": PLAN_CONVERSION,
                    "engaged": people["engaged_count"],
                },
            )
        )
    if d.members_or_agents and d.fission_ratio < LOW_FISSION_RATIO:
        idle = people["idle"]
        who = (
            f" {people['idle_count']} have referred nobody yet; ask them to share: {_names(idle)}."
            if idle
            else ""
        )
        out.append(
            Suggestion(
                rule="activate_members",
                text=f"Low fission: members and agents brought {d.fission_ratio:.2f} "
                f"customers each (the plan expects ~{PLAN_BROUGHT_EACH} per new member).{who}",
                person_ids=idle,
                figures={
                    "fission_ratio": d.fission_ratio,
                    "expected": PLAN_BROUGHT_EACH,
                    "idle": people["idle_count"],
                },
            )
        )
    if candidates is not None and candidates.candidates:
        invite = [c.person_id for c in candidates.candidates]
        out.append(
            Suggestion(
                rule="invite_agents",
                text=f"{candidates.eligible} members who are not agents have brought people "
                "in: invite the strongest to become agents, so the sales they bring earn them "
                f"commission: {_names(invite)}.",
                person_ids=invite,
                figures={"eligible": candidates.eligible},
            )
        )
    unnoted = people["unnoted_key_nodes"]
    if unnoted:
        out.append(
            Suggestion(
                rule="contact_key_nodes",
                text=f"{len(unnoted)} key nodes were not contacted or visited by the store in "
                f"the last {NOTED_DAYS} days; reach them through their introduction paths: "
                f"{_names(unnoted[:NAMED])}.",
                person_ids=unnoted[:NAMED],
                figures={"unnoted": len(unnoted), "days": NOTED_DAYS},
            )
        )
    recent = d.new_people_per_week[-(STALLED_DAYS // 7) :]
    if d.customers and not sum(w.new_people for w in recent):
        out.append(
            Suggestion(
                rule="stalled",
                text=f"Nobody new joined in the last {STALLED_DAYS} days: start a new "
                "campaign (group buy or red packet) and ask key nodes to pass it on.",
                person_ids=[],
                figures={"days": STALLED_DAYS},
            )
        )
    if d.cascades.trees and d.cascades.max_depth <= 1:
        out.append(
            Suggestion(
                rule="broadcast_only",
                text="Shares reach direct contacts only (cascade depth 1): nobody re-shares. "
                "Use content that rewards passing it on, such as group buys and red packets.",
                person_ids=[],
            )
        )
    if d.flags:
        kinds = sorted({f.kind.replace("_", " ") for f in d.flags})
        subjects = sorted(
            {p.person_id for f in d.flags for p in f.people if p.part in ("sharer", "agent")}
            | {f.people[0].person_id for f in d.flags if f.kind == "ring"}
        )
        out.append(
            Suggestion(
                rule="review_flags",
                text=f"{len(d.flags)} fraud flag{'s' if len(d.flags) != 1 else ''} "
                f"({', '.join(kinds)}): review before paying rewards or commission, and see "
                "attribution with flagged credit left out.",
                person_ids=subjects[:NAMED],
                figures={
                    "flags": len(d.flags),
                    **Counter(f.kind for f in d.flags),
                },
            )
        )
    if not out:
        out.append(
            Suggestion(
                rule="on_track",
                text="On track: keep sharing, keep converting engaged prospects, and keep "
                "members bringing their friends.",
                person_ids=[],
            )
        )
    return out
