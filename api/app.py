"""The FastAPI application: one Gateway (driver) per process, created in the lifespan."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles
from neo4j.exceptions import ServiceUnavailable
from starlette.responses import Response

from api import errors
from api.bodies import GuardBodies
from api.logs import quiet_access_log
from api.pages.common import PLOTLY_DIR
from api.routers import (
    algorithms,
    brand,
    events,
    health,
    maps,
    pages,
    people,
    staff,
    status,
    stores,
    value,
)
from fission import __version__
from fission.errors import DatabaseUnavailable
from fission.settings import Settings, get_settings
from graph.followthrough import ServedLog
from graph.gateway import Gateway
from graph.gds import server_plugins

DESCRIPTION = """
Referral analytics for retail chains: store diagnosis, key nodes, influence, reach,
introduction paths, recommended contacts and customer value (GMV factors, retention, value by
referral source, the funnel, agent candidates), served from Neo4j.

Authenticate with `X-API-Key`. Roles: **hq** (everything), **store** (one store's people,
staff, maps and recommendations; anything else answers 404), **staff** (one staff member's
today page, recommendations, figures and notes), **ingest** (POST /events only).
"""

# Starlette's default, level 9, took 9.4 ms to pack a 512 kB store network at `large`; level 5
# takes 2.4 ms for a 9 % larger body.
GZIP_LEVEL = 5


def create_app(settings: Settings | None = None, gateway: Gateway | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = gateway is None
        # Requests wait briefly for the database, then answer 503: a client retries sooner
        # than a request would hang.
        app.state.gateway = gateway or Gateway(
            settings, retry_seconds=settings.api_database_wait_seconds
        )
        # The plugins (and so the influence engine) are detected once, at start-up; a database
        # that is down now is asked again on first use.
        with suppress(DatabaseUnavailable, ServiceUnavailable):
            server_plugins(app.state.gateway)
        app.state.api_keys = settings.all_api_keys()
        app.state.served = ServedLog(app.state.gateway, settings.recommendation_log_seconds)
        try:
            with quiet_access_log(settings):
                yield
        finally:
            app.state.served.close()
            if own:
                app.state.gateway.close()

    app = FastAPI(
        title="Fission",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    errors.install(app)
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=GZIP_LEVEL)
    app.add_middleware(GuardBodies, max_bytes=settings.api_max_body_bytes)
    for module in (
        health,
        status,
        brand,
        value,
        stores,
        algorithms,
        people,
        staff,
        events,
        maps,
        pages,
    ):
        app.include_router(module.router)
    app.mount("/static", VersionedStatic(directory=PLOTLY_DIR), name="static")
    return app


def serving_app() -> FastAPI:
    """The app as `fission serve` runs it in each uvicorn worker. What is alive once it is built
    (modules, classes, schemas: about 150 000 objects) stays alive, so it is moved out of the
    garbage collector's reach: at `large`, every full collection walked it again while store
    maps were drawn, 40 ms a time against 1 to 4 ms frozen."""
    app = create_app()
    gc.collect()
    gc.freeze()
    return app


class VersionedStatic(StaticFiles):
    """Static files that browsers may keep for a year: pages put the version in the URL."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response
