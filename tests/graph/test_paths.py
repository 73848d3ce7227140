"""Introduction paths (DESIGN.md §5 "Introduction path"): known answers on hand-built ties, and
agreement with networkx shortest paths over the KNOWS graph of generated data."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import networkx as nx
import pytest

from fission.errors import NotFound
from graph.gateway import Gateway
from graph.paths import introduction_path, introduction_paths
from loaders.pipeline import load_files
from tests.graph import reference
from tests.helpers import friendship, order, reference_files, share, ts, visit, wipe, write_rows

tiny, tiny_files = reference.tiny, reference.tiny_files  # the shared generated-data fixture

FRIENDS = [
    ("M1", "F1"),
    # Two 2-hop routes to T (B1's is heavier) and a heavier but longer one via H1, H2.
    ("M1", "A1"),
    ("A1", "T"),
    ("M1", "B1"),
    ("B1", "T"),
    ("M1", "H1"),
    ("H1", "H2"),
    ("H2", "T"),
    # Two equally heavy 2-hop routes to U.
    ("A1", "U"),
    ("B1", "U"),
    # A chain: c6 is 6 hops away, c7 is 7.
    ("M1", "c1"),
    *[(f"c{i}", f"c{i + 1}") for i in range(1, 7)],
]


@pytest.fixture(scope="class")
def gw(gateway: Gateway, tmp_path_factory: pytest.TempPathFactory) -> Gateway:
    folder = tmp_path_factory.mktemp("paths")
    reference_files(folder)
    write_rows(
        folder,
        "friendships",
        [friendship(f"f{i:02d}", a, b, ts(1, 8)) for i, (a, b) in enumerate(FRIENDS)],
    )
    write_rows(
        folder,
        "shares",
        [
            share("s1", "shB", "B1", ts(5)),
            share("s2", "shM", "M1", ts(5)),
            share("s3", "shH", "H1", ts(5)),
        ],
    )
    write_rows(
        folder,
        "visits",
        [
            visit("v1", "shB", "T", ts(6)),  # B1-T: friends + 1 visit = 4
            visit("v2", "shM", "V", ts(6)),  # M1-V: referral + 1 visit = 3, not friends
            *[visit(f"v{i}", "shH", "H2", ts(6, i)) for i in range(3, 8)],  # H1-H2: 3 + 5
        ],
    )
    write_rows(folder, "orders", [order("o1", "Z", "S1", ts(7))])
    wipe(gateway)
    assert load_files(gateway, [folder]).total("rejected") == 0
    return gateway


class TestKnownAnswers:
    def test_shortest_then_heaviest(self, gw: Gateway) -> None:
        path = introduction_path(gw, "M1", "T")
        assert (path.status, path.hops, path.total_weight) == ("path", 2, 7)
        assert [p.person_id for p in path.people] == ["M1", "B1", "T"]
        assert [p.role for p in path.people] == ["manager", "prospect", "prospect"]
        assert [p.display_name for p in path.people] == ["Ma", None, None]
        assert [(t.from_id, t.to_id, t.weight, t.friends, t.visits) for t in path.ties] == [
            ("M1", "B1", 3, True, 0),
            ("B1", "T", 4, True, 1),
        ]

    def test_equal_weights_break_by_id_sequence(self, gw: Gateway) -> None:
        path = introduction_path(gw, "M1", "U")
        assert [p.person_id for p in path.people] == ["M1", "A1", "U"]
        assert path.total_weight == 6

    def test_already_friends(self, gw: Gateway) -> None:
        path = introduction_path(gw, "M1", "F1")
        assert (path.status, path.hops, path.total_weight) == ("already_friends", 1, 3)
        assert [p.person_id for p in path.people] == ["M1", "F1"] and path.ties[0].friends

    def test_direct_tie_without_friendship_is_a_path(self, gw: Gateway) -> None:
        path = introduction_path(gw, "M1", "V")
        assert (path.status, path.hops) == ("path", 1)
        tie = path.ties[0]
        assert (tie.weight, tie.friends, tie.referral, tie.visits) == (3, False, True, 1)

    def test_six_hops_at_most(self, gw: Gateway) -> None:
        six = introduction_path(gw, "M1", "c6")
        assert (six.status, six.hops) == ("path", 6)
        assert [p.person_id for p in six.people] == ["M1", "c1", "c2", "c3", "c4", "c5", "c6"]
        seven = introduction_path(gw, "M1", "c7")
        assert (seven.status, seven.hops, seven.people, seven.ties) == (
            "not_reachable",
            None,
            [],
            [],
        )

    def test_isolated_target_and_same_person(self, gw: Gateway) -> None:
        assert introduction_path(gw, "M1", "Z").status == "not_reachable"
        same = introduction_path(gw, "M1", "M1")
        assert (same.status, same.hops, same.total_weight) == ("same_person", 0, 0)
        assert [p.person_id for p in same.people] == ["M1"] and same.ties == []

    def test_batch_keeps_target_order(self, gw: Gateway) -> None:
        paths = introduction_paths(gw, "M1", ["T", "F1", "Z", "c6"])
        assert [(p.target_id, p.status) for p in paths] == [
            ("T", "path"),
            ("F1", "already_friends"),
            ("Z", "not_reachable"),
            ("c6", "path"),
        ]
        assert introduction_paths(gw, "M1", []) == []

    def test_unknown_staff_or_person(self, gw: Gateway) -> None:
        for staff, target in (("nobody", "T"), ("F1", "T"), ("M1", "nobody")):
            with pytest.raises(NotFound):
                introduction_path(gw, staff, target)


def test_lengths_and_weights_match_networkx(tiny: tuple[Gateway, Path]) -> None:
    gw, _ = tiny
    knows = nx.Graph()
    for r in gw.read(
        "MATCH (a:Person)-[k:KNOWS]->(b:Person) RETURN a.id AS a, b.id AS b, k.weight AS w"
    ):
        knows.add_edge(r["a"], r["b"], weight=r["w"])
    staff = sorted(r["id"] for r in gw.read("MATCH (s:Staff) RETURN s.id AS id"))
    people = sorted(r["id"] for r in gw.read("MATCH (p:Person) RETURN p.id AS id"))
    rng = random.Random(7)
    statuses = set()
    for _ in range(40):
        s, t = rng.choice(staff), rng.choice(people)
        path = introduction_path(gw, s, t)
        statuses.add(path.status)
        if s == t:
            assert path.status == "same_person"
            continue
        try:
            length = nx.shortest_path_length(knows, s, t)
        except (nx.NetworkXNoPath, nx.NodeNotFound):
            length = None
        if length is None or length > 6:
            assert path.status == "not_reachable"
            continue
        assert path.hops == length
        ids = [p.person_id for p in path.people]
        assert ids[0] == s and ids[-1] == t
        for tie in path.ties:
            assert knows[tie.from_id][tie.to_id]["weight"] == tie.weight
        best = max(
            sum(knows[a][b]["weight"] for a, b in itertools.pairwise(p))
            for p in nx.all_shortest_paths(knows, s, t)
        )
        assert path.total_weight == best
    assert "path" in statuses
