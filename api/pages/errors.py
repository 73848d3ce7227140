"""Error pages: what a browser shows when a page cannot be opened (the API's JSON error, for
people). The status is the API's; the words are the page's language."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from api.i18n import N_, page_text, render
from fission.settings import Settings, get_settings

TITLES = {
    401: (
        N_("This page needs a key"),
        N_("Open the link with your key (?key=...) once; the browser then remembers it."),
    ),
    403: (N_("Not for this key"), N_("This key may not open this page.")),
    404: (
        N_("Not found"),
        N_("There is no such store, staff member or person, or it belongs to another store."),
    ),
    422: (N_("Something in the address is not right"), N_("Check the link and try again.")),
    503: (
        N_("The database does not answer"),
        N_("Try again in a minute; if it persists, tell whoever runs Fission."),
    ),
}
OTHER = (N_("Something went wrong"), N_("Try again; if it persists, tell whoever runs Fission."))


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    settings: Settings = getattr(request.app.state, "settings", None) or get_settings()
    text = page_text(request, settings)
    title, explanation = TITLES.get(status, OTHER)
    body = render(
        "error.html",
        text,
        status=status,
        title=text.gettext(title),
        explanation=text.gettext(explanation),
        message=message,
    )
    headers = {"WWW-Authenticate": "APIKey"} if status == 401 else None
    return HTMLResponse(body, status_code=status, headers=headers)
