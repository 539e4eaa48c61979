"""Content files (Markdown with YAML front matter) in and out of the database.

Loading validates each file completely and resolves every reference before it changes anything,
so a bad file is reported (path, field, reason) and changes nothing. A record whose file says
what the database already holds is left alone, which makes loading idempotent. The caller commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from hub.cities.models import City, Theme
from hub.content.documents import (
    Document,
    content_files,
    parse_document,
    read_document,
    render_document,
)
from hub.content.publications import (
    CaseRecord,
    CaseTextRecord,
    WebinarRecord,
    WebinarTextRecord,
)
from hub.content.records import CityRecord, ExchangeRecord, ThemeRecord
from hub.errors import ContentError
from hub.exchanges.models import Exchange
from hub.extensions import db
from hub.publishing.models import CaseStudy, Webinar

__all__ = ["LoadReport", "content_files", "export_directory", "load_directory"]


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[ContentError] = field(default_factory=list)


# Loading ---------------------------------------------------------------------------------------


def load_directory(root: Path, advance: Callable[[int], object] | None = None) -> LoadReport:
    """Load every content file under `root`; bad files are reported and change nothing."""
    report = LoadReport()
    documents = []
    for path in content_files(root):
        try:
            documents.append(read_document(path))
        except ContentError as error:
            report.errors.append(error)
            if advance:
                advance(1)
    documents.sort(key=lambda doc: doc.order)
    for document in documents:
        if advance:
            advance(1)
        try:
            outcome = load_document(document)
        except ContentError as error:
            report.errors.append(error)
            continue
        getattr(report, outcome).append(document.path)
    return report


def load_document(document: Document) -> str:
    """Bring one record in line with its file: 'created', 'updated' or 'unchanged'."""
    loader = RECORDS[document.kind, document.is_translation]
    existing = loader.find(document)
    if existing is not None and _same(loader.export(existing), document):
        return "unchanged"
    references = loader.resolve(document)
    record = existing if existing is not None else loader.create(document)
    loader.apply(record, document, references)
    state = getattr(document.data, "state", None)
    if state is not None:  # the originals of cases and webinars carry a publication state
        record.state = state
    db.session.flush()
    return "created" if existing is None else "updated"


def _same(exported: tuple[dict, str], document: Document) -> bool:
    front, body = exported
    try:
        stored = parse_document(front, body, document.path)
    except ContentError:  # what the database holds no longer passes: the file will replace it
        return False
    return stored.data == document.data and stored.body == document.body


RECORDS = {
    ("theme", False): ThemeRecord,
    ("city", False): CityRecord,
    ("case", False): CaseRecord,
    ("case", True): CaseTextRecord,
    ("webinar", False): WebinarRecord,
    ("webinar", True): WebinarTextRecord,
    ("exchange", False): ExchangeRecord,
}


# Exporting -------------------------------------------------------------------------------------


def export_directory(root: Path) -> list[Path]:
    """Write every record back as content files under `root`; returns the files written."""
    written = []
    for relative, (front, body) in exported_documents():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_document(front, body), encoding="utf-8")
        written.append(path)
    return written


def exported_documents() -> Iterable[tuple[str, tuple[dict, str]]]:
    for theme in db.session.scalars(db.select(Theme).order_by(Theme.position)):
        yield f"themes/{theme.slug}.md", ThemeRecord.export(theme)
    for city in db.session.scalars(db.select(City).order_by(City.slug)):
        yield f"cities/{city.slug}.md", CityRecord.export(city)
    for case in db.session.scalars(db.select(CaseStudy).order_by(CaseStudy.slug)):
        for text in case.texts:
            exported = (
                CaseRecord.export(case)
                if text.language == case.original_language
                else CaseTextRecord.export(text)
            )
            yield f"cases/{case.slug}.{text.language}.md", exported
    for webinar in db.session.scalars(db.select(Webinar).order_by(Webinar.slug)):
        for text in webinar.texts:
            exported = (
                WebinarRecord.export(webinar)
                if text.language == webinar.original_language
                else WebinarTextRecord.export(text)
            )
            yield f"webinars/{webinar.slug}.{text.language}.md", exported
    for exchange in db.session.scalars(db.select(Exchange).order_by(Exchange.slug)):
        yield f"exchanges/{exchange.slug}.md", ExchangeRecord.export(exchange)
