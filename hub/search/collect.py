"""One pass over a query's matches: every matching document, for the total and the facets, and
the top of the page, for the results.

Whoosh's own way costs three passes over the postings: `docs()` for the hit set, a scored search
for the page, and (with a filter) the page's `len()` running the query again to count. A page
needs all three answers, and one scoring pass gives them all (shared/notes/search.md; the
figures are in the README's speed table). The terms each shown result matched, which pick its
display language and its highlights, are looked up in the postings for those few documents
only, not recorded for every match.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from heapq import heappush, heapreplace

from whoosh.collectors import ScoredCollector
from whoosh.query import And, AndMaybe, AndNot, Or, Query, Term
from whoosh.searching import Hit, Results, Searcher

# A document's score beyond BM25 (any-word matching adds its coverage).
Bonus = Callable[[int], float]
DATE_COLUMN = "date"
# Any-word matching scores the best tiers of coverage one document at a time up to this many
# documents; beyond it, one pass over all the postings costs less.
MAX_SCORED_ONE_BY_ONE = 2500
# Each word a record has in any-word matching weighs this much, far above any BM25 score, so
# records are ranked by how many of the words they have, then by BM25.
COVERAGE_TIER = 1000.0
# A prefix can expand to thousands of words; the shown results' matched terms are looked up
# among at most this many (the highlights then mark those words).
MAX_LOOKUP_TERMS = 400


@dataclass
class Ranked:
    hits: frozenset[int]  # every matching document
    page: list[Hit]  # the requested page's results, best (or newest) first


class _PageCollector(ScoredCollector):
    """Every match into `docset`; into the heap, the best `limit` of those `allowed` (all when
    None), by score plus `bonus`, or by date with `newest`."""

    def __init__(
        self, limit: int, allowed: frozenset[int] | None, bonus: Bonus | None, newest: bool
    ) -> None:
        super().__init__(replace=0)
        self.limit = limit
        self.allowed = allowed
        self.bonus = bonus
        self.newest = newest
        self.dates = None

    def prepare(self, top_searcher, q, context) -> None:
        super().prepare(top_searcher, q, context)
        self.final_fn = None

    def set_subsearcher(self, subsearcher, offset) -> None:
        super().set_subsearcher(subsearcher, offset)
        # Drops the alternatives with no postings here (an expanded query has many: a word in
        # the fields of every language), which every step would otherwise walk through.
        self.matcher = self.matcher.replace()
        if self.newest:
            self.dates = subsearcher.reader().column_reader(DATE_COLUMN)

    def collect(self, sub_docnum: int) -> float:
        docnum = self.offset + sub_docnum
        self.docset.add(docnum)
        if self.allowed is not None and docnum not in self.allowed:
            return 0
        if self.newest:
            key = float(self.dates[sub_docnum] or 0)
        else:
            key = self.matcher.score()
            if self.bonus is not None:
                key += self.bonus(docnum)
        items = self.items
        if len(items) < self.limit:
            heappush(items, (key, -docnum))
        elif key > items[0][0]:
            heapreplace(items, (key, -docnum))
        return 0 - key

    def results(self) -> Results:
        items = sorted(self.items, reverse=True)
        return self._results([(key, -docnum) for key, docnum in items], docset=self.docset)


def rank(
    searcher: Searcher,
    query: Query,
    page: int,
    per_page: int,
    allowed: frozenset[int] | None = None,
    bonus: Bonus | None = None,
    newest: bool = False,
) -> Ranked:
    """The query's matches and the results of page `page` among those `allowed`."""
    collector = _PageCollector(page * per_page, allowed, bonus, newest)
    searcher.search_with_collector(query, collector)
    results = collector.results()
    shown = results[(page - 1) * per_page : page * per_page]
    _record_matched_terms(searcher, query, results, [hit.docnum for hit in shown])
    return Ranked(frozenset(collector.docset), shown)


def rank_by_coverage(
    searcher: Searcher,
    query: Query,
    covered: tuple[Query, ...],
    excluded: Query | None,
    page: int,
    per_page: int,
    allowed: frozenset[int] | None = None,
    newest: bool = False,
) -> Ranked:
    """Records with any of `covered`, those with more of them first, then by `query`'s score.

    The hits are the union of each word's documents. Only the best tiers of coverage that the
    page reaches into are scored, each document found with `skip_to` rather than by walking
    every posting; when those tiers are large, one scoring pass ranks them all.
    """
    sets = [docs(searcher, word) for word in covered]
    hits = frozenset().union(*sets)
    if excluded is not None:
        hits -= docs(searcher, excluded)
    shown = hits if allowed is None else hits & allowed
    coverage = {docnum: sum(docnum in docs for docs in sets) for docnum in shown}
    tiers: dict[int, list[int]] = {}
    for docnum, count in coverage.items():
        tiers.setdefault(count, []).append(docnum)
    candidates: list[int] = []
    for count in sorted(tiers, reverse=True):
        if len(candidates) >= page * per_page:
            break
        candidates += tiers[count]
    if len(candidates) > MAX_SCORED_ONE_BY_ONE:
        ranked = rank(
            searcher, query, page, per_page, shown, lambda d: COVERAGE_TIER * coverage[d], newest
        )
        return Ranked(hits, ranked.page)
    if newest:
        keys = _dates(searcher, candidates)
    else:
        scores = _scores(searcher, query, candidates)
        keys = {d: COVERAGE_TIER * coverage[d] + scores.get(d, 0.0) for d in candidates}
    items = sorted(((keys[d], d) for d in candidates), key=lambda item: (-item[0], item[1]))
    results = Results(searcher, query, items[: page * per_page], docset=set(hits))
    page_hits = results[(page - 1) * per_page : page * per_page]
    _record_matched_terms(searcher, query, results, [hit.docnum for hit in page_hits])
    return Ranked(hits, page_hits)


def docs(searcher: Searcher, query: Query) -> frozenset[int]:
    """The documents `query` matches, as set operations on its terms' postings where it is made
    of terms, AND, OR and NOT (Whoosh's matchers step through every posting in Python)."""
    reader = searcher.reader()
    if isinstance(query, Term):
        term = (query.fieldname, query.text)
        if term not in reader:
            return frozenset()
        return frozenset(reader.postings(*term).all_ids())
    if isinstance(query, Or):
        return frozenset().union(*(docs(searcher, sub) for sub in query.subqueries))
    if isinstance(query, And):
        found = docs(searcher, query.subqueries[0])
        for sub in query.subqueries[1:]:
            if not found:
                break
            found &= docs(searcher, sub)
        return found
    if isinstance(query, AndNot):
        return docs(searcher, query.a) - docs(searcher, query.b)
    if isinstance(query, AndMaybe):
        return docs(searcher, query.a)
    return frozenset(query.docs(searcher))


def _scores(searcher: Searcher, query: Query, docnums: list[int]) -> dict[int, float]:
    """`query`'s score for each of `docnums` that it matches."""
    scores: dict[int, float] = {}
    wanted = sorted(docnums)
    context = searcher.context(needs_current=True)
    for subsearcher, offset in searcher.leaf_searchers():
        end = offset + subsearcher.doc_count_all()
        matcher = query.matcher(subsearcher, context).replace()
        for docnum in wanted:
            if not offset <= docnum < end:
                continue
            if not matcher.is_active():
                break
            if matcher.id() < docnum - offset:
                matcher.skip_to(docnum - offset)
                if not matcher.is_active():
                    break
            if matcher.id() == docnum - offset:
                scores[docnum] = matcher.score()
    return scores


def _dates(searcher: Searcher, docnums: list[int]) -> dict[int, float]:
    dates: dict[int, float] = {}
    for subsearcher, offset in searcher.leaf_searchers():
        end = offset + subsearcher.doc_count_all()
        column = subsearcher.reader().column_reader(DATE_COLUMN)
        for docnum in docnums:
            if offset <= docnum < end:
                dates[docnum] = float(column[docnum - offset] or 0)
    return dates


def _record_matched_terms(
    searcher: Searcher, query: Query, results: Results, docnums: Iterable[int]
) -> None:
    """Which of the query's terms each of `docnums` has, where `Hit.matched_terms()` and the
    highlighter read them (as Whoosh's TermsCollector would record them for every match)."""
    wanted = sorted(docnums)
    docterms: dict[int, list[tuple[str, bytes]]] = {docnum: [] for docnum in wanted}
    termdocs: dict[tuple[str, bytes], list[int]] = {}
    if wanted:
        reader = searcher.reader()
        for term in _existing_terms(query, reader)[:MAX_LOOKUP_TERMS]:
            postings = reader.postings(*term)
            for docnum in wanted:
                if not postings.is_active():
                    break
                if postings.id() < docnum:
                    postings.skip_to(docnum)
                    if not postings.is_active():
                        break
                if postings.id() == docnum:
                    docterms[docnum].append(term)
                    termdocs.setdefault(term, []).append(docnum)
    results.docterms = docterms
    results.termdocs = termdocs


def _existing_terms(query: Query, reader) -> list[tuple[str, bytes]]:
    """The query's terms that the index holds, prefixes expanded. (Whoosh's `existing_terms`
    keeps only the first leaf's field: its loop variable overwrites its `fieldname` argument.)"""
    schema = reader.schema
    found: set[tuple[str, bytes]] = set()
    for leaf in query.leaves():
        for fieldname, text in leaf.expanded_terms(reader, phrases=True):
            if fieldname not in schema:
                continue
            try:
                term = (fieldname, schema[fieldname].to_bytes(text))
            except ValueError:
                continue
            if term not in found and term in reader:
                found.add(term)
    return sorted(found)
