"""The operation commands as a user runs them: `fission watch` as a real process (started,
fed, stopped with SIGTERM), `fission status`, and `fission load` with a window or a reject
file, against the real Neo4j."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from fission.settings import Settings, get_settings
from graph.gateway import Gateway
from synthetic import generate
from tests.helpers import reference_files, share, ts, visit, write_rows

FISSION = Path(sys.executable).with_name("fission")


@pytest.fixture
def env(neo4j_settings: Settings, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment a user's shell would have: the test database, a working folder."""
    values = {
        "NEO4J_URI": neo4j_settings.neo4j_uri,
        "NEO4J_USER": neo4j_settings.neo4j_user,
        "NEO4J_PASSWORD": neo4j_settings.password(),
        "FISSION_VAR_DIR": str(tmp_path / "var"),
    }
    get_settings.cache_clear()
    yield values
    get_settings.cache_clear()


def fission(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.output


def wait_for(condition: object, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.3)


def test_watch_runs_until_sigterm(graph: Gateway, env: dict[str, str], tmp_path: Path) -> None:
    data = tmp_path / "tiny"
    generate("tiny", 17, data, fmt="parquet")
    folder = tmp_path / "drop"
    folder.mkdir()
    process = subprocess.Popen(
        [str(FISSION), "watch", str(folder), "--interval", "0.5", "--settle", "1"],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for path in sorted(data.glob("*.parquet")):  # uploaded under a temporary name first
            shutil.copy(path, folder / f"{path.name}.part")
            (folder / f"{path.name}.part").rename(folder / path.name)
        wait_for(lambda: not list(folder.glob("*.parquet")))
        wait_for(lambda: graph.read("MATCH (r:InfluenceRefresh) RETURN count(r) AS n")[0]["n"])
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 0, output
    assert "influence refreshed" in output and output.rstrip().endswith("stopped")
    done = {p.name for p in (folder / "done").rglob("*.parquet")}
    assert done == {p.name for p in data.glob("*.parquet")}
    nodes = json.loads((data / "summary.json").read_text())["nodes"]
    counted = graph.read("MATCH (p:Person) RETURN count(p) AS n")[0]["n"]
    assert counted == nodes["Person"]

    code, out = fission(env, "status", "--json")
    assert code == 0, out
    status = json.loads(out)
    assert status["last_load"]["source"] == "watch"
    assert status["influence"]["refreshed_at"] is not None
    code, out = fission(env, "status")
    assert code == 0 and "Latest loads" in out and "Held events: 0" in out


def test_load_a_window_then_the_rejects(
    graph: Gateway, env: dict[str, str], tmp_path: Path
) -> None:
    data = tmp_path / "data"
    reference_files(data)
    write_rows(data, "shares", [share("e1", "sh1", "M1", ts(1)), share("e2", "sh2", "M1", ts(5))])
    write_rows(
        data,
        "visits",
        [
            visit("v1", "sh1", "P1", ts(1, 13)),
            visit("v2", "sh2", "P2", ts(5, 13)),
            visit("v3", "sh2", "P3", "2026-05-05 14:00"),
        ],
    )
    rejects = tmp_path / "rejects.csv"
    args = ["load", str(data), "--until", "2026-05-03", "--rejects", str(rejects)]
    code, out = fission(env, *args, "--no-influence")
    assert code == 0, out
    # e2 and v2 fall after the window; v3 is refused (no offset) before any window applies.
    assert "2 event rows outside --since/--until skipped" in " ".join(out.split())
    code, out = fission(env, "load", str(data), "--since", "2026-05-03T00:00+08:00", "--rejects",
                        str(rejects), "--no-influence")  # fmt: skip
    assert code == 0, out
    visits = graph.read("MATCH ()-[v:VISITED]->() RETURN v.event_id AS id ORDER BY id")
    assert [r["id"] for r in visits] == ["v1", "v2"]

    text = rejects.read_text().replace("2026-05-05 14:00", "2026-05-05T14:00:00+08:00")
    rejects.write_text(text)
    code, out = fission(env, "load", "--from-rejects", str(rejects))
    assert code == 0, out
    assert "No row of" in out and "Influence refreshed" in out, out
    visits = graph.read("MATCH ()-[v:VISITED]->() RETURN v.event_id AS id ORDER BY id")
    assert [r["id"] for r in visits] == ["v1", "v2", "v3"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["load"], "name the files or folders"),
        (["load", ".", "--from-rejects", "r.csv"], "without paths or a window"),
        (["load", ".", "--since", "yesterday"], "not an ISO 8601 date"),
        (["load", ".", "--since", "2026-05-02", "--until", "2026-05-01"], "must be before"),
        (["watch", "no-such-folder", "--once"], "no such folder"),
        (["watch", ".", "--influence-every", "soon"], "not a duration"),
    ],
)
def test_bad_arguments_exit_65(env: dict[str, str], args: list[str], message: str) -> None:
    code, out = fission(env, *args)
    assert code == 65, out
    assert message in " ".join(out.split())
