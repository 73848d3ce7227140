"""Graph Data Science (GDS) in the database: whether the server has it, which influence engine
runs, and named in-memory graphs that are always dropped.

The server's plugins are detected once per gateway (the API creates its one gateway at start-up)
and cached, so every answer in a process uses the same engine; `refresh=True` asks again.
`influence_engine` follows the `FISSION_INFLUENCE_ENGINE` setting: `gds`, `igraph`, or `auto`
(GDS when the server has it, else igraph).

GDS graphs live in the memory of the server that projected them. A projection and the
procedures that use it run as read transactions (they change no data) on the same single
server; on a cluster, point NEO4J_URI at the one analytics server (`bolt://`), not at `neo4j://`
routing, so that they all reach the same member.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal
from weakref import WeakKeyDictionary

from fission.errors import ConfigurationError, FeatureUnavailable
from graph.gateway import Gateway, Row
from graph.queries import Query, query

PLUGINS = query("server/plugins")
GDS_VERSION = query("server/gds_version")
APOC_VERSION = query("server/apoc_version")
DROP = query("gds/drop")

Engine = Literal["gds", "igraph"]


@dataclass(frozen=True)
class ServerPlugins:
    """The plugin versions the database answers (None: not installed)."""

    gds_version: str | None
    apoc_version: str | None

    @property
    def has_gds(self) -> bool:
        return self.gds_version is not None


_DETECTED: WeakKeyDictionary[Gateway, ServerPlugins] = WeakKeyDictionary()


def server_plugins(gateway: Gateway, refresh: bool = False) -> ServerPlugins:
    """GDS and APOC versions of the server behind `gateway`, detected once and cached."""
    if refresh or gateway not in _DETECTED:
        names = set(gateway.read(PLUGINS, names=["gds.version", "apoc.version"])[0]["names"])
        gds = gateway.read(GDS_VERSION)[0]["version"] if "gds.version" in names else None
        apoc = gateway.read(APOC_VERSION)[0]["version"] if "apoc.version" in names else None
        _DETECTED[gateway] = ServerPlugins(gds, apoc)
    return _DETECTED[gateway]


def influence_engine(gateway: Gateway) -> Engine:
    """The engine influence runs on: the setting, or with `auto` GDS when the server has it."""
    wanted = gateway.settings.influence_engine
    if wanted == "igraph":
        return "igraph"
    has_gds = server_plugins(gateway).has_gds
    if wanted == "gds" and not has_gds:
        raise ConfigurationError(
            "FISSION_INFLUENCE_ENGINE=gds, but the Neo4j server has no Graph Data Science "
            "plugin; install it, or set FISSION_INFLUENCE_ENGINE=auto or igraph."
        )
    return "gds" if has_gds else "igraph"


def require_gds(gateway: Gateway, what: str) -> None:
    """FeatureUnavailable (503) when the server lacks GDS, naming what needs it."""
    if not server_plugins(gateway).has_gds:
        raise FeatureUnavailable(
            f"{what} needs the Neo4j Graph Data Science plugin, which the server at "
            f"{gateway.settings.neo4j_uri} does not have."
        )


@dataclass(frozen=True)
class Projection:
    """A projected in-memory graph: its name, or None when the projection matched nothing;
    `row` is everything the projection query returned."""

    name: str | None
    nodes: int
    relationships: int
    row: Row


@contextmanager
def projected(gateway: Gateway, projection: Query, **params: Any) -> Iterator[Projection]:
    """Runs a projection query (a `cypher/gds/project_*` file taking `$graph_name` and returning
    graph_name, nodes, relationships) under a fresh unique name, and drops the graph on exit,
    whatever happens. An empty match projects nothing: `name` is None."""
    name = f"fission-{projection.name.rsplit('/', 1)[-1]}-{uuid.uuid4().hex[:12]}"
    row = gateway.read(projection, graph_name=name, **params)[0]
    try:
        yield Projection(row["graph_name"], row["nodes"] or 0, row["relationships"] or 0, row)
    finally:
        if row["graph_name"] is not None:
            gateway.read(DROP, graph_name=name)
