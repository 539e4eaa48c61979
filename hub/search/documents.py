"""What the index holds for each searchable record, read from the database."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from hub.catalog.queries import PUBLISHED
from hub.cities.models import City, Theme, city_expertise
from hub.extensions import db
from hub.publishing.models import (
    CaseStudy,
    CaseText,
    Speaker,
    Webinar,
    WebinarText,
    case_partner_cities,
    case_themes,
    webinar_themes,
)
from hub.search import thesaurus
from hub.search.analysis import LANGUAGES
from hub.search.reads import Reads, Source, itself, linked, parent
from hub.search.schema import (
    ALIASES_FIELD,
    CONCEPTS_FIELD,
    EXCERPT_LENGTH,
    PLACES_FIELD,
    body_field,
    excerpt_field,
    name_field,
    spelling_field,
    title_field,
)
from hub.search.text import city_aliases, markdown_text

KINDS = ("case", "webinar", "city")


def doc_id(kind: str, record_id: int) -> str:
    return f"{kind}:{record_id}"


def _date_number(day: date | None) -> int:
    return int(day.strftime("%Y%m%d")) if day else 0


def _join(*parts: str | None) -> str:
    return "\n\n".join(part for part in parts if part)


def _finish(document: dict, themes) -> dict:
    """Add what is searched but not shown: the names of the record's themes in every language
    (also those it has no version in: "jeunesse" finds an English-only record tagged Youth),
    texts as plain text (no Markdown), the excerpts kept for snippets, each language's
    unstemmed words from which spellings are suggested, and the thesaurus concepts the record
    speaks of in any language or is tagged with."""
    concepts = thesaurus.theme_concepts(theme.slug for theme in themes)
    for lang in LANGUAGES:
        topics = " · ".join(theme.names.get(lang, "") for theme in themes)
        title = document.get(title_field(lang), document.get(name_field(lang)))
        if title or topics:
            document[title_field(lang)] = _join(title, topics)
        if body_field(lang) in document:
            document[body_field(lang)] = markdown_text(document[body_field(lang)])
            document[excerpt_field(lang)] = document[body_field(lang)][:EXCERPT_LENGTH]
        for field in (name_field(lang), body_field(lang)):
            concepts |= thesaurus.concepts_in(lang, document.get(field, ""))
        # Titles, theme names and the beginnings of texts: the words worth suggesting, at a
        # fraction of the terms a whole body adds to every commit.
        document[spelling_field(lang)] = _join(
            document.get(name_field(lang)), topics, document.get(excerpt_field(lang))
        )
    document[CONCEPTS_FIELD] = " ".join(sorted(concepts))
    return document


# What every document reads of its themes (in `_finish` and the `theme` facet), and of the
# cities it takes facets and place names from (`_cities_fields`, and the `city` shown).
THEME_READS = ("slug", "names")
CITY_READS = ("slug", "name", "names", "region", "population")


def _cities_fields(cities: Iterable[City]) -> dict[str, str]:
    """The facets and place names a record takes from its cities."""
    cities = list(dict.fromkeys(cities))
    names = {name for city in cities for name in (city.name, *city.names.values())}
    aliases = {alias for city in cities for alias in city_aliases(city.slug)} - names
    return {
        "region": ",".join(sorted({city.region for city in cities})),
        "size": ",".join(sorted({city.size_band.slug for city in cities})),
        PLACES_FIELD: " ".join(sorted(names)),
        ALIASES_FIELD: " ".join(sorted(aliases)),
    }


def case_document(case: CaseStudy) -> dict:
    document = {
        "doc_id": doc_id("case", case.id),
        "kind": "case",
        "slug": case.slug,
        "theme": ",".join(theme.slug for theme in case.themes),
        "language": ",".join(case.languages),
        "year": str(case.published_on.year),
        "date": _date_number(case.published_on),
        "when": case.published_on.isoformat(),
        "city": case.cities[0].slug if case.cities else "",
        **_cities_fields(case.cities),
    }
    for text in case.texts:
        document[name_field(text.language)] = text.title
        document[body_field(text.language)] = _join(
            text.summary,
            text.body,
            text.what_was_done,
            text.results,
            text.what_did_not_work,
            text.transferability,
        )
    return document


CASE_READS = Reads(
    "case",
    (
        Source(
            CaseStudy,
            ("slug", "state", "published_on", "lead_city", "partner_cities", "themes", "texts"),
            (itself,),
        ),
        Source(
            CaseText,
            (
                "language",
                "title",
                "summary",
                "body",
                "what_was_done",
                "results",
                "what_did_not_work",
                "transferability",
            ),
            (parent("case_id", "case"),),
        ),
        Source(
            City,
            CITY_READS,
            (
                linked(CaseStudy.lead_city_id, CaseStudy.id),
                linked(case_partner_cities.c.city_id, case_partner_cities.c.case_id),
            ),
        ),
        Source(Theme, THEME_READS, (linked(case_themes.c.theme_id, case_themes.c.case_id),)),
    ),
)


def webinar_document(webinar: Webinar) -> dict:
    cities = [speaker.city for speaker in webinar.speakers if speaker.city]
    document = {
        "doc_id": doc_id("webinar", webinar.id),
        "kind": "webinar",
        "slug": webinar.slug,
        "theme": ",".join(theme.slug for theme in webinar.themes),
        "language": ",".join(webinar.languages),
        "year": str(webinar.starts_on.year),
        "date": _date_number(webinar.starts_on),
        "when": webinar.starts_on.isoformat()[: 7 if webinar.date_precision == "month" else 10],
        "city": cities[0].slug if cities else "",
        **_cities_fields(cities),
    }
    for text in webinar.texts:
        lang = text.language
        speakers = [
            f"{speaker.names.get(lang) or next(iter(speaker.names.values()), '')}, "
            f"{speaker.roles.get(lang) or next(iter(speaker.roles.values()), '')}"
            for speaker in webinar.speakers
        ]
        takeaways = [f"{item['title']}. {item['text']}" for item in text.takeaways]
        document[name_field(lang)] = text.title
        document[title_field(lang)] = _join(text.title, text.series)
        document[body_field(lang)] = _join(text.summary, text.body, *speakers, *takeaways)
    return document


WEBINAR_READS = Reads(
    "webinar",
    (
        Source(
            Webinar,
            ("slug", "state", "starts_on", "date_precision", "themes", "texts", "speakers"),
            (itself,),
        ),
        Source(
            WebinarText,
            ("language", "title", "series", "summary", "body", "takeaways"),
            (parent("webinar_id", "webinar"),),
        ),
        Source(Speaker, ("position", "names", "roles", "city"), (parent("webinar_id", "webinar"),)),
        Source(City, CITY_READS, (linked(Speaker.city_id, Speaker.webinar_id),)),
        Source(
            Theme, THEME_READS, (linked(webinar_themes.c.theme_id, webinar_themes.c.webinar_id),)
        ),
    ),
)


def city_document(city: City) -> dict:
    document = {
        "doc_id": doc_id("city", city.id),
        "kind": "city",
        "slug": city.slug,
        "theme": ",".join(theme.slug for theme in city.expertise),
        "language": ",".join(sorted(city.summaries)),
        "date": 0,
        "city": city.slug,
        **_cities_fields([city]),
    }
    # A city's profile is the record most about the city: its name counts twice there, so a
    # search for the name shows the profile first among the city's records.
    for field in (PLACES_FIELD, ALIASES_FIELD):
        document[field] = f"{document[field]} {document[field]}".strip()
    for lang, summary in city.summaries.items():
        document[name_field(lang)] = city.names.get(lang) or city.name
        document[body_field(lang)] = summary
    return document


CITY_PROFILE_READS = Reads(
    "city",
    (
        Source(City, (*CITY_READS, "summaries", "expertise"), (itself,)),
        Source(Theme, THEME_READS, (linked(city_expertise.c.theme_id, city_expertise.c.city_id),)),
    ),
)
# What each kind of document is built from: `tracking` writes outbox rows from it.
READS = {reads.kind: reads for reads in (CASE_READS, WEBINAR_READS, CITY_PROFILE_READS)}


# Only these records are searchable: drafts and archived records never reach the index.
_PUBLIC = {
    "case": CaseStudy.state == PUBLISHED,
    "webinar": Webinar.state == PUBLISHED,
    "city": sa.true(),
}


def _case_query() -> sa.Select:
    return (
        sa.select(CaseStudy)
        .where(_PUBLIC["case"])
        .options(
            selectinload(CaseStudy.texts),
            selectinload(CaseStudy.themes),
            selectinload(CaseStudy.lead_city),
            selectinload(CaseStudy.partner_cities),
        )
    )


def _webinar_query() -> sa.Select:
    return (
        sa.select(Webinar)
        .where(_PUBLIC["webinar"])
        .options(
            selectinload(Webinar.texts),
            selectinload(Webinar.themes),
            selectinload(Webinar.speakers).selectinload(Speaker.city),
        )
    )


def _city_query() -> sa.Select:
    return sa.select(City).options(selectinload(City.expertise))


_QUERIES = {"case": _case_query, "webinar": _webinar_query, "city": _city_query}
_MODELS = {"case": CaseStudy, "webinar": Webinar, "city": City}
_BUILDERS = {"case": case_document, "webinar": webinar_document, "city": city_document}


def _build(kind: str, record) -> dict:
    themes = record.expertise if kind == "city" else record.themes
    return _finish(_BUILDERS[kind](record), themes)


def documents_for(kind: str, record_ids: Iterable[int]) -> dict[int, dict]:
    """The documents of these records that are public now; absent ids must leave the index."""
    ids = sorted(set(record_ids))
    if not ids:
        return {}
    model = _MODELS[kind]
    records = db.session.scalars(_QUERIES[kind]().where(model.id.in_(ids)))
    return {record.id: _build(kind, record) for record in records}


def all_documents(batch_size: int = 500) -> Iterator[dict]:
    """Every public record's document, read in batches so memory stays flat."""
    for kind in KINDS:
        model = _MODELS[kind]
        ids = list(db.session.scalars(sa.select(model.id).where(_PUBLIC[kind]).order_by(model.id)))
        for start in range(0, len(ids), batch_size):
            yield from documents_for(kind, ids[start : start + batch_size]).values()
            db.session.expunge_all()


def count_documents() -> int:
    return sum(
        db.session.scalar(sa.select(sa.func.count(_MODELS[kind].id)).where(_PUBLIC[kind])) or 0
        for kind in KINDS
    )
