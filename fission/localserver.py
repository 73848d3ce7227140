"""A real Neo4j Community server assembled from Maven Central jars, run without Docker.

`mvn dependency:copy-dependencies` on the bundled pom fills a jar folder (cached: a second run
downloads nothing); the server runs as
`java -cp plugins/*:lib/* org.neo4j.server.CommunityEntryPoint` with a `neo4j.conf` this module
writes. The password is generated on first start, kept in a
git-ignored file, and set with `neo4j-admin dbms set-initial-password` before the first boot.

Plugins (unless switched off): the open Graph Data Science library and APOC core, assembled
from `plugins-pom.xml` into a cached folder of their own. Only the jars Neo4j's lib/ does not
already have are copied (compared by group and artifact: a second copy of a shared third-party
jar, such as commons-text, fails with IllegalAccessError between class loaders). The folder is
both the server's plugin directory and first on its class path, as Neo4j's own launcher does:
GDS and APOC register extensions that are found through the class path only.

Memory: heap and page cache as the settings give them, or `auto` (the default), sized at each
start from the machine and the store (`memory_plan`): a brand's store of some gigabytes then
fits in the page cache without the settings naming its size.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import LiteralString
from urllib.parse import urlsplit

from neo4j import GraphDatabase
from neo4j.exceptions import AuthError, ServiceUnavailable

from fission.errors import ServerError
from fission.settings import Settings

POM = Path(__file__).resolve().parent / "neo4j-server" / "pom.xml"
PLUGINS_POM = POM.with_name("plugins-pom.xml")
NEO4J_VERSION = "5.26.30"
GDS_VERSION = "2.13.9"
APOC_VERSION = "5.26.19"
PLUGINS_NAME = f"neo4j-plugins-gds-{GDS_VERSION}-apoc-{APOC_VERSION}"
# Asked only after SHOW FUNCTIONS found the function (an unknown function fails to compile).
PLUGIN_VERSION_QUERIES: dict[str, LiteralString] = {
    "gds.version": "RETURN gds.version() AS v",
    "apoc.version": "RETURN apoc.version() AS v",
}
AUTO = "auto"
GIB = 2**30
ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"
JVM_FLAGS = [
    "-XX:+UseG1GC",
    "-XX:+ExitOnOutOfMemoryError",
    "-Dfile.encoding=UTF-8",
    # Lets the page cache use direct buffers instead of its slower fallback.
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
]


@dataclass
class ServerStatus:
    running: bool
    pid: int | None
    bolt_uri: str
    version: str | None = None
    gds_version: str | None = None
    apoc_version: str | None = None


def machine_memory() -> int:
    """Bytes of memory this process may use: the machine's, or its container's limit."""
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    limit = Path("/sys/fs/cgroup/memory.max")
    with contextlib.suppress(OSError, ValueError):
        return min(physical, int(limit.read_text().strip()))
    return physical


def memory_plan(memory: int, store: int) -> tuple[str, str]:
    """Heap and page cache for `auto`, from the memory available and the store's size (bytes):
    the heap a sixth of memory, 1 to 8 GiB (GDS projections live there); the page cache the
    store and half again for what loads add before the next start, at least 2 GiB, at most two
    fifths of memory. The rest stays for the API, the loaders (the bulk import's Python side
    held 5 GB at `large`) and the file system cache."""
    heap = min(max(memory // 6, GIB), 8 * GIB)
    pagecache = min(max(store * 3 // 2, 2 * GIB), memory * 2 // 5)
    return f"{heap // 2**20}m", f"{pagecache // 2**20}m"


def _maven(pom: Path, *goal: str) -> None:
    if shutil.which("mvn") is None:
        raise ServerError("Maven (`mvn`) is needed to assemble Neo4j; install it (apt: maven).")
    cmd = ["mvn", "-q", "-B", "-f", str(pom), *goal, "-DincludeScope=runtime"]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ServerError(
            f"`{' '.join(cmd)}` failed ({done.returncode}):\n"
            f"{done.stdout[-4000:]}{done.stderr[-4000:]}"
        )


def _staged(folder: Path) -> Path:
    staging = folder.with_name(folder.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    return staging


def _publish(staging: Path, folder: Path, version: str) -> Path:
    (staging / ".complete").write_text(version + "\n")
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(folder)
    return folder


def assemble_lib(lib_dir: Path, log: Callable[[str], None] | None = None) -> Path:
    """Download the server's jars into `lib_dir` once; later calls return at once."""
    if (lib_dir / ".complete").exists():
        return lib_dir
    staging = _staged(lib_dir)
    if log:
        log(f"Assembling Neo4j {NEO4J_VERSION} from Maven Central into {lib_dir} ...")
    _maven(
        POM,
        "dependency:copy-dependencies",
        f"-Dneo4j.version={NEO4J_VERSION}",
        f"-DoutputDirectory={staging}",
    )
    if not any(staging.glob(f"neo4j-{NEO4J_VERSION}.jar")):
        raise ServerError(f"Maven finished but neo4j-{NEO4J_VERSION}.jar is not in {staging}")
    return _publish(staging, lib_dir, NEO4J_VERSION)


def _resolved(pom: Path, listing: Path) -> dict[tuple[str, str, str], Path]:
    """The runtime jars a pom resolves to, by (group, artifact, classifier)."""
    _maven(
        pom,
        "dependency:list",
        "-DoutputAbsoluteArtifactFilename=true",
        f"-DoutputFile={listing}",
    )
    jars: dict[tuple[str, str, str], Path] = {}
    for line in listing.read_text().splitlines():
        coordinates, _, path = line.strip().partition(":/")
        parts = coordinates.split(":")  # group:artifact:type[:classifier]:version:scope
        if path and len(parts) in (5, 6) and parts[2] == "jar":
            classifier = parts[3] if len(parts) == 6 else ""
            jars[(parts[0], parts[1], classifier)] = Path("/" + path)
    return jars


def assemble_plugins(plugins_dir: Path, log: Callable[[str], None] | None = None) -> Path:
    """Download OpenGDS and APOC core into `plugins_dir` once, leaving out every jar that
    Neo4j's own lib/ has (in any version); later calls return at once."""
    if (plugins_dir / ".complete").exists():
        return plugins_dir
    staging = _staged(plugins_dir)
    if log:
        log(
            f"Assembling Graph Data Science {GDS_VERSION} and APOC {APOC_VERSION} from Maven "
            f"Central into {plugins_dir} ..."
        )
    server = _resolved(POM, staging / "neo4j.deps")
    plugins = _resolved(PLUGINS_POM, staging / "plugins.deps")
    for key, jar in sorted(plugins.items()):
        if key not in server:
            shutil.copy2(jar, staging / jar.name)
    for listing in staging.glob("*.deps"):
        listing.unlink()
    for name in (f"proc-{GDS_VERSION}.jar", f"apoc-core-{APOC_VERSION}.jar"):
        if not (staging / name).exists():
            raise ServerError(f"Maven finished but {name} is not in {staging}")
    return _publish(staging, plugins_dir, f"gds {GDS_VERSION}, apoc {APOC_VERSION}")


def free_ports(count: int) -> list[int]:
    """Distinct free loopback ports (all held open while choosing, so none repeats)."""
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


class LocalNeo4j:
    """One server home (conf, data, logs, run) on loopback ports."""

    def __init__(
        self,
        home: Path,
        lib_dir: Path,
        password_file: Path,
        bolt_port: int = 7687,
        http_port: int = 7474,
        heap: str = "2g",
        pagecache: str = "2g",
        plugins_dir: Path | None = None,
    ) -> None:
        self.home = home
        self.lib_dir = lib_dir
        self.plugins_dir = plugins_dir
        self.password_file = password_file
        self.bolt_port = bolt_port
        self.http_port = http_port
        self.heap = heap
        self.pagecache = pagecache

    @classmethod
    def from_settings(cls, settings: Settings) -> LocalNeo4j:
        return cls(
            home=settings.local_server_home,
            lib_dir=settings.var_dir / f"neo4j-lib-{NEO4J_VERSION}",
            password_file=settings.local_password_file,
            bolt_port=settings.local_bolt_port,
            http_port=settings.local_http_port,
            heap=settings.local_heap,
            pagecache=settings.local_pagecache,
            plugins_dir=plugins_dir(settings),
        )

    @property
    def bolt_uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    def serves(self, uri: str) -> bool:
        """Whether `uri` (bolt:// or neo4j://) names this server: loopback, its Bolt port."""
        parsed = urlsplit(uri)
        return (
            parsed.scheme in ("bolt", "neo4j")
            and parsed.hostname in ("127.0.0.1", "localhost", "::1")
            and (parsed.port or 7687) == self.bolt_port
        )

    @property
    def pid_file(self) -> Path:
        return self.home / "run" / "fission-neo4j.pid"

    @property
    def conf_dir(self) -> Path:
        return self.home / "conf"

    def password(self) -> str:
        if not self.password_file.exists():
            self.password_file.parent.mkdir(parents=True, exist_ok=True)
            # A leading letter: neo4j-admin would read a password starting with "-" as an option.
            self.password_file.write_text("p" + secrets.token_urlsafe(18) + "\n")
            self.password_file.chmod(0o600)
        return self.password_file.read_text().strip()

    def store_bytes(self) -> int:
        """The size of the databases' store files (transaction logs apart)."""
        databases = self.home / "data" / "databases"
        return sum(f.stat().st_size for f in databases.rglob("*") if f.is_file())

    def memory(self) -> tuple[str, str]:
        """Heap and page cache for a start now: as given, or `auto` from `memory_plan`."""
        if AUTO not in (self.heap, self.pagecache):
            return self.heap, self.pagecache
        heap, pagecache = memory_plan(machine_memory(), self.store_bytes())
        return (
            heap if self.heap == AUTO else self.heap,
            pagecache if self.pagecache == AUTO else self.pagecache,
        )

    def configured_memory(self) -> dict[str, str]:
        """Heap and page cache the server was last started with (from its neo4j.conf)."""
        conf = self.conf_dir / "neo4j.conf"
        values = dict(line.split("=", 1) for line in conf.read_text().splitlines() if "=" in line)
        return {
            "heap": values["server.memory.heap.max_size"],
            "pagecache": values["server.memory.pagecache.size"],
        }

    def write_conf(self) -> Path:
        for sub in ("conf", "data", "logs", "plugins", "run", "import"):
            (self.home / sub).mkdir(parents=True, exist_ok=True)
        heap, pagecache = self.memory()
        lines = {
            "server.directories.data": self.home / "data",
            "server.directories.logs": self.home / "logs",
            "server.directories.plugins": self.plugins_dir or self.home / "plugins",
            "server.directories.run": self.home / "run",
            "server.directories.import": self.home / "import",
            "server.default_listen_address": "127.0.0.1",
            "server.default_advertised_address": "127.0.0.1",
            "server.bolt.listen_address": f"127.0.0.1:{self.bolt_port}",
            "server.http.listen_address": f"127.0.0.1:{self.http_port}",
            "server.http.enabled": "true",
            "server.https.enabled": "false",
            "dbms.security.auth_enabled": "true",
            "dbms.usage_report.enabled": "false",
            "server.memory.heap.initial_size": heap,
            "server.memory.heap.max_size": heap,
            "server.memory.pagecache.size": pagecache,
            "db.transaction.timeout": "10m",
            "dbms.security.procedures.unrestricted": "apoc.*,gds.*",
        }
        conf = self.conf_dir / "neo4j.conf"
        header = "# Written by fission.localserver; edit the settings, not this file.\n"
        conf.write_text(header + "".join(f"{k}={v}\n" for k, v in lines.items()))
        return conf

    def _java(self) -> str:
        java_home = os.environ.get("JAVA_HOME")
        java = str(Path(java_home) / "bin" / "java") if java_home else shutil.which("java")
        if not java or not Path(java).exists():
            raise ServerError("Java 17 is needed to run Neo4j 5.26; install it (apt: openjdk-17).")
        return java

    def _env(self) -> dict[str, str]:
        return {**os.environ, "NEO4J_HOME": str(self.home), "NEO4J_CONF": str(self.conf_dir)}

    def _classpath(self) -> str:
        # Plugins first, as Neo4j's launcher puts them: their extensions load from the class path.
        plugins = f"{self.plugins_dir}/*:" if self.plugins_dir else ""
        return f"{plugins}{self.lib_dir}/*"

    def _admin(self, *args: str, heap: str | None = None) -> subprocess.CompletedProcess[str]:
        """Runs `neo4j-admin` (AdminTool from the same jars) on this home."""
        memory = [f"-Xmx{heap}"] if heap else []
        cmd = [self._java(), *memory, "-cp", self._classpath(), ADMIN_TOOL, *args]
        return subprocess.run(cmd, env=self._env(), capture_output=True, text=True, check=False)

    def _set_initial_password(self) -> None:
        if (self.home / "data" / "dbms" / "auth.ini").exists():
            return
        # A generated password may start with "-": end the options first.
        done = self._admin("dbms", "set-initial-password", "--", self.password())
        if done.returncode != 0:
            raise ServerError(f"set-initial-password failed: {done.stdout}{done.stderr}")

    def import_database(
        self,
        database: str,
        nodes: list[tuple[str | None, Path]],
        relationships: list[tuple[str, Path]],
        multiline: list[Path],
        heap: str,
        max_off_heap: str,
        threads: int | None = None,
    ) -> str:
        """Replaces `database` with a new one built by `neo4j-admin database import full` from
        CSV files with integer import ids: `nodes` as (label or None when the file has a
        :LABEL column, file), `relationships` as (type, file). The server must be stopped.
        Returns the importer's summary; on failure raises ServerError with its output."""
        if self._read_pid() is not None:
            raise ServerError(
                "Stop the local server before importing (the import replaces its files)."
            )
        assemble_lib(self.lib_dir)
        self.write_conf()
        self._set_initial_password()
        args = [
            "database",
            "import",
            "full",
            database,
            "--overwrite-destination=true",
            "--id-type=integer",
            "--array-delimiter=;",
            "--high-parallel-io=on",
            f"--max-off-heap-memory={max_off_heap}",
            f"--report-file={self.home / 'logs' / 'import.report'}",
        ]
        if threads:
            args.append(f"--threads={threads}")
        args += [f"--nodes={label}={path}" if label else f"--nodes={path}" for label, path in nodes]
        args += [f"--relationships={kind}={path}" for kind, path in relationships]
        if multiline:
            args += [
                "--multiline-fields-format=v2",
                f"--multiline-fields={','.join(str(p) for p in multiline)}",
            ]
        done = self._admin(*args, heap=heap)
        output = done.stdout + done.stderr
        if done.returncode != 0 or "IMPORT DONE" not in output:
            raise ServerError(
                f"neo4j-admin database import failed ({done.returncode}):\n{output[-4000:]}"
            )
        return output[output.rindex("IMPORT DONE") :].strip()

    def _read_pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except OSError:
            return None
        return pid

    def status(self) -> ServerStatus:
        pid = self._read_pid()
        status = ServerStatus(running=pid is not None, pid=pid, bolt_uri=self.bolt_uri)
        if pid:
            status.version = self.version()
            status.gds_version, status.apoc_version = self.plugin_versions()
        return status

    def version(self) -> str | None:
        try:
            with GraphDatabase.driver(self.bolt_uri, auth=("neo4j", self.password())) as driver:
                records, _, _ = driver.execute_query(
                    "CALL dbms.components() YIELD versions RETURN versions[0] AS v",
                    database_="system",
                )
                return str(records[0]["v"])
        except (ServiceUnavailable, AuthError, OSError):
            return None

    def plugin_versions(self) -> tuple[str | None, str | None]:
        """The GDS and APOC versions the running server answers (None: not loaded)."""
        found: dict[str, str] = {}
        try:
            with GraphDatabase.driver(self.bolt_uri, auth=("neo4j", self.password())) as driver:
                records, _, _ = driver.execute_query(
                    "SHOW FUNCTIONS YIELD name WHERE name IN ['gds.version', 'apoc.version'] "
                    "RETURN collect(name) AS names"
                )
                for name in records[0]["names"]:
                    version, _, _ = driver.execute_query(PLUGIN_VERSION_QUERIES[name])
                    found[name] = str(version[0]["v"])
        except (ServiceUnavailable, AuthError, OSError):
            return None, None
        return found.get("gds.version"), found.get("apoc.version")

    def start(
        self, timeout: float = 120.0, log: Callable[[str], None] | None = None
    ) -> ServerStatus:
        """Start in the background and wait for Bolt; a running server is left as it is."""
        if self._read_pid() is not None:
            return self.status()
        if _port_open(self.bolt_port):
            raise ServerError(
                f"Port {self.bolt_port} is already taken by another process; "
                "set FISSION_LOCAL_BOLT_PORT or stop that process."
            )
        assemble_lib(self.lib_dir, log)
        if self.plugins_dir:
            assemble_plugins(self.plugins_dir, log)
        self.write_conf()
        memory = self.configured_memory()
        self._set_initial_password()
        console = self.home / "logs" / "console.log"
        cmd = [
            self._java(),
            f"-Xms{memory['heap']}",
            f"-Xmx{memory['heap']}",
            *JVM_FLAGS,
            "-cp",
            self._classpath(),
            ENTRY_POINT,
            f"--home-dir={self.home}",
            f"--config-dir={self.conf_dir}",
        ]
        with console.open("ab") as out:
            proc = subprocess.Popen(
                cmd,
                env=self._env(),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                cwd=self.home,
            )
        self.pid_file.write_text(f"{proc.pid}\n")
        if log:
            log(
                f"Neo4j starting (pid {proc.pid}; heap {memory['heap']}, page cache "
                f"{memory['pagecache']}), waiting for {self.bolt_uri} ..."
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                self.pid_file.unlink(missing_ok=True)
                raise ServerError(f"Neo4j exited with code {proc.returncode}.\n{self.log_tail()}")
            if _port_open(self.bolt_port) and self.version() is not None:
                return self.status()
            time.sleep(0.5)
        self.stop()
        raise ServerError(
            f"Neo4j did not answer on {self.bolt_uri} within {timeout:.0f}s.\n{self.log_tail()}"
        )

    def stop(self, timeout: float = 60.0) -> bool:
        """Stop cleanly (SIGTERM, then SIGKILL after `timeout`); False if it was not running."""
        pid = self._read_pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
            try:
                os.kill(pid, 0)
            except OSError:
                break
            time.sleep(0.3)
        else:
            os.kill(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        return True

    def reset(self) -> None:
        """Stop and delete the database files (the password and jars are kept)."""
        self.stop()
        shutil.rmtree(self.home / "data", ignore_errors=True)

    def log_tail(self, lines: int = 40) -> str:
        parts = []
        for name in ("neo4j.log", "console.log"):
            path = self.home / "logs" / name
            if path.exists():
                tail = path.read_text(errors="replace").splitlines()[-lines:]
                parts.append(f"--- {path} (last {len(tail)} lines)\n" + "\n".join(tail))
        return "\n".join(parts) or "(no server log yet)"


def plugins_dir(settings: Settings) -> Path | None:
    """The cached plugin folder, or None when FISSION_LOCAL_PLUGINS is off."""
    return settings.var_dir / PLUGINS_NAME if settings.local_plugins else None


@contextlib.contextmanager
def throwaway_server(
    settings: Settings, home: Path, heap: str = "1g", pagecache: str = "512m"
) -> Iterator[LocalNeo4j]:
    """A fresh server in `home` on free ports, stopped on exit (tests and benchmarks), with the
    plugins unless FISSION_LOCAL_PLUGINS is off."""
    bolt_port, http_port = free_ports(2)
    server = LocalNeo4j(
        home=home,
        lib_dir=settings.var_dir / f"neo4j-lib-{NEO4J_VERSION}",
        password_file=home / "password",
        bolt_port=bolt_port,
        http_port=http_port,
        heap=heap,
        pagecache=pagecache,
        plugins_dir=plugins_dir(settings),
    )
    server.start(timeout=240)
    try:
        yield server
    finally:
        server.stop()
