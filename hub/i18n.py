"""Languages of the interface: URL prefixes, locale selection, localized data and formatting."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import flask_babel
from babel import Locale, numbers
from babel.support import NullTranslations
from flask import Flask, g, has_app_context, has_request_context, request, url_for
from flask_babel import format_percent
from flask_babel.speaklater import LazyString
from werkzeug.routing import BaseConverter

LANGUAGES = ("en", "ar", "fr", "es")
DEFAULT_LANGUAGE = "en"
RTL_LANGUAGES = frozenset({"ar"})
# Each language named in itself, for the language switcher.
ENDONYMS = {"en": "English", "ar": "العربية", "fr": "Français", "es": "Español"}
# --- The reader's catalog, looked up once --------------------------------------------------------
#
# Flask-Babel finds the locale and its catalog anew for every string it translates (about 12 µs
# each, against 0.2 µs for the lookup itself), and a page of score tables translates and formats
# hundreds. The hub asks here instead: once per request, and again only inside `force_locale`.


@dataclass(frozen=True)
class _Catalog:
    language: str
    translations: NullTranslations


_CATALOG = "hub_catalog"
_NO_CATALOG = _Catalog(DEFAULT_LANGUAGE, NullTranslations())


def _catalog() -> _Catalog:
    if not has_app_context():
        return _NO_CATALOG
    catalog = g.get(_CATALOG)
    if catalog is None:
        locale = flask_babel.get_locale()  # noqa: TID251 - the one place that asks
        language = str(locale or DEFAULT_LANGUAGE).split("_")[0]
        catalog = _Catalog(language, flask_babel.get_translations())
        setattr(g, _CATALOG, catalog)
    return catalog


@contextmanager
def force_locale(lang: str) -> Iterator[None]:
    """Speak `lang` inside the block (mail in its recipient's language): Flask-Babel's
    `force_locale`, which the hub's catalog follows."""
    with flask_babel.force_locale(lang):  # noqa: TID251 - the one place that forces
        saved = g.pop(_CATALOG, None) if has_app_context() else None
        try:
            yield
        finally:
            if has_app_context():
                g.pop(_CATALOG, None)
                if saved is not None:
                    setattr(g, _CATALOG, saved)


def gettext(string: str, **variables) -> str:
    translated = _catalog().translations.ugettext(string)
    return translated % variables if variables else translated


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    return _catalog().translations.ungettext(singular, plural, num) % variables


def lazy_gettext(string: str, **variables) -> LazyString:
    """A string translated each time it is shown, in the language of that moment."""
    return LazyString(gettext, string, **variables)


def _install_template_gettext(app: Flask) -> None:
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: _catalog().translations.ugettext(string),
        ngettext=lambda s, p, n: _catalog().translations.ungettext(s, p, n),
        newstyle=True,
    )


_l = lazy_gettext

LANGUAGE_NAMES = {
    "en": _l("English"),
    "ar": _l("Arabic"),
    "fr": _l("French"),
    "es": _l("Spanish"),
}


class LanguageConverter(BaseConverter):
    """`<lang:lang>`: one of the interface languages; anything else does not match (404)."""

    regex = "(?:" + "|".join(LANGUAGES) + ")"


class SlugConverter(BaseConverter):
    """`<slug:slug>`: lowercase ASCII words joined by hyphens; anything else is a 404."""

    regex = "[a-z0-9]+(?:-[a-z0-9]+)*"


def init_app(app: Flask) -> None:
    app.url_map.converters["lang"] = LanguageConverter
    app.url_map.converters["slug"] = SlugConverter
    app.url_value_preprocessor(_pull_lang)
    app.url_defaults(_add_lang)
    app.context_processor(_template_globals)
    _install_template_gettext(app)  # after Babel's own, which it replaces
    app.jinja_env.filters["localized"] = localized
    app.jinja_env.filters["localized_language"] = localized_language
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["percent"] = format_percent


def _pull_lang(_endpoint: str | None, values: dict | None) -> None:
    if values and "lang" in values:
        g.lang = values.pop("lang")


def _add_lang(endpoint: str, values: dict) -> None:
    # Links keep the page's language; error pages outside any prefix use the chosen locale.
    if "lang" not in values and endpoint in _endpoints_with_lang():
        values["lang"] = g.get("lang") or current_language()


def _endpoints_with_lang() -> frozenset[str]:
    from flask import current_app

    cached = current_app.extensions.get("hub_lang_endpoints")
    if cached is None:
        cached = frozenset(
            rule.endpoint for rule in current_app.url_map.iter_rules() if "lang" in rule.arguments
        )
        current_app.extensions["hub_lang_endpoints"] = cached
    return cached


def browser_language() -> str:
    """The best interface language for the browser's Accept-Language header."""
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE)


def select_locale() -> str:
    """The page's language: its URL prefix, else the browser's preference; English outside
    requests (the command line)."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    lang = g.get("lang")
    if lang:
        return lang
    # Pages that did not match a route (404s) still speak the language of their prefix.
    first = request.path.strip("/").split("/", 1)[0]
    if first in LANGUAGES:
        return first
    if first == "api" and request.args.get("lang") in LANGUAGES:
        return request.args["lang"]
    return browser_language()


def current_language() -> str:
    return _catalog().language


def text_direction(lang: str | None = None) -> str:
    return "rtl" if (lang or current_language()) in RTL_LANGUAGES else "ltr"


def localized(mapping: Mapping[str, str] | None, lang: str | None = None) -> str:
    """A value of a `{language: text}` mapping in the reader's language, else English."""
    if not mapping:
        return ""
    lang = lang or current_language()
    return mapping.get(lang) or mapping.get(DEFAULT_LANGUAGE) or next(iter(mapping.values()))


def localized_language(mapping: Mapping[str, str] | None, lang: str | None = None) -> str:
    """The language `localized` picks from the mapping."""
    lang = lang or current_language()
    if not mapping or mapping.get(lang):
        return lang
    return DEFAULT_LANGUAGE if mapping.get(DEFAULT_LANGUAGE) else next(iter(mapping))


# Formatting is looked up per item on long lists: each locale is parsed once, and a number
# seen before in a language is not formatted again.
FORMATTED_NUMBERS = 8192


@lru_cache(maxsize=len(LANGUAGES))
def babel_locale(lang: str) -> Locale:
    return Locale.parse(lang)


@lru_cache(maxsize=FORMATTED_NUMBERS)
def _formatted(value: float, pattern: str | None, lang: str) -> str:
    return numbers.format_decimal(value, format=pattern, locale=babel_locale(lang))


def number(value: float, pattern: str | None = None) -> str:
    """A number as the reader's language writes it (`pattern`: Babel's, such as "0.00")."""
    return _formatted(value, pattern, current_language())


def country_name(code: str) -> str:
    return babel_locale(current_language()).territories.get(code.upper(), code)


def language_name(code: str) -> str:
    """A language's name in the reader's language (`sw` is "Swahili" in English)."""
    return babel_locale(current_language()).languages.get(code, code)


def switch_language_url(lang: str) -> str:
    """The current page in another language, query string kept."""
    if request.endpoint and request.url_rule and "lang" in request.url_rule.arguments:
        args = dict(request.view_args or {})
        args["lang"] = lang
        url = url_for(request.endpoint, **args)
        query = request.query_string.decode("ascii", "replace")
        return f"{url}?{query}" if query else url
    return url_for("home.index", lang=lang)


def _template_globals() -> dict:
    lang = current_language()
    return {
        "LANGUAGES": LANGUAGES,
        "ENDONYMS": ENDONYMS,
        "LANGUAGE_NAMES": LANGUAGE_NAMES,
        "current_lang": lang,
        "text_dir": text_direction(lang),
        "switch_language_url": switch_language_url,
        "country_name": country_name,
        "language_name": language_name,
        "today": date.today(),
    }
