"""The local server's files (its configuration, password and status, without starting it —
starting one is what every test session does, in tests/conftest.py) and its plugins: assembled
without the third-party jars Neo4j's lib/ already has, first on the class path, and answering
their versions on the suite's own server."""

from __future__ import annotations

import stat
from pathlib import Path
from urllib.parse import urlparse

from fission.localserver import (
    APOC_VERSION,
    GDS_VERSION,
    NEO4J_VERSION,
    LocalNeo4j,
    assemble_plugins,
    free_ports,
    machine_memory,
    memory_plan,
    plugins_dir,
)
from fission.settings import Settings


def server(tmp_path: Path, **values: object) -> LocalNeo4j:
    bolt, http = free_ports(2)
    return LocalNeo4j(
        home=tmp_path / "home",
        lib_dir=tmp_path / "lib",
        password_file=tmp_path / "password",
        bolt_port=bolt,
        http_port=http,
        **values,  # type: ignore[arg-type]
    )


def conf_of(path: Path) -> dict[str, str]:
    lines = [line for line in path.read_text().splitlines() if not line.startswith("#")]
    return dict(line.split("=", 1) for line in lines)


def test_conf_listens_on_loopback_with_auth_and_the_given_memory(tmp_path: Path) -> None:
    local = server(tmp_path, heap="3g", pagecache="5g")
    conf = conf_of(local.write_conf())
    assert conf["server.default_listen_address"] == "127.0.0.1"
    assert conf["server.bolt.listen_address"] == f"127.0.0.1:{local.bolt_port}"
    assert conf["server.http.listen_address"] == f"127.0.0.1:{local.http_port}"
    assert conf["server.https.enabled"] == "false"
    assert conf["dbms.security.auth_enabled"] == "true"
    assert conf["server.memory.heap.max_size"] == "3g"
    assert conf["server.memory.pagecache.size"] == "5g"
    for folder in ("data", "logs", "plugins", "run", "import"):
        assert conf[f"server.directories.{folder}"] == str(local.home / folder)
        assert (local.home / folder).is_dir()


def test_the_password_is_generated_once_and_private(tmp_path: Path) -> None:
    local = server(tmp_path)
    first = local.password()
    assert len(first) >= 20 and local.password() == first
    assert stat.S_IMODE(local.password_file.stat().st_mode) == 0o600


def test_a_server_never_started_is_reported_stopped(tmp_path: Path) -> None:
    local = server(tmp_path)
    status = local.status()
    assert (status.running, status.pid, status.bolt_uri) == (
        False,
        None,
        f"bolt://127.0.0.1:{local.bolt_port}",
    )
    assert local.stop() is False
    assert local.log_tail() == "(no server log yet)"


def test_free_ports_are_distinct() -> None:
    ports = free_ports(6)
    assert len(set(ports)) == 6 and all(1024 < p < 65536 for p in ports)


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


def test_generated_passwords_never_look_like_options(tmp_path: Path) -> None:
    # One token in 64 used to start with "-", which set-initial-password took for an option
    # (the first start then failed): 300 fresh passwords hit that with 99% probability.
    for n in range(300):
        server = LocalNeo4j(home=tmp_path, lib_dir=tmp_path, password_file=tmp_path / f"pw{n}")
        assert not server.password().startswith("-")


def test_auto_memory_fits_the_store_in_the_page_cache_and_leaves_room() -> None:
    gib = 2**30
    # 24 GiB and the `large` brand's 2.5 GB store: a 4 GiB heap, the store and half again.
    assert memory_plan(24 * gib, int(2.5 * gib)) == ("4096m", "3840m")
    # An empty store still gets 2 GiB, for what the first loads bring.
    assert memory_plan(24 * gib, 0) == ("4096m", "2048m")
    # A store bigger than the machine: the page cache stops at two fifths of memory.
    assert memory_plan(64 * gib, 100 * gib) == ("8192m", f"{64 * 1024 * 2 // 5}m")
    # A small machine: at least a 1 GiB heap, and never more than two fifths in page cache.
    assert memory_plan(4 * gib, 0) == ("1024m", f"{4 * 1024 * 2 // 5}m")


def test_auto_memory_is_sized_from_the_store_at_each_start(tmp_path: Path) -> None:
    local = server(tmp_path, heap="auto", pagecache="auto")
    store = local.home / "data" / "databases" / "neo4j"
    store.mkdir(parents=True)
    with (store / "neostore.nodestore.db").open("wb") as f:
        f.truncate(6 * 2**30)  # sparse: its size without the disk
    heap, pagecache = memory_plan(machine_memory(), 6 * 2**30)
    conf = conf_of(local.write_conf())
    assert (conf["server.memory.heap.max_size"], conf["server.memory.pagecache.size"]) == (
        heap,
        pagecache,
    )
    assert local.configured_memory() == {"heap": heap, "pagecache": pagecache}
    # A size given for one of them is kept as given (same home: tmp_path / "home").
    assert server(tmp_path, heap="3g", pagecache="auto").memory() == ("3g", pagecache)
