"""Personal data: with the brand's secret set, raw person ids (WeChat openids) are pseudonymised
at the edge — in files, events, notes, paths and query parameters — so that no raw id reaches
the graph, Neo4j's store files and transaction logs, the reject file or the API's logs (scanned
byte for byte, with a control value that must be found to show the scan works). Keys never
reach the access log. Erasure leaves nothing any query can return."""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from fission.localserver import free_ports
from fission.settings import Settings
from graph.gateway import Gateway
from loaders.pipeline import load_files
from loaders.pseudonyms import is_pseudonym, pseudonym
from tests.api.conftest import api_settings, key
from tests.helpers import CONTENT, STORES, friendship, order, share, ts, visit, wipe, write_rows

SECRET = SecretStr("brand-secret-for-tests")


def openid() -> str:
    """A raw id long enough to be stored as plain bytes (short strings are packed)."""
    return "o" + secrets.token_urlsafe(48)[:63]


def test_pseudonyms_are_keyed_stable_and_recognised() -> None:
    raw = openid()
    made = pseudonym(raw, SECRET)
    assert is_pseudonym(made) and made == pseudonym(raw, SECRET) != raw
    assert pseudonym(raw, SecretStr("another brand")) != made
    assert pseudonym(made, SECRET) == made  # an id Fission answered with passes unchanged
    assert pseudonym(raw, None) == raw


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def served(
    neo4j_settings: Settings, gateway: Gateway, tmp_path: Path
) -> Iterator[tuple[str, Collect, Gateway]]:
    """The API with the brand's secret, served by uvicorn, its access log collected."""
    settings = api_settings(neo4j_settings, tmp_path).model_copy(
        update={"pseudonym_secret": SECRET}
    )
    with Gateway(settings) as private:
        (port,) = free_ports(1)
        server = uvicorn.Server(
            uvicorn.Config(create_app(settings, private), host="127.0.0.1", port=port)
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        collect = Collect()
        logging.getLogger("uvicorn.access").addHandler(collect)
        try:
            yield f"http://127.0.0.1:{port}", collect, private
        finally:
            logging.getLogger("uvicorn.access").removeHandler(collect)
            server.should_exit = True
            thread.join(timeout=30)


def scan(folder: Path, values: list[str]) -> set[str]:
    """The values found, as bytes, in any file under `folder`."""
    found: set[str] = set()
    wanted = {v: v.encode() for v in values}
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found |= {v for v, b in wanted.items() if b in data}
    return found


def test_raw_person_ids_never_reach_the_graph_the_store_files_or_the_logs(
    served: tuple[str, Collect, Gateway], neo4j_home: Path | None, tmp_path: Path
) -> None:
    base, access_log, gateway = served
    wipe(gateway)
    staff, member, visitor, friend, noted = (openid() for _ in range(5))
    control = "sh" + secrets.token_urlsafe(48)[:62]  # a share id: not personal, stored as is
    folder = tmp_path / "files"
    write_rows(folder, "stores", STORES)
    write_rows(
        folder, "staff", [{"person_id": staff, "store_id": "S1", "role": "clerk",
                           "display_name": "Chen"}],
    )  # fmt: skip
    write_rows(folder, "content", CONTENT)
    write_rows(folder, "shares", [share("e1", control, staff, ts(1))])
    write_rows(
        folder,
        "visits",
        [visit("e2", control, member, ts(2)), visit("e3", "no-such-share", visitor, ts(2))],
    )
    write_rows(
        folder,
        "orders",
        [order("e4", member, "S1", ts(3)), order("e5", visitor, "S1", ts(3), amount=-1)],
    )
    rejects = tmp_path / "rejects.csv"
    report = load_files(gateway, [folder], reject_path=rejects)
    assert (report.total("rejected"), report.total("held")) == (1, 1)  # the share may come

    headers = {**key("hq"), "Content-Type": "application/json"}
    with httpx.Client(base_url=base, headers=headers, timeout=60, follow_redirects=True) as client:
        events = [
            {"type": "visit", **visit("e6", control, friend, ts(4))},
            {"type": "friendship", **friendship("e7", staff, friend, ts(5))},
        ]
        statuses = client.post("/events", json=events).json()["events"]
        assert [s["status"] for s in statuses] == ["accepted", "accepted"]
        profile = client.get(f"/people/{member}")
        assert profile.status_code == 200 and is_pseudonym(profile.json()["person_id"])
        assert profile.json()["referrer_id"] == pseudonym(staff, SECRET)
        by_pseudonym = client.get(f"/people/{pseudonym(member, SECRET)}")
        assert by_pseudonym.json()["person_id"] == profile.json()["person_id"]
        path = client.get(f"/staff/{staff}/introduction-path", params={"to": friend})
        assert path.status_code == 200 and path.json()["status"] == "already_friends"
        note = client.post(f"/staff/{staff}/notes", json={"person_id": member, "kind": "contacted"})
        assert note.status_code == 201, note.text
        client.post("/events", json=[{"type": "visit", **visit("e8", control, noted, ts(6))}])
        page = client.get(f"/stores/S1/map?key=key-hq&staff={staff}&path_to={friend}")
        assert page.status_code == 200
    raw = [staff, member, visitor, friend, noted]

    stored = gateway.read(
        "MATCH (n) UNWIND keys(n) AS k WITH n[k] AS v WHERE v IS :: STRING RETURN v "
        "UNION MATCH ()-[r]->() UNWIND keys(r) AS k WITH r[k] AS v WHERE v IS :: STRING RETURN v"
    )
    values = " ".join(r["v"] for r in stored)
    assert not [r for r in raw if r in values] and control in values
    assert not [r for r in raw if r in rejects.read_text()]
    log = "\n".join(access_log.lines)
    assert f"/people/{pseudonym(member, SECRET)}" in log
    assert not [r for r in raw if r in log]
    assert "key-hq" not in log and "key=<redacted>" in log
    if neo4j_home is not None:  # the store files and transaction logs of the session's server
        assert scan(neo4j_home / "data", [*raw, control]) == {control}
        assert scan(neo4j_home / "logs", raw) == set()


def test_erasure_leaves_nothing_any_query_can_return(
    app_client: TestClient, cross_brand: Gateway
) -> None:
    erased = app_client.delete("/people/A1", headers=key("hq"))
    assert erased.status_code == 200, erased.text
    stored = cross_brand.read(
        "MATCH (n) RETURN properties(n) AS p UNION ALL MATCH ()-[r]->() RETURN properties(r) AS p"
    )
    assert "'A1'" not in repr([r["p"] for r in stored])
    for route in ("/people/A1", "/people/A1/reach", "/people/A1/cascade",
                  "/staff/C1/introduction-path?to=A1"):  # fmt: skip
        assert app_client.get(route, headers=key("hq")).status_code == 404, route
    others = ["/stores/S1/attribution", "/stores/S1/network", "/stores/S1/key-nodes",
              "/people/W2/cascade", "/people/M1/cascade", "/staff/M1/recommendations"]  # fmt: skip
    for route in others:
        assert '"A1"' not in app_client.get(route, headers=key("hq")).text, route
