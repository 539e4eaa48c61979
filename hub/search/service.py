"""Running a search: the query, filters, facets, highlighted snippets and suggestions."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from whoosh import highlight
from whoosh.searching import Hit, Searcher

from hub.errors import Unavailable
from hub.i18n import DEFAULT_LANGUAGE
from hub.search import facets as facet_sets
from hub.search import spelling
from hub.search.analysis import LANGUAGES
from hub.search.params import SearchParams
from hub.search.query import ParsedQuery, parse_query
from hub.search.schema import (
    QUERY_BOOSTS,
    QUERY_FIELDS,
    SPELLING_FIELD,
    TEXT_FIELDS,
    body_field,
    excerpt_field,
    name_field,
)
from hub.search.store import IndexProblem, IndexStore

# Below this many hits the page offers a spelling suggestion.
FEW_HITS = 3
SNIPPET_CHARACTERS = 240
SNIPPET_FRAGMENTS = 2
KIND_PATHS = {"case": "cases", "webinar": "webinars", "city": "cities"}
# Seconds a client is asked to wait while the index is rebuilt: a rebuild of 10,000 records
# takes about half a minute.
REBUILD_RETRY_AFTER = 60


@dataclass
class Result:
    kind: str
    id: int
    slug: str
    title: str
    url: str
    language: str
    snippet: Markup
    score: float
    city: str
    when: str  # YYYY-MM-DD, YYYY-MM, or "" for records without a date
    languages: list[str]


@dataclass
class SearchResults:
    params: SearchParams
    parsed: ParsedQuery
    total: int = 0
    results: list[Result] = field(default_factory=list)
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    suggestion: str | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.params.per_page))


def search(store: IndexStore, params: SearchParams) -> SearchResults:
    """The search; Unavailable while the index is missing, damaged or being rebuilt (never an
    empty result that would pass for "nothing found")."""
    try:
        searcher = store.searcher()
    except IndexProblem as problem:
        current_app.logger.warning("search unavailable: %s", problem)
        raise Unavailable(
            _l("Search is being rebuilt, try again in a minute."),
            retry_after=REBUILD_RETRY_AFTER,
        ) from None
    parsed = parse_query(params.q, QUERY_FIELDS, QUERY_BOOSTS)
    outcome = SearchResults(params=params, parsed=parsed)
    if parsed.query is None:
        return outcome
    hits = frozenset(parsed.query.docs(searcher))
    chosen = facet_sets.matching(searcher, params.filters)
    filtered = facet_sets.intersect(hits, list(chosen.values()))
    outcome.total = len(filtered)
    outcome.facets = facet_sets.counts(searcher, hits, params.filters)
    if filtered:
        page = searcher.search_page(
            parsed.query,
            params.page,
            pagelen=params.per_page,
            filter=set(filtered),
            terms=True,
            sortedby="date" if params.sort == "newest" else None,
            reverse=params.sort == "newest",
        )
        if params.page <= page.pagecount:
            outcome.results = [_result(hit, params.lang) for hit in page]
    if outcome.total < FEW_HITS:
        outcome.suggestion = _suggest(searcher, parsed, params.q)
    return outcome


def _result(hit: Hit, reader_lang: str) -> Result:
    stored = hit.fields()
    available = [lang for lang in stored.get("language", "").split(",") if lang]
    # How many distinct query words matched in each language's fields.
    matched = Counter(
        TEXT_FIELDS[name] for name, _term in set(hit.matched_terms()) if name in TEXT_FIELDS
    )
    lang = _display_language(reader_lang, available, matched)
    kind = stored["kind"]
    return Result(
        kind=kind,
        id=int(stored["doc_id"].split(":", 1)[1]),
        slug=stored["slug"],
        title=stored.get(name_field(lang), stored["slug"]),
        url=f"/{lang}/{KIND_PATHS[kind]}/{stored['slug']}",
        language=lang,
        snippet=_snippet(hit, lang, stored),
        score=round(float(hit.score or 0.0), 4),
        city=stored.get("city", ""),
        when=stored.get("when", ""),
        languages=available,
    )


def _display_language(reader_lang: str, available: list[str], matched: dict[str, int]) -> str:
    """The version in which most of the query matched, the reader's language first among
    equals; without a match in any version, the reader's language or English if the record
    has them."""
    candidates = [lang for lang in dict.fromkeys([reader_lang, *LANGUAGES]) if lang in available]
    best = max(candidates, key=lambda lang: matched.get(lang, 0), default=None)
    if best is not None and matched.get(best):
        return best
    for lang in (reader_lang, DEFAULT_LANGUAGE):
        if lang in available:
            return lang
    return available[0] if available else reader_lang


class _MarkFormatter(highlight.Formatter):
    """Escaped text with only the matched words wrapped in <mark>."""

    between = " … "

    def format_token(self, text, token, replace=False):
        return f"<mark>{escape(highlight.get_text(text, token, replace))}</mark>"

    def format_fragment(self, fragment, replace=False):
        output, index = [], fragment.startchar
        text = fragment.text
        for token in fragment.matches:
            if token.startchar < index:
                continue
            output.append(str(escape(text[index : token.startchar])))
            output.append(self.format_token(text, token, replace))
            index = token.endchar
        output.append(str(escape(text[index : fragment.endchar])))
        return "".join(output)


_FRAGMENTER = highlight.ContextFragmenter(maxchars=SNIPPET_CHARACTERS, surround=60)


def _snippet(hit: Hit, lang: str, stored: dict) -> Markup:
    text = stored.get(excerpt_field(lang), "")
    hit.results.fragmenter = _FRAGMENTER
    hit.results.formatter = _MarkFormatter()
    marked = hit.highlights(body_field(lang), text=text, top=SNIPPET_FRAGMENTS) if text else ""
    if marked:
        return Markup(marked)
    return escape(text[:SNIPPET_CHARACTERS] + ("…" if len(text) > SNIPPET_CHARACTERS else ""))


def _suggest(searcher: Searcher, parsed: ParsedQuery, original: str) -> str | None:
    """A respelling drawn from the index's own words that finds more, or None."""
    known = spelling.vocabulary(searcher, SPELLING_FIELD)
    changed, words = False, []
    for word in parsed.words:
        suggestion = known.suggest(word)
        changed = changed or suggestion is not None
        words.append(suggestion or word)
    if not changed:
        return None
    respelled = " ".join(words)
    query = parse_query(respelled, QUERY_FIELDS, QUERY_BOOSTS).query
    found = len(frozenset(query.docs(searcher))) if query is not None else 0
    return respelled if found > len(frozenset(parsed.query.docs(searcher))) else None
