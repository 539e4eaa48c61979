"""Nothing executable survives into a page, in bodies or in titles."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from hub.content import files as content_files
from hub.extensions import db
from hub.publishing.models import CaseStudy
from tests.conftest import CONTENT

VECTORS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<svg/onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<iframe src="https://evil.example"></iframe>',
    '<object data="x.swf"></object>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '"><script>alert(1)</script>',
    "<details open ontoggle=alert(1)>",
    "<form action=javascript:alert(1)><button>x</button></form>",
]
DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "svg", "math", "style", "base", "meta"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href"}


class Executables(HTMLParser):
    """Tags and attributes in a page that a browser would run."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in DANGEROUS_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            value = re.sub(r"\s", "", (value or "")).lower()
            if name.startswith("on") or name == "style":
                self.found.append(f"{tag} {name}")
            if name in URL_ATTRIBUTES and value.startswith(("javascript:", "data:", "vbscript:")):
                self.found.append(f"{tag} {name}={value[:30]}")


def executables(html: str) -> list[str]:
    parser = Executables()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("vector", VECTORS)
def test_nothing_executable_survives_in_bodies_or_titles(app, vector):
    with app.app_context():
        content_files.load_directory(CONTENT)
        case = db.session.scalar(
            sa.select(CaseStudy).filter_by(slug="saida-local-prevention-network")
        )
        case.original.title = f"Title {vector}"
        case.original.body = f"Body {vector}\n\n{vector}"
        case.original.results = vector
        db.session.commit()
    page = app.test_client().get("/en/cases/saida-local-prevention-network").get_data(as_text=True)
    main = page[page.index("<main") :]
    assert executables(main) == []


def test_the_checker_finds_what_it_looks_for():
    found = executables(
        '<p onclick="x()">a</p><a href=" JavaScript:alert(1)">b</a><script></script>'
    )
    assert found == ["p onclick", "a href=javascript:alert(1)", "<script>"]
