"""API keys and what each role may see.

Roles: `hq` sees everything; `store` sees one store — its people, staff, maps and
recommendations — and asking about anything else answers 404 as if it did not exist; `staff`
is one staff member's phone: their own "today" page and what it reads and writes (their
recommendations, introduction paths to their store's people, their figures, their notes),
404 for any other staff member, 403 for everything else; `ingest` may only post events.
Keys are random tokens; the server keeps only their SHA-256. Clients send `X-API-Key: <key>`
(or the cookie a page set). Only the browser pages (routes taking `PageReader`,
`PageStaffReader` or `PageHQ`) accept `?key=`: they set the cookie and redirect to the same
address without the key, so it stays out of browser history and logs. A key is never echoed in
an answer.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import Depends, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.security import APIKeyCookie, APIKeyHeader, APIKeyQuery

from fission.errors import Forbidden, NotFound, Unauthorized
from fission.settings import ApiKeyEntry

Role = Literal["hq", "store", "staff", "ingest"]
COOKIE = "fission_key"
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="Your API key.")
_query = APIKeyQuery(name="key", auto_error=False, description="Browser pages only, once.")
_cookie = APIKeyCookie(name=COOKIE, auto_error=False)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    return "fk_" + secrets.token_urlsafe(24)


@dataclass(frozen=True)
class Principal:
    name: str
    role: Role
    store_id: str | None
    staff_id: str | None = None

    @property
    def scope(self) -> str | None:
        """The one store a store or staff key may see people of; None for HQ (every store)."""
        return self.store_id if self.role in ("store", "staff") else None

    def can_see_store(self, store_id: str) -> bool:
        return self.role == "hq" or (self.role == "store" and self.store_id == store_id)


def find_key(entries: list[ApiKeyEntry], key: str) -> ApiKeyEntry | None:
    digest = hash_key(key)
    match = None
    for entry in entries:  # compare every entry, in constant time each
        if hmac.compare_digest(entry.sha256, digest):
            match = entry
    return match


def _identify(request: Request, key: str | None) -> Principal:
    if not key:
        raise Unauthorized("An API key is needed: send it in the X-API-Key header.")
    entry = find_key(request.app.state.api_keys, key)
    if entry is None:
        raise Unauthorized("That API key is not valid.")
    return Principal(entry.name, entry.role, entry.store_id, entry.staff_id)


async def principal(
    request: Request,
    header: Annotated[str | None, Depends(_header)],
    cookie: Annotated[str | None, Depends(_cookie)],
) -> Principal:
    return _identify(request, header or cookie)


class KeyInAddress(Exception):
    """A page opened with `?key=` by an identified caller: the key goes into the cookie (when it
    is a valid key) and the browser to the same address without it, before any work is done."""

    def __init__(self, request: Request, key: str) -> None:
        super().__init__("key in the address")
        self.request, self.key = request, key

    def redirect(self) -> Response:
        request = self.request
        rest = [(k, v) for k, v in request.query_params.multi_items() if k != "key"]
        target = request.url.path + (f"?{urlencode(rest)}" if rest else "")
        response = RedirectResponse(target, status_code=303)
        if find_key(request.app.state.api_keys, self.key) is not None:
            response.set_cookie(COOKIE, self.key, httponly=True, samesite="strict")
        return response


async def page_principal(
    request: Request,
    header: Annotated[str | None, Depends(_header)],
    query: Annotated[str | None, Depends(_query)],
    cookie: Annotated[str | None, Depends(_cookie)],
) -> Principal:
    caller = _identify(request, header or query or cookie)
    if query is not None:
        raise KeyInAddress(request, query)
    return caller


Caller = Annotated[Principal, Depends(principal)]
PageCaller = Annotated[Principal, Depends(page_principal)]


def _no_ingest(caller: Principal) -> Principal:
    if caller.role == "ingest":
        raise Forbidden("An ingest key may only post events.")
    return caller


def _analytics(caller: Principal) -> Principal:
    if caller.role == "staff":
        raise Forbidden("A staff key opens its own today page only.")
    return _no_ingest(caller)


async def reader(caller: Caller) -> Principal:
    """HQ or a store app: anyone who reads analytics (not ingest or staff keys)."""
    return _analytics(caller)


async def page_reader(caller: PageCaller) -> Principal:
    """A reader of a browser page, whose key may come as `?key=` once."""
    return _analytics(caller)


async def staff_reader(caller: Caller) -> Principal:
    """A reader, or a staff key (which `check_person(..., staff=True)` keeps to its own staff
    member): the routes a "today" page uses."""
    return _no_ingest(caller)


async def page_staff_reader(caller: PageCaller) -> Principal:
    """A staff reader of a browser page (the "today" page), whose key may come as `?key=`."""
    return _no_ingest(caller)


def _hq(caller: Principal) -> Principal:
    if caller.role != "hq":
        raise Forbidden("This needs an HQ key.")
    return caller


async def hq_only(caller: Caller) -> Principal:
    return _hq(caller)


async def page_hq(caller: PageCaller) -> Principal:
    """An HQ reader of a browser page, whose key may come as `?key=` once."""
    return _hq(caller)


async def ingester(caller: Caller) -> Principal:
    if caller.role not in ("hq", "ingest"):
        raise Forbidden("Posting events needs an ingest or HQ key.")
    return caller


Reader = Annotated[Principal, Depends(reader)]
PageReader = Annotated[Principal, Depends(page_reader)]
StaffReader = Annotated[Principal, Depends(staff_reader)]
PageStaffReader = Annotated[Principal, Depends(page_staff_reader)]
HQ = Annotated[Principal, Depends(hq_only)]
PageHQ = Annotated[Principal, Depends(page_hq)]
Ingester = Annotated[Principal, Depends(ingester)]


def check_store(caller: Principal, store_id: str) -> None:
    """A store key asking about another store gets the same 404 as an unknown store."""
    if not caller.can_see_store(store_id):
        raise NotFound(f"No store {store_id}.")
