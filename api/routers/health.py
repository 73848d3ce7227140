"""Liveness and the database behind it."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.bodies import JSONRoute
from api.deps import GatewayDep
from fission import __version__
from fission.errors import ConfigurationError, DatabaseUnavailable
from graph.gds import influence_engine, server_plugins

router = APIRouter(tags=["health"], route_class=JSONRoute)


class Health(BaseModel):
    status: str
    version: str
    neo4j_reachable: bool
    neo4j_version: str | None = None
    database: str
    gds_version: str | None = Field(
        None, description="Graph Data Science library version on the server (null: none)."
    )
    apoc_version: str | None = Field(None, description="APOC version on the server (null: none).")
    influence_engine: str | None = Field(
        None,
        description="How influence is computed: `gds` (gds.pageRank) or `igraph` (in Python).",
    )
    problem: str | None = None


@router.get("/health", summary="Is the API up, and does Neo4j answer?")
def health(gateway: GatewayDep) -> Health:
    """Always 200 while the API runs: `status` is `degraded`, with the problem, while Neo4j does
    not answer (every other route then answers 503); it turns `ok` by itself once Neo4j is
    back."""
    try:
        version = gateway.verify()
    except DatabaseUnavailable as exc:
        return Health(
            status="degraded",
            version=__version__,
            neo4j_reachable=False,
            database=gateway.database,
            problem=str(exc),
        )
    plugins = server_plugins(gateway)
    try:
        engine: str | None = influence_engine(gateway)
        problem = None
    except ConfigurationError as exc:
        engine, problem = None, str(exc)
    return Health(
        status="ok" if problem is None else "degraded",
        version=__version__,
        neo4j_reachable=True,
        neo4j_version=version,
        database=gateway.database,
        gds_version=plugins.gds_version,
        apoc_version=plugins.apoc_version,
        influence_engine=engine,
        problem=problem,
    )
