"""What every page shares: its frame (language switch, where the caller may go), plotly.js
from the app itself, and rendering a template with them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

import plotly
from fastapi import Query, Request, Response
from fastapi.responses import HTMLResponse

from api.auth import Principal
from api.i18n import LANGUAGES, Language, Text, page_text, remember_language, render
from api.pages import wording
from api.pages.figures import plotly_locale
from fission.settings import Settings

# plotly.js comes from the installed plotly package (api.app mounts its folder at /static).
PLOTLY_DIR = Path(plotly.__file__).parent / "package_data"
PLOTLY_JS = f"/static/plotly.min.js?v={plotly.__version__}"
LANGUAGE_NAMES: dict[Language, str] = {"zh": "中文", "en": "English"}
PageLanguage = Annotated[
    Language | None,
    Query(
        description="Page language: zh (简体中文) or en. Remembered in a cookie; without it, "
        "the browser's Accept-Language decides."
    ),
]
# Never carried from one URL to the next: the key is kept in a cookie, the language too.
NOT_CARRIED = ("key", "lang")


@dataclass(frozen=True)
class Chrome:
    """A page's frame: its language, its own address (to switch language), and the caller's
    home page (HQ, their store's dashboard, or a staff key's "today" page)."""

    text: Text
    path: str
    query: tuple[tuple[str, str], ...]
    role: str
    store_id: str | None
    staff_id: str | None = None

    def url(self, **changes: str | int | None) -> str:
        """This page's address with some query parameters changed (None drops one)."""
        params = dict(self.query)
        for name, value in changes.items():
            if value is None:
                params.pop(name, None)
            else:
                params[name] = str(value)
        return self.path + (f"?{urlencode(params)}" if params else "")

    def language_links(self) -> list[tuple[Language, str, str]]:
        """(language, its own name, this page in it) for the language switch."""
        return [(lang, LANGUAGE_NAMES[lang], self.url(lang=lang)) for lang in LANGUAGES]

    @property
    def hq(self) -> bool:
        return self.role == "hq"

    @property
    def home(self) -> str:
        if self.staff_id:
            return f"/staff/{quote(self.staff_id)}/today"
        return "/" if self.hq else f"/stores/{quote(self.store_id or '')}/dashboard"


def chrome(request: Request, settings: Settings, caller: Principal) -> Chrome:
    return Chrome(
        text=page_text(request, settings),
        path=request.url.path,
        query=tuple((k, v) for k, v in request.query_params.multi_items() if k not in NOT_CARRIED),
        role=caller.role,
        store_id=caller.store_id,
        staff_id=caller.staff_id,
    )


def render_page(template: str, frame: Chrome, **context: Any) -> str:
    """A page template with its frame (`chrome`), the wording helpers (`w`), plotly.js and
    Plotly's locale for the page's language."""
    return render(
        template,
        frame.text,
        chrome=frame,
        w=wording,
        plotly_js=PLOTLY_JS,
        plotly_locale=_script_json(plotly_locale(frame.text)),
        **context,
    )


def _script_json(value: Any) -> str | None:
    """JSON to put inside <script>: "</" escaped, so that no text can close the element."""
    return None if value is None else json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


def page_response(request: Request, body: str, status_code: int = 200) -> Response:
    """An HTML page that keeps a `?lang=` in the language cookie (a `?key=` never reaches a
    page: api.auth.KeyInAddress)."""
    response = HTMLResponse(body, status_code=status_code)
    remember_language(request, response)
    return response
