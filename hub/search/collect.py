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
from whoosh.query import Query
from whoosh.searching import Hit, Results, Searcher

# A document's score beyond BM25 (any-word matching adds its coverage).
Bonus = Callable[[int], float]
DATE_COLUMN = "date"
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
