"""The drop folder against the real Neo4j: files dropped are loaded once and moved, partial
uploads wait, bad files fail with their reasons, and a restart loads nothing twice."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from fission.errors import ConfigurationError
from graph.gateway import Gateway
from graph.influence import refresh_influence
from loaders import watch
from loaders.models import REFERENCE_KINDS
from loaders.runs import run_load
from loaders.status import load_runs
from loaders.watch import DropFolder, WatchOptions
from synthetic import generate
from tests.helpers import data_counts, reference_files, share, ts, visit, write_rows

NOW = WatchOptions(interval=0.1, settle=0)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tiny-watch")
    generate("tiny", 13, folder, fmt="csv")
    return folder


def expected_nodes(tiny: Path) -> dict[str, int]:
    """The generator's own count of what the graph must hold."""
    return json.loads((tiny / "summary.json").read_text())["nodes"]


def graph_nodes(gateway: Gateway, labels: dict[str, int]) -> dict[str, int]:
    counted = data_counts(gateway)
    return {label: counted.get(f"node:{label}", 0) for label in labels}


def drop(source: Path, folder: Path, *names: str) -> None:
    folder.mkdir(exist_ok=True)
    for name in names or [p.name for p in source.glob("*.csv")]:
        shutil.copy(source / name, folder / name)


def listing(folder: Path) -> set[str]:
    """Every file under the folder, relative, with the date folder written as DATE."""
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    return {
        str(p.relative_to(folder)).replace(today, "DATE")
        for p in folder.rglob("*")
        if p.is_file() and ".fission" not in p.parts
    }


def loaded_files(gateway: Gateway) -> list[dict[str, object]]:
    return gateway.read(
        "MATCH (f:LoadedFile) RETURN f.name AS name, f.outcome AS outcome, "
        "f.moved_at IS NOT NULL AS moved ORDER BY name"
    )


def test_dropped_files_are_loaded_in_dependency_order_and_moved(
    graph: Gateway, tiny: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "drop"
    drop(tiny, folder)
    names = sorted(p.name for p in folder.iterdir())
    cycle = DropFolder(graph, folder, NOW).poll()
    # Alphabetically notes.csv comes before staff.csv and shares.csv before stores.csv: one run
    # loads them in dependency order, so nothing is refused.
    assert sorted(h.name for h in cycle.loaded) == names
    assert {h.outcome for h in cycle.handled} == {"done"}
    assert listing(folder) == {f"done/DATE/{n}" for n in names}
    assert graph_nodes(graph, expected_nodes(tiny)) == expected_nodes(tiny)
    [run] = load_runs(graph)
    assert (run.id, run.source, run.status, run.rejected) == (cycle.run_ids[0], "watch", "done", 0)
    assert sorted(Path(f).name for f in run.files) == names
    assert loaded_files(graph) == [{"name": n, "outcome": "done", "moved": True} for n in names]
    assert list((folder / ".fission").glob("*.csv")) == []  # no rejects left behind


def test_partial_uploads_wait_until_complete(graph: Gateway, tiny: Path, tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    drop(tiny, folder, "stores.csv", "staff.csv", "content.csv")
    shutil.copy(tiny / "shares.csv", folder / "shares.csv.part")
    watcher = DropFolder(graph, folder, NOW)
    cycle = watcher.poll()
    assert cycle.waiting == ["shares.csv.part"]
    assert "shares.csv.part" in listing(folder)
    assert graph.read("MATCH (s:Share) RETURN count(s) AS n")[0]["n"] == 0

    (folder / "shares.csv.part").rename(folder / "shares.csv")  # the upload completes
    assert [h.name for h in watcher.poll().loaded] == ["shares.csv"]
    assert graph.read("MATCH (s:Share) RETURN count(s) AS n")[0]["n"] > 0

    # A writer that does not rename: the file waits until it has not changed for `settle`.
    settling = DropFolder(graph, folder, WatchOptions(settle=60))
    shutil.copy(tiny / "visits.csv", folder / "visits.csv")
    assert settling.poll().waiting == ["visits.csv"]
    assert "visits.csv" in listing(folder)
    two_minutes_ago = time.time() - 120
    os.utime(folder / "visits.csv", (two_minutes_ago, two_minutes_ago))
    assert [h.name for h in settling.poll().loaded] == ["visits.csv"]

    # With markers: only once `<name>.done` is there; the marker goes away with the file.
    marked = DropFolder(graph, folder, WatchOptions(settle=0, marker=True))
    shutil.copy(tiny / "orders.csv", folder / "orders.csv")
    assert marked.poll().waiting == ["orders.csv"]
    (folder / "orders.csv.done").touch()
    assert [h.name for h in marked.poll().loaded] == ["orders.csv"]
    assert not (folder / "orders.csv.done").exists()
    assert "done/DATE/orders.csv" in listing(folder)


def a_visit_without_offset(folder: Path) -> Path:
    """Reference data, a share, and two visits to it: v1, and v2 whose time has no offset."""
    reference_files(folder)
    write_rows(folder, "shares", [share("e1", "sh1", "M1", ts(2))])
    write_rows(
        folder,
        "visits",
        [visit("v1", "sh1", "P1", ts(2, 13)), visit("v2", "sh1", "P2", "2026-05-02 13:00")],
    )
    return folder


def test_bad_files_end_in_failed_with_their_reasons(graph: Gateway, tmp_path: Path) -> None:
    folder = a_visit_without_offset(tmp_path / "drop")
    (folder / "mystery.csv").write_text("colour,size\nred,9\n")
    (folder / "orders.parquet").write_bytes(b"PAR1 this is not really parquet")
    # A header that reads, then a line that breaks the CSV reader half-way through the load.
    write_rows(folder, "agents", [{"event_id": "a1", "person_id": "P1", "store_id": "S1",
                                   "invited_by": "", "at": ts(3)}])  # fmt: skip
    with (folder / "agents.csv").open("a") as handle:
        handle.write("a2,P2,S1,,2026-05-03T12:00:00+08:00,one,too,many\n")
    (folder / "notes.xlsx").write_bytes(b"a spreadsheet")

    cycle = DropFolder(graph, folder, NOW).poll()
    assert listing(folder) == {
        "done/DATE/stores.csv",
        "done/DATE/staff.csv",
        "done/DATE/content.csv",
        "done/DATE/shares.csv",
        "failed/visits.csv",
        "failed/visits.csv.rejects.csv",
        "failed/mystery.csv",
        "failed/mystery.csv.error.txt",
        "failed/orders.parquet",
        "failed/orders.parquet.error.txt",
        "failed/notes.xlsx",
        "failed/notes.xlsx.error.txt",
        "failed/agents.csv",
        "failed/agents.csv.error.txt",
    }
    reasons = {h.name: h.reason for h in cycle.handled if h.outcome == "failed"}
    assert reasons["visits.csv"] == "1 rows refused"
    rejects = (folder / "failed" / "visits.csv.rejects.csv").read_text()
    assert "at: needs a timezone offset" in rejects and "v2" in rejects
    assert "cannot tell what it holds" in (folder / "failed/mystery.csv.error.txt").read_text()
    assert "unknown format" in (folder / "failed/notes.xlsx.error.txt").read_text()
    assert "cannot read it" in (folder / "failed/orders.parquet.error.txt").read_text()
    assert "Expected 5 fields" in (folder / "failed/agents.csv.error.txt").read_text()
    # The good rows of every file are in, the bad file's included.
    visited = graph.read("MATCH ()-[v:VISITED]->() RETURN collect(v.event_id) AS ids")[0]["ids"]
    assert visited == ["v1"]
    outcomes = {r["name"]: r["outcome"] for r in loaded_files(graph)}
    assert outcomes["visits.csv"] == outcomes["orders.parquet"] == outcomes["agents.csv"]
    assert outcomes["agents.csv"] == "failed"
    assert outcomes["shares.csv"] == "done"


def test_a_few_rejects_may_be_allowed(graph: Gateway, tmp_path: Path) -> None:
    folder = a_visit_without_offset(tmp_path / "drop")
    DropFolder(graph, folder, WatchOptions(settle=0, max_rejects=1)).poll()
    assert {"done/DATE/visits.csv", "done/DATE/visits.csv.rejects.csv"} <= listing(folder)


def test_a_failed_file_dropped_again_is_loaded_again(graph: Gateway, tmp_path: Path) -> None:
    folder = a_visit_without_offset(tmp_path / "drop")
    watcher = DropFolder(graph, folder, NOW)
    first = watcher.poll()
    shutil.copy(folder / "failed" / "visits.csv", folder / "visits.csv")  # sent again as it was
    again = watcher.poll()
    assert again.run_ids and again.run_ids != first.run_ids  # loaded again, not skipped
    [handled] = again.handled
    assert (handled.name, handled.outcome, handled.loaded) == ("visits.csv", "failed", True)
    assert handled.moved_to.name.startswith("visits-")  # failed/visits.csv is taken
    assert handled.moved_to.with_name(handled.moved_to.name + ".rejects.csv").exists()
    [run, _] = load_runs(graph)
    assert (run.duplicates, run.rejected) == (1, 1)


def test_a_restart_between_load_and_move_loads_nothing_twice(
    graph: Gateway, tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "drop"
    drop(tiny, folder)
    names = sorted(p.name for p in folder.iterdir())

    def killed(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt  # the process dies: nothing after this point runs

    with monkeypatch.context() as patch:
        patch.setattr(DropFolder, "_move", killed)
        with pytest.raises(KeyboardInterrupt):
            DropFolder(graph, folder, NOW).poll()
    assert sorted(listing(folder)) == names  # loaded, recorded, not moved
    loaded = data_counts(graph)
    assert len(load_runs(graph)) == 1

    cycle = DropFolder(graph, folder, NOW).poll()  # the restarted watcher
    assert cycle.run_ids == [] and cycle.loaded == []
    assert sorted(h.name for h in cycle.handled) == names
    assert listing(folder) == {f"done/DATE/{n}" for n in names}
    assert len(load_runs(graph)) == 1
    assert data_counts(graph) == loaded
    assert graph_nodes(graph, expected_nodes(tiny)) == expected_nodes(tiny)


def test_an_interrupted_load_is_loaded_again_without_applying_anything_twice(
    graph: Gateway, tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "drop"
    drop(tiny, folder)
    real_run_load = watch.run_load

    def load_then_die(*args: object, **kwargs: object) -> None:
        real_run_load(*args, **kwargs)  # type: ignore[arg-type]
        raise KeyboardInterrupt  # killed before the outcome was recorded

    with monkeypatch.context() as patch:
        patch.setattr(watch, "run_load", load_then_die)
        with pytest.raises(KeyboardInterrupt):
            DropFolder(graph, folder, NOW).poll()
    assert {r["outcome"] for r in loaded_files(graph)} == {"loading"}
    loaded = data_counts(graph)

    cycle = DropFolder(graph, folder, NOW).poll()
    assert len(cycle.loaded) == len(list(tiny.glob("*.csv")))
    again = load_runs(graph)[0]
    assert again.id == cycle.run_ids[0]
    assert again.per_type is not None and again.read is not None
    reference = sum(again.per_type[k]["read"] for k in REFERENCE_KINDS)
    assert again.accepted == reference  # reference rows are upserted; every event is a duplicate
    assert again.duplicates == again.read - reference
    assert data_counts(graph) == loaded


def test_the_same_content_dropped_again_is_not_loaded_again(
    graph: Gateway, tiny: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "drop"
    drop(tiny, folder, "stores.csv", "staff.csv", "content.csv")
    watcher = DropFolder(graph, folder, NOW)
    watcher.poll()
    drop(tiny, folder, "stores.csv")
    shutil.copy(tiny / "staff.csv", folder / "staff-copy.csv")
    cycle = watcher.poll()
    assert cycle.run_ids == []
    assert sorted((h.name, h.loaded) for h in cycle.handled) == [
        ("staff-copy.csv", False),
        ("stores.csv", False),
    ]
    moved = {h.name: h.moved_to.name for h in cycle.handled}
    assert moved["stores.csv"].startswith("stores-") and moved["stores.csv"].endswith(".csv")
    assert len(load_runs(graph)) == 1


def test_one_watcher_per_folder(graph: Gateway, tmp_path: Path) -> None:
    second = DropFolder(graph, tmp_path, NOW)
    refused = pytest.raises(ConfigurationError, match=f"pid {os.getpid()}")
    with DropFolder(graph, tmp_path, NOW).locked(), refused, second.locked():
        pass
    with second.locked():  # free again once the first one stops
        pass


def test_influence_is_refreshed_once_the_loads_are_done(
    graph: Gateway, tiny: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "drop"
    drop(tiny, folder)
    watcher = DropFolder(graph, folder, NOW)
    assert not watcher.influence_due()  # nothing loaded yet
    watcher.run(threading.Event(), once=True)
    [run] = load_runs(graph)
    refreshed = graph.read("MATCH (r:InfluenceRefresh) RETURN r.at AS at")[0]["at"]
    assert run.finished_at is not None and refreshed >= run.finished_at
    scored = graph.read("MATCH (p:Person) WHERE p.influence > 0 RETURN count(p) AS n")[0]["n"]
    assert scored > 0
    assert not watcher.influence_due()

    # Another load finishes while a file waits in the folder: not before that file is in.
    run_load(graph, [tiny / "stores.csv"])
    write_rows(folder, "stores", [{"store_id": "S9", "name": "Xuhui"}])
    assert not watcher.influence_due()
    watcher.poll()
    assert watcher.influence_due()


def test_influence_on_a_schedule(graph: Gateway, tmp_path: Path) -> None:
    hourly = DropFolder(graph, tmp_path, WatchOptions(influence_every=timedelta(hours=1)))
    assert hourly.influence_due()  # never refreshed
    refresh_influence(graph)
    assert not hourly.influence_due()
    assert hourly.influence_due(datetime.now(UTC) + timedelta(hours=1, minutes=1))
    off = DropFolder(graph, tmp_path, WatchOptions(influence=False))
    assert not off.influence_due()
