"""The project's exceptions: one small hierarchy, mapped to HTTP status codes in one place."""

from __future__ import annotations


class FissionError(Exception):
    """Base class; `http_status` is what the API answers when it escapes a route."""

    http_status = 500


class ConfigurationError(FissionError):
    """Settings are missing or contradict each other."""


class ServerError(FissionError):
    """The local Neo4j server could not be assembled, started or stopped."""


class InvalidInput(FissionError):
    """Input failed validation; the message says what and where."""

    http_status = 422


class NotFound(FissionError):
    """The thing asked for does not exist (or is outside the caller's scope)."""

    http_status = 404


class Forbidden(FissionError):
    http_status = 403


class Unauthorized(FissionError):
    http_status = 401


class DatabaseUnavailable(FissionError):
    """Neo4j did not answer."""

    http_status = 503


class RenderingFailed(FissionError):
    """Chromium could not render or print a page (the weekly PDF report)."""


class FeatureUnavailable(FissionError):
    """The database lacks what an answer needs (for instance the Graph Data Science plugin)."""

    http_status = 503
