"""Request bodies, checked before any route sees them: JSON only (415 otherwise, naming the
content type that was sent), UTF-8, strict JSON (no NaN or Infinity, which RFC 8259 does not
allow and which Python's json would otherwise accept), not nested past the parser's limit, and
no larger than FISSION_API_MAX_BODY_BYTES (413: refused from the declared length before
reading, or as soon as a chunked body passes it). Each refusal is a 4xx in the documented error
shape that says what was wrong. (Starlette's own body limit answers 413 in plain text, so it is
not used.)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import HTTPException, Request, Response
from fastapi.routing import APIRoute
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


def too_large(limit: int) -> HTTPException:
    return HTTPException(413, f"The request body is larger than the limit of {limit} bytes.")


class GuardBodies:
    """Answers 415 to a body not declared as JSON and 413 to one larger than `max_bytes`."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        length = headers.get("content-length", "")
        has_body = length not in ("", "0") or "transfer-encoding" in headers
        content_type = headers.get("content-type", "")
        refusal = None
        if has_body and not _is_json(content_type):
            sent = f"`{content_type}`" if content_type else "no Content-Type"
            refusal = error_response(
                415,
                "unsupported_media_type",
                f"Send the body as JSON with `Content-Type: application/json` (got {sent}).",
            )
        elif length.isdigit() and int(length) > self.max_bytes:
            limit = too_large(self.max_bytes)
            refusal = error_response(413, "content_too_large", str(limit.detail))
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise too_large(self.max_bytes)  # the route's body read answers it
            return message

        await self.app(scope, counted, send)
