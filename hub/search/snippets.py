"""Snippets: a result's excerpt, cut around the words the query matched, those words marked.

Whoosh's highlighter runs the whole excerpt through the field's analyzer, token by token, for
every result shown: a third of the time of a search that falls back on any-word matching. Here
each word of the excerpt is analyzed once per process (an LRU cache), and compared with the
terms the result matched in that field.
"""

from __future__ import annotations

import re
from functools import lru_cache

from markupsafe import Markup, escape

from hub.search.analysis import analyzer

SNIPPET_CHARACTERS = 240
SNIPPET_FRAGMENTS = 2
# Characters of context kept before the first and after the last marked word of a fragment.
SURROUND = 60
BETWEEN = " … "
_WORD = re.compile(r"\w+")
_WORD_CACHE_SIZE = 50_000


@lru_cache(maxsize=_WORD_CACHE_SIZE)
def _terms(lang: str, word: str) -> frozenset[str]:
    """What the index holds for `word` in a field of `lang`."""
    return frozenset(token.text for token in analyzer(lang)(word))


def snippet(text: str, lang: str, words: frozenset[str]) -> Markup:
    """`text` cut to its best fragments around `words` (terms as the index holds them), with
    those words marked; the start of `text` when none of them is in it."""
    marks = [
        match.span()
        for match in _WORD.finditer(text)
        if words and not words.isdisjoint(_terms(lang, match.group()))
    ]
    if not marks:
        cut = text[:SNIPPET_CHARACTERS]
        return escape(cut + ("…" if len(text) > SNIPPET_CHARACTERS else ""))
    fragments = []  # (marked words, start, end, marks)
    first = 0
    while first < len(marks):
        start = max(0, marks[first][0] - SURROUND)
        last = first
        while last + 1 < len(marks) and marks[last + 1][1] + SURROUND - start <= SNIPPET_CHARACTERS:
            last += 1
        end = min(len(text), marks[last][1] + SURROUND)
        fragments.append((last - first + 1, start, end, marks[first : last + 1]))
        first = last + 1
    best = sorted(fragments, key=lambda fragment: -fragment[0])[:SNIPPET_FRAGMENTS]
    return Markup(BETWEEN).join(
        _marked(text, start, end, spans) for _count, start, end, spans in sorted(best, key=_start)
    )


def _start(fragment: tuple) -> int:
    return fragment[1]


def _marked(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> Markup:
    """text[start:end] escaped, cut at whole words, with `spans` in <mark>."""
    if start > 0:
        space = text.find(" ", start, spans[0][0])
        start = space + 1 if space != -1 else start
    if end < len(text):
        space = text.rfind(" ", spans[-1][1], end)
        end = space if space != -1 else end
    out, index = [], start
    for left, right in spans:
        out += [escape(text[index:left]), Markup("<mark>"), escape(text[left:right])]
        out.append(Markup("</mark>"))
        index = right
    out.append(escape(text[index:end]))
    return Markup("").join(out)
