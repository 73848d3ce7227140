"""Store diagnosis and HQ overview (DESIGN.md §5 "Store diagnosis") against the real Neo4j:
known answers on hand-built stores (each suggestion rule triggered), then on the generated
`tiny` brand every figure recomputed independently from the raw files with pandas/networkx.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd
import pytest

from fission.errors import InvalidInput, NotFound
from fission.settings import Settings
from graph.gateway import Gateway
from graph.influence import refresh_influence
from graph.stores import (
    brand_summary,
    cascades,
    hq_overview,
    plan_stages,
    refresh_store_overview,
    store_diagnosis,
    tier,
)
from loaders.pipeline import load_files
from synthetic import generate
from tests.graph.reference import referral_forest
from tests.helpers import order, reference_files, share, ts, visit, wipe, write_rows

NOW = datetime.fromisoformat(ts(29))  # weeks start 2026-04-03 12:00 +08:00, one per 7 days


def note(eid: str, staff: str, person: str, at: str, kind: str = "contacted") -> dict:
    tag = "vip" if kind == "tag" else ""
    return {
        "event_id": eid,
        "staff_id": staff,
        "person_id": person,
        "at": at,
        "kind": kind,
        "tag": tag,
    }


def rules(d) -> list[str]:
    return [s.rule for s in d.suggestions]


def suggestion(d, rule: str):
    return next(s for s in d.suggestions if s.rule == rule)


# ----------------------------------------------------------------------------- pure parts


def test_tiers_by_customer_count() -> None:
    assert [tier(n) for n in (0, 99, 100, 999, 1000, 9999, 10000, 250000)] == [
        "starter",
        "starter",
        "growing",
        "growing",
        "established",
        "established",
        "large",
        "large",
    ]


def test_plan_stages_targets_and_progress() -> None:
    stages = plan_stages(reached=150, new_members=4, brought=20)
    assert [(s.stage, s.actual, s.target, s.met) for s in stages] == [
        ("prospects_reached", 150, 100, True),
        ("new_members", 4, 10, False),
        ("brought_by_new_members", 20, 40, False),
    ]
    assert [s.progress for s in stages] == [1.0, 0.4, 0.5]
    assert plan_stages(0, 0, 0)[2].progress is None  # no new members: nothing to measure yet


def test_cascades_of_a_forest() -> None:
    # Chain a-b-c-d (virality (4+1)/3) and star s with 3 leaves (virality 1.5).
    edges = [("a", "b"), ("b", "c"), ("c", "d"), ("s", "x"), ("s", "y"), ("s", "z")]
    c = cascades(edges)
    assert (c.trees, c.people_in_trees, c.largest_tree_size, c.max_depth) == (2, 8, 4, 3)
    assert c.structural_virality == pytest.approx((4 * 5 / 3 + 4 * 1.5) / 8)
    assert c.largest_tree_virality == pytest.approx(5 / 3)  # tie on size: the first root
    empty = cascades([])
    assert (empty.trees, empty.max_depth, empty.structural_virality) == (0, 0, None)


# ----------------------------------------------------------------------------- hand-built


def load(gw: Gateway, folder: Path) -> None:
    report = load_files(gw, [folder])
    assert report.total("rejected") == 0


def basic_store(folder: Path) -> None:
    """S1: M1 -> P1, P2, P3 (week 4); member P1 -> P4, P5 (week 5); P4 -> P6 (week 6);
    agent P3 -> P7 (week 7); imported member Q1. S2 has only its manager."""
    reference_files(folder)
    write_rows(
        folder, "members", [{"person_id": "Q1", "store_id": "S1", "member_since": "2026-01-01"}]
    )
    write_rows(
        folder,
        "shares",
        [
            share("e01", "sh1", "M1", ts(2, 13)),
            share("e10", "sh2", "P1", ts(9, 13)),
            share("e20", "sh3", "P4", ts(10, 13)),
            share("e30", "sh4", "P3", ts(12, 13)),
        ],
    )
    write_rows(
        folder,
        "visits",
        [
            visit("e02", "sh1", "P1", ts(2, 14)),
            visit("e03", "sh1", "P2", ts(2, 15), "claim_coupon"),
            visit("e04", "sh1", "P3", ts(2, 16)),
            visit("e11", "sh2", "P4", ts(9, 14)),
            visit("e12", "sh2", "P5", ts(9, 15)),
            visit("e21", "sh3", "P6", ts(16, 14)),
            visit("e31", "sh4", "P7", ts(23, 14)),
        ],
    )
    write_rows(folder, "orders", [order("e05", "P1", "S1", ts(3, 10))])
    write_rows(
        folder,
        "agents",
        [
            {
                "event_id": "e06",
                "person_id": "P3",
                "store_id": "S1",
                "invited_by": "M1",
                "at": ts(11, 10),
            }
        ],
    )


def test_unknown_store_is_not_found(graph: Gateway) -> None:
    with pytest.raises(NotFound):
        store_diagnosis(graph, "NOPE", NOW)


def test_basic_store_known_answers(graph: Gateway, tmp_path: Path) -> None:
    basic_store(tmp_path)
    load(graph, tmp_path)
    d = store_diagnosis(graph, "S1", NOW)
    assert (d.customers, d.tier, d.prospects, d.members, d.agents) == (8, "starter", 6, 2, 1)
    assert d.conversion_rate == pytest.approx(2 / 8)
    # Members or agents: P1, Q1, P3; they referred P4, P5 (P1) and P7 (P3).
    assert (d.members_or_agents, d.referred_by_members_or_agents) == (3, 3)
    assert d.fission_ratio == pytest.approx(1.0)
    # Reached: everyone but the imported Q1; new member P1 brought P4 and P5 after buying.
    assert [(s.actual, s.target) for s in d.plan] == [(7, 100), (1, 10), (2, 10)]
    assert [w.new_people for w in d.new_people_per_week] == [0, 0, 0, 0, 3, 2, 1, 1]
    assert d.new_people_per_week[0].week_start == NOW - timedelta(weeks=8)
    assert d.new_people_per_week[-1].week_end == NOW
    c = d.cascades
    assert (c.trees, c.people_in_trees, c.largest_tree_size, c.max_depth) == (1, 8, 8, 3)
    tree = nx.Graph(
        [
            ("M1", "P1"),
            ("M1", "P2"),
            ("M1", "P3"),
            ("P1", "P4"),
            ("P1", "P5"),
            ("P4", "P6"),
            ("P3", "P7"),
        ]
    )
    assert c.structural_virality == pytest.approx(nx.average_shortest_path_length(tree))
    assert c.largest_tree_virality == pytest.approx(c.structural_virality)
    assert d.key_node_count == 0 and d.top_key_nodes == []
    assert [(s.person_id, s.shares_4w) for s in d.staff] == [("C1", 0), ("M1", 1)]
    # Starter store; conversion 25%, fission 1.0, growth in the last 2 weeks, depth 3; member
    # P1 brought people in but is not an agent (imported Q1 brought nobody).
    assert rules(d) == ["share_more", "invite_agents"]
    assert suggestion(d, "share_more").person_ids == ["C1"]
    assert suggestion(d, "invite_agents").person_ids == ["P1"]


def test_empty_store_is_a_normal_answer(graph: Gateway, tmp_path: Path) -> None:
    basic_store(tmp_path)
    load(graph, tmp_path)
    d = store_diagnosis(graph, "S2", NOW)
    assert (d.customers, d.tier, d.prospects, d.members, d.agents) == (0, "starter", 0, 0, 0)
    assert (d.conversion_rate, d.fission_ratio) == (0.0, 0.0)
    assert [s.actual for s in d.plan] == [0, 0, 0]
    assert [w.new_people for w in d.new_people_per_week] == [0] * 8
    assert (d.cascades.trees, d.cascades.max_depth, d.cascades.structural_virality) == (0, 0, None)
    assert rules(d) == ["start"]
    assert suggestion(d, "start").person_ids == ["M2"]


def test_struggling_store_triggers_its_rules(graph: Gateway, tmp_path: Path) -> None:
    """S1: M1 -> K -> R01..R10 (K is a key node by reach); two engaged prospects; member R10
    referred nobody; nobody new for two weeks. S2: M2 -> X1, X2 only (a broadcast)."""
    reference_files(tmp_path)
    shares = [
        share("e01", "sh1", "M1", ts(2, 13)),
        share("e02", "sh2", "K", ts(3, 13)),
        share("e03", "sh5", "M2", ts(2, 13)),
    ]
    visits = [visit("v00", "sh1", "K", ts(2, 14))]
    for i in range(1, 11):
        action = {1: "claim_coupon", 2: "contact_sales"}.get(i, "view")
        visits.append(visit(f"v{i:02d}", "sh2", f"R{i:02d}", ts(3, 14, i), action))
    visits += [visit("x1", "sh5", "X1", ts(20, 14)), visit("x2", "sh5", "X2", ts(20, 15))]
    write_rows(tmp_path, "shares", shares)
    write_rows(tmp_path, "visits", visits)
    write_rows(tmp_path, "orders", [order("o1", "R10", "S1", ts(4))])
    write_rows(
        tmp_path,
        "notes",
        [
            note("n1", "C1", "K", ts(10)),  # before the 14-day window
            note("n2", "C1", "K", ts(28), kind="tag"),  # a tag is not contact
        ],
    )
    load(graph, tmp_path)
    d = store_diagnosis(graph, "S1", NOW)
    assert (d.customers, d.members, d.conversion_rate) == (11, 1, pytest.approx(1 / 11))
    assert [k.person_id for k in d.top_key_nodes] == ["K"]
    assert rules(d) == ["share_more", "convert", "activate_members", "contact_key_nodes", "stalled"]
    assert suggestion(d, "share_more").person_ids == ["C1"]
    assert suggestion(d, "convert").person_ids == ["R02", "R01"]  # latest engagement first
    assert suggestion(d, "activate_members").person_ids == ["R10"]
    assert suggestion(d, "contact_key_nodes").person_ids == ["K"]
    assert "9.1%" in suggestion(d, "convert").text

    s2 = store_diagnosis(graph, "S2", NOW)
    assert (s2.customers, s2.cascades.max_depth, s2.cascades.trees) == (2, 1, 1)
    assert rules(s2) == ["share_more", "convert", "broadcast_only"]
    assert suggestion(s2, "share_more").person_ids == []  # M2 shared in the last 4 weeks
    assert suggestion(s2, "convert").person_ids == []

    # A recent contact note takes K off the list.
    write_rows(tmp_path / "more", "notes", [note("n3", "C1", "K", ts(20), kind="visited")])
    load(graph, tmp_path / "more")
    assert "contact_key_nodes" not in rules(store_diagnosis(graph, "S1", NOW))


def test_healthy_growing_store_is_on_track(graph: Gateway, tmp_path: Path) -> None:
    """S1: M1 -> V001..V100, twelve of them members; member V001 -> W01..W12 recently, and
    an agent since; V001 (a key node by reach) contacted last week."""
    reference_files(tmp_path)
    shares = [share("e01", "sh1", "M1", ts(2, 13)), share("e02", "sh2", "V001", ts(5, 13))]
    visits = [
        visit(f"v{i:03d}", "sh1", f"V{i:03d}", ts(2 + i // 40, 14, i % 60)) for i in range(1, 101)
    ]
    visits += [visit(f"w{j:02d}", "sh2", f"W{j:02d}", ts(20, 14, j)) for j in range(1, 13)]
    orders = [order(f"o{i:03d}", f"V{i:03d}", "S1", ts(4, 10, i)) for i in range(1, 13)]
    write_rows(tmp_path, "shares", shares)
    write_rows(tmp_path, "visits", visits)
    write_rows(tmp_path, "orders", orders)
    write_rows(tmp_path, "notes", [note("n1", "C1", "V001", ts(25))])
    agent = {"event_id": "a1", "person_id": "V001", "store_id": "S1", "at": ts(21)}
    write_rows(tmp_path, "agents", [agent])
    load(graph, tmp_path)
    d = store_diagnosis(graph, "S1", NOW)
    assert (d.customers, d.tier, d.members, d.conversion_rate) == (112, "growing", 12, 12 / 112)
    assert d.fission_ratio == pytest.approx(1.0)  # 12 members referred 12 customers
    assert [(s.actual, s.target, s.met) for s in d.plan] == [
        (112, 100, True),
        (12, 10, True),
        (12, 120, False),
    ]
    assert [k.person_id for k in d.top_key_nodes] == ["V001"]
    assert rules(d) == ["on_track"]

    page = hq_overview(graph, NOW)
    assert [(r.store_id, r.customers, r.tier) for r in page.rows] == [
        ("S1", 112, "growing"),
        ("S2", 0, "starter"),
    ]
    row = page.rows[0]
    assert (row.members, row.prospects, row.cascade_depth, row.new_people_4w) == (12, 100, 2, 112)
    assert row.fission_ratio == pytest.approx(d.fission_ratio)


def test_hq_overview_sorts_pages_and_validates(graph: Gateway, tmp_path: Path) -> None:
    basic_store(tmp_path)
    load(graph, tmp_path)
    page = hq_overview(graph, NOW, sort="customers", descending=False)
    assert page.total == 2
    assert [r.store_id for r in page.rows] == ["S2", "S1"]
    s1 = page.rows[1]
    d = store_diagnosis(graph, "S1", NOW)
    assert s1.model_dump() == {
        "store_id": "S1",
        "name": "Jing'an",
        "city": "Shanghai",
        "region": "East",
        "customers": 8,
        "tier": "starter",
        "prospects": 6,
        "members": 2,
        "agents": 1,
        "conversion_rate": d.conversion_rate,
        "fission_ratio": d.fission_ratio,
        "referred_by_members_or_agents": 3,
        "members_or_agents": 3,
        "new_people_4w": 7,
        "cascade_depth": 3,
    }
    assert [r.store_id for r in hq_overview(graph, NOW, sort="name").rows] == ["S1", "S2"]
    second = hq_overview(graph, NOW, sort="cascade_depth", offset=1, limit=1)
    assert (second.total, [r.store_id for r in second.rows]) == (2, ["S2"])
    assert hq_overview(graph, NOW, offset=5).rows == []
    with pytest.raises(InvalidInput):
        hq_overview(graph, NOW, sort="customers; DROP")
    with pytest.raises(InvalidInput):
        hq_overview(graph, NOW, limit=0)
    with pytest.raises(InvalidInput):
        hq_overview(graph, NOW, offset=-1)
    with pytest.raises(InvalidInput):
        store_diagnosis(graph, "S1", datetime(2026, 5, 29))  # naive time


# ----------------------------------------------------------------------------- generated

TINY_SEED = 11


def load_tiny(gateway: Gateway, folder: Path) -> None:
    wipe(gateway)
    load(gateway, folder)
    refresh_influence(gateway)


@pytest.fixture(scope="module")
def tiny_files(gateway: Gateway, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated tiny brand, freshly loaded when the first test here asks for it."""
    folder = tmp_path_factory.mktemp("tiny-stores")
    generate("tiny", TINY_SEED, folder, fmt="csv")
    load_tiny(gateway, folder)
    return folder


@pytest.fixture
def tiny(gateway: Gateway, tiny_files: Path) -> Gateway:
    """The tiny brand; loaded again if a hand-built test wiped it since."""
    shares = len(pd.read_csv(tiny_files / "shares.csv"))
    if gateway.read("MATCH (s:Share) RETURN count(s) AS n")[0]["n"] != shares:
        load_tiny(gateway, tiny_files)
    return gateway


def reference_figures(folder: Path, now: datetime) -> dict[str, dict]:
    """Every store's diagnosis figures from the raw files (networkx forest from
    tests/graph/reference.py, the rest with pandas)."""
    forest = referral_forest(folder)
    read = lambda name: pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)  # noqa: E731
    orders, members_file, agents = read("orders"), read("members"), read("agents")
    when = lambda s: pd.to_datetime(s, utc=True, format="ISO8601")  # noqa: E731
    imported = set(members_file.person_id)
    order_since = orders.assign(at=when(orders["at"])).groupby("person_id")["at"].min()
    members = imported | set(orders.person_id)
    agent_ids = set(agents.person_id)
    first = {}
    for name, col, at in [
        ("shares", "sharer_id", "at"),
        ("visits", "visitor_id", "at"),
        ("orders", "person_id", "at"),
        ("friendships", "a_id", "at"),
        ("friendships", "b_id", "at"),
    ]:
        frame = read(name)
        for person, t in zip(frame[col], when(frame[at]), strict=True):
            first[person] = min(first.get(person, t), t)
    for person, since in zip(members_file.person_id, when(members_file.member_since), strict=True):
        first[person] = min(first.get(person, since), since)
    since = pd.Timestamp(now - timedelta(weeks=8))
    out: dict[str, dict] = {}
    for store in read("stores").store_id:
        network = [p for p, a in forest.nodes(data=True) if a["home"] == store]
        customers = [p for p in network if not forest.nodes[p]["staff"]]
        fission = brought = 0
        for c in customers:
            parents = list(forest.predecessors(c))
            if not parents:
                continue
            r = parents[0]
            if forest.nodes[r]["home"] != store or forest.nodes[r]["staff"]:
                continue
            fission += r in members or r in agent_ids
            brought += r in members and r not in imported and first[c] >= order_since[r]
        weeks = [0] * 8
        for c in customers:
            if since <= first[c] < pd.Timestamp(now):
                weeks[int((first[c] - since) / pd.Timedelta(weeks=1))] += 1
        sub = forest.subgraph(network)
        trees = [t for t in nx.weakly_connected_components(sub) if len(t) >= 2]
        depth = 0
        sizes, viral = [], []
        for t in trees:
            tree = sub.subgraph(t)
            root = next(n for n in t if tree.in_degree(n) == 0)
            depth = max(depth, max(nx.single_source_shortest_path_length(tree, root).values()))
            sizes.append(len(t))
            viral.append(nx.average_shortest_path_length(tree.to_undirected()))
        out[store] = {
            "customers": len(customers),
            "members": sum(c in members for c in customers),
            "agents": sum(c in agent_ids for c in customers),
            "referred": fission,
            "reached": sum(c not in imported for c in customers),
            "new_members": sum(c in members and c not in imported for c in customers),
            "brought": brought,
            "weeks": weeks,
            "trees": len(trees),
            "depth": depth,
            "virality": sum(n * v for n, v in zip(sizes, viral, strict=True)) / sum(sizes)
            if sizes
            else None,
        }
    return out


def test_generated_diagnosis_matches_the_raw_files(tiny: Gateway, tiny_files: Path) -> None:
    end = datetime.fromisoformat(json.loads((tiny_files / "summary.json").read_text())["end"])
    expected = reference_figures(tiny_files, end)
    overview = {r.store_id: r for r in hq_overview(tiny, end, limit=1000).rows}
    assert set(overview) == set(expected)
    for store, ref in expected.items():
        d = store_diagnosis(tiny, store, end)
        assert (d.customers, d.members, d.agents) == (
            ref["customers"],
            ref["members"],
            ref["agents"],
        )
        assert d.referred_by_members_or_agents == ref["referred"]
        assert [s.actual for s in d.plan] == [ref["reached"], ref["new_members"], ref["brought"]]
        assert [w.new_people for w in d.new_people_per_week] == ref["weeks"]
        assert (d.cascades.trees, d.cascades.max_depth) == (ref["trees"], ref["depth"])
        assert d.cascades.structural_virality == pytest.approx(ref["virality"])
        assert d.key_node_count >= 1 and d.suggestions
        row = overview[store]
        assert (row.customers, row.members, row.agents, row.cascade_depth) == (
            d.customers,
            d.members,
            d.agents,
            d.cascades.max_depth,
        )
        assert (row.conversion_rate, row.fission_ratio) == (d.conversion_rate, d.fission_ratio)
        assert row.new_people_4w == sum(ref["weeks"][4:])


def test_a_stale_overview_is_answered_at_once_and_recomputed_after(
    graph: Gateway, tiny_files: Path, neo4j_settings: Settings
) -> None:
    """With `defer` (the API), rows that are no longer current are served as they are, one
    recomputation is handed over, and once it has run the rows are current again."""
    load_tiny(graph, tiny_files)
    end = datetime.fromisoformat(json.loads((tiny_files / "summary.json").read_text())["end"])
    refresh_store_overview(graph, end)
    deferred: list[tuple[Callable[..., Any], tuple[Any, ...]]] = []

    def defer(work: Callable[..., Any], *args: Any) -> None:
        deferred.append((work, args))

    # Nothing stored is current for a gateway that allows no age at all.
    impatient = neo4j_settings.model_copy(update={"hq_overview_max_age_seconds": 0.0})
    with Gateway(impatient) as ageless:
        assert hq_overview(ageless, limit=1000, defer=defer).as_of == end
        assert brand_summary(ageless, defer=defer).as_of == end
        assert len(deferred) == 2
        for work, args in deferred:
            work(*args)
    recomputed = hq_overview(graph, limit=1000)  # current now: read back, not computed again
    assert recomputed.as_of > end
    assert hq_overview(graph, limit=1000).as_of == recomputed.as_of
    assert recomputed.rows == hq_overview(graph, recomputed.as_of, limit=1000).rows


def test_stored_overview_equals_the_computed_one(
    graph: Gateway, tiny_files: Path, tmp_path: Path
) -> None:
    """The precomputed overview HQ reads in one query holds exactly the figures computed live,
    and is recomputed once the brand's counts change."""
    load_tiny(graph, tiny_files)
    end = datetime.fromisoformat(json.loads((tiny_files / "summary.json").read_text())["end"])
    computed = hq_overview(graph, end, limit=1000)
    assert refresh_store_overview(graph, end).stores == computed.total == 2
    stored = hq_overview(graph, limit=1000)
    assert stored.as_of == end  # read back: a recomputation would be as of now
    assert stored.rows == computed.rows
    assert any(r.cascade_depth > 1 for r in stored.rows)
    assert brand_summary(graph) == brand_summary(graph, end)
    depths = graph.read("MATCH (s:Store) RETURN s.id AS id, s.overview_cascade_depth AS depth")
    assert {r["id"]: r["depth"] for r in depths} == {
        r.store_id: r.cascade_depth for r in computed.rows
    }

    first = pd.read_csv(tiny_files / "shares.csv").iloc[0]
    later = (datetime.fromisoformat(first["at"]) + timedelta(hours=1)).isoformat()
    write_rows(
        tmp_path / "more", "visits", [visit("new-visit", first["share_id"], "NEWCOMER", later)]
    )
    load(graph, tmp_path / "more")
    fresh = hq_overview(graph, limit=1000)
    assert fresh.as_of > end
    assert sum(r.customers for r in fresh.rows) == sum(r.customers for r in computed.rows) + 1
