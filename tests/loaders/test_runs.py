"""Recorded load runs and time-window replays, against the real Neo4j."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from fission.errors import InvalidInput
from graph.gateway import Gateway
from loaders.models import EVENT_KINDS, REFERENCE_KINDS
from loaders.runs import TimeWindow, parse_instant, run_load
from loaders.status import load_runs
from synthetic import generate
from tests.helpers import (
    data_counts,
    homes,
    reference_files,
    referrers,
    share,
    ts,
    visit,
    wipe,
    write_rows,
)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tiny-runs")
    generate("tiny", 11, folder, fmt="csv")
    return folder


@pytest.fixture(scope="module")
def single_load(gateway: Gateway, tiny: Path) -> dict[str, object]:
    """The graph one plain load of the whole brand builds (counts, referrers, homes)."""
    wipe(gateway)
    run_load(gateway, [tiny])
    return {
        "counts": data_counts(gateway),
        "referrers": referrers(gateway),
        "homes": homes(gateway),
    }


def event_times(folder: Path) -> pd.Series:
    """Every event row's time, from the files (the independent reference for windows)."""
    frames = [pd.read_csv(folder / f"{kind}.csv", usecols=["at"]) for kind in EVENT_KINDS]
    return pd.to_datetime(pd.concat(frames, ignore_index=True)["at"], utc=True)


def reference_rows(folder: Path) -> int:
    return sum(len(pd.read_csv(folder / f"{kind}.csv")) for kind in REFERENCE_KINDS)


def in_window(times: pd.Series, window: TimeWindow) -> pd.Series:
    inside = pd.Series(True, index=times.index)
    if window.since is not None:
        inside &= times >= window.since
    if window.until is not None:
        inside &= times < window.until
    return inside


def test_a_run_is_recorded_with_its_counts(graph: Gateway, tmp_path: Path) -> None:
    reference_files(tmp_path)
    write_rows(tmp_path, "shares", [share("e1", "sh1", "M1", ts(1))])
    write_rows(
        tmp_path,
        "visits",
        [visit("e2", "sh1", "P1", ts(1, 13)), visit("e3", "sh1", "P2", "2026-05-01 13:00")],
    )
    rejects = tmp_path / "rejects.csv"
    before = datetime.now(UTC)
    result = run_load(graph, [tmp_path], reject_path=rejects)
    [run] = load_runs(graph)
    assert run.id == result.run_id
    assert (run.status, run.source) == ("done", "load")
    assert before <= run.started_at <= run.finished_at <= datetime.now(UTC)  # type: ignore[operator]
    assert sorted(Path(f).name for f in run.files) == [
        "content.csv", "shares.csv", "staff.csv", "stores.csv", "visits.csv",
    ]  # fmt: skip
    assert (run.read, run.accepted, run.duplicates, run.rejected) == (2 + 3 + 2 + 1 + 2, 9, 0, 1)
    assert run.reject_file == str(rejects)
    assert run.per_type is not None and run.per_type["visits"]["rejected"] == 1
    assert run.error is None


def test_a_failed_run_is_recorded_with_its_error(graph: Gateway, tmp_path: Path) -> None:
    (tmp_path / "mystery.csv").write_text("colour,size\nred,9\n")
    with pytest.raises(InvalidInput, match="cannot tell what it holds"):
        run_load(graph, [tmp_path / "mystery.csv"])
    [run] = load_runs(graph)
    assert run.status == "failed"
    assert run.error is not None and "cannot tell what it holds" in run.error
    assert run.read is None


def test_an_empty_folder_is_a_run_that_loaded_nothing(graph: Gateway, tmp_path: Path) -> None:
    (tmp_path / "notes.csv.part").write_text("still arriving")
    result = run_load(graph, [tmp_path])
    assert result.report.total("read") == 0
    [run] = load_runs(graph)
    assert (run.status, run.files, run.read) == ("done", [], 0)


def test_windows_replayed_in_order_build_the_same_graph(
    gateway: Gateway, tiny: Path, single_load: dict[str, object]
) -> None:
    times = event_times(tiny)
    cuts = [times.quantile(0.3).to_pydatetime(), times.quantile(0.7).to_pydatetime()]
    windows = [TimeWindow(until=cuts[0]), TimeWindow(cuts[0], cuts[1]), TimeWindow(since=cuts[1])]
    wipe(gateway)
    for window in windows:
        report = run_load(gateway, [tiny], window=window).report
        inside = in_window(times, window)
        assert report.total("skipped") == int((~inside).sum())
        # Reference data always loads; events inside the window load.
        assert report.total("accepted") == reference_rows(tiny) + int(inside.sum())
        assert report.total("rejected") == 0
    assert data_counts(gateway) == single_load["counts"]
    assert referrers(gateway) == single_load["referrers"]
    assert homes(gateway) == single_load["homes"]
    recorded = list(reversed(load_runs(gateway)[:3]))
    assert [(r.since, r.until) for r in recorded] == [(w.since, w.until) for w in windows]
    assert [r.skipped for r in recorded] == [int((~in_window(times, w)).sum()) for w in windows]


def test_replaying_a_window_again_changes_nothing(
    gateway: Gateway, tiny: Path, single_load: dict[str, object]
) -> None:
    times = event_times(tiny)
    window = TimeWindow(since=times.quantile(0.5).to_pydatetime())
    report = run_load(gateway, [tiny], window=window).report
    assert report.total("accepted") == reference_rows(tiny)  # upserted again
    assert report.total("duplicates") == int(in_window(times, window).sum())
    assert data_counts(gateway) == single_load["counts"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-05-01", datetime(2026, 5, 1, tzinfo=UTC)),
        ("2026-05-01T00:00+08:00", datetime(2026, 4, 30, 16, tzinfo=UTC)),
        ("2026-05-01T10:00:00Z", datetime(2026, 5, 1, 10, tzinfo=UTC)),
    ],
)
def test_instants(text: str, expected: datetime) -> None:
    assert parse_instant(text, "--since") == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [("2026-05-01T10:00", "needs a timezone offset"), ("May 1st", "not an ISO 8601 date")],
)
def test_bad_instants(text: str, problem: str) -> None:
    with pytest.raises(InvalidInput, match=problem):
        parse_instant(text, "--since")


def test_a_window_must_not_be_empty() -> None:
    day = datetime(2026, 5, 1, tzinfo=UTC)
    with pytest.raises(InvalidInput, match="must be before"):
        TimeWindow(day, day)
