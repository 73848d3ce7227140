"""Session fixture providing a real Neo4j, and per-test isolation.

Where the server comes from, first that applies:
1. NEO4J_URI (with NEO4J_USER / NEO4J_PASSWORD) in the environment: that server is used, and
   its database is WIPED by the tests.
2. A reachable Docker engine: a testcontainers `neo4j:5.26-community` container.
3. Otherwise the project's own local server (fission.localserver), in a temporary home on free
   ports, with Graph Data Science and APOC, started once for the session and stopped at the end.
   Only this one can take bulk imports (`local_server`); their tests are skipped with the other
   two.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from fission.localserver import LocalNeo4j, throwaway_server
from fission.settings import Settings
from graph.gateway import Gateway
from graph.schema import apply_schema
from tests.helpers import wipe

SERVER_INFO: dict[str, str] = {}


class ExternalNeo4j(BaseSettings):
    """Only the real environment counts here (no .env): tests wipe the database they get."""

    model_config = SettingsConfigDict(env_prefix="NEO4J_", env_file=None, extra="ignore")
    uri: str | None = None
    user: str = "neo4j"
    password: str | None = None


def _docker_available() -> bool:
    try:
        import docker

        docker.from_env(timeout=3).ping()
    except Exception:
        return False
    return True


@pytest.fixture(scope="session")
def neo4j_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Settings, LocalNeo4j | None]]:
    """Settings for the session's server, and the server itself when it is the project's own
    (None for NEO4J_URI and testcontainers)."""
    external = ExternalNeo4j()
    base = Settings(_env_file=None)  # type: ignore[call-arg]
    if external.uri:
        SERVER_INFO["source"] = "NEO4J_URI"
        settings = base.model_copy(
            update={
                "neo4j_uri": external.uri,
                "neo4j_user": external.user,
                "neo4j_password": SecretStr(external.password or ""),
            }
        )
        yield settings, None
        return
    if _docker_available():
        from testcontainers.neo4j import Neo4jContainer

        container = Neo4jContainer("neo4j:5.26-community").with_env(
            "NEO4J_PLUGINS", '["graph-data-science", "apoc"]'
        )
        with container:
            SERVER_INFO["source"] = "testcontainers"
            settings = base.model_copy(
                update={
                    "neo4j_uri": container.get_connection_url(),
                    "neo4j_password": SecretStr(container.password),
                }
            )
            yield settings, None
        return
    home = tmp_path_factory.mktemp("neo4j-home")
    with throwaway_server(base, home) as server:
        SERVER_INFO["source"] = f"local server in {home}"
        SERVER_INFO["home"] = str(home)
        settings = base.model_copy(
            update={"neo4j_uri": server.bolt_uri, "neo4j_password": SecretStr(server.password())}
        )
        yield settings, server


@pytest.fixture(scope="session")
def neo4j_settings(neo4j_server: tuple[Settings, LocalNeo4j | None]) -> Settings:
    return neo4j_server[0]


@pytest.fixture(scope="session")
def local_server(neo4j_server: tuple[Settings, LocalNeo4j | None]) -> LocalNeo4j:
    """The session's server when it is the project's own (bulk imports write its files)."""
    server = neo4j_server[1]
    if server is None:
        pytest.skip("needs the project's own local server (NEO4J_URI or Docker is in use)")
    return server


@pytest.fixture(scope="session")
def gateway(neo4j_settings: Settings) -> Iterator[Gateway]:
    with Gateway(neo4j_settings) as gw:
        SERVER_INFO["version"] = gw.verify()
        SERVER_INFO["uri"] = neo4j_settings.neo4j_uri
        apply_schema(gw)
        yield gw


@pytest.fixture(scope="session")
def neo4j_home(neo4j_settings: Settings) -> Path | None:
    """The folder of the session's own local server (its store files and logs); None for a
    server elsewhere."""
    return Path(SERVER_INFO["home"]) if "home" in SERVER_INFO else None


@pytest.fixture
def graph(gateway: Gateway) -> Gateway:
    """A gateway to an empty database: each test that uses it starts from nothing."""
    wipe(gateway)
    return gateway


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if SERVER_INFO:
        terminalreporter.write_line(
            f"Neo4j server: {SERVER_INFO.get('version', '?')} at {SERVER_INFO.get('uri', '?')} "
            f"({SERVER_INFO.get('source', '?')})"
        )
