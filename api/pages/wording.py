"""What the pages say about the graph's answers, in the page's language.

The graph answers in structured fields (a suggestion's rule and figures, a key node's flags and
rank, a recommendation's parts); its English sentences are for the JSON API. The pages word
the same fields through the message catalogue, so the numbers are the graph's and only the
language differs.
"""

from __future__ import annotations

from api.i18n import N_, Text
from graph.access import OTHER_STORE
from graph.keynodes import KeyNode
from graph.paths import IntroductionPath
from graph.recommend import Recommendation
from graph.stores.model import Suggestion
from loaders.status import Notice

ROLE_NAMES = {
    "store": N_("store"),
    "staff": N_("staff"),
    "agent": N_("agent"),
    "member": N_("member"),
    "prospect": N_("prospect"),
    "other_store": N_("someone from another store"),
}
ROLE_PLURALS = {
    "store": N_("store"),
    "staff": N_("staff"),
    "agent": N_("agents"),
    "member": N_("members"),
    "prospect": N_("prospects"),
    "other_store": N_("people from other stores"),
}
STAFF_ROLES = {"manager": N_("store manager"), "clerk": N_("clerk"), "guide": N_("shopping guide")}
TIERS = {
    "starter": N_("starter"),
    "growing": N_("growing"),
    "established": N_("established"),
    "large": N_("large"),
}
PLAN_STAGES = {
    "prospects_reached": N_("Prospects reached"),
    "new_members": N_("New paying members"),
    "brought_by_new_members": N_("Brought by new members"),
}
NOTE_KINDS = {"contacted": N_("contacted"), "visited": N_("visited"), "tag": N_("tagged")}
FLAG_KINDS = {
    "coupon_farm": N_("coupon farm"),
    "ring": N_("ring"),
    "self_referral": N_("self-referral"),
}


def role(t: Text, name: str) -> str:
    return t.gettext(ROLE_NAMES.get(name, name))


def roles(t: Text, names: list[str]) -> str:
    return t.gettext(", ").join(role(t, n) for n in names)


def person(t: Text, person_id: str) -> str:
    """A person id as shown, with a store key's stand-in for people of other stores
    ("someone from another store #2", graph.access) in the page's language."""
    if person_id.startswith(OTHER_STORE):
        return t.gettext("someone from another store") + person_id.removeprefix(OTHER_STORE)
    return person_id


def role_plural(t: Text, name: str) -> str:
    return t.gettext(ROLE_PLURALS.get(name, name))


def staff_role(t: Text, name: str | None) -> str:
    return t.gettext(STAFF_ROLES[name]) if name in STAFF_ROLES else t.gettext("staff")


def flag_kind(t: Text, name: str) -> str:
    return t.gettext(FLAG_KINDS[name]) if name in FLAG_KINDS else name.replace("_", " ")


def tier(t: Text, name: str) -> str:
    return t.gettext(TIERS.get(name, name))


def plan_stage(t: Text, name: str) -> str:
    return t.gettext(PLAN_STAGES.get(name, name))


def note_kind(t: Text, name: str) -> str:
    return t.gettext(NOTE_KINDS.get(name, name))


def suggestion(t: Text, s: Suggestion) -> str:
    """The suggestion's advice in the page's language, from its rule and figures (the people
    it names are shown beside it as links)."""
    f = s.figures
    if s.rule == "start":
        return t.gettext(
            "No customers in this store's network yet. Every staff member should share a "
            "coupon, red packet or group buy from the mini program to bring in the first "
            "%(target)s prospects."
        ) % {"target": t.number(f["target"])}
    if s.rule == "share_more":
        text = t.gettext(
            "Starter store: %(customers)s customers, %(missing)s short of %(target)s. Staff "
            "should share more content into their circles."
        ) % {
            "customers": t.number(f["customers"]),
            "missing": t.number(f["missing"]),
            "target": t.number(f["target"]),
        }
        more = (
            t.gettext("Shared nothing in the last 4 weeks:")
            if s.person_ids
            else t.gettext("Every staff member shared in the last 4 weeks; share more often.")
        )
        return f"{text} {more}"
    if s.rule == "convert":
        text = t.gettext("Conversion is %(rate)s, below the %(target)s target.") % {
            "rate": t.percent(f["conversion_rate"]),
            "target": t.percent(f["target"], 0),
        }
        more = (
            t.ngettext(
                "%(num)s prospect engaged but has not bought; follow up first:",
                "%(num)s prospects engaged but have not bought; follow up first:",
                int(f["engaged"]),
            )
            % {"num": t.number(f["engaged"])}
            if s.person_ids
            else t.gettext("No prospect has engaged yet: share coupons and group buys.")
        )
        return f"{text} {more}"
    if s.rule == "activate_members":
        text = t.gettext(
            "Low fission: members and agents brought %(ratio)s customers each (the plan "
            "expects about %(expected)s per new member)."
        ) % {"ratio": t.number(f["fission_ratio"], 2), "expected": t.number(f["expected"])}
        if not s.person_ids:
            return text
        more = t.ngettext(
            "%(num)s has referred nobody yet; ask them to share:",
            "%(num)s have referred nobody yet; ask them to share:",
            int(f["idle"]),
        ) % {"num": t.number(f["idle"])}
        return f"{text} {more}"
    if s.rule == "invite_agents":
        return t.ngettext(
            "%(num)s member who is not an agent has brought people in: invite the strongest to "
            "become agents, so the sales they bring earn them commission:",
            "%(num)s members who are not agents have brought people in: invite the strongest to "
            "become agents, so the sales they bring earn them commission:",
            int(f["eligible"]),
        ) % {"num": t.number(f["eligible"])}
    if s.rule == "contact_key_nodes":
        return t.ngettext(
            "%(num)s key node was not contacted or visited by the store in the last %(days)s "
            "days; reach them through their introduction paths:",
            "%(num)s key nodes were not contacted or visited by the store in the last %(days)s "
            "days; reach them through their introduction paths:",
            int(f["unnoted"]),
        ) % {"num": t.number(f["unnoted"]), "days": t.number(f["days"])}
    if s.rule == "stalled":
        return t.gettext(
            "Nobody new joined in the last %(days)s days: start a new campaign (group buy or "
            "red packet) and ask key nodes to pass it on."
        ) % {"days": t.number(f["days"])}
    if s.rule == "broadcast_only":
        return t.gettext(
            "Shares reach direct contacts only (cascade depth 1): nobody re-shares. Use "
            "content that rewards passing it on, such as group buys and red packets."
        )
    if s.rule == "review_flags":
        kinds = t.gettext(", ").join(flag_kind(t, k) for k in FLAG_KINDS if f.get(k))
        return t.ngettext(
            "%(num)s fraud flag (%(kinds)s): review before paying rewards or commission, and see "
            "attribution with flagged credit left out.",
            "%(num)s fraud flags (%(kinds)s): review before paying rewards or commission, and "
            "see attribution with flagged credit left out.",
            int(f["flags"]),
        ) % {"num": t.number(f["flags"]), "kinds": kinds}
    if s.rule == "on_track":
        return t.gettext(
            "On track: keep sharing, keep converting engaged prospects, and keep members "
            "bringing their friends."
        )
    return s.text  # a rule this page does not know yet: the graph's own (English) words


def _top(t: Text, top_share: float, rank: int, customers: int | None) -> str:
    share = t.percent(top_share, 0 if (top_share * 100).is_integer() else 1)
    if customers is None:
        return t.gettext("top %(share)s influence in the store (rank %(rank)s)") % {
            "share": share,
            "rank": t.number(rank),
        }
    return t.gettext("top %(share)s influence in the store (rank %(rank)s of %(customers)s)") % {
        "share": share,
        "rank": t.number(rank),
        "customers": t.number(customers),
    }


def _reach(t: Text, reach3: int) -> str:
    return t.ngettext(
        "reaches %(num)s person within 3 generations",
        "reaches %(num)s people within 3 generations",
        reach3,
    ) % {"num": t.number(reach3)}


def key_reasons(t: Text, node: KeyNode, top_share: float) -> list[str]:
    """Why a key node qualifies (the two rules of DESIGN.md §5 "Key node")."""
    reasons = []
    if node.top_influence:
        reasons.append(_top(t, top_share, node.influence_rank, node.customers))
    if node.high_reach:
        reasons.append(_reach(t, node.reach3))
    return reasons


def recommendation_reasons(t: Text, r: Recommendation, top_share: float) -> list[str]:
    """Why a person is recommended: the key-node reasons, then nearness, activity, topic."""
    reasons = []
    if r.top_influence:
        reasons.append(_top(t, top_share, r.influence_rank, None))
    if r.high_reach:
        reasons.append(_reach(t, r.reach3))
    if r.bridge_circle is not None:
        reasons.append(
            t.gettext("a bridge from circle %(num)s to other circles: a good introducer")
            % {"num": r.bridge_circle}
        )
    if r.near_hops == 1:
        reasons.append(t.gettext("already has a tie with you"))
    elif r.near_hops == 2:
        reasons.append(t.gettext("a friend of someone you know"))
    if r.recent_events:
        reasons.append(
            t.ngettext(
                "%(num)s event in the last 30 days",
                "%(num)s events in the last 30 days",
                r.recent_events,
            )
            % {"num": t.number(r.recent_events)}
        )
    if r.topic is not None and r.topic_score > 0:
        reasons.append(
            t.gettext("interested in %(topic)s (score %(score)s)")
            % {"topic": r.topic, "score": t.number(r.topic_score, 2)}
        )
    return reasons


def path_summary(t: Text, path: IntroductionPath) -> str:
    """One line about an introduction path's outcome."""
    if path.status == "path":
        return t.ngettext(
            "Introduction path: %(num)s hop, tie weight %(weight)s",
            "Introduction path: %(num)s hops, tie weight %(weight)s",
            path.hops or 0,
        ) % {"num": t.number(path.hops or 0), "weight": t.number(path.total_weight or 0)}
    if path.status == "already_friends":
        return t.gettext("Already friends: you know each other directly.")
    if path.status == "same_person":
        return t.gettext("That is the staff member themself.")
    return t.gettext(
        "Not reachable: no chain of acquaintances of at most 6 hops leads to this person."
    )


def notice(t: Text, n: Notice) -> str:
    """An operations warning (loaders.status) in the page's language, from its kind and
    figures."""
    f = n.figures
    if n.kind == "influence_never":
        return t.gettext("Influence has never been computed: run `fission influence`.")
    if n.kind == "influence_old":
        return t.gettext(
            "Influence is %(hours)s h old (refreshed %(when)s): run `fission influence`, or "
            "`fission watch --influence-every 6h`."
        ) % {"hours": t.number(f["age_hours"]), "when": t.datetime(f["refreshed_at"])}
    if n.kind == "held":
        held = {"num": t.number(f["count"])}
        if f.get("oldest"):
            return t.gettext(
                "Events held waiting for what they name: %(num)s, the oldest since %(when)s. "
                "GET /status lists them by reason."
            ) % {**held, "when": t.datetime(f["oldest"])}
        return (
            t.gettext(
                "Events held waiting for what they name: %(num)s. GET /status lists them by reason."
            )
            % held
        )
    if n.kind == "load_failed":
        return t.gettext("The last load (%(run)s) failed: %(error)s") % {
            "run": f["run"],
            "error": f["error"],
        }
    if n.kind == "load_stuck":
        return t.gettext(
            "The last load (%(run)s) has been running for %(hours)s h; if its process is gone it "
            "was interrupted: load its files again (loads are idempotent)."
        ) % {"run": f["run"], "hours": t.number(f["hours"])}
    if n.kind == "stale_people":
        return t.gettext(
            "%(num)s people await derivation with no load running: run `fission derive`."
        ) % {"num": t.number(f["people"])}
    return n.text
