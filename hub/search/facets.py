"""Facet counts from per-value document sets, cached per searcher.

Whoosh's `groupedby` facets cost most of a query's time (shared/notes/search.md). Instead, each
searcher keeps, for every facet value, the set of documents having it; a query's counts are then
set intersections with its hits.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from whoosh.searching import Searcher

from hub.search.schema import FACETS

_CACHE: WeakKeyDictionary = WeakKeyDictionary()

DocSets = dict[str, dict[str, frozenset[int]]]


def value_sets(searcher: Searcher) -> DocSets:
    """For each facet, each value's live documents."""
    cached = _CACHE.get(searcher)
    if cached is None:
        reader = searcher.reader()
        cached = {}
        for facet in FACETS:
            values: dict[str, frozenset[int]] = {}
            if facet in reader.indexed_field_names():
                for raw in reader.lexicon(facet):
                    value = raw.decode("utf-8") if isinstance(raw, bytes) else raw
                    if not value:
                        continue
                    ids = reader.postings(facet, value).all_ids()
                    values[value] = frozenset(i for i in ids if not reader.is_deleted(i))
            cached[facet] = values
        _CACHE[searcher] = cached
    return cached


def matching(searcher: Searcher, selected: dict[str, str]) -> dict[str, frozenset[int] | None]:
    """For each selected facet, the documents having the selected value."""
    sets = value_sets(searcher)
    return {facet: sets[facet].get(value, frozenset()) for facet, value in selected.items()}


def intersect_all(constraints: list[frozenset[int]]) -> frozenset[int] | None:
    """The documents every constraint allows; None without constraints (all are allowed)."""
    if not constraints:
        return None
    ordered = sorted(constraints, key=len)
    return intersect(ordered[0], ordered[1:])


def intersect(hits: frozenset[int], constraints: list[frozenset[int]]) -> frozenset[int]:
    for constraint in sorted(constraints, key=len):
        hits = hits & constraint
    return hits


def counts(
    searcher: Searcher, hits: frozenset[int], selected: dict[str, str]
) -> dict[str, dict[str, int]]:
    """Counts of each facet's values among the hits filtered by every other selected facet.

    Leaving a facet's own selection out means that choosing a value shows exactly the count
    it had: the number next to a value is the total the reader gets by clicking it.
    """
    sets = value_sets(searcher)
    chosen = matching(searcher, selected)
    result = {}
    for facet in FACETS:
        others = [docs for name, docs in chosen.items() if name != facet]
        base = intersect(hits, others)
        values = {value: len(base & docs) for value, docs in sets[facet].items()}
        result[facet] = dict(
            sorted(((v, n) for v, n in values.items() if n), key=lambda item: (-item[1], item[0]))
        )
    return result
