"""The search box's query language, turned into Whoosh query objects.

    city hate          both words (each in any language field)
    "city network"     the words next to each other
    youth OR women     either; `a OR b c` is (a or b) and c; lowercase "or" is a word
    -police            without this word (also -"a phrase")
    communit*          words starting with this (at least 2 characters)

Everything else is text: `title:x`, brackets, ^, ~, AND, NOT and wildcards inside a word are words
or punctuation, never syntax. Input is cut to MAX_QUERY_LENGTH characters (`truncated` says so)
and to MAX_TERMS items. A word that is a stop word in some languages but not in others ("la":
French, or "LA") is searched where it is a word but not required.

Plain words that form a term of the thesaurus ("religious leaders", "plan d'action local") are
also searched as their concept, which records carry when any of its terms in any language occurs
in them, at a lower weight (hub/search/thesaurus.py). An Arabic word with a bare ب ل ك in front
(بمجتمعات) is searched without it only when the index does not know the word but knows the rest
(`exists`), so برنامج, بلدية and لجنة stay whole. Besides the all-words query, `any_query` finds
records with some of the words, those with more of them first: the search falls back on it when
all words find little, ranked by how many of the words a record has (`covered`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from whoosh.analysis import Analyzer
from whoosh.query import And, AndMaybe, AndNot, Or, Phrase, Prefix, Query, Term

from hub.search import thesaurus
from hub.search.analysis import analyzer, plain_analyzer, strip_arabic_proclitics

MAX_QUERY_LENGTH = 256
MAX_TERMS = 32
MIN_PREFIX_LENGTH = 2
# A stemmed prefix shorter than this (مدي → مد) would match far more than the user typed.
MIN_STEMMED_PREFIX_LENGTH = 3
_ANALYSIS_CACHE_SIZE = 10_000

# Problem codes, for the view to turn into translated messages.
EMPTY = "empty"
ONLY_EXCLUDED = "only_excluded"

_OR = "OR"
# A bare preposition written onto an Arabic word: ب "with", ل "for", ك "as".
_ARABIC_BARE_PREFIXES = ("ب", "ل", "ك")
_MIN_ARABIC_STRIPPED = 3
_QUOTES = str.maketrans(dict.fromkeys("“”„‟«»", '"'))  # phones and French keyboards


@dataclass(frozen=True)
class ParsedQuery:
    query: Query | None
    words: tuple[str, ...]  # the user's plain words, normalized: input for "did you mean"
    truncated: bool = False
    problem: str | None = None  # EMPTY or ONLY_EXCLUDED when query is None
    # Records with some of the words; None with fewer than two to find. The search ranks them
    # by how many of `covered` (the words every record had to have) each has, then by BM25.
    any_query: Query | None = None
    covered: tuple[Query, ...] = ()
    excluded: Query | None = None  # what the typed -words exclude
    # Thesaurus concepts found in the query, and the themes they name.
    concepts: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Item:
    kind: str  # "word", "phrase", "prefix" or "concept" (plain words forming a thesaurus term)
    text: str  # normalized; a phrase's or a concept's words joined by spaces
    negated: bool = False
    match: thesaurus.Match | None = None  # for a concept


def clean_text(text: str) -> tuple[str, bool]:
    """Input hygiene: cut, drop control/format characters, NFKC. Returns (text, truncated)."""
    truncated = len(text) > MAX_QUERY_LENGTH
    kept = []
    for ch in text[:MAX_QUERY_LENGTH]:
        category = unicodedata.category(ch)
        if category == "Cc":  # NUL, tabs, newlines: they separate words
            kept.append(" ")
        elif category not in ("Cf", "Cs", "Co"):  # bidi marks, zero-width, lone surrogates
            kept.append(ch)
    text = unicodedata.normalize("NFKC", "".join(kept)).translate(_QUOTES)
    if len(text) > MAX_QUERY_LENGTH:  # NFKC can lengthen (ligatures)
        text, truncated = text[:MAX_QUERY_LENGTH], True
    return text, truncated


@cache
def _analyzer(lang: str, plain: bool = False) -> Analyzer:
    return plain_analyzer(lang) if plain else analyzer(lang)


@lru_cache(maxsize=_ANALYSIS_CACHE_SIZE)
def _analyze(lang: str, text: str) -> tuple[str, ...]:
    return tuple(t.text for t in _analyzer(lang)(text, mode="query"))


def _plain_words(text: str) -> list[str]:
    return [t.text for t in _analyzer("en", plain=True)(text, mode="query")]


def _chunk_items(chunk: str) -> list[_Item]:
    """The items of one space-separated piece of plain text."""
    negated = chunk.startswith("-")
    body = chunk[1:] if negated else chunk
    is_prefix = body.endswith("*")
    words = _plain_words(body)
    if not words:
        return []
    if negated:  # -covid-19 excludes the phrase "covid 19"
        if len(words) > 1:
            return [_Item("phrase", " ".join(words), negated=True)]
        return [_Item("prefix" if is_prefix else "word", words[0], negated=True)]
    items = [_Item("word", w) for w in words]
    if is_prefix and len(words[-1]) >= MIN_PREFIX_LENGTH:
        items[-1] = _Item("prefix", words[-1])
    return items


def _lex(text: str) -> list[_Item | str]:
    """Items and OR markers, in order."""
    parts = text.split('"')
    if len(parts) % 2 == 0:  # an unbalanced quote: what follows it is plain text
        parts[-2:] = [parts[-2] + " " + parts[-1]]
    out: list[_Item | str] = []
    for index, part in enumerate(parts):
        if index % 2:  # inside quotes
            words = _plain_words(part)
            negate = bool(out) and out[-1] == "-"
            if negate:
                out.pop()
            if words:
                out.append(_Item("phrase", " ".join(words), negated=negate))
            continue
        chunks = part.split()
        for position, chunk in enumerate(chunks):
            if chunk == _OR:
                out.append(_OR)
            elif chunk == "-":
                # Kept only when it touches the next quote: -"a phrase".
                if position == len(chunks) - 1 and not part[-1:].isspace():
                    out.append("-")
            else:
                out.extend(_chunk_items(chunk))
    return [x for x in out if x != "-"]


def _with_concepts(elements: list[_Item | str]) -> list[_Item | str]:
    """Runs of plain words that are thesaurus terms, made into one concept item each. Words
    next to an OR stay as they are: the OR joins them."""

    def plain(index: int) -> bool:
        element = elements[index]
        return (
            isinstance(element, _Item)
            and element.kind == "word"
            and not element.negated
            and (index == 0 or elements[index - 1] != _OR)
            and (index + 1 == len(elements) or elements[index + 1] != _OR)
        )

    out: list[_Item | str] = []
    index = 0
    while index < len(elements):
        if not plain(index):
            element = elements[index]
            # A word joined by OR may still be a one-word term (youth OR women).
            if isinstance(element, _Item) and element.kind == "word" and not element.negated:
                hit = thesaurus.match([element.text])
                element = _Item("concept", element.text, match=hit) if hit else element
            out.append(element)
            index += 1
            continue
        end = index
        while end < len(elements) and plain(end):
            end += 1
        run = [element for element in elements[index:end] if isinstance(element, _Item)]
        words = [element.text for element in run]
        position = 0
        for start, stop, hit in thesaurus.spans(words):
            out.extend(run[position:start])
            out.append(_Item("concept", " ".join(words[start:stop]), match=hit))
            position = stop
        out.extend(run[position:])
        index = end
    return out


def _group(elements: Sequence[_Item | str]) -> list[list[_Item]]:
    """Join items around OR into alternatives; an OR with nothing on one side is ignored."""
    groups: list[list[_Item]] = []
    pending_or = False
    count = 0
    for element in elements:
        if element == _OR:
            pending_or = True
            continue
        assert isinstance(element, _Item)
        if count == MAX_TERMS:
            break
        count += 1
        if pending_or and groups and not element.negated and not groups[-1][0].negated:
            groups[-1].append(element)
        else:
            groups.append([element])
        pending_or = False
    return groups


def _prefix_forms(lang: str, prefix: str) -> list[str]:
    """The prefix as typed, and its stem if shorter: the index holds stems (communities*)."""
    base = strip_arabic_proclitics(prefix) if lang == "ar" else prefix
    if len(base) < MIN_PREFIX_LENGTH:
        base = prefix
    forms = [base]
    stemmed = _analyze(lang, base)
    if (
        len(stemmed) == 1
        and stemmed[0] != base
        and base.startswith(stemmed[0])
        and len(stemmed[0]) >= MIN_STEMMED_PREFIX_LENGTH
    ):
        forms.append(stemmed[0])
    return forms


# Whether the index holds this term in this field.
Exists = Callable[[str, str], bool]
_ARABIC_TEXT_FIELDS = ("body_ar", "title_ar")


def _arabic_tokens(word: str, exists: Exists | None) -> tuple[str, ...]:
    """The Arabic analysis of a word, without a bare ب ل ك when only the rest is in the index."""
    tokens = _analyze("ar", word)
    if (
        exists is not None
        and len(tokens) == 1
        and word.startswith(_ARABIC_BARE_PREFIXES)
        and len(word) - 1 >= _MIN_ARABIC_STRIPPED
        and not any(exists(field, tokens[0]) for field in _ARABIC_TEXT_FIELDS)
    ):
        rest = _analyze("ar", word[1:])
        if len(rest) == 1 and any(exists(field, rest[0]) for field in _ARABIC_TEXT_FIELDS):
            return rest
    return tokens


def _concept_query(
    item: _Item,
    fields: Mapping[str, str],
    boosts: Mapping[str, float],
    exists: Exists | None,
    concepts_field: str | None,
) -> Query | None:
    """The words as typed, or their concept (any of its terms in any language), at a lower
    weight."""
    literal = []
    for word in item.text.split():
        query, optional = _item_query(_Item("word", word), fields, boosts, exists, None)
        if query is not None and not optional:
            literal.append(query)
    alternatives = [_all(literal)] if literal else []
    assert item.match is not None
    if concepts_field is not None:
        alternatives.append(
            Term(concepts_field, item.match.concept.id, boost=thesaurus.CONCEPT_BOOST)
        )
    return _either(alternatives) if alternatives else None


def _item_query(
    item: _Item,
    fields: Mapping[str, str],
    boosts: Mapping[str, float],
    exists: Exists | None = None,
    concepts_field: str | None = None,
) -> tuple[Query | None, bool]:
    """The item's query over all fields, and whether it is optional (a stop word somewhere)."""
    if item.kind == "concept":
        return _concept_query(item, fields, boosts, exists, concepts_field), False
    queries: list[Query] = []
    skipped = False
    for field, lang in fields.items():
        boost = boosts.get(field, 1.0)
        if item.kind == "prefix":
            queries.extend(
                Prefix(field, form, boost=boost) for form in _prefix_forms(lang, item.text)
            )
            continue
        if lang == "ar" and item.kind == "word":
            tokens = _arabic_tokens(item.text, exists)
        else:
            tokens = _analyze(lang, item.text)
        if not tokens:
            skipped = True
        elif len(tokens) == 1:
            queries.append(Term(field, tokens[0], boost=boost))
        else:
            queries.append(Phrase(field, list(tokens), boost=boost))
    return (_either(queries) if queries else None), skipped


def _either(queries: Sequence[Query]) -> Query:
    if len(queries) == 1:
        return queries[0]
    either = Or(list(queries))
    # On indexes under 5,000 documents Whoosh preloads every alternative's postings into arrays,
    # which costs more than it saves with the many alternatives of an expanded query.
    either.matcher_type = Or.DEFAULT_MATCHER
    return either


def _all(queries: Sequence[Query]) -> Query:
    return queries[0] if len(queries) == 1 else And(list(queries))


def parse_query(
    text: str,
    fields: Mapping[str, str],
    boosts: Mapping[str, float] | None = None,
    exists: Exists | None = None,
    concepts_field: str | None = "concepts",
) -> ParsedQuery:
    """Parse what a person typed; `fields` maps each text field to its language, `boosts` to
    how much a match in it weighs (BM25F multiplies each field's score by it; default 1);
    `exists` says whether the index holds a term in a field; `concepts_field` holds the
    thesaurus concepts of each record (None: do not search concepts)."""
    boosts = boosts or {}
    text, truncated = clean_text(text or "")
    groups = _group(_with_concepts(_lex(text)))
    matches = [item.match for group in groups for item in group if item.match is not None]
    concepts = tuple(dict.fromkeys(m.concept.id for m in matches))
    themes = tuple(dict.fromkeys(m.concept.theme for m in matches if m.concept.theme))

    required: list[Query] = []
    optional: list[Query] = []
    excluded: list[Query] = []
    words: dict[str, None] = {}  # ordered set
    for group in groups:
        alternatives = []
        group_optional = True
        for item in group:
            query, item_optional = _item_query(item, fields, boosts, exists, concepts_field)
            if query is not None:
                alternatives.append(query)
                group_optional = group_optional and item_optional
            if not item.negated and item.kind != "prefix":
                words.update(dict.fromkeys(item.text.split()))
        if not alternatives:
            continue
        if group[0].negated:
            excluded.append(alternatives[0])
        elif group_optional:
            optional.append(_either(alternatives))
        else:
            required.append(_either(alternatives))

    if not required and not optional:
        problem = ONLY_EXCLUDED if any(g[0].negated for g in groups) else EMPTY
        return ParsedQuery(None, tuple(words), truncated, problem)
    if required and optional:
        query: Query = AndMaybe(_all(required), _either(optional))
    else:
        query = _all(required) if required else _either(optional)
    any_query = None
    if len(required) + len(optional) >= 2 and required:
        any_query = _either([*required, *optional])
    if excluded:
        query = AndNot(query, _either(excluded))
        any_query = AndNot(any_query, _either(excluded)) if any_query is not None else None
    return ParsedQuery(
        query,
        tuple(words),
        truncated,
        any_query=any_query,
        covered=tuple(required) if any_query is not None else (),
        excluded=_either(excluded) if excluded else None,
        concepts=concepts,
        themes=themes,
    )
