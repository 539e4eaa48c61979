"""Atom feeds: the newest case studies, webinars, and those of one theme or one city.

Each entry is in the reader's language where a version exists, otherwise in the original
language; its `xml:lang` says which, and its content says where the version comes from.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from feedgen.feed import FeedGenerator
from flask import Blueprint, Response
from lxml import etree
from markupsafe import escape

from hub.i18n import LANGUAGES, current_language, localized
from hub.i18n import gettext as _
from hub.publishing.models import CaseStudy, Webinar
from hub.security.access import PUBLIC, allow
from hub.syndication import queries
from hub.syndication.provenance import provenance
from hub.web import external_url

bp = Blueprint("feeds", __name__)

ATOM = "application/atom+xml"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@bp.get("/<lang:lang>/cases.atom")
@allow(PUBLIC)
def cases():
    return _answer(_("Case studies"), "feeds.cases", "cases.index", queries.latest_cases())


@bp.get("/<lang:lang>/webinars.atom")
@allow(PUBLIC)
def webinars():
    feed = queries.latest_webinars()
    return _answer(_("Webinars and events"), "feeds.webinars", "webinars.index", feed)


@bp.get("/<lang:lang>/themes/<slug:slug>.atom")
@allow(PUBLIC)
def theme(slug: str):
    theme, feed = queries.theme_feed(slug)
    title = _("Theme: %(name)s", name=localized(theme.names))
    return _answer(title, "feeds.theme", "home.theme", feed, slug=slug)


@bp.get("/<lang:lang>/cities/<slug:slug>.atom")
@allow(PUBLIC)
def city(slug: str):
    city, feed = queries.city_feed(slug)
    title = city.display_name(current_language())
    return _answer(title, "feeds.city", "cities.detail", feed, slug=slug)


# --- Building the document -------------------------------------------------------------------


def _answer(title: str, endpoint: str, page: str, feed: queries.Feed, **values) -> Response:
    lang = current_language()
    generator = FeedGenerator()
    generator.id(external_url(endpoint, lang=lang, **values))
    generator.title(f"{title} · {_('Cities Knowledge Hub')}")
    generator.subtitle(
        _("A knowledge-exchange hub for cities that prevent hate, extremism and polarization.")
    )
    generator.author(name=_("Cities Knowledge Hub"))
    generator.link(href=external_url(endpoint, lang=lang, **values), rel="self", type=ATOM)
    generator.link(href=external_url(page, lang=lang, **values), rel="alternate", type="text/html")
    generator.language(lang)
    generator.generator("hub")
    entries = [_case_entry(case, lang) for case in feed.cases]
    entries += [_webinar_entry(webinar, lang) for webinar in feed.webinars]
    entries.sort(key=lambda entry: entry["updated"], reverse=True)
    for entry in entries:
        _add(generator, entry)
    # The feed's own update time is its newest entry's, so the answer is the same until the
    # content changes (and caches and readers see nothing new when nothing is).
    generator.updated(entries[0]["updated"] if entries else _moment(date(2000, 1, 1)))
    document = etree.fromstring(generator.atom_str())
    atom = document.nsmap.get(None)
    for element, entry in zip(document.iter(f"{{{atom}}}entry"), entries, strict=True):
        element.set(XML_LANG, entry["language"])
        # feedgen 1.0 writes an entry's links with their address only (its loop variable
        # shadows the link's data), so they are written here, whole.
        for link in element.findall(f"{{{atom}}}link"):
            element.remove(link)
        for link in entry["links"]:
            etree.SubElement(element, f"{{{atom}}}link", link)
    body = etree.tostring(document, xml_declaration=True, encoding="utf-8")
    return Response(body, mimetype=ATOM)


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _case_entry(case: CaseStudy, lang: str) -> dict:
    text = case.text_in(lang)
    changed = max(filter(None, [case.published_on, text.updated_on]))
    return _entry(case, text, lang, "cases.detail", changed, case.themes)


def _webinar_entry(webinar: Webinar, lang: str) -> dict:
    text = webinar.text_in(lang)
    return _entry(webinar, text, lang, "webinars.detail", webinar.published_on, webinar.themes)


def _entry(record, text, lang: str, endpoint: str, changed: date, themes) -> dict:
    page = external_url(endpoint, lang=lang, slug=record.slug)
    said = provenance(record, text, lang)
    content = f"<p>{escape(text.summary)}</p><p><em>{escape(said)}</em></p>"
    if record.source:
        content += f"<p><small>{escape(_('Source:'))} {escape(record.source)}</small></p>"
    links = [{"href": page, "rel": "alternate", "type": "text/html", "hreflang": text.language}]
    links += [
        {
            "href": external_url(endpoint, lang=other.language, slug=record.slug),
            # "related", not "alternate": readers open an entry's alternate link, which must be
            # the page in the feed's language.
            "rel": "related",
            "type": "text/html",
            "hreflang": other.language,
        }
        for other in record.texts
        if other.language != text.language and other.language in LANGUAGES
    ]
    if record.source_url:
        links.append({"href": record.source_url, "rel": "via", "type": "text/html"})
    return {
        "id": page,
        "title": text.title,
        "summary": text.summary,
        "content": content,
        "links": links,
        "published": _moment(record.published_on),
        "updated": _moment(changed),
        "language": text.language,
        "categories": [
            {"term": theme.slug, "label": localized(theme.names, lang)} for theme in themes
        ],
    }


def _add(generator: FeedGenerator, entry: dict) -> None:
    item = generator.add_entry(order="append")
    item.id(entry["id"])
    item.title(entry["title"])
    item.summary(entry["summary"])
    item.content(entry["content"], type="html")
    for link in entry["links"]:
        item.link(href=link["href"])
    item.published(entry["published"])
    item.updated(entry["updated"])
    for category in entry["categories"]:
        item.category(**category)
