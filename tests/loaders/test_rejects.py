"""Loading a reject file again (`fission load --from-rejects`), against the real Neo4j."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from fission.errors import InvalidInput
from graph.gateway import Gateway
from loaders.rejects import read_reject_file, reload_rejects
from loaders.runs import run_load
from loaders.status import load_runs
from tests.helpers import reference_files, share, ts, visit, write_rows


def visited(gateway: Gateway) -> set[str]:
    rows = gateway.read("MATCH ()-[v:VISITED]->() RETURN v.event_id AS id")
    return {r["id"] for r in rows}


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def first_rejects(graph: Gateway, tmp_path: Path) -> Path:
    """A load with four refused rows: no offset, unknown action, visit before its share, and a
    JSON Lines line that is not JSON."""
    data = tmp_path / "data"
    reference_files(data)
    write_rows(data, "shares", [share("e1", "sh1", "M1", ts(2))])
    write_rows(
        data,
        "visits",
        [
            visit("v1", "sh1", "P1", ts(2, 13)),
            visit("v2", "sh1", "P2", "2026-05-02 13:00"),
            visit("v3", "sh1", "P3", ts(2, 14), action="dance"),
            visit("v4", "sh1", "P4", ts(1, 9)),
        ],
    )
    (data / "visits-late.jsonl").write_text(
        json.dumps(visit("v5", "sh1", "P5", ts(3))) + "\n{not json\n", encoding="utf-8"
    )
    rejects = tmp_path / "rejects.csv"
    report = run_load(graph, [data], reject_path=rejects).report
    assert report.total("rejected") == 4
    assert visited(graph) == {"v1", "v5"}
    return rejects


def test_unfixed_rows_are_refused_again_under_their_first_name(
    graph: Gateway, first_rejects: Path, tmp_path: Path
) -> None:
    again = tmp_path / "again.csv"
    reload = reload_rejects(graph, first_rejects, again)
    assert (reload.rebuilt, reload.not_rebuilt) == (3, 1)
    assert reload.run is not None and reload.run.report.total("rejected") == 3
    before = [
        (r["source"], r["row"], r["type"], r["key"], r["reason"]) for r in rows_of(first_rejects)
    ]
    after = [(r["source"], r["row"], r["type"], r["key"], r["reason"]) for r in rows_of(again)]
    assert sorted(after) == sorted(before)
    assert visited(graph) == {"v1", "v5"}
    [run, _] = load_runs(graph)
    assert (run.source, run.files) == ("rejects", [str(first_rejects)])


def test_fixed_rows_load(graph: Gateway, first_rejects: Path, tmp_path: Path) -> None:
    rows = rows_of(first_rejects)
    for row in rows:  # what someone fixing the file in a spreadsheet or with pandas does
        raw = json.loads(row["raw"]) if row["raw"] else None
        if raw and raw["event_id"] == "v2":
            raw["at"] = "2026-05-02T13:00:00+08:00"
        elif raw and raw["event_id"] == "v3":
            raw["action"] = "claim_coupon"
        row["raw"] = json.dumps(raw) if raw else ""
    with first_rejects.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    still = tmp_path / "still.csv"
    reload = reload_rejects(graph, first_rejects, still)
    assert reload.run is not None and reload.run.report.total("accepted") == 2
    assert visited(graph) == {"v1", "v2", "v3", "v5"}
    left = rows_of(still)
    assert sorted((Path(r["source"]).name, r["row"]) for r in left) == [
        ("visits-late.jsonl", "2"),
        ("visits.csv", "4"),
    ]
    assert any("earlier than its share" in r["reason"] for r in left)
    # Loading the fixed file again changes nothing.
    third = reload_rejects(graph, first_rejects, tmp_path / "third.csv")
    assert third.run is not None and third.run.report.total("duplicates") == 2
    assert visited(graph) == {"v1", "v2", "v3", "v5"}


def test_a_file_that_is_not_a_reject_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "visits.csv"
    write_rows(tmp_path, "visits", [visit("v1", "sh1", "P1", ts(1))])
    with pytest.raises(InvalidInput, match="not a reject file"):
        read_reject_file(path)
