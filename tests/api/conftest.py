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
    return settings.model_copy(update={
        "api_keys": [entry for _, entry in KEYS.values()],
        "api_keys_file": tmp / "no-keys.json",
    })  # fmt: skip


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
