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
# Other names of the record's cities (their GeoNames alternate names and transliterations,
# hub/search/city_names.yaml): they find the city, at the weight of a title.
ALIASES_FIELD = "aliases"
ALIASES_BOOST = TITLE_BOOST
# The thesaurus concepts a record speaks of, in any language (hub/search/thesaurus.py).
CONCEPTS_FIELD = "concepts"
# Its analyzer must read Arabic and Latin names alike; the Arabic chain does (Latin words pass
# through lowercased and accent-folded).
PLACES_LANGUAGE = "ar"

# On the state document only, beside the mark (`seq`): which outbox row the mark is, so that a
# database restored from a backup, or another database, is recognised (see store.IndexState).
OUTBOX_FIELD = "outbox"

FACETS = ("kind", "theme", "region", "size", "language", "year")


def title_field(lang: str) -> str:
    return f"title_{lang}"


def body_field(lang: str) -> str:
    return f"body_{lang}"


def excerpt_field(lang: str) -> str:
    """The beginning of a version's text, stored for snippets: highlighting re-reads the text,
    and a whole body costs several milliseconds a hit."""
    return f"excerpt_{lang}"


# Characters of a version's summary and body kept for snippets.
EXCERPT_LENGTH = 1500


def spelling_field(lang: str) -> str:
    """Unstemmed words of a language: titles, theme names and the beginnings of texts, from
    which "Did you mean" suggests words in the query's language only."""
    return f"spell_{lang}"


def name_field(lang: str) -> str:
    """The title as readers see it, stored for results; `title_*` also holds theme names."""
    return f"name_{lang}"


# Every text field of a language version and the language its analyzer speaks.
TEXT_FIELDS = {
    **{title_field(lang): lang for lang in LANGUAGES},
    **{body_field(lang): lang for lang in LANGUAGES},
}
# BM25F as usual, except that titles and place names are not length-normalized: a title also
# holds the record's theme names, and a record with more themes or more cities is no less
# about each of them.
WEIGHTING = scoring.BM25F(
    **{f"{PLACES_FIELD}_B": 0.0, f"{ALIASES_FIELD}_B": 0.0, f"{CONCEPTS_FIELD}_B": 0.0},
    **{f"{title_field(lang)}_B": 0.0 for lang in LANGUAGES},
)

# What a query searches: the versions' titles (with the names of the record's themes, so that
# "youth" finds what is tagged Youth) and texts, and the places, and their weights. Every field
# costs each word a lookup in every segment, so there are as few as the ranking needs.
QUERY_FIELDS = {**TEXT_FIELDS, PLACES_FIELD: PLACES_LANGUAGE, ALIASES_FIELD: PLACES_LANGUAGE}
QUERY_BOOSTS = {
    **{title_field(lang): TITLE_BOOST for lang in LANGUAGES},
    PLACES_FIELD: PLACES_BOOST,
    ALIASES_FIELD: ALIASES_BOOST,
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
        "when": STORED,  # its date for display: YYYY-MM-DD, or YYYY-MM when only the month is known
        "seq": STORED,  # only on the state document: the last outbox row applied
        OUTBOX_FIELD: STORED,  # only on the state document: that row's identity
        PLACES_FIELD: TEXT(analyzer=analyzer(PLACES_LANGUAGE)),
        ALIASES_FIELD: TEXT(analyzer=analyzer(PLACES_LANGUAGE)),
        CONCEPTS_FIELD: KEYWORD(scorable=True),
    }
    for lang in LANGUAGES:
        # Unstemmed words of each language: the vocabulary "did you mean" draws on.
        fields[spelling_field(lang)] = TEXT(analyzer=plain_analyzer(lang))
        fields[title_field(lang)] = TEXT(analyzer=analyzer(lang))
        fields[name_field(lang)] = STORED
        fields[body_field(lang)] = TEXT(analyzer=analyzer(lang))
        fields[excerpt_field(lang)] = STORED
    return Schema(**fields)
