"""The field's multilingual thesaurus (thesaurus.yaml): concepts and their terms in every language.

At indexing time each record gets, in a field of its own, the concepts whose terms occur in any
of its versions (and those of its themes): a record that says "faith leaders", "زعماء دينيون" or
"líderes religiosos" carries the concept faith-leaders. At query time a run of the words typed
that is one of a concept's terms, in any language, is searched as written and also as that
concept, at a lower weight (CONCEPT_BOOST): "religious leaders" finds "faith leaders", and
"artificial intelligence" finds a record that exists only in Arabic. Terms are compared as the
index stores them, after each language's analysis, so "committees" matches the term "peace
committee" and الأسلحة the term أسلحة. One concept is one term lookup, however many terms it has.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import yaml

from hub.search.analysis import LANGUAGES, analyzer

# libyaml when installed: the pure-Python loader takes most of a second on these files.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# A record that carries the concept but not the words typed scores this fraction of a match
# in a text field.
CONCEPT_BOOST = 0.5
MAX_TERM_WORDS = 6
_ARABIC = re.compile("[\u0600-\u06ff]")


@dataclass(frozen=True)
class Concept:
    id: str
    theme: str | None
    terms: dict[str, tuple[str, ...]]  # language -> terms as written


@dataclass(frozen=True)
class Match:
    concept: Concept
    lang: str  # the language the typed words matched in
    tokens: tuple[str, ...]  # the typed words, analyzed in that language


@cache
def concepts() -> tuple[Concept, ...]:
    path = Path(__file__).with_name("thesaurus.yaml")
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    return tuple(
        Concept(
            id=item["id"],
            theme=item.get("theme"),
            terms={lang: tuple(str(t) for t in item.get(lang, ())) for lang in LANGUAGES},
        )
        for item in data["concepts"]
    )


@lru_cache(maxsize=20_000)
def analyzed(lang: str, text: str) -> tuple[str, ...]:
    return tuple(t.text for t in _analyzer(lang)(text, mode="query"))


@cache
def _analyzer(lang: str):
    return analyzer(lang)


@cache
def _index() -> dict[str, dict[tuple[str, ...], Concept]]:
    """For each language, the analyzed form of every term -> its concept."""
    table: dict[str, dict[tuple[str, ...], Concept]] = {lang: {} for lang in LANGUAGES}
    for concept in concepts():
        for lang, terms in concept.terms.items():
            for term in terms:
                tokens = analyzed(lang, term)
                if tokens:
                    table[lang].setdefault(tokens, concept)
    return table


def is_arabic(text: str) -> bool:
    return bool(_ARABIC.search(text))


def _languages_of(text: str) -> tuple[str, ...]:
    return ("ar",) if is_arabic(text) else ("en", "fr", "es")


def match(words: list[str]) -> Match | None:
    """The concept whose term is exactly these words (in some language), or None."""
    text = " ".join(words)
    for lang in _languages_of(text):
        tokens = analyzed(lang, text)
        if tokens and (concept := _index()[lang].get(tokens)):
            return Match(concept, lang, tokens)
    return None


def spans(words: list[str]) -> list[tuple[int, int, Match]]:
    """Non-overlapping runs of words that are concept terms, longest first from the left:
    (start, end, match) with words[start:end] the term."""
    found = []
    start = 0
    while start < len(words):
        for end in range(min(len(words), start + MAX_TERM_WORDS), start, -1):
            if (hit := match(words[start:end])) is not None:
                found.append((start, end, hit))
                start = end
                break
        else:
            start += 1
    return found


@cache
def _by_first_token(lang: str) -> dict[str, tuple[tuple[tuple[str, ...], str], ...]]:
    """Each term's first index token -> (the term's tokens, its concept id), longest first."""
    table: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for tokens, concept in _index()[lang].items():
        table.setdefault(tokens[0], []).append((tokens, concept.id))
    return {first: tuple(sorted(terms, key=lambda t: -len(t[0]))) for first, terms in table.items()}


def concepts_in(lang: str, text: str) -> set[str]:
    """The concepts whose terms occur in a text of this language."""
    if not text:
        return set()
    tokens = [t.text for t in _analyzer(lang)(text)]
    table = _by_first_token(lang)
    found = set()
    for position, token in enumerate(tokens):
        for term, concept_id in table.get(token, ()):
            if tuple(tokens[position : position + len(term)]) == term:
                found.add(concept_id)
    return found


def theme_concepts(theme_slugs) -> set[str]:
    """The concepts that name these themes."""
    wanted = set(theme_slugs)
    return {c.id for c in concepts() if c.theme in wanted}


@cache
def vocabulary(lang: str) -> frozenset[str]:
    """The words of a language's terms, normalized but unstemmed: for spelling suggestions."""
    from hub.search.analysis import plain_analyzer

    plain = plain_analyzer(lang)
    return frozenset(t.text for c in concepts() for term in c.terms[lang] for t in plain(term))
