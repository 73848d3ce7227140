"""Liveness and the database behind it."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from api.bodies import JSONRoute
from api.deps import GatewayDep
from fission import __version__
from fission.errors import DatabaseUnavailable

router = APIRouter(tags=["health"], route_class=JSONRoute)


class Health(BaseModel):
    status: str
    version: str
    neo4j_reachable: bool
    neo4j_version: str | None = None
    database: str
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
    return Health(
        status="ok",
        version=__version__,
        neo4j_reachable=True,
        neo4j_version=version,
        database=gateway.database,
    )
