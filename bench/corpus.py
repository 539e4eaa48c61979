"""The generated text of the benchmarks: each language's words from the network's own content
files, drawn with a Zipf-like skew so common words recur and rare ones stay rare."""

from __future__ import annotations

import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LANGS = ("en", "ar", "fr", "es")
WORD = re.compile(r"[^\W\d_]{3,}")


def vocabularies() -> dict[str, list[str]]:
    """Each language's words from the content files, most frequent first (a Zipf-like sample)."""
    counts: dict[str, dict[str, int]] = {lang: {} for lang in LANGS}
    for path in (ROOT / "content").rglob("*.md"):
        match = re.search(r"\.(en|ar|fr|es)\.md$", path.name)
        lang = match[1] if match else "en"
        for word in WORD.findall(path.read_text(encoding="utf-8")):
            counts[lang][word.lower()] = counts[lang].get(word.lower(), 0) + 1
    return {lang: sorted(words, key=lambda w: -words[w]) for lang, words in counts.items()}


def sample_words(rng: random.Random, words: list[str], count: int) -> list[str]:
    # Index by a Pareto draw so common words recur and rare ones stay rare, as in real text.
    top = len(words) - 1
    return [words[min(top, int(rng.paretovariate(1.1)) - 1)] for _ in range(count)]


def sentence(rng: random.Random, words: list[str], low: int, high: int) -> str:
    return " ".join(sample_words(rng, words, rng.randint(low, high)))
