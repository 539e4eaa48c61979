"""Spelling suggestions from the index's own words, fast enough to offer on every search.

Whoosh's corrector walks a Levenshtein automaton over the term dictionary in pure Python, which
took most of a search's time. Here each searcher gets, once, a map from every word with one
letter deleted to the words it came from ("symmetric delete"): the candidates for a typed word
are found by looking up the word and its own one-letter deletions, which covers one insertion,
deletion, substitution or transposition, and many pairs of them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from weakref import WeakKeyDictionary

from whoosh.searching import Searcher

MAX_DISTANCE = 2
MIN_WORD_LENGTH = 3  # shorter words have too many neighbours to guess from
MAX_WORD_LENGTH = 30

_CACHE: WeakKeyDictionary = WeakKeyDictionary()


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = ca != cb
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


class Vocabulary:
    def __init__(self, frequencies: dict[str, int]) -> None:
        self.frequencies = frequencies
        self._by_deletion: dict[str, list[str]] | None = None

    @property
    def by_deletion(self) -> dict[str, list[str]]:
        """Each word under each of its one-letter deletions: built on the first suggestion
        only, since most searches find enough and ask for none (a new searcher after each
        change to the index would otherwise build it again for its first search)."""
        if self._by_deletion is None:
            by_deletion: dict[str, list[str]] = defaultdict(list)
            for word in self.frequencies:
                for deleted in _deletions(word):
                    by_deletion[deleted].append(word)
            self._by_deletion = by_deletion
        return self._by_deletion

    def suggest(self, word: str) -> str | None:
        """The likeliest known word near `word`, or None if it is known or nothing is near."""
        if word in self.frequencies or not MIN_WORD_LENGTH <= len(word) <= MAX_WORD_LENGTH:
            return None
        candidates = set(self.by_deletion.get(word, ()))
        for deleted in _deletions(word):
            candidates.update(self.by_deletion.get(deleted, ()))
            if deleted in self.frequencies:
                candidates.add(deleted)
        ranked = sorted(
            (distance(word, candidate), -self.frequencies[candidate], candidate)
            for candidate in candidates
        )
        if ranked and ranked[0][0] <= MAX_DISTANCE:
            return ranked[0][2]
        return None


def vocabulary(searcher: Searcher, field: str, extra: Iterable[str] = ()) -> Vocabulary:
    """The words of `field` in this searcher's index, and `extra` words (counted once)."""
    by_field = _CACHE.setdefault(searcher, {})
    cached = by_field.get(field)
    if cached is None:
        reader = searcher.reader()
        frequencies = dict.fromkeys(
            (w for w in extra if MIN_WORD_LENGTH <= len(w) <= MAX_WORD_LENGTH), 1
        )
        if field in reader.indexed_field_names():
            for raw, info in reader.iter_field(field):
                word = raw.decode("utf-8") if isinstance(raw, bytes) else raw
                if MIN_WORD_LENGTH <= len(word) <= MAX_WORD_LENGTH and not word.isdigit():
                    frequencies[word] = frequencies.get(word, 0) + info.doc_frequency()
        cached = by_field[field] = Vocabulary(frequencies)
    return cached
