"""Open data: every published case as CSV and JSON Lines, read by the standard parsers."""

from __future__ import annotations

import csv
import io
import json

import pytest
import sqlalchemy as sa

from hub.extensions import db
from hub.i18n import LANGUAGES
from hub.publishing.models import CaseStudy, CaseText
from tests.conftest import app_with_content


@pytest.mark.parametrize("lang", LANGUAGES)
def test_cases_as_csv_and_json_lines(client, cases, lang):
    answer = client.get(f"/{lang}/cases.csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert 'rel="license"' in answer.headers["Link"]
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    lines = client.get(f"/{lang}/cases.jsonl")
    assert lines.status_code == 200 and lines.mimetype == "application/jsonl"
    records = [json.loads(line) for line in lines.get_data(as_text=True).splitlines()]
    assert sorted(row["slug"] for row in rows) == sorted(case.slug for case in cases)
    assert [row["slug"] for row in rows] == [record["slug"] for record in records]
    for case in cases:
        row = next(row for row in rows if row["slug"] == case.slug)
        record = next(record for record in records if record["slug"] == case.slug)
        shown = lang if lang in case.languages else case.original_language
        assert row["language"] == record["language"] == shown
        title = next(text.title for text in case.texts if text.language == shown)
        assert row["title"] == record["title"] == title
        assert row["themes"].split(";") == record["themes"]
        assert set(record["themes"]) == {theme.slug for theme in case.themes}
        assert record["url"].endswith(f"/{lang}/cases/{case.slug}")
        assert "contact" not in record  # contacts are for signed-in members


def test_a_cell_a_spreadsheet_would_run_is_kept_as_text(database):
    app = app_with_content(database)
    with app.app_context():
        text = db.session.scalar(
            sa.select(CaseText).join(CaseStudy).where(CaseText.language == "en")
        )
        text.title = '=HYPERLINK("http://evil.example","click")'
        slug = text.case.slug
        db.session.commit()
    rows = csv.DictReader(
        io.StringIO(app.test_client().get("/en/cases.csv").get_data(as_text=True))
    )
    row = next(row for row in rows if row["slug"] == slug)
    assert row["title"] == "'" + '=HYPERLINK("http://evil.example","click")'
