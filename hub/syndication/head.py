"""What every page's head says about the page: its canonical address, the same page in each
language (hreflang), and the preview other sites show of it (Open Graph)."""

from __future__ import annotations

from flask import Flask, request

from hub.i18n import DEFAULT_LANGUAGE, LANGUAGES
from hub.web import external_url

# Open Graph names a locale by language and territory.
OG_LOCALES = {"en": "en_GB", "ar": "ar_AR", "fr": "fr_FR", "es": "es_ES"}
# Query parameters that make another page, not another view of the same page.
CANONICAL_ARGS = ("page",)


def init_app(app: Flask) -> None:
    app.context_processor(lambda: {"page_addresses": page_addresses, "OG_LOCALES": OG_LOCALES})
    app.jinja_env.globals["absolute_url"] = external_url


def page_addresses() -> dict[str, str]:
    """The absolute address of this page in each interface language, `x-default` being
    English; empty for a page outside the language prefixes."""
    rule = request.url_rule
    if rule is None or "lang" not in rule.arguments or request.endpoint is None:
        return {}
    values = dict(request.view_args or {})
    values.update({name: request.args[name] for name in CANONICAL_ARGS if name in request.args})
    found = {lang: external_url(request.endpoint, **values, lang=lang) for lang in LANGUAGES}
    found["x-default"] = found[DEFAULT_LANGUAGE]
    return found
