"""The FastAPI application: one Gateway (driver) per process, created in the lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import errors
from api.routers import events, health, maps, people, staff, stores
from fission import __version__
from fission.settings import Settings, get_settings
from graph.gateway import Gateway

DESCRIPTION = """
Referral analytics for retail chains: store diagnosis, key nodes, influence, reach,
introduction paths and recommended contacts, served from Neo4j.

Authenticate with `X-API-Key`. Roles: **hq** (everything), **store** (one store's people,
staff, maps and recommendations; anything else answers 404), **ingest** (POST /events only).
"""


def create_app(settings: Settings | None = None, gateway: Gateway | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = gateway is None
        app.state.gateway = gateway or Gateway(settings)
        app.state.api_keys = settings.all_api_keys()
        app.state.settings = settings
        try:
            yield
        finally:
            if own:
                app.state.gateway.close()

    app = FastAPI(title="Fission", version=__version__, description=DESCRIPTION, lifespan=lifespan)
    errors.install(app)
    for module in (health, stores, people, staff, events, maps):
        app.include_router(module.router)
    return app
