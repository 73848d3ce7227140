"""Request bodies, checked before any route sees them: JSON only (415 otherwise, naming the
content type that was sent), UTF-8, strict JSON (no NaN or Infinity, which RFC 8259 does not
allow and which Python's json would otherwise accept), not nested past the parser's limit, and
no larger than FISSION_API_MAX_BODY_BYTES (413, FastAPI's own limit). Each refusal is a 4xx in
the documented error shape that says what was wrong.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import HTTPException, Request, Response
from fastapi.routing import APIRoute
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import error_response

BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number; send a finite number or null")


def parse_json(body: bytes) -> Any:
    """The body as JSON, or HTTPException(400) saying why it is not."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HTTPException(
            400, f"The body is not valid UTF-8: byte 0x{body[exc.start]:02x} at {exc.start}."
        ) from exc
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except RecursionError as exc:
        raise HTTPException(400, "The body's JSON is nested too deeply.") from exc
    except json.JSONDecodeError as exc:
        raise HTTPException(400, f"The body is not valid JSON: {exc}.") from exc
    except ValueError as exc:
        raise HTTPException(400, f"The body is not valid JSON: {exc}.") from exc


class JSONRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = parse_json(await self.body())
        return self._json


class JSONRoute(APIRoute):
    """A route whose JSON body is parsed by `parse_json`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            return await handler(JSONRequest(request.scope, request.receive))

        return route


def _is_json(content_type: str) -> bool:
    media = content_type.split(";")[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


class JSONBodiesOnly:
    """Answers 415 to a request that carries a body not declared as JSON."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in BODY_METHODS:
            headers = Headers(scope=scope)
            has_body = headers.get("content-length", "0") not in ("", "0") or (
                "transfer-encoding" in headers
            )
            content_type = headers.get("content-type", "")
            if has_body and not _is_json(content_type):
                sent = f"`{content_type}`" if content_type else "no Content-Type"
                response = error_response(
                    415,
                    "unsupported_media_type",
                    f"Send the body as JSON with `Content-Type: application/json` (got {sent}).",
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
