"""Recommended contacts (DESIGN.md §5 "Recommended contacts"): who is left out, how the rest are
ranked, and what each recommendation carries."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from fission.errors import InvalidInput, NotFound
from graph.gateway import Gateway
from graph.influence import refresh_influence
from graph.keynodes import KeyNodeRule, key_nodes
from graph.recommend import WEIGHTS, recommended_contacts
from loaders.pipeline import load_files
from tests.graph import reference
from tests.graph.reference import referral_tree
from tests.helpers import friendship, reference_files, share, ts, visit, wipe, write_rows

tiny, tiny_files = reference.tiny, reference.tiny_files  # the shared generated-data fixture

# In May: M1 (manager of S1) refers N1..N6, each N_i refers L_i, and L3 refers Q3.
TREE = {
    "M1": [f"N{i}" for i in range(1, 7)],
    **{f"N{i}": [f"L{i}"] for i in range(1, 7)},
    "L3": ["Q3"],
}
NOW = datetime.fromisoformat("2026-07-01T12:00:00+08:00")


def june(day: int, hour: int = 12) -> str:
    return f"2026-06-{day:02d}T{hour:02d}:00:00+08:00"


def note(eid: str, staff: str, person: str, at: str, kind: str) -> dict:
    tag = "vip" if kind == "tag" else ""
    return {
        "event_id": eid,
        "staff_id": staff,
        "person_id": person,
        "at": at,
        "kind": kind,
        "text": "",
        "tag": tag,
    }


@pytest.fixture(scope="class")
def gw(gateway: Gateway, tmp_path_factory: pytest.TempPathFactory) -> Gateway:
    folder = tmp_path_factory.mktemp("recommend")
    reference_files(folder)
    shares, visits = referral_tree(TREE)
    write_rows(
        folder,
        "shares",
        [
            *shares,
            share("x1", "sh2", "M1", june(5)),
            share("x2", "sh3", "M1", ts(20), content="K2"),
        ],
    )
    write_rows(
        folder,
        "visits",
        [
            *visits,
            visit("x3", "sh2", "N5", june(6)),  # N5: two events in the last 30 days
            visit("x4", "sh2", "N5", june(7)),
            visit("x5", "sh3", "N6", ts(21)),  # N6: interested in fitness (K2), in May
        ],
    )
    write_rows(folder, "friendships", [friendship("x6", "M1", "N1", june(10))])
    write_rows(
        folder,
        "notes",
        [
            note("x7", "M1", "N2", june(28), "contacted"),  # 3 days ago: left out
            note("x8", "M1", "N3", june(11), "visited"),  # 20 days ago: still recommended
            note("x9", "M1", "N4", june(30), "tag"),  # a tag is not a contact
            note("x10", "C1", "N4", june(30), "contacted"),  # another staff member's contact
            note("x11", "M1", "N6", "2026-07-02T09:00:00+08:00", "contacted"),  # after `now`
        ],
    )
    wipe(gateway)
    assert load_files(gateway, [folder]).total("rejected") == 0
    refresh_influence(gateway)
    return gateway


class TestKnownAnswers:
    def test_who_is_left_out_and_the_order(self, gw: Gateway) -> None:
        assert {n.person_id for n in key_nodes(gw, "S1", rule=KeyNodeRule(0.01, 1))} == {
            "N1",
            "N2",
            "N3",
            "N4",
            "N5",
            "N6",
            "L3",
        }
        recs = recommended_contacts(gw, "M1", now=NOW, rule=KeyNodeRule(0.01, 1))
        # N1 is a friend, N2 was contacted 3 days ago. N3 is the most influential; N5 was
        # active; N4 and N6 tie exactly and go by id; L3 is two hops away.
        assert [r.person_id for r in recs] == ["N3", "N5", "N4", "N6", "L3"]
        assert [r.rank for r in recs] == [1, 2, 3, 4, 5]
        by_id = {r.person_id: r for r in recs}
        assert by_id["N4"].score == by_id["N6"].score
        assert by_id["N4"].parts == {
            "influence": pytest.approx(7 / 15, abs=1e-6),  # 7 of S1's 15 score lower
            "nearness": 1.0,
            "activity": 0.0,
            "interest": 0.0,
        }
        assert by_id["N5"].parts["activity"] == 0.2 and by_id["N5"].recent_events == 2
        assert by_id["L3"].parts["nearness"] == 0.5
        for r in recs:
            assert r.score == pytest.approx(sum(WEIGHTS[k] * v for k, v in r.parts.items()))

    def test_topic_interest_breaks_the_tie(self, gw: Gateway) -> None:
        recs = recommended_contacts(gw, "M1", topic="fitness", now=NOW, rule=KeyNodeRule(0.01, 1))
        assert [r.person_id for r in recs] == ["N3", "N5", "N6", "N4", "L3"]
        n6 = recs[2]
        assert n6.topic == "fitness" and n6.topic_score > 0 and n6.parts["interest"] > 0
        assert "interested in fitness" in n6.reason

    def test_interest_is_decayed_to_now(self, gw: Gateway) -> None:
        stored = gw.read(
            "MATCH (:Person {id: 'N6'})-[i:INTERESTED_IN]->(:Topic {name: 'fitness'}) "
            "RETURN i.score AS score, i.as_of AS as_of"
        )[0]
        later = stored["as_of"] + timedelta(days=60)  # two half-lives
        recs = recommended_contacts(gw, "M1", topic="fitness", now=later, rule=KeyNodeRule(0.01, 1))
        n6 = next(r for r in recs if r.person_id == "N6")
        assert n6.topic_score == pytest.approx(stored["score"] / 4)

    def test_each_recommendation_carries_reason_path_and_interests(self, gw: Gateway) -> None:
        recs = recommended_contacts(gw, "M1", limit=2, now=NOW, rule=KeyNodeRule(0.01, 1))
        assert [r.person_id for r in recs] == ["N3", "N5"]
        n3, n5 = recs
        assert n3.reason.startswith("top 1% influence in store (rank 1 of 13); reaches 2 people")
        assert n5.reason == (
            "reaches 1 person within 3 generations; already has a tie with you; "
            "2 events in the last 30 days"
        )
        assert (n5.path.status, n5.path.hops) == ("path", 1)
        assert [p.person_id for p in n5.path.people] == ["M1", "N5"]
        assert n5.path.ties[0].referral and not n5.path.ties[0].friends
        assert [i.topic for i in n5.top_interests] == ["baby", "coffee"]
        l3 = recommended_contacts(gw, "M1", now=NOW, rule=KeyNodeRule(0.01, 1))[-1]
        assert [p.person_id for p in l3.path.people] == ["M1", "N3", "L3"]

    def test_windows_move_with_now(self, gw: Gateway) -> None:
        later = datetime.fromisoformat("2026-07-20T12:00:00+08:00")
        ids = [
            r.person_id
            for r in recommended_contacts(gw, "M1", now=later, rule=KeyNodeRule(0.01, 1))
        ]
        # Nineteen days on, the notes on N2 (June 28) and N6 (July 2) are over 14 days old.
        assert "N2" in ids and "N6" in ids
        soon = datetime.fromisoformat("2026-07-03T12:00:00+08:00")
        ids = [
            r.person_id for r in recommended_contacts(gw, "M1", now=soon, rule=KeyNodeRule(0.01, 1))
        ]
        assert "N6" not in ids  # contacted the day before

    def test_default_thresholds_empty_store_and_errors(self, gw: Gateway) -> None:
        # With reach >= 10 required, only the most influential customer is a key node.
        assert [r.person_id for r in recommended_contacts(gw, "M1", now=NOW)] == ["N3"]
        assert recommended_contacts(gw, "M2", now=NOW) == []  # S2 has no customers
        with pytest.raises(NotFound):
            recommended_contacts(gw, "nobody", now=NOW)
        with pytest.raises(NotFound):
            recommended_contacts(gw, "N3", now=NOW)  # not staff
        # A store key's scope: the staff member must work at its store (checked in the read).
        assert [r.person_id for r in recommended_contacts(gw, "M1", now=NOW, scope="S1")] == ["N3"]
        with pytest.raises(NotFound, match="No staff member M1 at store S2"):
            recommended_contacts(gw, "M1", now=NOW, scope="S2")
        with pytest.raises(InvalidInput):
            recommended_contacts(gw, "M1", limit=0, now=NOW)


def test_recommendations_on_generated_data_follow_the_rules(tiny: tuple[Gateway, Path]) -> None:
    gw, _ = tiny
    now = datetime.fromisoformat("2026-11-01T00:00:00+00:00")
    staff = gw.read(
        "MATCH (s:Staff)-[:WORKS_AT]->(st:Store) RETURN s.id AS id, st.id AS store ORDER BY id"
    )
    seen = 0
    for row in staff:
        recs = recommended_contacts(gw, row["id"], limit=50, now=now, rule=KeyNodeRule(0.01, 3))
        keys = {n.person_id for n in key_nodes(gw, row["store"], KeyNodeRule(0.01, 3))}
        excluded = {
            r["id"]
            for r in gw.read(
                "MATCH (s:Staff {id: $staff})-[:FRIEND_OF]-(p:Person) RETURN p.id AS id "
                "UNION MATCH (s:Staff {id: $staff})-[n:NOTED]->(p:Person) "
                "WHERE n.kind IN ['contacted', 'visited'] "
                "AND $now - duration('P14D') <= n.at <= $now RETURN p.id AS id",
                staff=row["id"],
                now=now,
            )
        }
        assert {r.person_id for r in recs} == keys - excluded
        order = [(-r.score, r.person_id) for r in recs]
        assert order == sorted(order)
        for r in recs:
            assert r.path.target_id == r.person_id and r.path.people[0].person_id == row["id"]
            assert len(r.top_interests) <= 3
        seen += len(recs)
    assert seen > 0
