"""The bulk import builds the same graph as the online loader: every node, relationship and
property (influence to 1e-9), the same held events, verdicts and reject reasons, on generated
brands with hand-made bad and unusual rows added; online loading continues on top of an
imported graph and applies the held events it imported when what they wait for arrives.
(tests/loaders/test_generated.py compares the `small` brand the same way.)

Each import replaces the session server's database (stop, neo4j-admin, start), so these tests
need the project's own local server and take a restart each.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from cli.main import app
from fission.errors import ConfigurationError, InvalidInput
from fission.localserver import LocalNeo4j
from fission.settings import Settings
from graph.derive import derive_stale
from graph.erasure import erase_person
from graph.gateway import Gateway
from graph.influence import refresh_influence
from graph.schema import MIGRATIONS
from loaders import held as held_events
from loaders.bulk import bulk_import
from loaders.pipeline import LoadReport, load_files
from loaders.status import held_summary
from synthetic import generate
from tests.cli.test_main import env, runner  # noqa: F401 (the fixture)
from tests.helpers import Dump, graph_differences, graph_dump, renew_driver, wipe, write_rows

NOW = datetime(2026, 11, 1, 12, 30, 15, 123456, tzinfo=UTC)
# The hand-made rows that name something the files never bring, by held id: what they wait for.
HELD = {
    "staff:PS1": "store:S9999",
    "content:C0101": "store:S9999",
    "members:PM2": "store:S9999",
    "shares:EX4": "content:C9999",
    "shares:EX5": "share:SH-NOPE",
    "shares:EX11": "share:X12",  # a cycle
    "shares:EX12": "share:X11",
    "shares:EX13": "share:X2",  # its parent was rejected
    "visits:EV3": "share:SH-NOPE",
    "visits:EV9": "share:SH-LATER",  # and its copy in visits-more is accepted
    "orders:EO3": "store:S9999",
    "agents:EA3": "person:NOBODY",
    "agents:EA4": "person:NOBODY",
    "notes:EN2": "staff:PX1",
}


def _extra_rows(folder: Path) -> None:
    """Bad, repeated and unusual rows beside a generated brand, in every format. `-extra` files
    sort before the generated ones, so some rows wait for (or repeat) rows loaded later."""
    staff = pd.read_csv(folder / "staff.csv", dtype=str)
    staff_id = staff["person_id"].iloc[0]
    sh = lambda eid, sid, who, at, parent="", content="C0001", channel="moments": {  # noqa: E731
        "event_id": eid, "share_id": sid, "sharer_id": who, "content_id": content,
        "channel": channel, "at": at, "parent_share_id": parent,
    }  # fmt: skip
    write_rows(folder, "shares-extra", [
        sh("EX1", "X1", "PX1", "2026-06-01T10:00:00+08:00"),
        sh("EX2", "X2", "PX2", "2026-06-01T09:00:00+08:00", parent="X1"),  # before its parent
        sh("EX3", "X3", "PX3", "2026-10-30T10:00:00+08:00", parent="SH00000001"),  # parent later
        sh("EX4", "X4", "PX1", "2026-06-01T10:00:00+08:00", content="C9999"),
        sh("EX5", "X5", "PX1", "2026-06-01T10:00:00+08:00", parent="SH-NOPE"),
        sh("EX1", "X1", "PX9", "2026-06-01T10:00:00+08:00"),  # the same event again
        sh("EX7", "X1", "PX1", "2026-06-02T10:00:00+08:00"),  # share id taken
        sh("EX8", "X8", "PX1", "2026-06-02T10:00:00+08:00", channel="wechat"),
        sh("EX9", "X9", "PX1", "2026-06-02T10:00:00"),  # no offset
        sh("EX10", " X10 ", "PX1", "2026-06-02T10:00:00Z"),  # spaces: the model strips them
        sh("EX11", "X11", "PX1", "2026-06-02T10:00:00Z", parent="X12"),  # a cycle
        sh("EX12", "X12", "PX1", "2026-06-02T10:00:00Z", parent="X11"),
        sh("EX13", "X13", "PX1", "2026-06-03T10:00:00Z", parent="X2"),  # parent refused
        sh("EX14", "X14", "PX4", "2026-06-02T10:00:00.250+05:30"),
        sh("EX15", "X15", "PX4", "2026-06-02 11:00:00+05:30"),  # another layout
    ], "csv")  # fmt: skip
    visit = lambda eid, sid, who, at, action="view": {  # noqa: E731
        "event_id": eid, "share_id": sid, "visitor_id": who, "at": at, "action": action,
    }  # fmt: skip
    lines = [
        visit("EV1", "X1", "PX2", "2026-06-01T11:00:00+08:00", "claim_coupon"),
        visit("EV2", "X1", "PX5", "2026-06-01T09:00:00+08:00"),  # before the share
        visit("EV3", "SH-NOPE", "PX5", "2026-06-01T11:00:00+08:00"),
        {"event_id": "EV4", "share_id": "X14", "visitor_id": "PX6", "at": "2026-06-03T00:00:00Z"},
        {"event_id": 5, "share_id": "X1", "visitor_id": "PX6", "at": "2026-06-03T00:00:00Z"},
        visit("EV6", "X1", "PX7", "2026-06-01T02:00:00Z"),  # same instant as the share, offset 0
        visit("E-VIS-00000001", "X1", "PX8", "2026-06-04T00:00:00Z"),  # repeats a later file
        visit("EV8", "X3", "PX3", "2026-10-31T00:00:00+08:00", "contact_sales"),
        visit("EV9", "SH-LATER", "PX9", "2026-06-02T00:00:00Z"),  # held; a copy comes later
    ]
    with (folder / "visits-extra.jsonl").open("w", encoding="utf-8") as out:
        for i, line in enumerate(lines):
            out.write(pd.Series(line).to_json(force_ascii=False) + "\n")
            if i == 2:
                out.write("\n{not json\n")
    # Other batches than visits-extra's: a copy of a held or rejected event is checked on its
    # own (the held copy stays held, waiting for its share).
    write_rows(folder, "visits-more", [
        visit("EV9", "X1", "PX9", "2026-06-02T00:00:00Z"),
        visit("EV2", "X1", "PX5", "2026-06-03T00:00:00Z"),  # EV2 was earlier than its share
    ], "csv")  # fmt: skip
    write_rows(folder, "orders-extra", [
        {"event_id": "EO1", "person_id": "PX2", "store_id": "S0001", "amount": "12.345",
         "currency": "", "at": "2026-06-05T10:00:00+08:00"},
        {"event_id": "EO2", "person_id": "PX2", "store_id": "S0001", "amount": "-1",
         "currency": "CNY", "at": "2026-06-05T10:00:00+08:00"},
        {"event_id": "EO3", "person_id": "PX2", "store_id": "S9999", "amount": "5",
         "currency": "CNY", "at": "2026-06-05T10:00:00+08:00"},
    ], "parquet")  # fmt: skip
    write_rows(folder, "friendships-extra", [
        {"event_id": "EF1", "a_id": "PX1", "b_id": "PX2", "at": "2026-06-06T10:00:00Z"},
        {"event_id": "EF2", "a_id": "PX2", "b_id": "PX1", "at": "2026-06-05T10:00:00Z"},
        {"event_id": "EF3", "a_id": "PX1", "b_id": "PX1", "at": "2026-06-05T10:00:00Z"},
    ], "csv")  # fmt: skip
    write_rows(folder, "agents-extra", [
        {"event_id": "EA1", "person_id": "PX2", "store_id": "S0001", "invited_by": "PX1",
         "at": "2026-06-07T10:00:00Z"},
        {"event_id": "EA2", "person_id": "PX2", "store_id": "S0002", "invited_by": "",
         "at": "2026-06-07T10:00:00Z"},  # same time: the first loaded decides
        {"event_id": "EA3", "person_id": "NOBODY", "store_id": "S0001", "invited_by": "",
         "at": "2026-06-07T10:00:00Z"},
        {"event_id": "EA4", "person_id": "PX1", "store_id": "S0001", "invited_by": "NOBODY",
         "at": "2026-06-07T10:00:00Z"},
    ], "csv")  # fmt: skip
    write_rows(folder, "notes-extra", [
        {"event_id": "EN1", "staff_id": staff_id, "person_id": "PX2", "at": "2026-06-08T10:00:00Z",
         "kind": "contacted", "text": 'Said "call me later"\nthen left', "tag": ""},
        {"event_id": "EN2", "staff_id": "PX1", "person_id": "PX2", "at": "2026-06-08T10:00:00Z",
         "kind": "contacted", "text": "", "tag": ""},
        {"event_id": "EN3", "staff_id": staff_id, "person_id": "PX2", "at": "2026-06-08T10:00:00Z",
         "kind": "tag", "text": "", "tag": ""},
        {"event_id": "EN4", "staff_id": staff_id, "person_id": "PX1", "at": "2026-06-08T10:00:00Z",
         "kind": "tag", "text": "老客户 喜欢咖啡 ", "tag": "咖啡"},
    ], "csv")  # fmt: skip
    with (folder / "notes-bytes.csv").open("wb") as out:
        out.write(b"event_id,staff_id,person_id,at,kind,text,tag\n")
        out.write(f"EN5,{staff_id},PX2,2026-06-08T10:00:00Z,contacted,ok,\n".encode())
        out.write(
            f"EN6,{staff_id},PX2,2026-06-08T10:00:00Z,contacted,bad \xff,\n".encode("latin-1")
        )
    write_rows(folder, "stores-extra", [
        {"store_id": "S0001", "name": "A repeat", "city": "", "region": "", "opened_on": ""},
        {"store_id": "S0100", "name": "南京西路\n旗舰店", "city": "Shanghai", "region": "",
         "opened_on": "2021-02-03"},
    ], "csv")  # fmt: skip
    write_rows(folder, "staff-extra", [
        {"person_id": "PS1", "store_id": "S9999", "role": "clerk", "display_name": "Nobody"},
        {"person_id": "PS2", "store_id": "S0100", "role": "guide", "display_name": " Wu "},
    ], "csv")  # fmt: skip
    write_rows(folder, "members-extra", [
        {"person_id": "PM1", "store_id": "S0100", "member_since": "2025-01-02T03:04:05+08:00"},
        {"person_id": "PM2", "store_id": "S9999", "member_since": "2025-01-02"},
    ], "csv")  # fmt: skip
    write_rows(folder, "content-extra", [
        {"content_id": "C0100", "kind": "story", "title": "Local", "topics": "Coffee| baby ",
         "store_id": "S0100"},
        {"content_id": "C0101", "kind": "story", "title": "Elsewhere", "topics": "tea",
         "store_id": "S9999"},
    ], "csv")  # fmt: skip


def _online(gateway: Gateway, paths: list[Path], rejects: Path) -> LoadReport:
    """`fission load` + `fission influence`, aged and stamped at NOW."""
    report = load_files(gateway, paths, rejects, derive=False)
    derive_stale(gateway, as_of=NOW)
    refresh_influence(gateway, now=NOW, engine="igraph")  # as the import ranks
    return report


def _rejects(path: Path | None) -> set[tuple[str, ...]]:
    if path is None or not path.exists():
        return set()
    with path.open(encoding="utf-8") as handle:
        return {tuple(row) for row in csv.reader(handle)} - {RejectColumns}


RejectColumns = ("source", "row", "type", "key", "reason", "raw")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bulk-tiny")
    generate("tiny", seed=11, out=folder, fmt="csv")
    _extra_rows(folder)
    return folder


@pytest.fixture(scope="module")
def tiny_online(
    gateway: Gateway, tiny: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Dump, LoadReport, set[tuple[str, ...]]]]:
    wipe(gateway)
    rejects = tmp_path_factory.mktemp("online") / "rejects.csv"
    report = _online(gateway, [tiny], rejects)
    yield graph_dump(gateway), report, _rejects(rejects)
    wipe(gateway)


def _import(
    settings: Settings, server: LocalNeo4j, paths: list[Path], tmp: Path
) -> tuple[Dump, object, set[tuple[str, ...]]]:
    report = bulk_import(
        settings, paths, server=server, reject_path=tmp / "rejects.csv", now=NOW,
        replace=True, work_dir=tmp / "import",
    )  # fmt: skip
    with Gateway(settings) as fresh:
        dump = graph_dump(fresh)
    return dump, report, _rejects(report.reject_file)


@pytest.mark.usefixtures("env")  # the CLI's settings point at the test database
def test_tiny_with_bad_rows_builds_the_same_graph_and_rejects(
    gateway: Gateway,
    neo4j_settings: Settings,
    local_server: LocalNeo4j,
    tiny: Path,
    tiny_online: tuple[Dump, LoadReport, set[tuple[str, ...]]],
    tmp_path: Path,
) -> None:
    online, online_report, online_rejects = tiny_online
    # The hand-made rows really were refused or held online.
    assert len(online_rejects) >= 10 and online_report.total("held") == len(HELD)
    bulk, report, bulk_rejects = _import(neo4j_settings, local_server, [tiny], tmp_path)
    renew_driver(gateway)
    assert graph_differences(online, bulk) == []
    assert bulk_rejects == online_rejects
    assert {k: vars(v) for k, v in report.stats.items()} == {  # type: ignore[attr-defined]
        k: vars(v) for k, v in online_report.stats.items()
    }
    # What the hand-made rows test really happened (not just "the same on both sides").
    nodes = bulk["nodes"]
    assert nodes[("Share", "X14")]["at"] == ("DateTime", "2026-06-02T10:00:00.250000000+05:30")
    assert nodes[("Person", "PX2")]["agent_store_id"] == ("str", "S0001")
    assert ("Share", "X10") in nodes and ("Share", "X3") in nodes
    friends = bulk["relationships"][("FRIEND_OF", ("Person", "PX1"), ("Person", "PX2"), "EF2")]
    # Written by time within a load batch: EF2 (June 5) before EF1 (June 6), though loaded after.
    assert friends["event_ids"] == ("list", (("str", "EF2"), ("str", "EF1")))
    reasons = {r[4] for r in bulk_rejects}
    assert (
        "reshare at 2026-06-01T09:00:00+08:00 is earlier than its parent share at "
        "2026-06-01T10:00:00+08:00" in reasons
    )
    assert (
        "visit at 2026-06-01T02:00:00Z is earlier than its share at "
        "2026-06-01T10:00:00+08:00" in reasons
    )
    assert {"text: bytes that are not valid UTF-8", "share_id X1 already belongs to event EX1",
            "a friendship needs two different people"} <= reasons  # fmt: skip
    assert not any(reason.startswith("unknown ") for reason in reasons)  # those are held
    held = {key: node for (label, key), node in bulk["nodes"].items() if label == "HeldEvent"}
    assert {key: node["waits_for"][1] for key, node in held.items()} == HELD
    assert held["shares:EX13"]["reason"] == ("str", "unknown parent_share_id X2")
    assert held["shares:EX13"]["source"] == ("str", f"{tiny / 'shares-extra.csv'}:13")
    assert held["agents:EA4"]["people"] == ("list", (("str", "PX1"), ("str", "NOBODY")))
    assert held["content:C0101"]["people"] == ("list", ())
    assert held["content:C0101"]["attempts"] == ("int", 1)
    assert json.loads(held["visits:EV3"]["payload"][1]) == {
        "event_id": "EV3", "share_id": "SH-NOPE", "visitor_id": "PX5",
        "at": "2026-06-01T11:00:00+08:00", "action": "view",
    }  # fmt: skip
    # `fission held` and `fission status` count them, received at the time of the import.
    summary = held_summary(gateway)
    assert summary.count == len(HELD)
    assert summary.oldest is not None and abs(datetime.now(UTC) - summary.oldest) < timedelta(
        minutes=10
    )
    assert held_events.summary(gateway).by_reference == {
        "content": 1, "person": 2, "share": 6, "staff": 1, "store": 4,
    }  # fmt: skip
    listed = runner.invoke(app, ["held"])
    assert listed.exit_code == 0 and f"{len(HELD)} held" in listed.output, listed.output
    status = runner.invoke(app, ["status"])
    assert status.exit_code == 0 and f"Held events: {len(HELD)}" in status.output, status.output
    # A held or rejected copy does not take the event id: the copies in another batch count.
    visits = bulk["relationships"]
    assert ("VISITED", ("Person", "PX9"), ("Share", "X1"), "EV9") in visits
    assert ("VISITED", ("Person", "PX5"), ("Share", "X1"), "EV2") in visits


def test_online_loading_continues_on_top_of_an_import(
    gateway: Gateway,
    neo4j_settings: Settings,
    local_server: LocalNeo4j,
    tiny: Path,
    tiny_online: tuple[Dump, LoadReport, set[tuple[str, ...]]],
    tmp_path: Path,
) -> None:
    """Import the brand minus its last two months of visits and orders, minus its agent and
    note files (which name people who may first appear late) and minus store S0100 (so the
    import holds the staff member, member and content that name it), then load those online:
    the held rows are applied when their store arrives, and the graph is the one a single
    online load builds."""
    online = tiny_online[0]
    first, later = tmp_path / "first", tmp_path / "later"
    first.mkdir()
    later.mkdir()
    for path in tiny.iterdir():
        if path.name in ("visits.csv", "orders.csv", "stores-extra.csv"):
            rows = pd.read_csv(path, dtype=str, keep_default_na=False)
            if path.name == "stores-extra.csv":
                cut = rows["store_id"] == "S0100"
            else:
                cut = rows["at"] >= "2026-09-01"
            rows[~cut].to_csv(first / path.name, index=False)
            rows[cut].to_csv(later / path.name, index=False)
            assert cut.sum() >= 1
        elif path.name.startswith(("agents", "notes")):
            (later / path.name).write_bytes(path.read_bytes())
        elif path.name != "summary.json":
            (first / path.name).write_bytes(path.read_bytes())
    _, imported, _ = _import(neo4j_settings, local_server, [first], tmp_path)
    waiting_for_the_store = {"staff:PS2", "members:PM1", "content:C0100"}
    held_after_import = {h["id"] for h in renew_driver(gateway).read(HELD_IDS)}
    assert waiting_for_the_store <= held_after_import
    # The import built the stored reach itself: every data migration is recorded as applied.
    migrations = gateway.read("MATCH (m:Migration) RETURN m.name AS name ORDER BY name")
    assert [m["name"] for m in migrations] == sorted(MIGRATIONS)
    assert imported.total("held") == len(held_after_import)  # type: ignore[attr-defined]
    report = _online(gateway, [later], tmp_path / "later-rejects.csv")
    assert report.released == len(waiting_for_the_store)
    held_now = {h["id"] for h in gateway.read(HELD_IDS)}
    assert held_now == set(HELD) and not waiting_for_the_store & held_now
    # Held rows name the file they came from: the same rows, from other folders.
    assert graph_differences(_by_file_name(online), _by_file_name(graph_dump(gateway))) == []


HELD_IDS = "MATCH (h:HeldEvent) RETURN h.id AS id"


def _by_file_name(dump: Dump) -> Dump:
    """The dump with held events' sources reduced to file name and row."""
    nodes = {
        key: {**props, "source": ("str", Path(props["source"][1]).name)}
        if key[0] == "HeldEvent"
        else props
        for key, props in dump["nodes"].items()
    }
    return {**dump, "nodes": nodes}


def test_refuses_a_server_that_is_not_the_local_one(
    neo4j_settings: Settings, local_server: LocalNeo4j, tiny: Path
) -> None:
    elsewhere = neo4j_settings.model_copy(update={"neo4j_uri": "neo4j://db.example.com:7687"})
    with pytest.raises(ConfigurationError, match="local server"):
        bulk_import(elsewhere, [tiny], server=local_server)
    other_port = neo4j_settings.model_copy(update={"neo4j_uri": "bolt://127.0.0.1:1"})
    with pytest.raises(ConfigurationError, match="fission load"):
        bulk_import(other_port, [tiny], server=local_server)


def test_refuses_to_replace_data_unless_asked(
    gateway: Gateway,
    neo4j_settings: Settings,
    local_server: LocalNeo4j,
    tiny: Path,
    tiny_online: tuple[Dump, LoadReport, set[tuple[str, ...]]],
) -> None:
    with pytest.raises(InvalidInput, match="--replace"):
        bulk_import(neo4j_settings, [tiny], server=local_server)
    assert gateway.read("MATCH (n:Person) RETURN count(n) AS n")[0]["n"] > 100  # untouched


def test_people_erased_on_request_stay_erased(
    gateway: Gateway,
    neo4j_settings: Settings,
    local_server: LocalNeo4j,
    tiny: Path,
    tiny_online: tuple[Dump, LoadReport, set[tuple[str, ...]]],
    tmp_path: Path,
) -> None:
    """Replacing the database keeps its tombstones, and the erased person's rows are refused
    with `fission load`'s reason."""
    renew_driver(gateway)
    erase_person(gateway, "PX2")
    tombstone = gateway.read("MATCH (e:ErasedPerson) RETURN e.id_sha256 AS h, e.erased_at AS at")
    bulk, _, rejects = _import(neo4j_settings, local_server, [tiny], tmp_path)
    renew_driver(gateway)
    assert ("Person", "PX2") not in bulk["nodes"]
    kept = gateway.read("MATCH (e:ErasedPerson) RETURN e.id_sha256 AS h, e.erased_at AS at")
    assert kept == tombstone
    refused = {(r[2], r[3]) for r in rejects if r[4] == "person PX2 was erased on request"}
    assert {("visits", "EV1"), ("orders", "EO1"), ("friendships", "EF1")} <= refused
