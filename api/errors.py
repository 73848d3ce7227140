"""Maps every error to HTTP, once: the project's errors (fission.errors), request validation
errors, and what Starlette itself answers (unknown route, wrong method, body too large).

Every error body has the same shape: {"error": {"code": ..., "message": ..., "details": ...}},
and the message says what was wrong. 503 (the database is unavailable) adds `Retry-After`.
A browser navigating to a page (GET, accepting HTML) gets the same status with a short page in
its language instead (api.pages.errors).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.auth import KeyInAddress
from api.pages.errors import error_page
from fission.errors import FissionError

RETRY_AFTER_SECONDS = 5
# Codes for what Starlette answers on its own (the project's own errors name themselves).
HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "content_too_large",
    415: "unsupported_media_type",
}


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: list[dict[str, Any]] | None = None


class ErrorBody(BaseModel):
    error: ErrorDetail


def error_response(
    status: int, code: str, message: str, details: list[dict[str, Any]] | None = None
) -> JSONResponse:
    """An error in the documented shape."""
    content = ErrorBody(error=ErrorDetail(code=code, message=message, details=details))
    headers = {}
    if status == 401:
        headers["WWW-Authenticate"] = "APIKey"
    if status == 503:
        headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return JSONResponse(
        content.model_dump(exclude_none=True), status_code=status, headers=headers or None
    )


def error_code(exc: FissionError) -> str:
    name = type(exc).__name__
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def _field(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc)


def _wants_page(request: Request) -> bool:
    """A browser navigating to a page asks for HTML first; API clients and the pages' own
    fetch() calls do not, and get the JSON body."""
    return request.method == "GET" and "text/html" in request.headers.get("accept", "")


def _answer(
    request: Request,
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
) -> Response:
    if _wants_page(request):
        page = error_page(request, status, message)
        if status == 503:
            page.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return page
    return error_response(status, code, message, details)


def install(app: FastAPI) -> None:
    @app.exception_handler(KeyInAddress)
    async def key_in_address(_: Request, exc: KeyInAddress) -> Response:
        return exc.redirect()

    @app.exception_handler(FissionError)
    async def fission_error(request: Request, exc: FissionError) -> Response:
        return _answer(request, exc.http_status, error_code(exc), str(exc))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        details = [{"field": _field(e["loc"]), "problem": e["msg"]} for e in exc.errors()]
        message = "; ".join(f"{d['field']}: {d['problem']}" for d in details)
        return _answer(request, 422, "invalid_input", message, details)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        status = exc.status_code
        message = str(exc.detail)
        if status == 404 and message == HTTPStatus.NOT_FOUND.phrase:
            message = "No such route; see /docs for the API."
        code = HTTP_CODES.get(status) or HTTPStatus(status).phrase.lower().replace(" ", "_")
        return _answer(request, status, code, message)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "No API key, or not a valid one."},
    403: {"model": ErrorBody, "description": "The key's role may not do this."},
    404: {"model": ErrorBody, "description": "Unknown, or outside the key's store."},
    422: {"model": ErrorBody, "description": "The request is invalid; the message says why."},
    503: {"model": ErrorBody, "description": "The database is unavailable; retry shortly."},
}
BODY_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "The body is not valid UTF-8 JSON."},
    413: {"model": ErrorBody, "description": "The body is larger than the limit."},
    415: {"model": ErrorBody, "description": "The body is not sent as application/json."},
}
