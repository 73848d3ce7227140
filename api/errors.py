"""Maps the project's errors (fission.errors) and request validation errors to HTTP, once.
The gateway turns an unreachable database into DatabaseUnavailable (503).

Every error body has the same shape: {"error": {"code": ..., "message": ..., "details": ...}}.
A browser navigating to a page (GET, accepting HTML) gets the same status with a short page in
its language instead (api.pages.errors).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from api.pages.errors import error_page
from fission.errors import FissionError


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: list[dict[str, Any]] | None = None


class ErrorBody(BaseModel):
    error: ErrorDetail


def _body(
    status: int, code: str, message: str, details: list[dict[str, Any]] | None = None
) -> JSONResponse:
    content = ErrorBody(error=ErrorDetail(code=code, message=message, details=details))
    headers = {"WWW-Authenticate": "APIKey"} if status == 401 else None
    return JSONResponse(content.model_dump(exclude_none=True), status_code=status, headers=headers)


def _code(exc: FissionError) -> str:
    name = type(exc).__name__
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def _wants_page(request: Request) -> bool:
    """A browser navigating to a page asks for HTML first; API clients and the pages' own
    fetch() calls do not, and get the JSON body."""
    return request.method == "GET" and "text/html" in request.headers.get("accept", "")


def install(app: FastAPI) -> None:
    @app.exception_handler(FissionError)
    async def fission_error(request: Request, exc: FissionError) -> Response:
        if _wants_page(request):
            return error_page(request, exc.http_status, str(exc))
        return _body(exc.http_status, _code(exc), str(exc))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        details = [
            {"field": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]} for e in exc.errors()
        ]
        message = "; ".join(f"{d['field']}: {d['problem']}" for d in details)
        if _wants_page(request):
            return error_page(request, 422, message)
        return _body(422, "invalid_input", message, details)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "No API key, or not a valid one."},
    403: {"model": ErrorBody, "description": "The key's role may not do this."},
    404: {"model": ErrorBody, "description": "Unknown, or outside the key's store."},
    422: {"model": ErrorBody, "description": "The request is invalid; the message says why."},
}
