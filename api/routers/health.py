"""Liveness and the database behind it."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import GatewayDep
from fission import __version__
from fission.errors import DatabaseUnavailable

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    version: str
    neo4j_reachable: bool
    neo4j_version: str | None = None
    database: str
    problem: str | None = None


@router.get("/health", summary="Is the API up, and does Neo4j answer?")
def health(gateway: GatewayDep) -> Health:
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
