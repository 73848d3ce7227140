"""Pages in Simplified Chinese and English: the message catalogue, the page's language, number
and date formats, and the templates that use them.

- **Messages.** The English text is the message id everywhere (templates: `_()` / `ngettext()`
  of Jinja2's i18n extension; Python: `text.gettext()`, `N_()` for text translated later).
  The one catalogue is `api/locale/zh_Hans/LC_MESSAGES/messages.po`; `make messages`
  re-extracts the ids (`pybabel extract`, babel.cfg) and merges them in. Only the `.po`
  source is in git: it is compiled in memory when first needed (Babel's `write_mo`), so there
  is no generated `.mo` file to build or to forget.
- **Language.** `?lang=zh|en`, else the `fission_lang` cookie (set whenever `?lang` is
  given), else the browser's Accept-Language, else the `FISSION_PAGE_LANGUAGE` setting.
- **Formats.** Babel's CLDR data per language (zh_Hans_CN, en_US): grouping, percent, the
  yuan, dates; times in the `FISSION_DISPLAY_TIMEZONE` zone (Beijing time by default).
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any, Literal, cast
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_skeleton
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import NumberPattern, format_currency, parse_pattern
from babel.support import Translations
from fastapi import Request, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from fission.settings import Settings

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")
LANG_COOKIE = "fission_lang"
LOCALE_DIR = Path(__file__).parent / "locale"
CATALOGUE = LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "messages.po"
TEMPLATES = Path(__file__).parent / "templates"
# CLDR locales for formats, and the HTML / Plotly names of each language.
FORMAT_LOCALES: dict[Language, str] = {"zh": "zh_Hans_CN", "en": "en_US"}
HTML_LANG: dict[Language, str] = {"zh": "zh-CN", "en": "en"}
ONE_YEAR = 365 * 24 * 3600


def N_(message: str) -> str:  # noqa: N802 (gettext's conventional name, which pybabel finds)
    """Marks `message` for the catalogue where it is defined; it is translated where shown."""
    return message


@cache
def translations(lang: Language) -> gettext.NullTranslations:
    """The language's messages: none for English (the ids are English), the compiled
    catalogue for Chinese (fuzzy entries are left out, so they show in English)."""
    if lang == "en":
        return gettext.NullTranslations()
    with CATALOGUE.open("rb") as source:
        catalog = read_po(source, locale="zh_Hans")
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


@dataclass(frozen=True)
class Text:
    """Everything a page needs to speak one language: messages and formats."""

    lang: Language
    timezone: str = "Asia/Shanghai"

    @property
    def locale(self) -> Locale:
        return _locale(self.lang)

    @property
    def html_lang(self) -> str:
        return HTML_LANG[self.lang]

    def gettext(self, message: str) -> str:
        return translations(self.lang).gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return translations(self.lang).ngettext(singular, plural, n)

    def number(self, value: float | int, digits: int = 0) -> str:
        """Grouped digits, with exactly `digits` decimals."""
        return _pattern(digits, "").apply(value, self.locale)

    def percent(self, value: float | None, digits: int = 1) -> str:
        """A share (0.123) as a percentage; an em dash when there is none."""
        if value is None:
            return "—"
        return _pattern(digits, "%").apply(value, self.locale)

    def money(self, amount: float, currency: str = "CNY") -> str:
        return format_currency(amount, currency, locale=self.locale)

    def _local(self, value: datetime) -> datetime:
        return value.astimezone(ZoneInfo(self.timezone))

    def date(self, value: datetime) -> str:
        return format_date(self._local(value), "medium", locale=self.locale)

    def day(self, value: datetime) -> str:
        """Month and day only, for chart axes."""
        return format_skeleton("MMMd", self._local(value), locale=self.locale)

    def datetime(self, value: datetime) -> str:
        return format_datetime(self._local(value), "medium", locale=self.locale)


@cache
def _locale(lang: Language) -> Locale:
    return Locale.parse(FORMAT_LOCALES[lang])


@cache
def _pattern(digits: int, suffix: str) -> NumberPattern:
    """A grouped number pattern with `digits` decimals ("%": a percentage), parsed once (a map
    formats thousands of numbers)."""
    return parse_pattern("#,##0" + ("." + "0" * digits if digits else "") + suffix)


def negotiate(request: Request, default: Language) -> Language:
    """The page's language: ?lang, the cookie, Accept-Language, then `default`."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in LANGUAGES:
            return cast(Language, candidate)
    preferred = _accept_language(request.headers.get("accept-language", ""))
    found = Locale.negotiate(preferred, list(LANGUAGES), sep="-") if preferred else None
    return cast(Language, found.language) if found else default


def _accept_language(header: str) -> list[str]:
    """Language tags of an Accept-Language header, by quality (highest first)."""
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        if tag and tag != "*" and quality > 0:
            weighted.append((-quality, index, tag))
    return [tag for _, _, tag in sorted(weighted)]


def page_text(request: Request, settings: Settings) -> Text:
    return Text(negotiate(request, settings.page_language), settings.display_timezone)


def remember_language(request: Request, response: Response) -> None:
    """A page opened with ?lang= keeps that language in a cookie."""
    lang = request.query_params.get("lang")
    if lang in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=ONE_YEAR, samesite="lax")


@cache
def environment(lang: Language) -> Environment:
    """The page templates with the language's messages installed (one per language, so that
    concurrent requests in different languages never share translations)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    return env


def render(template: str, text: Text, **context: Any) -> str:
    """A page template rendered in `text`'s language; the template gets `t` (the Text)."""
    return environment(text.lang).get_template(template).render(t=text, **context)
