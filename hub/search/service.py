"""Running a search: the query, filters, facets, highlighted snippets and suggestions."""

from __future__ import annotations

from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

from flask import current_app
from markupsafe import Markup
from whoosh.searching import Hit, Searcher

from hub.errors import Unavailable
from hub.i18n import DEFAULT_LANGUAGE
from hub.i18n import lazy_gettext as _l
from hub.search import collect, snippets, spelling, thesaurus
from hub.search import facets as facet_sets
from hub.search.analysis import LANGUAGES
from hub.search.params import SearchParams
from hub.search.query import ParsedQuery, Query, parse_query
from hub.search.schema import (
    QUERY_BOOSTS,
    QUERY_FIELDS,
    TEXT_FIELDS,
    body_field,
    excerpt_field,
    name_field,
    spelling_field,
)
from hub.search.store import IndexProblem, IndexStore

# Below this many hits with all the words, the search also finds records with some of them, and
# the page offers a spelling suggestion and related themes.
FEW_HITS = 3
RELATED_THEMES = 3
# Which search answered: every word matched; some words matched (too few had all of them); or
# the spelling suggestion's words, when the words typed found nothing at all.
ALL_WORDS, ANY_WORDS, RESPELLED = "all", "any", "respelled"
KIND_PATHS = {"case": "cases", "webinar": "webinars", "city": "cities"}
# Outcomes of this many recent searches are kept per searcher. A searcher is replaced when the
# index changes, so a kept outcome is never older than the index; popular searches repeat.
RECENT_SEARCHES = 256
_RECENT: WeakKeyDictionary[Searcher, OrderedDict[str, SearchResults]] = WeakKeyDictionary()
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
    mode: str = ALL_WORDS
    all_words_total: int = 0  # records with every word (within the filters)
    related_themes: list[str] = field(default_factory=list)  # theme slugs

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.params.per_page))


def _parse(text: str, searcher: Searcher) -> ParsedQuery:
    reader = searcher.reader()

    def exists(field: str, term: str) -> bool:
        return (field, term) in reader

    return parse_query(text, QUERY_FIELDS, QUERY_BOOSTS, exists=exists)


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
    key = params.model_dump_json()
    recent = _RECENT.setdefault(searcher, OrderedDict())
    outcome = recent.get(key)
    if outcome is None:
        outcome = recent[key] = _search(searcher, params)
        if len(recent) > RECENT_SEARCHES:
            recent.popitem(last=False)
    else:
        recent.move_to_end(key)
    return outcome


def _search(searcher: Searcher, params: SearchParams) -> SearchResults:
    parsed = _parse(params.q, searcher)
    outcome = SearchResults(params=params, parsed=parsed)
    if parsed.query is None:
        return outcome
    chosen = list(facet_sets.matching(searcher, params.filters).values())
    allowed = facet_sets.intersect_all(chosen)

    newest = params.sort == "newest"

    def ranked(mode: str, query: Query) -> collect.Ranked:
        if mode == ANY_WORDS:
            return collect.rank_by_coverage(
                searcher,
                query,
                parsed.covered,
                parsed.excluded,
                params.page,
                params.per_page,
                allowed,
                newest,
            )
        return collect.rank(searcher, query, params.page, params.per_page, allowed, None, newest)

    found = ranked(ALL_WORDS, parsed.query)
    filtered = facet_sets.intersect(found.hits, chosen)
    outcome.all_words_total = len(filtered)
    if len(filtered) < FEW_HITS:
        outcome.suggestion = _suggest(searcher, parsed, params, len(found.hits))
        for mode, other in _fallbacks(searcher, parsed, outcome.suggestion, len(filtered)):
            other_found = ranked(mode, other)
            other_filtered = facet_sets.intersect(other_found.hits, chosen)
            if len(other_filtered) > len(filtered):
                outcome.mode, found, filtered = mode, other_found, other_filtered
                break
    outcome.total = len(filtered)
    outcome.facets = facet_sets.counts(searcher, found.hits, params.filters)
    if outcome.mode != ALL_WORDS or outcome.total < FEW_HITS:
        outcome.related_themes = _related_themes(parsed, outcome.facets, params)
    outcome.results = [_result(hit, params.lang) for hit in found.page]
    return outcome


def _fallbacks(searcher: Searcher, parsed: ParsedQuery, suggestion: str | None, found: int):
    """The searches to try when all the words find little, in order: the suggested spelling
    when the words typed found nothing, then any of the words, those with more of them first."""
    if suggestion and not found:
        respelled = _parse(suggestion, searcher).query
        if respelled is not None:
            yield RESPELLED, respelled
    if parsed.any_query is not None:
        yield ANY_WORDS, parsed.any_query


def _related_themes(parsed: ParsedQuery, facets: dict, params: SearchParams) -> list[str]:
    """Themes the query names (through the thesaurus), then the commonest among the hits."""
    themes = [*parsed.themes, *facets.get("theme", {})]
    chosen = params.filters.get("theme")
    return [t for t in dict.fromkeys(themes) if t != chosen][:RELATED_THEMES]


def _result(hit: Hit, reader_lang: str) -> Result:
    stored = hit.fields()
    available = [lang for lang in stored.get("language", "").split(",") if lang]
    # How many distinct query words matched in each language's fields (a thesaurus concept
    # matches in a field of its own, not in a language's).
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


def _snippet(hit: Hit, lang: str, stored: dict) -> Markup:
    field = body_field(lang)
    words = frozenset(
        term.decode("utf-8") if isinstance(term, bytes) else term
        for name, term in hit.matched_terms()
        if name == field
    )
    return snippets.snippet(stored.get(excerpt_field(lang), ""), lang, words)


def _vocabulary(searcher: Searcher, lang: str) -> spelling.Vocabulary:
    return spelling.vocabulary(searcher, spelling_field(lang), thesaurus.vocabulary(lang))


def _query_language(searcher: Searcher, words: tuple[str, ...], reader_lang: str) -> str:
    """Arabic for Arabic script; otherwise the language whose words the query uses most, the
    reader's language among equals."""
    if any(thesaurus.is_arabic(word) for word in words):
        return "ar"
    latin = [lang for lang in dict.fromkeys([reader_lang, "en", "fr", "es"]) if lang != "ar"]
    reader = searcher.reader()

    def known(word: str, lang: str) -> bool:
        # A term lookup, not the language's whole vocabulary, which a searcher opened after a
        # change to the index would have to read again for its first search.
        return word in thesaurus.vocabulary(lang) or bool(
            reader.doc_frequency(spelling_field(lang), word)
        )

    return max(latin, key=lambda lang: sum(known(w, lang) for w in words))


def _suggest(
    searcher: Searcher, parsed: ParsedQuery, params: SearchParams, found: int
) -> str | None:
    """A respelling drawn from the index's words in the query's language (and the theme names
    and thesaurus terms of that language) that finds more, or None."""
    lang = _query_language(searcher, parsed.words, params.lang)
    known = _vocabulary(searcher, lang)
    changed, words = False, []
    for word in parsed.words:
        suggestion = known.suggest(word)
        changed = changed or suggestion is not None
        words.append(suggestion or word)
    if not changed:
        return None
    respelled = " ".join(words)
    query = _parse(respelled, searcher).query
    respelled_found = len(collect.docs(searcher, query)) if query is not None else 0
    return respelled if respelled_found > found else None
