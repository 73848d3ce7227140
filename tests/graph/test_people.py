"""Person profile: known answers on a hand-built graph, and agreement with the raw generated
files for a sample of people."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from fission.errors import NotFound
from graph.gateway import Gateway
from graph.influence import refresh_influence
from graph.keynodes import KeyNodeRule, key_node
from graph.people import person_profile, profile_and_key_node
from loaders.pipeline import load_files
from tests.graph import reference
from tests.graph.reference import minute, referral_forest, referral_tree
from tests.helpers import friendship, order, reference_files, ts, wipe, write_rows

tiny, tiny_files = reference.tiny, reference.tiny_files  # the shared generated-data fixture

TREE = {"M1": ["R1"], "R1": ["A1", "A2"], "A1": ["B1"]}


def note(eid: str, staff: str, person: str, at: str, kind: str, tag: str = "") -> dict:
    text = "" if kind == "tag" else f"{kind} {eid}"
    return {
        "event_id": eid,
        "staff_id": staff,
        "person_id": person,
        "at": at,
        "kind": kind,
        "text": text,
        "tag": tag,
    }


def when(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture(scope="class")
def gw(gateway: Gateway, tmp_path_factory: pytest.TempPathFactory) -> Gateway:
    """M1 -> R1 -> A1, A2; A1 -> B1 in S1. R1 buys twice, becomes an agent, is friends with
    staff M1 and C1 and with A2, and has 11 notes. Z1 and Z2 are only friends (no home)."""
    folder = tmp_path_factory.mktemp("people")
    reference_files(folder)
    shares, visits = referral_tree(TREE)
    write_rows(folder, "shares", shares)
    write_rows(folder, "visits", visits)
    write_rows(
        folder,
        "orders",
        [
            order("o1", "R1", "S1", ts(10), 100.0),
            order("o2", "R1", "S1", ts(11), 50.0),
            order("o3", "B1", "S1", ts(12), 30.0),
        ],
    )
    write_rows(
        folder,
        "agents",
        [{"event_id": "a1", "person_id": "R1", "store_id": "S1", "invited_by": "M1", "at": ts(13)}],
    )
    write_rows(
        folder,
        "friendships",
        [
            friendship("f1", "R1", "M1", ts(14)),
            friendship("f2", "C1", "R1", ts(15)),
            friendship("f3", "R1", "A2", ts(15)),
            friendship("f4", "Z1", "Z2", ts(15)),
        ],
    )
    notes = [note(f"n{i:02d}", "M1", "R1", ts(16 + i // 4, 9 + i), "contacted") for i in range(8)]
    notes += [
        note("t1", "M1", "R1", ts(16, 8), "tag", "vip"),
        note("t2", "C1", "R1", ts(25, 8), "tag", "vip"),
        note("t3", "C1", "R1", ts(24, 8), "tag", "new-parent"),
    ]
    write_rows(folder, "notes", notes)
    wipe(gateway)
    assert load_files(gateway, [folder]).total("rejected") == 0
    refresh_influence(gateway)
    return gateway


class TestKnownAnswers:
    def test_customer_profile(self, gw: Gateway) -> None:
        p = person_profile(gw, "R1")
        assert p.roles == ["member", "agent"]
        assert (p.staff_role, p.display_name) == (None, None)
        assert p.member_since == when(ts(10)) and p.agent_since == when(ts(13))
        assert (p.store_id, p.store_name) == ("S1", "Jing'an")
        assert p.first_seen == when(minute(1)) and p.first_kind == "visit"
        assert (p.referrer_id, p.referred_at) == ("M1", when(minute(1)))
        assert (p.direct_referrals, p.reach1, p.reach2, p.reach3) == (2, 2, 3, 3)
        assert (p.cascade_size, p.network_revenue) == (3, 30.0)
        assert (p.order_count, p.order_total, p.last_order_at) == (2, 150.0, when(ts(11)))
        assert [f.staff_id for f in p.staff_friends] == ["C1", "M1"]
        assert p.staff_friends[1].since == when(ts(14)) and p.staff_friends[0].role == "clerk"

    def test_influence_and_key_node(self, gw: Gateway) -> None:
        p = person_profile(gw, "R1")
        # S1's network: M1, C1, R1, A1, A2, B1; R1 is the most influential of 4 customers.
        assert p.influence > 0 and p.store_influence > 0 and p.influence_at is not None
        assert p.key_node and p.key_node_reasons == ["top 1% influence in store (rank 1 of 4)"]
        assert p.store_influence_pct == pytest.approx(100 * 4 / 6, abs=1e-3)  # M1 scores higher
        a1 = person_profile(gw, "A1")
        assert not a1.key_node and a1.key_node_reasons == []
        assert person_profile(gw, "A1", rule=KeyNodeRule(0.01, 1)).key_node_reasons == [
            "reaches 1 person within 3 generations"
        ]

    def test_profile_comes_with_the_key_node_it_tested(self, gw: Gateway) -> None:
        profile, found = profile_and_key_node(gw, "R1")
        assert profile == person_profile(gw, "R1")
        assert found is not None and found == key_node(gw, "S1", "R1")
        assert found.reasons == profile.key_node_reasons
        assert profile_and_key_node(gw, "A1")[1] is None
        assert profile_and_key_node(gw, "M1")[1] is None  # staff are not tested

    def test_interests_tags_and_notes(self, gw: Gateway) -> None:
        p = person_profile(gw, "R1")
        # One visit and one (double-counting) share of K1, which is about coffee and baby.
        assert [i.topic for i in p.interests] == ["baby", "coffee"]
        assert p.interests[0].score == p.interests[1].score > 0
        assert [(t.tag, t.times, t.last_at) for t in p.manual_tags] == [
            ("vip", 2, when(ts(25, 8))),
            ("new-parent", 1, when(ts(24, 8))),
        ]
        assert len(p.notes) == 10
        assert [n.at for n in p.notes] == sorted((n.at for n in p.notes), reverse=True)
        assert p.notes[0].tag == "vip" and p.notes[0].staff_id == "C1"
        assert p.notes[0].staff_name == "Chen"
        assert p.notes[-1].text == "contacted n00"  # only the earliest note (a tag) fell off
        assert p.notes[2].kind == "contacted" and p.notes[2].tag is None

    def test_staff_profile(self, gw: Gateway) -> None:
        p = person_profile(gw, "M1")
        assert p.roles == ["staff"] and p.staff_role == "manager" and p.display_name == "Ma"
        assert (p.store_id, p.first_kind, p.referrer_id) == ("S1", "staff", None)
        assert (p.reach1, p.reach2, p.reach3, p.cascade_size) == (1, 3, 4, 4)
        assert p.network_revenue == 180.0
        assert not p.key_node  # staff are never key nodes, however influential
        assert p.store_influence_pct == pytest.approx(100 * 5 / 6, abs=1e-3)

    def test_person_without_home_or_events(self, gw: Gateway) -> None:
        p = person_profile(gw, "Z1")
        assert p.roles == ["prospect"] and p.store_id is None
        assert (p.influence, p.store_influence, p.store_influence_pct) == (0.0, 0.0, None)
        assert (p.reach3, p.order_count, p.interests, p.notes) == (0, 0, [], [])
        assert p.staff_friends == [] and not p.key_node

    def test_store_scope_and_unknown_person(self, gw: Gateway) -> None:
        assert person_profile(gw, "R1", store_id="S1").person_id == "R1"
        for person, store in (("R1", "S2"), ("Z1", "S1"), ("nobody", None)):
            with pytest.raises(NotFound, match="person"):
                person_profile(gw, person, store_id=store)


def test_profiles_match_the_raw_files(tiny: tuple[Gateway, Path]) -> None:
    gw, folder = tiny
    forest = referral_forest(folder)
    orders = pd.read_csv(folder / "orders.csv")
    spent = orders.groupby("person_id").amount.agg(["count", "sum"])
    staff = set(pd.read_csv(folder / "staff.csv").person_id)
    friends = pd.read_csv(folder / "friendships.csv")
    people = sorted(forest.nodes)
    sample = people[::5] + sorted(forest, key=lambda p: -forest.out_degree(p))[:5]
    for person in sample:
        p = person_profile(gw, person)
        assert p.store_id == forest.nodes[person]["home"]
        parents = list(forest.predecessors(person))
        assert p.referrer_id == (parents[0] if parents else None)
        depth = nx.single_source_shortest_path_length(forest, person, 3)
        reach = [sum(1 for d in depth.values() if 1 <= d <= k) for k in (1, 2, 3)]
        assert [p.reach1, p.reach2, p.reach3] == reach
        descendants = nx.descendants(forest, person)
        assert p.cascade_size == len(descendants)
        revenue = spent["sum"].reindex(list(descendants)).fillna(0).sum()
        assert p.network_revenue == pytest.approx(revenue, abs=1e-6)
        if person in spent.index:
            assert p.order_count == spent.loc[person, "count"]
            assert p.order_total == pytest.approx(spent.loc[person, "sum"], abs=1e-6)
        else:
            assert p.order_count == 0
        assert ("staff" in p.roles) == (person in staff)
        pairs = friends[(friends.a_id == person) | (friends.b_id == person)]
        others = set(pairs.a_id) | set(pairs.b_id)
        assert {f.staff_id for f in p.staff_friends} == (others - {person}) & staff
