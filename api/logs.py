"""What the API's access log may say: a request line names the route it asked for, never an
API key (a page opened with `?key=` is logged with `key=<redacted>`) and, when the brand
pseudonymises person ids, never a raw one (the ids in `/people/{id}`, `/staff/{id}` and in the
`to`, `staff`, `path_to` parameters are logged as their pseudonyms)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from pydantic import SecretStr

from fission.settings import Settings
from loaders.pseudonyms import pseudonym

ACCESS_LOGGER = "uvicorn.access"
PERSON_SEGMENTS = {"people", "staff"}  # /people/{person_id}, /staff/{staff_id}
PERSON_PARAMETERS = {"to", "staff", "path_to"}
SECRET_PARAMETERS = {"key"}


def redact(target: str, secret: SecretStr | None) -> str:
    """A request target (path and query) as the log may show it."""
    parts = urlsplit(target)
    segments = parts.path.split("/")  # ["", "people", id, ...]
    if len(segments) > 2 and segments[1] in PERSON_SEGMENTS and segments[2]:
        segments[2] = quote(pseudonym(unquote(segments[2]), secret), safe="")
    query = [
        (k, "<redacted>")
        if k in SECRET_PARAMETERS
        else (k, pseudonym(v, secret) if k in PERSON_PARAMETERS and v else v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return "/".join(segments) + (f"?{urlencode(query, safe='<>')}" if query else "")


class RedactRequestLine(logging.Filter):
    """Rewrites uvicorn's access records, whose third argument is the request target."""

    def __init__(self, secret: SecretStr | None) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact(args[2], self.secret), *args[3:])
        return True


@contextmanager
def quiet_access_log(settings: Settings) -> Iterator[None]:
    """Redacts the access log while the app runs."""
    logger = logging.getLogger(ACCESS_LOGGER)
    log_filter = RedactRequestLine(settings.pseudonym_secret)
    logger.addFilter(log_filter)
    try:
        yield
    finally:
        logger.removeFilter(log_filter)
