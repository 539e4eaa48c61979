"""Open data: every published case study as CSV or JSON Lines, in the reader's language where a
version exists. Contacts stay out: they are for signed-in members only."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from flask import Blueprint, Response

from hub.i18n import current_language
from hub.security.access import PUBLIC, allow
from hub.syndication import queries
from hub.web import external_url

bp = Blueprint("opendata", __name__)

# The licence docs/api.md names for the open data, sent as a Link header with each file.
LICENCE = "https://creativecommons.org/licenses/by/4.0/"
FIELDS = (
    "slug",
    "url",
    "language",
    "original_language",
    "machine_translated",
    "available_languages",
    "title",
    "summary",
    "lead_city",
    "lead_organization",
    "partner_cities",
    "partner_organizations",
    "themes",
    "start_year",
    "status",
    "evidence_level",
    "cost_band",
    "staffing_band",
    "published_on",
    "updated_on",
    "reading_minutes",
    "source",
    "source_url",
)
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@bp.get("/<lang:lang>/cases.csv")
@allow(PUBLIC)
def cases_csv():
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\r\n")
    writer.writeheader()
    for row in case_rows():
        writer.writerow({name: _cell(value) for name, value in row.items()})
    return _answer(buffer.getvalue(), "text/csv", "cases.csv")


@bp.get("/<lang:lang>/cases.jsonl")
@allow(PUBLIC)
def cases_jsonl():
    lines = [json.dumps(row, ensure_ascii=False) for row in case_rows()]
    return _answer("".join(line + "\n" for line in lines), "application/jsonl", "cases.jsonl")


def _answer(body: str, mimetype: str, name: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Link"] = f'<{LICENCE}>; rel="license"'
    return response


def _cell(value) -> str:
    if isinstance(value, list):
        value = ";".join(str(item) for item in value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def case_rows() -> Iterable[dict]:
    """One row per published case, newest first, in the reader's language where a version
    exists."""
    lang = current_language()
    for case in queries.all_cases():
        text = case.text_in(lang)
        yield {
            "slug": case.slug,
            "url": external_url("cases.detail", lang=lang, slug=case.slug),
            "language": text.language,
            "original_language": case.original_language,
            "machine_translated": text.machine_translated,
            "available_languages": case.languages,
            "title": text.title,
            "summary": text.summary,
            "lead_city": case.lead_city.slug if case.lead_city else None,
            "lead_organization": case.lead_organization,
            "partner_cities": [city.slug for city in case.partner_cities],
            "partner_organizations": list(case.partner_organizations or []),
            "themes": [theme.slug for theme in case.themes],
            "start_year": case.start_year,
            "status": case.status,
            "evidence_level": case.evidence_level,
            "cost_band": case.cost_band,
            "staffing_band": case.staffing_band,
            "published_on": case.published_on.isoformat(),
            "updated_on": text.updated_on.isoformat() if text.updated_on else None,
            "reading_minutes": text.reading_minutes,
            "source": case.source,
            "source_url": case.source_url,
        }
