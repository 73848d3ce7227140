"""One policy for rows naming something not known yet (issue 12): file rows and API events are
held alike, applied when what they name arrives, counted as held, expired into a report; and
however a brand's events are split, ordered and mixed between files and POST /events, the
final graph equals one single load."""

from __future__ import annotations

import csv
import random
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest

from graph.gateway import Gateway
from loaders import held
from loaders.models import EVENT_KINDS
from loaders.pipeline import load_files
from loaders.stream import ingest
from synthetic import generate
from tests.helpers import (
    graph_state,
    reference_files,
    referrers,
    share,
    ts,
    visit,
    wipe,
    write_rows,
)


def held_rows(gateway: Gateway) -> list[dict]:
    return gateway.read(
        "MATCH (h:HeldEvent) RETURN h.event_id AS event_id, h.waits_for AS waits_for, "
        "h.source AS source ORDER BY event_id"
    )


def test_a_row_naming_a_later_file_is_held_and_applied_when_it_arrives(
    graph: Gateway, tmp_path: Path
) -> None:
    reference_files(tmp_path / "ref")
    load_files(graph, [tmp_path / "ref"])
    write_rows(tmp_path / "early", "visits", [visit("e10", "sh1", "P1", ts(1, 11))])
    early = load_files(graph, [tmp_path / "early"])
    assert (early.stats["visits"].held, early.stats["visits"].rejected) == (1, 0)
    assert held_rows(graph) == [
        {"event_id": "e10", "waits_for": "share:sh1", "source": f"{tmp_path}/early/visits.csv:1"}
    ]

    write_rows(tmp_path / "late", "shares", [share("e01", "sh1", "M1", ts(1, 10))])
    late = load_files(graph, [tmp_path / "late"])
    assert late.released == 1 and late.total("held") == 0
    assert held_rows(graph) == []
    assert referrers(graph) == {"P1": "M1"}


def test_a_held_row_released_in_the_same_load_counts_as_accepted(
    graph: Gateway, tmp_path: Path
) -> None:
    """A reshare whose parent comes in a later batch of the same file."""
    reference_files(tmp_path)
    write_rows(
        tmp_path,
        "shares",
        [share("e02", "sh2", "P1", ts(2), parent="sh1"), share("e01", "sh1", "M1", ts(1))],
    )
    graph.settings = graph.settings.model_copy(update={"load_batch_rows": 1})
    try:
        report = load_files(graph, [tmp_path])
    finally:
        graph.settings = graph.settings.model_copy(update={"load_batch_rows": 5_000})
    assert (report.stats["shares"].accepted, report.stats["shares"].held) == (2, 0)
    assert report.released == 0
    assert graph.read("MATCH (:Share {id: 'sh2'})-[:RESHARE_OF]->(p) RETURN p.id AS p") == [
        {"p": "sh1"}
    ]


def test_held_events_past_the_age_are_expired_into_a_report(graph: Gateway, tmp_path: Path) -> None:
    reference_files(tmp_path / "ref")
    load_files(graph, [tmp_path / "ref"])
    ingest(graph, [{"type": "visit", **visit("e10", "sh-never", "P1", ts(1))}])
    report_dir = tmp_path / "held"
    assert held.expire(graph, report_dir, max_age=timedelta(days=1)).expired == 0
    expired = held.expire(graph, report_dir, max_age=timedelta(0))
    assert expired.expired == 1 and expired.report is not None
    with expired.report.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["outcome"], r["event_id"], r["waits_for"], r["source"]) for r in rows] == [
        ("expired", "e10", "share:sh-never", "api")
    ]
    assert held_rows(graph) == []


REFERENCE = ("stores", "staff", "content", "members")


def split_load(gateway: Gateway, brand: Path, work: Path, seed: int, api: bool) -> None:
    """Splits every file of `brand` at random into parts, then loads them as several loads in
    random order: each load as files, or (event parts, when `api`) through the API's ingestion."""
    rng = random.Random(seed)
    parts: list[tuple[str, pd.DataFrame]] = []
    for path in sorted(brand.glob("*.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame = frame.sample(frac=1.0, random_state=rng.randrange(2**31)).reset_index(drop=True)
        cuts = sorted(rng.sample(range(1, len(frame)), min(3, len(frame) - 1)))
        for start, end in zip([0, *cuts], [*cuts, len(frame)], strict=True):
            parts.append((path.stem, frame.iloc[start:end]))
    rng.shuffle(parts)
    loads = [parts[i : i + 4] for i in range(0, len(parts), 4)]
    for number, load in enumerate(loads):
        through_api = api and number % 2 == 1
        files: list[Path] = []
        events: list[dict] = []
        for index, (name, frame) in enumerate(load):
            if through_api and name in EVENT_KINDS:
                events += [
                    {"type": name.removesuffix("s"), **{k: v for k, v in row.items() if v != ""}}
                    for row in frame.to_dict("records")
                ]
            else:
                files.append(work / f"load-{number}" / f"{index}-{name}.csv")
                files[-1].parent.mkdir(parents=True, exist_ok=True)
                frame.to_csv(files[-1], index=False)
        if files:
            load_files(gateway, files)
        for start in range(0, len(events), 2_000):
            result = ingest(gateway, events[start : start + 2_000])
            assert result.rejected == 0, [e for e in result.events if e.status == "rejected"][:3]


@pytest.mark.parametrize(
    ("preset", "api", "seed"),
    [("tiny", False, 1), ("tiny", True, 2), pytest.param("small", True, 3, marks=pytest.mark.slow)],
)
def test_any_split_order_and_mix_ends_in_the_graph_of_one_load(
    graph: Gateway, tmp_path: Path, preset: str, api: bool, seed: int
) -> None:
    brand = tmp_path / "brand"
    generate(preset, seed=seed, out=brand, fmt="csv")
    whole = load_files(graph, [brand])
    assert whole.total("rejected") == 0 and whole.total("held") == 0
    expected = graph_state(graph)

    wipe(graph)
    split_load(graph, brand, tmp_path / "parts", seed, api)
    assert held_rows(graph) == []
    assert graph.read("MATCH (p:Stale) RETURN count(p) AS n") == [{"n": 0}]
    actual = graph_state(graph)
    for part in expected:
        assert actual[part] == expected[part], part
