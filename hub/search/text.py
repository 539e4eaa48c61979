"""Plain text from the Markdown of records, for what the index reads and snippets show, and
the other names of the network's cities (city_names.yaml)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml

# libyaml when installed: the pure-Python loader takes most of a second on these files.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_RULES = [
    (re.compile(r"```.*?```", re.S), " "),  # fenced code
    (re.compile(r"<[^>\n]+>"), " "),  # HTML tags
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images: their description
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links: their text
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # reference links
    (re.compile(r"^[ \t]{0,3}\[[^\]]+\]:[ \t]*\S+.*$", re.M), ""),  # link definitions
    (re.compile(r"^[ \t]{0,3}#{1,6}[ \t]*(.*?)[ \t]*#*[ \t]*$", re.M), r"\1."),  # headings
    (re.compile(r"^[ \t]{0,3}>[ \t]?", re.M), ""),  # block quotes
    (re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+", re.M), ""),  # list markers
    (re.compile(r"^[ \t]{0,3}(?:[-*_][ \t]*){3,}$", re.M), ""),  # rules
    (re.compile(r"(\*{1,3}|_{1,3})(\S(?:.*?\S)?)\1"), r"\2"),  # emphasis
    (re.compile(r"`([^`]*)`"), r"\1"),  # inline code
    (re.compile(r"https?://\S+"), " "),  # bare addresses
]


def markdown_text(markdown: str) -> str:
    """What a reader sees of a Markdown text: no #, *, _, link or list syntax, one space
    between words and a line break between paragraphs."""
    text = markdown or ""
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    text = text.replace("*", " ").replace("\\", "")
    paragraphs = [" ".join(part.split()) for part in re.split(r"\n\s*\n", text)]
    return "\n".join(p for p in paragraphs if p)


@cache
def _city_names() -> dict[str, dict[str, list[str]]]:
    path = Path(__file__).with_name("city_names.yaml")
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}


def city_aliases(slug: str) -> list[str]:
    """A city's names in ar/en/fr/es, transliterations and reviewed spellings (city_names.yaml)."""
    entry = _city_names().get(slug, {})
    return [name for names in entry.values() for name in names]
