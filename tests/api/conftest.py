"""API test fixtures: the app on the real test database, with one key per role."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import hash_key
from fission.settings import ApiKeyEntry, Settings
from graph.gateway import Gateway
from graph.influence import refresh_influence
from loaders.pipeline import load_files
from tests.helpers import (
    CONTENT,
    STORES,
    friendship,
    order,
    share,
    ts,
    visit,
    wipe,
    write_rows,
)

KEYS = {
    "hq": ("key-hq", ApiKeyEntry(name="hq", role="hq", sha256=hash_key("key-hq"))),
    "s1": ("key-s1", ApiKeyEntry(name="s1-app", role="store", store_id="S1",
                                 sha256=hash_key("key-s1"))),
    "s2": ("key-s2", ApiKeyEntry(name="s2-app", role="store", store_id="S2",
                                 sha256=hash_key("key-s2"))),
    "ingest": ("key-ingest", ApiKeyEntry(name="backend", role="ingest",
                                         sha256=hash_key("key-ingest"))),
    "m1": ("key-m1", ApiKeyEntry(name="M1 phone", role="staff", store_id="S1", staff_id="M1",
                                 sha256=hash_key("key-m1"))),
}  # fmt: skip


def api_settings(settings: Settings, tmp: Path) -> Settings:
    # Served recommendation lists are written when a test flushes them or when it ends
    # (`_served_lists_written`), never by the log's thread in the middle of a later test.
    return settings.model_copy(update={
        "api_keys": [entry for _, entry in KEYS.values()],
        "api_keys_file": tmp / "no-keys.json",
        "recommendation_log_seconds": 3600.0,
    })  # fmt: skip


@pytest.fixture(autouse=True)
def _served_lists_written(request: pytest.FixtureRequest) -> Iterator[None]:
    """Writes the lists a test served into its own graph when it ends (the session's app
    outlives the test's data)."""
    yield
    if "app_client" in request.fixturenames:
        request.getfixturevalue("app_client").app.state.served.flush()


@pytest.fixture(scope="session")
def app_client(
    neo4j_settings: Settings, gateway: Gateway, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    """One app for the session, sharing the test gateway; send keys per request."""
    settings = api_settings(neo4j_settings, tmp_path_factory.mktemp("api"))
    with TestClient(create_app(settings, gateway)) as client:
        yield client


def key(who: str) -> dict[str, str]:
    """Headers for one of the test keys: hq, s1 (store S1), s2 (store S2), ingest, m1 (staff
    member M1 of store S1)."""
    return {"X-API-Key": KEYS[who][0]}


# People of store S2 (and its name, staff names) that answers to an S1 key must never show.
FOREIGN = {"M2", "K2", "X2", "G2", "W2", "S2", "Li", "Wang"}


def write_cross_store_brand(folder: Path) -> None:
    """Two stores whose people meet. S1: M1 (manager), C1 (clerk); A1, B1, T1 visit M1's
    share; T1 shares on to U1 and V1 (T1 is S1's key node); A1 shares on to W2, an imported
    member of S2. S2: M2 (manager, "Li"), K2 (clerk, "Wang"); X2 visits M2's share; G2 too
    and becomes an S2 agent, then shares on to R1. Across the two: Q1, an imported member of
    S1, first visited M2's share and buys at S1 (credited to M2); R1, an imported member of S1,
    buys at S1 (credited to agent G2); C1 is friends with X2, X2 with T1 (C1's only way to T1);
    K2 is friends with A1 and notes A1 as "vip"."""
    write_rows(folder, "stores", STORES)
    write_rows(
        folder,
        "staff",
        [
            {"person_id": "M1", "store_id": "S1", "role": "manager", "display_name": "Ma"},
            {"person_id": "C1", "store_id": "S1", "role": "clerk", "display_name": "Chen"},
            {"person_id": "M2", "store_id": "S2", "role": "manager", "display_name": "Li"},
            {"person_id": "K2", "store_id": "S2", "role": "clerk", "display_name": "Wang"},
        ],
    )
    write_rows(folder, "content", CONTENT)
    write_rows(
        folder,
        "members",
        [
            {"person_id": "Q1", "store_id": "S1", "member_since": "2026-05-05"},
            {"person_id": "R1", "store_id": "S1", "member_since": "2026-05-05"},
            {"person_id": "W2", "store_id": "S2", "member_since": "2026-05-05"},
        ],
    )
    write_rows(
        folder,
        "shares",
        [
            share("s1", "sh1", "M1", ts(1, 9)),
            share("s2", "sh2", "M2", ts(1, 9)),
            share("s3", "sh4", "G2", ts(2, 9)),
            share("s4", "sh5", "T1", ts(4, 9), parent="sh1"),
            share("s5", "sh6", "A1", ts(3, 9), parent="sh1"),
        ],
    )
    write_rows(
        folder,
        "visits",
        [
            visit("v1", "sh1", "A1", ts(1, 10)),
            visit("v2", "sh1", "B1", ts(1, 11)),
            visit("v3", "sh1", "T1", ts(3, 8)),
            visit("v4", "sh2", "X2", ts(1, 10)),
            visit("v5", "sh2", "G2", ts(1, 12)),
            visit("v6", "sh2", "Q1", ts(2, 10)),
            visit("v7", "sh4", "R1", ts(3, 10)),
            visit("v8", "sh5", "U1", ts(4, 10)),
            visit("v9", "sh5", "V1", ts(4, 11)),
            visit("v10", "sh6", "W2", ts(4, 10)),
        ],
    )
    write_rows(
        folder, "orders", [order("o1", "Q1", "S1", ts(6), 100.0), order("o2", "R1", "S1", ts(6))]
    )
    write_rows(
        folder,
        "friendships",
        [
            friendship("f1", "C1", "X2", ts(5)),
            friendship("f2", "X2", "T1", ts(5)),
            friendship("f3", "K2", "A1", ts(5)),
        ],
    )
    write_rows(
        folder,
        "agents",
        [{"event_id": "g1", "person_id": "G2", "store_id": "S2", "invited_by": "M2",
          "at": ts(1, 13)}],
    )  # fmt: skip
    write_rows(
        folder,
        "notes",
        [{"event_id": "n1", "staff_id": "K2", "person_id": "A1", "at": ts(7), "kind": "tag",
          "text": "met at the Beijing store", "tag": "vip"}],
    )  # fmt: skip


@pytest.fixture(scope="module")
def cross_brand(gateway: Gateway, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    """The cross-store brand, loaded with influence, for the tests of one module."""
    folder = tmp_path_factory.mktemp("cross-brand")
    write_cross_store_brand(folder)
    wipe(gateway)
    report = load_files(gateway, [folder])
    assert report.total("rejected") == 0, report.to_dict()
    refresh_influence(gateway)
    yield gateway
    wipe(gateway)
