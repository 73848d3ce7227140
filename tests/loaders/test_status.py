"""The operations status against the real Neo4j: loads, held events, derivation backlog,
influence age, database size and warnings, on hand-made graphs with known answers."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from graph.gateway import Gateway
from graph.influence import refresh_influence
from loaders.runs import START, run_load
from loaders.status import INFLUENCE_REFRESH, RECENT_RUNS, operations_status, store_bytes
from loaders.stream import ingest
from tests.helpers import plan_operators, reference_files, share, ts, visit, write_rows

T = datetime(2026, 5, 10, 8, 0, tzinfo=UTC)


def with_settings(gateway: Gateway, **changes: object) -> Gateway:
    """The same database, with other thresholds."""
    return Gateway(gateway.settings.model_copy(update=changes), driver=gateway.driver)


def brand(folder: Path) -> Path:
    reference_files(folder)
    write_rows(folder, "shares", [share("e1", "sh1", "M1", ts(1)), share("e2", "sh2", "C1", ts(1))])
    write_rows(
        folder,
        "visits",
        [visit("v1", "sh1", "P1", ts(1, 13)), visit("v2", "sh2", "P2", ts(1, 14))],
    )
    return folder


def held(event_id: str, share_id: str) -> dict[str, object]:
    return {"type": "visit", **visit(event_id, share_id, "P9", ts(2))}


def test_an_empty_database(graph: Gateway) -> None:
    status = operations_status(graph, now=T)
    assert (status.last_load, status.data_as_of, status.recent_loads) == (None, None, [])
    assert (status.held.count, status.held.oldest, status.held.by_reason) == (0, None, [])
    assert status.stale_people == 0
    assert status.influence.refreshed_at is None
    assert (status.database.nodes, status.database.people) == (0, 0)
    assert status.warnings == []  # nothing loaded, so no influence to miss either


def test_loads_held_events_backlog_and_influence(graph: Gateway, tmp_path: Path) -> None:
    first = run_load(graph, [brand(tmp_path)], derive=False)
    status = operations_status(graph)
    assert status.last_load is not None and status.last_load.id == first.run_id
    assert status.data_as_of == status.last_load.finished_at
    assert (status.last_load.read, status.last_load.accepted) == (2 + 3 + 2 + 2 + 2, 11)
    # The events' effects are derived as they are written; the three staff rows' roles await
    # `fission derive`.
    assert status.stale_people == 3
    assert any("3 people await derivation" in w for w in status.warnings)

    ingest(graph, [held("h1", "sh-later"), held("h2", "sh-later"), held("h3", "sh-other")])
    received = datetime.now(UTC)
    ingest(graph, [{"type": "share", **share("e3", "sh3", "M1", ts(2), content="K-later")}])
    status = operations_status(graph)
    assert status.stale_people == 0  # ingestion derives what it changed, and what was pending
    assert status.held.count == 4
    assert status.held.oldest is not None and status.held.oldest <= received
    groups = {(g.kind, g.waiting_for): g.count for g in status.held.by_reason}
    assert groups == {("visits", "unknown share_id"): 3, ("shares", "unknown content_id"): 1}
    examples = {g.example for g in status.held.by_reason}
    assert examples == {"unknown share_id sh-later", "unknown content_id K-later"}

    refresh_influence(graph, now=T)
    assert operations_status(graph, now=T + timedelta(hours=2)).influence.age_hours == 2.0
    late = operations_status(graph, now=T + timedelta(hours=30))
    assert late.influence.refreshed_at == T
    assert any("Influence is 30 h old" in w for w in late.warnings)

    strict = operations_status(with_settings(graph, held_warn_count=4), now=T)
    assert any("Events held waiting for what they name: 4," in w for w in strict.warnings)
    assert not any("held" in w for w in operations_status(graph, now=T).warnings)


def test_an_older_database_falls_back_to_the_scores_themselves(
    graph: Gateway, tmp_path: Path
) -> None:
    run_load(graph, [brand(tmp_path)])
    refresh_influence(graph, now=T)
    graph.driver.execute_query("MATCH (r:InfluenceRefresh) DELETE r", database_=graph.database)
    assert operations_status(graph).influence.refreshed_at == T


def test_status_reads_neither_every_run_nor_every_person(graph: Gateway) -> None:
    """The latest runs come from the started_at index, not a sort of every run (200 000 runs:
    49 -> 5 ms); the recorded refresh is one seek, and the scan of every person's score runs
    only without one (764 000 people: 22 -> 2.5 ms a status)."""
    runs = plan_operators(graph, RECENT_RUNS, limit=5)
    assert "NodeIndexScan" in runs and not {"Sort", "Top", "NodeByLabelScan"} & set(runs), runs
    refresh = plan_operators(graph, INFLUENCE_REFRESH)
    assert "NodeUniqueIndexSeek" in refresh and "NodeByLabelScan" not in refresh, refresh


def test_a_failed_load_is_warned_about(graph: Gateway, tmp_path: Path) -> None:
    (tmp_path / "mystery.csv").write_text("colour\nred\n")
    with pytest.raises(Exception, match="cannot tell"):
        run_load(graph, [tmp_path / "mystery.csv"])
    status = operations_status(graph)
    assert status.last_load is not None and status.last_load.status == "failed"
    assert any("failed: InvalidInput" in w for w in status.warnings)
    assert status.data_as_of is None


def test_a_load_running_for_too_long_is_warned_about(graph: Gateway) -> None:
    run = {"id": "killed", "source": "watch", "files": ["x.csv"], "since": None, "until": None}
    graph.write(START, run=run, now=datetime.now(UTC) - timedelta(hours=13))
    graph.write(START, run={**run, "id": "newest"}, now=datetime.now(UTC) - timedelta(hours=1))
    assert not any("running" in w for w in operations_status(graph).warnings)
    graph.driver.execute_query(
        "MATCH (r:LoadRun {id: 'newest'}) DELETE r", database_=graph.database
    )
    assert any("has been running for 13 h" in w for w in operations_status(graph).warnings)


def test_database_size_agrees_with_du(graph: Gateway, tmp_path: Path) -> None:
    run_load(graph, [brand(tmp_path)])
    size = operations_status(graph).database
    rows = graph.read("MATCH (n) RETURN count(n) AS n")
    assert size.nodes == rows[0]["n"]
    assert size.people == 5  # M1, C1, M2 (staff), P1, P2 (visitors)
    assert size.store_bytes is not None, size.store_note
    folders = size.store_note.removeprefix("measured on this machine: ").split(" and ")
    du = subprocess.run(["du", "-s", "-B1", *folders], capture_output=True, text=True, check=True)
    expected = sum(int(line.split()[0]) for line in du.stdout.splitlines())
    assert abs(size.store_bytes - expected) <= 0.02 * expected  # the server may write meanwhile


def test_a_data_folder_not_visible_from_here(tmp_path: Path) -> None:
    remote = {"server.directories.data": Path("/data")}
    assert store_bytes(remote, "neo4j")[0] is None
    assert "not visible from this machine" in store_bytes(remote, "neo4j")[1]
    (tmp_path / "databases" / "neo4j").mkdir(parents=True)
    (tmp_path / "databases" / "neo4j" / "neostore").write_bytes(b"x" * 10_000)
    (tmp_path / "transactions" / "neo4j").mkdir(parents=True)
    local = {"server.directories.data": tmp_path}
    measured, note = store_bytes(local, "neo4j")
    assert measured is not None and measured >= 10_000
    assert str(tmp_path / "transactions" / "neo4j") in note
