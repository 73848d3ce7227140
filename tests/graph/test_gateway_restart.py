"""Neo4j stopped and restarted in the middle of a load and of API traffic, on a throwaway server
of this test's own (the session's server is never stopped):

- the load retries through the outage (the gateway waits FISSION_NEO4J_TRANSACTION_RETRY_SECONDS
  and re-runs a commit of unknown outcome) and ends with the graph of an uninterrupted load:
  nothing lost, nothing counted twice;
- while the database is down the API answers 503 in the error shape with `Retry-After`, and
  `/health` says `degraded`; once it is back, both recover by themselves.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from fission.localserver import throwaway_server
from fission.settings import Settings
from graph.gateway import Gateway
from loaders.pipeline import LoadReport, load_files
from synthetic import generate
from tests.api.conftest import api_settings, key
from tests.helpers import fingerprint, wipe
from tests.loaders.test_crash import BATCH_ROWS, BRAND, visits


@pytest.mark.slow
def test_a_restart_during_a_load_and_api_traffic_loses_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "brand"
    summary = generate(BRAND, seed=5, out=folder, fmt="csv")
    base = Settings(_env_file=None)  # type: ignore[call-arg]
    with throwaway_server(base, tmp_path / "neo4j") as server:
        settings = base.model_copy(
            update={
                "neo4j_uri": server.bolt_uri,
                "neo4j_password": SecretStr(server.password()),
                "load_batch_rows": BATCH_ROWS,
                "api_database_wait_seconds": 1.0,
            }
        )
        with Gateway(settings) as gateway:
            load_files(gateway, [folder])
            whole = fingerprint(gateway)
            wipe(gateway)

            reports: list[LoadReport] = []
            errors: list[BaseException] = []

            def run_load() -> None:
                try:
                    reports.append(load_files(gateway, [folder]))
                except BaseException as exc:
                    errors.append(exc)

            app = create_app(api_settings(settings, tmp_path))
            with TestClient(app) as client:
                assert client.get("/health").json()["status"] == "ok"
                loader = threading.Thread(target=run_load)
                loader.start()
                while visits(gateway) < summary.counts["visits"] // 4:
                    assert loader.is_alive(), errors
                    time.sleep(0.05)
                server.stop()
                down = client.get("/stores", headers=key("hq"))
                assert down.status_code == 503, down.text
                assert down.json()["error"]["code"] == "database_unavailable"
                assert "try again" in down.json()["error"]["message"]
                assert down.headers["retry-after"]
                health = client.get("/health").json()
                assert (health["status"], health["neo4j_reachable"]) == ("degraded", False)
                assert health["problem"]
                assert loader.is_alive(), "the load gave up instead of waiting"

                server.start(timeout=240)
                loader.join(timeout=600)
                assert not errors, errors
                assert reports and reports[0].total("rejected") == 0
                deadline = time.monotonic() + 60
                while client.get("/stores", headers=key("hq")).status_code != 200:
                    assert time.monotonic() < deadline, "the API did not recover"
                    time.sleep(0.5)
                assert client.get("/health").json()["status"] == "ok"
            again = fingerprint(gateway)
            assert again["counts"] == whole["counts"]
            assert again["derived_sha256"] == whole["derived_sha256"]
