"""Content files (Markdown with YAML front matter) in and out of the database.

Loading validates each file completely and resolves every reference before it changes anything,
so a bad file is reported (path, field, reason) and changes nothing. A record whose file says
what the database already holds is left alone, which makes loading idempotent; one changed in the
hub since its last load is kept and reported (`hub.content.ownership`). The caller commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from hub.cities.models import City, Theme
from hub.content import ownership
from hub.content.documents import (
    Document,
    content_files,
    document_name,
    read_document,
    record_name,
    render_document,
)
from hub.content.models import ContentStamp
from hub.content.ownership import HubChange
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
    # Files whose record changed in the hub since they were last loaded: the hub's copy stays.
    kept: list[HubChange] = field(default_factory=list)
    # Files loaded over a change made in the hub (`force`), each in the audit log.
    overwritten: list[HubChange] = field(default_factory=list)
    # Stored values that no longer pass the content rules, each naming its record.
    warnings: list[str] = field(default_factory=list)
    errors: list[ContentError] = field(default_factory=list)


# Loading ---------------------------------------------------------------------------------------


def load_directory(
    root: Path, advance: Callable[[int], object] | None = None, *, force: bool = False
) -> LoadReport:
    """Load every content file under `root`; bad files are reported and change nothing.

    A record changed in the hub since its file was last loaded is kept as the hub holds it and
    reported, unless `force`.
    """
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
    loading = Loading(report, ownership.stamps(), force)
    for document in documents:
        if advance:
            advance(1)
        try:
            outcome = loading.load(document)
        except ContentError as error:
            report.errors.append(error)
            continue
        if outcome is not None:
            getattr(report, outcome).append(document.path)
    return report


@dataclass
class Loading:
    """One load: its report, the files' stamps, and whether it overwrites the hub's changes."""

    report: LoadReport
    stamps: dict[str, ContentStamp]
    force: bool = False

    def load(self, document: Document) -> str | None:
        """Bring one record in line with its file: 'created', 'updated' or 'unchanged', or None
        when the record changed in the hub (kept, or overwritten when forced)."""
        loader = RECORDS[document.kind, document.is_translation]
        existing = loader.find(document)
        found = self.stamps.get(document.name)
        change = ownership.deleted_in_hub(document, found) if existing is None else None
        if change is not None and not self.force:
            self.report.kept.append(change)
            return None
        references = loader.resolve(document)  # a file naming what does not exist is refused
        if existing is not None:
            stored = ownership.read_stored(loader, existing, document)
            self.report.warnings += stored.problems
            if stored.document is not None and _same(stored.document, document):
                ownership.stamp(self.stamps, document, stored.digest)
                return "unchanged"
            change = ownership.hub_change(document, existing, stored, found)
            if change is not None and not self.force:
                self.report.kept.append(change)
                return None
        record = existing if existing is not None else loader.create(document)
        loader.apply(record, document, references)
        state = getattr(document.data, "state", None)
        if state is not None:  # the originals of cases and webinars carry a publication state
            record.state = state
        db.session.flush()
        ownership.stamp(self.stamps, document, ownership.digest(document))
        if change is not None:
            ownership.record_overwrite(record, change)
            self.report.overwritten.append(change)
            return None
        return "created" if existing is None else "updated"


def _same(stored: Document, document: Document) -> bool:
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


@dataclass
class ExportReport:
    written: list[Path] = field(default_factory=list)
    # Records whose stored values no longer pass the content rules: written as they are.
    warnings: list[str] = field(default_factory=list)
    # Records that cannot be read back at all: not written.
    errors: list[str] = field(default_factory=list)


def export_directory(root: Path) -> ExportReport:
    """Write every record, drafts and archived ones included, as content files under `root`."""
    report = ExportReport()
    for name, record, export in exported_documents():
        try:
            front, body = export()
        except ownership.UNREADABLE as error:
            report.errors.append(ownership.unreadable(record, error))
            continue
        report.warnings += ownership.problems(front, body, record)
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_document(front, body), encoding="utf-8")
        report.written.append(path)
    return report


Export = Callable[[], tuple[dict, str]]


def exported_documents() -> Iterable[tuple[str, str, Export]]:
    """Each file an export writes: its name, its record as a report names it, and its export."""
    for theme in db.session.scalars(db.select(Theme).order_by(Theme.position)):
        yield *_named("theme", theme.slug), partial(ThemeRecord.export, theme)
    for city in db.session.scalars(db.select(City).order_by(City.slug)):
        yield *_named("city", city.slug), partial(CityRecord.export, city)
    for case in db.session.scalars(db.select(CaseStudy).order_by(CaseStudy.slug)):
        for text in case.texts:
            export = (
                partial(CaseRecord.export, case)
                if text.language == case.original_language
                else partial(CaseTextRecord.export, text)
            )
            yield *_named("case", case.slug, text.language), export
    for webinar in db.session.scalars(db.select(Webinar).order_by(Webinar.slug)):
        for text in webinar.texts:
            export = (
                partial(WebinarRecord.export, webinar)
                if text.language == webinar.original_language
                else partial(WebinarTextRecord.export, text)
            )
            yield *_named("webinar", webinar.slug, text.language), export
    for exchange in db.session.scalars(db.select(Exchange).order_by(Exchange.slug)):
        yield *_named("exchange", exchange.slug), partial(ExchangeRecord.export, exchange)


def _named(kind: str, slug: str, language: str | None = None) -> tuple[str, str]:
    return document_name(kind, slug, language), record_name(kind, slug, language)
