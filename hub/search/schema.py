"""The search index's fields: one document per record, one title and body field per language."""

from __future__ import annotations

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from hub.search.analysis import LANGUAGES, analyzer, plain_analyzer

# BM25F weighs a match in a title this many times a match in the body: a title names what the
# record is about, a body mentions much in passing.
TITLE_BOOST = 3.0

FACETS = ("kind", "theme", "region", "size", "language", "year")


def title_field(lang: str) -> str:
    return f"title_{lang}"


def body_field(lang: str) -> str:
    return f"body_{lang}"


# Every text field and the language its analyzer speaks.
TEXT_FIELDS = {
    **{title_field(lang): lang for lang in LANGUAGES},
    **{body_field(lang): lang for lang in LANGUAGES},
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
        # Unstemmed words of every version: the vocabulary "did you mean" draws on.
        "spell": TEXT(analyzer=plain_analyzer("en"), spelling=True),
    }
    for lang in LANGUAGES:
        fields[title_field(lang)] = TEXT(
            analyzer=analyzer(lang), field_boost=TITLE_BOOST, stored=True
        )
        fields[body_field(lang)] = TEXT(analyzer=analyzer(lang), stored=True)
    return Schema(**fields)
