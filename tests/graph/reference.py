"""Independent re-implementation of the referral definitions (DESIGN.md §5) from raw input files.

Reads the loader input files with pandas and never touches Neo4j, so tests can compare the
graph's answers with numbers computed a second, unrelated way.

- `referral_forest(folder)`: the first-touch referral forest ("First appearance", "Referrer");
  every person is a node with attributes `home` (DESIGN.md §5 "Home store") and `staff` (bool).
- `engagement_graph(folder, people=None)`: the influence graph ("Influence"): an edge
  visitor -> sharer (visitor != sharer) weighted by the distinct shares of the sharer that the
  visitor visited; with `people`, only edges between two of those people.

Also for the tests in this folder: `referral_tree`, which writes a hand-made referral tree as
share and visit rows, and the `tiny` fixture, generated data loaded once and shared by the test
modules that bind it (`tiny, tiny_files = reference.tiny, reference.tiny_files`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from graph.gateway import Gateway
from graph.influence import refresh_influence
from loaders.pipeline import load_files
from synthetic import generate
from tests.helpers import counts, share, visit, wipe

# Staff imported without a start time count from before tracking began (as the loader does).
BEFORE_TRACKING = pd.Timestamp("1970-01-01", tz="UTC")


def _read(folder: Path, name: str) -> pd.DataFrame:
    path = Path(folder) / f"{name}.csv"
    if not path.exists():
        return pd.DataFrame()
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _when(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, utc=True, format="ISO8601")


def _actor_rows(
    person: pd.Series, at: pd.Series, event_id: pd.Series, kind: str, share_id: object = None
) -> pd.DataFrame:
    return pd.DataFrame(
        {"person": person, "at": at, "event_id": event_id, "kind": kind, "share_id": share_id}
    )


def _appearances(folder: Path) -> pd.DataFrame:
    """Every event a person appears in as an actor: person, at, event_id, kind, share_id."""
    parts: list[pd.DataFrame] = []
    shares = _read(folder, "shares")
    if len(shares):
        parts.append(_actor_rows(shares.sharer_id, _when(shares["at"]), shares.event_id, "share"))
    visits = _read(folder, "visits")
    if len(visits):
        parts.append(
            _actor_rows(
                visits.visitor_id, _when(visits["at"]), visits.event_id, "visit", visits.share_id
            )
        )
    orders = _read(folder, "orders")
    if len(orders):
        parts.append(_actor_rows(orders.person_id, _when(orders["at"]), orders.event_id, "order"))
    friends = _read(folder, "friendships")
    if len(friends):
        for side in ("a_id", "b_id"):
            parts.append(
                _actor_rows(friends[side], _when(friends["at"]), friends.event_id, "friendship")
            )
    staff = _read(folder, "staff")
    if len(staff):
        since = (
            _when(staff["since"].replace("", None)).fillna(BEFORE_TRACKING)
            if "since" in staff
            else pd.Series(BEFORE_TRACKING, index=staff.index)
        )
        parts.append(_actor_rows(staff.person_id, since, "staff:" + staff.person_id, "staff"))
    members = _read(folder, "members")
    if len(members):
        parts.append(
            _actor_rows(
                members.person_id,
                _when(members.member_since),
                "member:" + members.person_id,
                "member",
            )
        )
    return pd.concat(parts, ignore_index=True)


def referral_forest(folder: Path) -> nx.DiGraph:
    """First-touch referral forest recomputed from the raw files (DESIGN.md §5 "Referrer").

    A person's first appearance is their earliest actor event by (at, event_id); if it is a
    visit to someone else's share and that sharer's first appearance is strictly earlier, the
    sharer refers them. Node attributes: `home` (store id or None), `staff` (bool).
    """
    events = _appearances(folder).sort_values(["person", "at", "event_id"], kind="stable")
    first = events.groupby("person", sort=False).head(1).set_index("person")
    shares = _read(folder, "shares")
    sharer_of = dict(zip(shares.share_id, shares.sharer_id, strict=True)) if len(shares) else {}

    forest = nx.DiGraph()
    forest.add_nodes_from(first.index)
    key = dict(zip(first.index, zip(first["at"], first["event_id"], strict=True), strict=True))
    referrer: dict[str, str] = {}
    visits = first[first["kind"] == "visit"]
    for person, share_id in zip(visits.index, visits["share_id"], strict=True):
        sharer = sharer_of.get(share_id)
        if sharer is not None and sharer != person and key[sharer] < key[person]:
            referrer[person] = sharer
            forest.add_edge(sharer, person, share_id=share_id)

    staff = _read(folder, "staff")
    staff_store = dict(zip(staff.person_id, staff.store_id, strict=True)) if len(staff) else {}
    members = _read(folder, "members")
    member_store = (
        dict(zip(members.person_id, members.store_id, strict=True)) if len(members) else {}
    )
    orders = _read(folder, "orders")
    first_order: dict[str, str] = {}
    if len(orders):
        orders = orders.assign(when=_when(orders["at"])).sort_values(
            ["person_id", "when", "event_id"]
        )
        first_order = dict(orders.groupby("person_id").head(1)[["person_id", "store_id"]].values)

    home: dict[str, str | None] = {}

    def home_of(person: str) -> str | None:
        # Home store, first rule that applies (DESIGN.md §5), straight from the definition:
        # staff store, imported member's store, the referrer's home, the first order's store.
        if person not in home:
            parent = referrer.get(person)
            home[person] = (
                staff_store.get(person)
                or member_store.get(person)
                or (home_of(parent) if parent else None)
                or first_order.get(person)
            )
        return home[person]

    for person in forest.nodes:
        forest.nodes[person]["home"] = home_of(person)
        forest.nodes[person]["staff"] = person in staff_store
    return forest


def engagement_graph(folder: Path, people: Iterable[str] | None = None) -> nx.DiGraph:
    """The influence graph (DESIGN.md §5 "Influence") from the raw share and visit files."""
    shares = _read(folder, "shares")[["share_id", "sharer_id"]]
    visits = _read(folder, "visits")[["share_id", "visitor_id"]]
    pairs = visits.merge(shares, on="share_id")
    pairs = pairs[pairs.visitor_id != pairs.sharer_id]
    if people is not None:
        keep = set(people)
        pairs = pairs[pairs.visitor_id.isin(keep) & pairs.sharer_id.isin(keep)]
    weights = pairs.groupby(["visitor_id", "sharer_id"]).share_id.nunique()
    graph = nx.DiGraph()
    graph.add_weighted_edges_from(
        (visitor, sharer, int(w)) for (visitor, sharer), w in weights.items()
    )
    return graph


# ----------------------------------------------------------------------------- test data


def minute(m: int) -> str:
    """A timestamp `m` minutes into the hand-built timeline (from 2026-05-02 08:00 +08:00)."""
    day, rest = divmod(m, 600)
    return f"2026-05-{2 + day:02d}T{8 + rest // 60:02d}:{rest % 60:02d}:00+08:00"


def referral_tree(
    tree: dict[str, list[str]], start: int = 0, content: str = "K1"
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Share and visit rows that make `tree` (parent -> children) a first-touch referral tree.

    Breadth first from the first key: each parent shares `sh-<parent>`, then each child's first
    appearance is a visit to it, one minute apart from minute `start` on. The root must have
    appeared before (staff do, from import).
    """
    shares: list[dict[str, str]] = []
    visits: list[dict[str, str]] = []
    clock = start
    queue = [next(iter(tree))]
    while queue:
        parent = queue.pop(0)
        children = tree.get(parent, [])
        if not children:
            continue
        shares.append(share(f"s-{parent}", f"sh-{parent}", parent, minute(clock), content=content))
        for child in children:
            clock += 1
            visits.append(visit(f"v-{child}", f"sh-{parent}", child, minute(clock)))
        clock += 1
        queue.extend(children)
    return shares, visits


# ----------------------------------------------------------------------------- shared fixture

TINY_SEED = 11
_loaded: dict[str, dict[str, object]] = {}


def _fingerprint(gateway: Gateway) -> dict[str, object]:
    """Node and relationship counts plus seed-dependent sums: tells loaded data sets apart."""
    sums = gateway.read(
        "OPTIONAL MATCH (o:Order) WITH sum(o.amount) AS amount "
        "OPTIONAL MATCH (:Person)-[v:VISITED]->(:Share) "
        "RETURN amount, count(v) AS visits, max(v.at) AS last_visit"
    )[0]
    return {**counts(gateway), **sums}


@pytest.fixture(scope="session")
def tiny_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Raw files of the generated `tiny` brand (seed 11), written once per test session."""
    folder = tmp_path_factory.mktemp("tiny")
    generate("tiny", TINY_SEED, folder)
    return folder


@pytest.fixture
def tiny(gateway: Gateway, tiny_files: Path) -> tuple[Gateway, Path]:
    """The database holding the `tiny` brand with influence refreshed, and its raw files.

    Loaded once and reused while the database keeps the same fingerprint, so several test
    modules share one load; reloaded after anything else was loaded. Tests using it must only
    read.
    """
    key = str(tiny_files)
    if _loaded.get(key) != _fingerprint(gateway):
        wipe(gateway)
        assert load_files(gateway, [tiny_files]).total("rejected") == 0
        refresh_influence(gateway)
        _loaded[key] = _fingerprint(gateway)
    return gateway, tiny_files
