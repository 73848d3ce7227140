"""The local server's plugins: assembled without the third-party jars Neo4j's lib/ already has,
on the class path first, and answering their versions on the suite's own server."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

from fission.localserver import (
    APOC_VERSION,
    GDS_VERSION,
    NEO4J_VERSION,
    LocalNeo4j,
    assemble_plugins,
    plugins_dir,
)
from fission.settings import Settings


def test_plugins_leave_out_jars_neo4j_already_has(neo4j_settings: Settings) -> None:
    folder = plugins_dir(neo4j_settings)
    assert folder is not None
    assert assemble_plugins(folder) == folder  # cached: returns at once
    jars = {p.name for p in folder.glob("*.jar")}
    assert {f"proc-{GDS_VERSION}.jar", f"opengds-extension-{GDS_VERSION}.jar",
            f"apoc-core-{APOC_VERSION}.jar", f"apoc-common-{APOC_VERSION}.jar"} <= jars  # fmt: skip
    lib = {p.name for p in (neo4j_settings.var_dir / f"neo4j-lib-{NEO4J_VERSION}").glob("*.jar")}
    assert not any(
        name.startswith(("commons-text-", "jackson-core-", "caffeine-")) for name in jars
    )
    assert any(name.startswith("commons-text-") for name in lib)
    server = LocalNeo4j(Path("/nonexistent"), Path("/lib"), Path("/pw"), plugins_dir=folder)
    assert server._classpath() == f"{folder}/*:/lib/*"


def test_the_suite_server_answers_its_plugin_versions(
    neo4j_settings: Settings, tmp_path: Path
) -> None:
    password = tmp_path / "password"
    password.write_text(neo4j_settings.password())
    port = urlparse(neo4j_settings.neo4j_uri).port
    assert port is not None
    server = LocalNeo4j(tmp_path, tmp_path, password, bolt_port=port)
    assert server.plugin_versions() == (GDS_VERSION, APOC_VERSION)
