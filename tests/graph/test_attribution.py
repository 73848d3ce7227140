"""Sales attribution (DESIGN.md §5 "Sales attribution") against the real Neo4j: a hand-built
store with orders by agents themselves, by their referees, before the referrer became an agent,
by staff and by roots; then on the generated `tiny` brand every credit recomputed from the raw
files with pandas and the reference referral forest.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

from fission.errors import NotFound
from graph.attribution import store_attribution
from graph.gateway import Gateway
from loaders.pipeline import load_files
from synthetic import generate
from tests.graph.reference import referral_forest
from tests.helpers import order, reference_files, share, ts, visit, wipe, write_rows


def agent(eid: str, person: str, store: str, at: str, invited_by: str = "M1") -> dict:
    return {"event_id": eid, "person_id": person, "store_id": store, "invited_by": invited_by,
            "at": at}  # fmt: skip


def load(gw: Gateway, folder: Path) -> None:
    assert load_files(gw, [folder]).total("rejected") == 0


def build(folder: Path) -> None:
    """M1 -> A, B; A -> X (before A became an agent on day 5), A -> Y (after); X -> X2;
    C1 -> W; Z first appears with an order (a root); M2 (store S2) -> V."""
    reference_files(folder)
    write_rows(
        folder,
        "shares",
        [
            share("s1", "sh1", "M1", ts(1, 10)),
            share("s2", "sh2", "A", ts(2, 10)),
            share("s3", "sh3", "A", ts(6, 10)),
            share("s4", "sh4", "C1", ts(2, 9)),
            share("s5", "sh5", "M2", ts(1, 9)),
            share("s6", "sh6", "X", ts(9, 10)),
        ],
    )
    write_rows(
        folder,
        "visits",
        [
            visit("v1", "sh1", "A", ts(1, 11)),
            visit("v2", "sh1", "B", ts(1, 12)),
            visit("v3", "sh2", "X", ts(2, 11)),
            visit("v4", "sh3", "Y", ts(6, 11)),
            visit("v5", "sh4", "W", ts(2, 10)),
            visit("v6", "sh5", "V", ts(1, 10)),
            visit("v7", "sh6", "X2", ts(9, 11)),
        ],
    )
    write_rows(
        folder,
        "orders",
        [
            order("o1", "A", "S1", ts(3), 10.0),  # A not yet an agent: up to M1
            order("o2", "A", "S1", ts(7), 20.0),  # A an agent: A themself
            order("o3", "X", "S1", ts(4), 30.0),  # before A became an agent: M1
            order("o4", "X", "S1", ts(8), 40.0),  # A
            order("o5", "Y", "S1", ts(8), 50.0),  # A
            order("o6", "M1", "S1", ts(9), 60.0),  # staff buying: not their own credit
            order("o7", "Z", "S1", ts(9), 70.0),  # a root: unattributed
            order("o8", "W", "S1", ts(3, 10), 80.0),  # C1
            order("o9", "V", "S2", ts(5), 90.0),  # S2's sale, M2
            order("o10", "V", "S1", ts(6), 15.0),  # S1's sale credited to S2's manager
            order("o11", "X2", "S1", ts(10), 25.0),  # X is no agent: up to A
        ],
    )
    write_rows(folder, "agents", [agent("a1", "A", "S1", ts(5)), agent("a2", "B", "S1", ts(3))])


def test_attribution_known_answers(graph: Gateway, tmp_path: Path) -> None:
    build(tmp_path)
    load(graph, tmp_path)
    a = store_attribution(graph, "S1")
    got = {
        c.person_id: (c.kind, c.store_id, c.sales_amount, c.orders, c.people_brought,
                      c.members_brought)
        for c in a.credits
    }  # fmt: skip
    assert got == {
        "C1": ("staff", "S1", 80.0, 1, 1, 1),  # W
        "M1": ("staff", "S1", 40.0, 2, 3, 2),  # A, B, X brought; A and X bought
        "M2": ("staff", "S2", 15.0, 1, 0, 0),  # another store's manager, up V's chain
        "A": ("agent", "S1", 135.0, 4, 2, 2),  # Y and X2 joined after A became an agent
        "B": ("agent", "S1", 0.0, 0, 0, 0),  # an agent of the store without sales
    }
    assert [c.person_id for c in a.credits] == ["C1", "M1", "M2", "A", "B"]
    conversion = {c.person_id: c.conversion_rate for c in a.credits}
    assert conversion == {"C1": 1.0, "M1": pytest.approx(2 / 3), "M2": 0.0, "A": 1.0, "B": 0.0}
    assert (a.unattributed_amount, a.unattributed_orders) == (130.0, 2)
    assert (a.attributed_amount, a.attributed_orders) == (270.0, 8)
    assert (a.total_amount, a.total_orders) == (400.0, 10)
    m1 = next(c for c in a.credits if c.person_id == "M1")
    assert (m1.role, m1.display_name, m1.agent_since) == ("manager", "Ma", None)
    agent_a = next(c for c in a.credits if c.person_id == "A")
    assert agent_a.agent_since is not None and agent_a.agent_since.isoformat() == ts(5)

    s2 = store_attribution(graph, "S2")
    assert [(c.person_id, c.sales_amount, c.people_brought, c.members_brought)
            for c in s2.credits] == [("M2", 90.0, 1, 1)]  # fmt: skip
    assert (s2.total_amount, s2.unattributed_orders) == (90.0, 0)


def test_unknown_store_and_store_without_orders(graph: Gateway, tmp_path: Path) -> None:
    reference_files(tmp_path)
    load(graph, tmp_path)
    with pytest.raises(NotFound):
        store_attribution(graph, "NOPE")
    a = store_attribution(graph, "S1")
    assert [(c.person_id, c.sales_amount, c.orders) for c in a.credits] == [
        ("C1", 0.0, 0),
        ("M1", 0.0, 0),
    ]
    assert (a.total_amount, a.total_orders, a.unattributed_amount) == (0.0, 0, 0.0)


# ----------------------------------------------------------------------------- generated


def load_tiny(gateway: Gateway, folder: Path) -> None:
    wipe(gateway)
    load(gateway, folder)


@pytest.fixture(scope="module")
def tiny_files(gateway: Gateway, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated tiny brand, freshly loaded when the first test here asks for it."""
    folder = tmp_path_factory.mktemp("tiny-attribution")
    generate("tiny", 5, folder, fmt="csv")
    load_tiny(gateway, folder)
    return folder


@pytest.fixture
def tiny(gateway: Gateway, tiny_files: Path) -> Gateway:
    """The tiny brand; loaded again if a hand-built test wiped it since."""
    shares = len(pd.read_csv(tiny_files / "shares.csv"))
    if gateway.read("MATCH (s:Share) RETURN count(s) AS n")[0]["n"] != shares:
        load_tiny(gateway, tiny_files)
    return gateway


def reference_attribution(folder: Path, store: str) -> tuple[dict, dict, tuple[float, int]]:
    """Credits recomputed from the raw files: (sales per person, brought per person,
    unattributed (amount, orders))."""
    forest = referral_forest(folder)

    def read(name: str) -> pd.DataFrame:
        frame = pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)
        if "at" in frame:
            frame["at"] = pd.to_datetime(frame["at"], utc=True, format="ISO8601")
        return frame

    staff = set(read("staff").person_id)
    agent_since = read("agents").groupby("person_id")["at"].min().to_dict()
    visits = read("visits")
    first_visit = visits.groupby("visitor_id")["at"].min()
    members = set(read("members").person_id) | set(read("orders").person_id)

    def parent(p: str) -> str | None:
        ps = list(forest.predecessors(p))
        return ps[0] if ps else None

    def credited(p: str | None, when: pd.Timestamp, self_ok: bool) -> str | None:
        if self_ok and p in agent_since and agent_since[p] <= when:
            return p
        p = parent(p)
        while p is not None:
            if p in staff or (p in agent_since and agent_since[p] <= when):
                return p
            p = parent(p)
        return None

    sales: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    unattributed = [0.0, 0]
    orders = read("orders")
    for row in orders[orders.store_id == store].itertuples():
        who = credited(row.person_id, row.at, self_ok=True)
        target = sales[who] if who else unattributed
        target[0] += float(row.amount)
        target[1] += 1
    brought: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for p, attrs in forest.nodes(data=True):
        if attrs["home"] != store or attrs["staff"] or parent(p) is None:
            continue
        # A referred person's first appearance is the visit that made them a referee.
        who = credited(p, first_visit[p], self_ok=False)
        if who:
            brought[who][0] += 1
            brought[who][1] += p in members
    return dict(sales), dict(brought), (unattributed[0], unattributed[1])


@pytest.mark.parametrize("store", ["S0001", "S0002"])
def test_generated_attribution_matches_the_raw_files(
    tiny: Gateway, tiny_files: Path, store: str
) -> None:
    sales, brought, (amount, count) = reference_attribution(tiny_files, store)
    a = store_attribution(tiny, store)
    got_sales = {c.person_id: [c.sales_amount, c.orders] for c in a.credits if c.orders}
    assert got_sales.keys() == sales.keys()
    for person, (total, n) in sales.items():
        assert got_sales[person] == [pytest.approx(total), n]
    got_brought = {
        c.person_id: [c.people_brought, c.members_brought] for c in a.credits if c.people_brought
    }
    assert got_brought == brought
    assert (a.unattributed_amount, a.unattributed_orders) == (pytest.approx(amount), count)
    assert a.total_orders == int((pd.read_csv(tiny_files / "orders.csv").store_id == store).sum())
    assert sales and brought  # the tiny brand does credit staff and agents
