"""Facet counts from per-value document sets, cached per searcher.

Whoosh's `groupedby` facets cost most of a query's time (shared/notes/search.md). Instead, each
searcher keeps, for every facet value, the set of documents having it; a query's counts are then
set intersections with its hits.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from whoosh.searching import Searcher

from hub.search.schema import FACETS

DocSets = dict[str, dict[str, frozenset[int]]]

_CACHE: WeakKeyDictionary = WeakKeyDictionary()
# Segments whose value sets are kept, by segment id (newest last): more than an index has.
KEPT_SEGMENTS = 64
_SEGMENTS: dict[str, DocSets] = {}


def value_sets(searcher: Searcher) -> DocSets:
    """For each facet, each value's live documents."""
    cached = _CACHE.get(searcher)
    if cached is None:
        cached = {facet: {} for facet in FACETS}
        for reader, offset in searcher.reader().leaf_readers():
            for facet, values in _segment_sets(reader).items():
                combined = cached[facet]
                for value, ids in values.items():
                    shifted = ids if offset == 0 else frozenset(i + offset for i in ids)
                    combined[value] = combined.get(value, frozenset()) | shifted
        _CACHE[searcher] = cached
    return cached


def _segment_sets(reader) -> DocSets:
    """A segment's value sets, without its deleted documents. A segment never changes once
    written, except for deletions, so each index change reads only its new small segment: its
    big segment's sets are kept, and only what was deleted since is taken out."""
    segment = reader.segment()
    key = segment.segment_id() if segment is not None else None
    stored = _SEGMENTS.get(key) if key is not None else None
    if stored is None:
        stored = {}
        for facet in FACETS:
            values: dict[str, frozenset[int]] = {}
            if facet in reader.indexed_field_names():
                for raw in reader.lexicon(facet):
                    value = raw.decode("utf-8") if isinstance(raw, bytes) else raw
                    if value:
                        values[value] = frozenset(reader.postings(facet, value).all_ids())
            stored[facet] = values
        if key is not None:
            _SEGMENTS[key] = stored
            while len(_SEGMENTS) > KEPT_SEGMENTS:
                _SEGMENTS.pop(next(iter(_SEGMENTS)))
    if not reader.has_deletions():
        return stored
    deleted = reader.deleted_docs_set  # a cached property
    return {
        facet: {value: ids - deleted for value, ids in values.items() if ids - deleted}
        for facet, values in stored.items()
    }


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
