"""The `fission` command through typer's runner: options, errors as messages and exit codes,
and commands that talk to the real test database."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from api.auth import hash_key
from cli.main import EXIT_CODES, NOT_RUNNING, app
from fission.errors import DatabaseUnavailable, InvalidInput
from fission.localserver import free_ports
from fission.settings import Settings, get_settings
from graph.gateway import Gateway
from tests.helpers import counts, wipe

runner = CliRunner()


@pytest.fixture
def env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, neo4j_settings: Settings
) -> Iterator[Path]:
    """The CLI's settings point at the test database and a temporary working folder."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FISSION_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("NEO4J_URI", neo4j_settings.neo4j_uri)
    monkeypatch.setenv("NEO4J_USER", neo4j_settings.neo4j_user)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_settings.password())
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_help_lists_every_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("load", "generate", "schema", "influence", "derive", "serve", "demo", "report"):
        assert command in result.output


def test_options_with_a_fixed_set_of_values_say_which(env: Path) -> None:
    result = runner.invoke(app, ["generate", "--preset", "tiny", "--format", "xml"])
    assert result.exit_code == 2
    assert "xml" in result.output and "csv" in result.output and "parquet" in result.output


def test_generate_writes_a_brand(env: Path) -> None:
    out = env / "tiny"
    result = runner.invoke(
        app, ["generate", "--preset", "tiny", "--format", "parquet", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["preset"] == "tiny" and summary["format"] == "parquet"
    assert len(pd.read_parquet(out / "stores.parquet")) == summary["counts"]["stores"]


def test_a_bad_value_is_a_message_and_an_exit_code(env: Path) -> None:
    result = runner.invoke(app, ["generate", "--preset", "tiny", "--end", "someday"])
    assert result.exit_code == EXIT_CODES[InvalidInput]
    assert "--end must be an ISO date" in result.output and "Traceback" not in result.output


def test_api_keys_are_stored_hashed(env: Path) -> None:
    refused = runner.invoke(app, ["api-key", "create", "--name", "app", "--role", "store"])
    assert refused.exit_code == EXIT_CODES[InvalidInput]
    assert "store or staff key needs store_id" in refused.output
    made = runner.invoke(
        app, ["api-key", "create", "--name", "S1 app", "--role", "store", "--store", "S1"]
    )
    assert made.exit_code == 0, made.output
    key = made.output.split("(shown once):")[1].split()[0]
    path = env / "var" / "api-keys.json"
    [entry] = json.loads(path.read_text())
    assert entry == {
        "name": "S1 app", "role": "store", "store_id": "S1", "staff_id": None,
        "sha256": hash_key(key),
    }  # fmt: skip
    assert key not in path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    no_staff = ["api-key", "create", "--name", "phone", "--role", "staff", "--store", "S1"]
    refused = runner.invoke(app, no_staff)
    assert refused.exit_code == EXIT_CODES[InvalidInput]
    assert "staff key needs staff_id" in refused.output
    phone = runner.invoke(app, [*no_staff, "--staff", "C1"])
    assert phone.exit_code == 0, phone.output
    staff_key = phone.output.split("(shown once):")[1].split()[0]
    assert json.loads(path.read_text())[1] == {
        "name": "phone", "role": "staff", "store_id": "S1", "staff_id": "C1",
        "sha256": hash_key(staff_key),
    }  # fmt: skip


def test_load_then_influence_against_the_database(env: Path, graph: Gateway) -> None:
    out = env / "tiny"
    assert runner.invoke(app, ["generate", "--preset", "tiny", "--out", str(out)]).exit_code == 0
    result = runner.invoke(app, ["load", str(out)])
    assert result.exit_code == 0, result.output
    assert "Load summary" in result.output and "Influence refreshed" in result.output
    nodes = json.loads((out / "summary.json").read_text())["nodes"]
    assert counts(graph)["node:Person"] == nodes["Person"]
    assert graph.read("MATCH (p:Person) WHERE p.influence_at IS NULL RETURN count(p) AS n") == [
        {"n": 0}
    ]
    wipe(graph)


def test_a_missing_input_is_a_message(env: Path, graph: Gateway) -> None:
    result = runner.invoke(app, ["load", str(env / "nowhere")])
    assert result.exit_code == EXIT_CODES[InvalidInput]
    assert "no such file or directory" in result.output


@pytest.mark.parametrize("command", [["schema"], ["influence"], ["derive"], ["load", "."]])
def test_an_unreachable_database_is_a_message(
    env: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.setenv("NEO4J_URI", f"bolt://127.0.0.1:{free_ports(1)[0]}")
    monkeypatch.setenv("FISSION_NEO4J_TRANSACTION_RETRY_SECONDS", "0.5")
    get_settings.cache_clear()
    result = runner.invoke(app, command)
    assert result.exit_code == EXIT_CODES[DatabaseUnavailable], result.output
    assert "is unavailable or busy" in result.output and "Traceback" not in result.output


def test_server_status_of_a_stopped_server(env: Path) -> None:
    result = runner.invoke(app, ["server", "status"])
    assert (result.exit_code, result.output.strip()) == (NOT_RUNNING, "not running")
