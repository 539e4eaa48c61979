"""A record's source article, linked: from its content file to the page, feed, JSON-LD and
open data, and back out through export."""

from __future__ import annotations

import csv
import io
import json

import feedparser
import lxml.html

from hub.content import files as content_files
from hub.extensions import db
from tests.conftest import CONTENT, app_with_content
from tests.walk import split, write

SLUG = "saida-local-prevention-network"
ARTICLE = "https://strongcitiesnetwork.org/example-article/"


def load_case(app, tmp_path, source_url: str):
    front, body = split(CONTENT / "cases" / f"{SLUG}.en.md")
    (tmp_path / "cases").mkdir(exist_ok=True)
    write(tmp_path / "cases" / f"{SLUG}.en.md", {**front, "source_url": source_url}, body)
    with app.app_context():
        report = content_files.load_directory(tmp_path)
        db.session.commit()
    return report


def test_a_source_address_is_a_link_everywhere_the_case_goes(database, tmp_path):
    app = app_with_content(database)
    report = load_case(app, tmp_path, ARTICLE)
    assert not report.errors, report.errors
    client = app.test_client()
    tree = lxml.html.fromstring(client.get(f"/fr/cases/{SLUG}").get_data(as_text=True))
    (link,) = tree.xpath('//p[@class="source"]//a')
    assert link.get("href") == ARTICLE and link.get("rel") == "noopener"
    (block,) = tree.xpath('//script[@type="application/ld+json"]')
    assert json.loads(block.text)["isBasedOn"] == ARTICLE
    feed = feedparser.parse(client.get("/fr/cases.atom").data)
    entry = next(entry for entry in feed.entries if entry.link.endswith(SLUG))
    assert [link.href for link in entry.links if link.rel == "via"] == [ARTICLE]
    rows = csv.DictReader(io.StringIO(client.get("/en/cases.csv").get_data(as_text=True)))
    assert next(row for row in rows if row["slug"] == SLUG)["source_url"] == ARTICLE
    with app.app_context():
        exports = [export() for _name, _record, export in content_files.exported_documents()]
    front = next(front for front, _body in exports if front.get("slug") == SLUG)
    assert front["source_url"] == ARTICLE


def test_a_source_address_must_be_a_web_address(database, tmp_path):
    app = app_with_content(database)
    report = load_case(app, tmp_path, "javascript:alert(1)")
    assert report.errors
    page = app.test_client().get(f"/en/cases/{SLUG}").get_data(as_text=True)
    assert "javascript:" not in page
