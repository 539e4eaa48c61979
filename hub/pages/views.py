"""`/<lang>/about`, `/<lang>/contact`, `/<lang>/privacy`: a content file per page and language."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, current_app, render_template

from hub.content.documents import split_front_matter
from hub.errors import NotFound
from hub.i18n import DEFAULT_LANGUAGE, current_language
from hub.security.access import PUBLIC, allow

PAGES = ("about", "contact", "privacy")
FOLDER = Path("content") / "pages"  # in the checkout, beside the records' folders

bp = Blueprint("pages", __name__, url_prefix="/<lang:lang>", template_folder="templates")


@dataclass(frozen=True)
class Page:
    title: str
    description: str
    body: str
    language: str


def folder() -> Path:
    return Path(current_app.root_path).parent / FOLDER


@lru_cache(maxsize=64)
def _read(path: Path, modified: float) -> Page:
    """A page file; `modified` keys the cache, so an edited file is read again."""
    front, body = split_front_matter(path.read_text(encoding="utf-8"), str(path))
    language = path.suffixes[-2].lstrip(".")
    return Page(str(front["title"]), str(front.get("description", "")), body, language)


def load(name: str, lang: str) -> Page:
    """The page in `lang`, else in English."""
    for code in (lang, DEFAULT_LANGUAGE):
        path = folder() / f"{name}.{code}.md"
        if path.is_file():
            return _read(path, path.stat().st_mtime)
    raise NotFound()


@bp.get(f"/<any({', '.join(PAGES)}):page>")
@allow(PUBLIC)
def page(page: str):
    return render_template("pages/page.html", page=load(page, current_language()), name=page)
