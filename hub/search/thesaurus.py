"""Query expansion through the field's multilingual thesaurus (thesaurus.yaml).

A run of the words someone typed that is one of a concept's terms, in any language, is also
searched as the concept's other terms: those of the same language (synonyms: "religious leaders"
finds "faith leaders") and those of the other languages (equivalents: "artificial intelligence"
finds a record that exists only in Arabic). Terms are compared as the index stores them, after
each language's analysis, so "committees" matches the term "peace committee" and الأسلحة the
term أسلحة. The expansions weigh less than the words typed (SYNONYM_WEIGHT, EQUIVALENT_WEIGHT).
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

SYNONYM_WEIGHT = 0.5
EQUIVALENT_WEIGHT = 0.35
MAX_TERM_WORDS = 6
_ARABIC = re.compile("[\u0600-\u06ff]")


@dataclass(frozen=True)
class Concept:
    id: str
    theme: str | None
    terms: dict[str, tuple[str, ...]]  # language -> terms as written


@dataclass(frozen=True)
class Expansion:
    lang: str  # the language whose fields the tokens are searched in
    tokens: tuple[str, ...]  # analyzed (stemmed) for that language
    weight: float


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


def expansions(hit: Match) -> list[Expansion]:
    """The concept's other terms, analyzed in their own language, with their weights."""
    out: dict[tuple[str, tuple[str, ...]], float] = {}
    for lang, terms in hit.concept.terms.items():
        weight = SYNONYM_WEIGHT if lang == hit.lang else EQUIVALENT_WEIGHT
        for term in terms:
            tokens = analyzed(lang, term)
            if not tokens or (lang == hit.lang and tokens == hit.tokens):
                continue
            key = (lang, tokens)
            out[key] = max(out.get(key, 0.0), weight)
    return [Expansion(lang, tokens, weight) for (lang, tokens), weight in out.items()]


def vocabulary(lang: str) -> set[str]:
    """The words of a language's terms, normalized but unstemmed: for spelling suggestions."""
    from hub.search.analysis import plain_analyzer

    plain = plain_analyzer(lang)
    return {t.text for c in concepts() for term in c.terms[lang] for t in plain(term)}
