"""The search index's fields: one document per record, one title and body field per language."""

from __future__ import annotations

from whoosh import scoring
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from hub.search.analysis import LANGUAGES, analyzer, plain_analyzer

# A match in a title weighs this many times one in the body: a title names what the record is
# about, a body mentions much in passing. (Query-time boosts: Whoosh's field_boost only scales
# term frequency, which BM25 saturates.)
TITLE_BOOST = 3.0
# The names of a record's own cities, in every language, weigh more still: someone who types a
# city's name wants that city's records before those that merely mention it.
PLACES_BOOST = 4.0
PLACES_FIELD = "places"
SPELLING_FIELD = "spell"
# Its analyzer must read Arabic and Latin names alike; the Arabic chain does (Latin words pass
# through lowercased and accent-folded).
PLACES_LANGUAGE = "ar"

FACETS = ("kind", "theme", "region", "size", "language", "year")


def title_field(lang: str) -> str:
    return f"title_{lang}"


def body_field(lang: str) -> str:
    return f"body_{lang}"


def topics_field(lang: str) -> str:
    """The names of the record's themes in `lang`: "youth" finds what is tagged Youth."""
    return f"topics_{lang}"


# Every text field of a language version and the language its analyzer speaks.
TEXT_FIELDS = {
    **{title_field(lang): lang for lang in LANGUAGES},
    **{body_field(lang): lang for lang in LANGUAGES},
}
# BM25F as usual, except that a record's place names are not length-normalized: a case run by
# two cities is as much each city's case as one run by a single city.
WEIGHTING = scoring.BM25F(**{f"{PLACES_FIELD}_B": 0.0})

# Fields that say which language a match was in.
LANGUAGE_FIELDS = {**TEXT_FIELDS, **{topics_field(lang): lang for lang in LANGUAGES}}
# What a query searches: the versions' texts, the theme names and the places, and their weights.
QUERY_FIELDS = {**LANGUAGE_FIELDS, PLACES_FIELD: PLACES_LANGUAGE}
QUERY_BOOSTS = {
    **{title_field(lang): TITLE_BOOST for lang in LANGUAGES},
    PLACES_FIELD: PLACES_BOOST,
}


def build_schema() -> Schema:
    fields = {
        "doc_id": ID(unique=True, stored=True),  # "case:12": kind and database id
        "kind": ID(stored=True),
        "slug": ID(stored=True),
        # Facet values; `theme` and `language` hold several, comma-separated.
        "theme": KEYWORD(commas=True, stored=True),
        "region": KEYWORD(commas=True, stored=True),
        "size": KEYWORD(commas=True, stored=True),
        "language": KEYWORD(commas=True, stored=True),
        "year": ID(stored=True),
        "date": NUMERIC(stored=True, sortable=True),  # YYYYMMDD, for "newest first"
        "city": STORED,  # the record's city slug, for display
        "seq": STORED,  # only on the state document: the last outbox row applied
        PLACES_FIELD: TEXT(analyzer=analyzer(PLACES_LANGUAGE)),
        # Unstemmed words of every version: the vocabulary "did you mean" draws on.
        SPELLING_FIELD: TEXT(analyzer=plain_analyzer("en"), spelling=True),
    }
    for lang in LANGUAGES:
        fields[title_field(lang)] = TEXT(analyzer=analyzer(lang), stored=True)
        fields[body_field(lang)] = TEXT(analyzer=analyzer(lang), stored=True)
        fields[topics_field(lang)] = TEXT(analyzer=analyzer(lang))
    return Schema(**fields)
