"""The one settings object: where values come from, and what it refuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from fission.errors import ConfigurationError
from fission.settings import ApiKeyEntry, Settings

SHA = "a" * 64


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_neo4j_variables_use_the_names_every_neo4j_tool_knows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NEO4J_URI", "neo4j://cluster.example:7687")
    monkeypatch.setenv("NEO4J_DATABASE", "brand1")
    monkeypatch.setenv("FISSION_KEY_NODE_MIN_REACH3", "7")
    s = settings()
    assert (s.neo4j_uri, s.neo4j_database, s.key_node_min_reach3) == (
        "neo4j://cluster.example:7687",
        "brand1",
        7,
    )


def test_the_working_folder_defaults_to_the_current_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    # The suite may itself run with a working folder set (the Docker image sets one).
    monkeypatch.delenv("FISSION_VAR_DIR", raising=False)
    assert settings().var_dir == tmp_path / ".var"
    monkeypatch.setenv("FISSION_VAR_DIR", str(tmp_path / "data"))
    s = settings()
    assert s.var_dir == tmp_path / "data"
    assert s.api_keys_path == tmp_path / "data" / "api-keys.json"
    assert s.local_password_file == tmp_path / "data" / "neo4j-password"


@pytest.fixture
def no_password_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The suite may run against a server named by NEO4J_URI and NEO4J_PASSWORD (conftest)."""
    for name in ("NEO4J_PASSWORD", "FISSION_NEO4J_PASSWORD"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.usefixtures("no_password_in_env")
def test_production_needs_an_explicit_password() -> None:
    with pytest.raises(ValidationError, match="NEO4J_PASSWORD must be set"):
        settings(environment="production")
    assert settings(environment="production", neo4j_password="s3cret").password() == "s3cret"


@pytest.mark.usefixtures("no_password_in_env")
def test_local_password_comes_from_the_generated_file(tmp_path: Path) -> None:
    s = settings(var_dir=tmp_path)
    with pytest.raises(ConfigurationError, match="No Neo4j password"):
        s.password()
    (tmp_path / "neo4j-password").write_text("generated\n")
    assert s.password() == "generated"
    assert settings(var_dir=tmp_path, neo4j_password="given").password() == "given"


def test_the_password_is_a_secret() -> None:
    s = settings(neo4j_password="s3cret")
    assert isinstance(s.neo4j_password, SecretStr)
    assert "s3cret" not in repr(s) and "s3cret" not in str(s.model_dump())


def test_api_keys_come_from_the_environment_and_the_keys_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(
        "FISSION_API_KEYS", json.dumps([{"name": "hq", "role": "hq", "sha256": SHA}])
    )
    (tmp_path / "api-keys.json").write_text(
        json.dumps([{"name": "s1", "role": "store", "store_id": "S1", "sha256": "b" * 64}])
    )
    keys = settings(var_dir=tmp_path).all_api_keys()
    assert [(k.name, k.role, k.store_id) for k in keys] == [
        ("hq", "hq", None),
        ("s1", "store", "S1"),
    ]


@pytest.mark.parametrize(
    "entry",
    [
        {"name": "s", "role": "store", "sha256": SHA},  # a store key names its store
        {"name": "h", "role": "hq", "store_id": "S1", "sha256": SHA},  # others name none
        {"name": "c", "role": "staff", "store_id": "S1", "sha256": SHA},  # names its staff
        {"name": "c", "role": "staff", "staff_id": "C1", "sha256": SHA},  # and its store
        {"name": "s", "role": "store", "store_id": "S1", "staff_id": "C1", "sha256": SHA},
        {"name": "x", "role": "admin", "sha256": SHA},
        {"name": "x", "role": "hq", "sha256": "not-a-sha"},
    ],
)
def test_malformed_api_keys_are_refused(entry: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        ApiKeyEntry.model_validate(entry)


@pytest.mark.parametrize(
    "values", [{"key_node_top_share": 0}, {"key_node_top_share": 1.5}, {"load_batch_rows": 0}]
)
def test_out_of_range_tuning_values_are_refused(values: dict[str, float]) -> None:
    with pytest.raises(ValidationError):
        settings(**values)
