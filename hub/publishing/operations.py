"""Staff publishing: case studies and webinar records created, edited, translated and moved
between draft, published and archived; readers' reports of translation problems.

Every change follows the rules of the content files: the fields are checked by
`parse_document` and applied by the record mappings of `content_publications`, so the browser,
the API and `content/` cannot disagree. Functions flush, never commit; the view commits once.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from hub import audit, vocab
from hub.accounts.models import User
from hub.content.documents import Document, parse_document
from hub.content.publications import (
    CaseRecord,
    CaseTextRecord,
    WebinarRecord,
    WebinarTextRecord,
)
from hub.errors import GENERAL, ContentError, HubError, NotFound
from hub.extensions import db
from hub.i18n import LANGUAGES
from hub.publishing.models import CaseStudy, CaseText, TranslationReport, Webinar, WebinarText

Record = CaseStudy | Webinar
Text = CaseText | WebinarText

KINDS = ("case", "webinar")
MODELS: dict[str, type] = {"case": CaseStudy, "webinar": Webinar}
RECORDS = {"case": CaseRecord, "webinar": WebinarRecord}
TEXT_RECORDS = {"case": CaseTextRecord, "webinar": WebinarTextRecord}
PUBLISHED = "published"
# The audit action for moving a record into each state.
STATE_ACTIONS = {"published": "publish", "draft": "unpublish", "archived": "archive"}
SOURCE = "form"  # where input comes from, in ContentError: not a file
SLUG_BASE_LIMIT = 100  # characters, leaving room for "-NN" in the 120-character slug column
# Columns narrower than the 300 characters the content schema allows on one line.
NARROW_FIELDS = {"series": 200, "lead_organization": 200}
PROBLEM_LIMIT = 2000  # characters in a reader's description of a translation problem
LOCATION_LIMIT = 300  # characters in "where" of a report
REPORTS_SHOWN = 200
_FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class PublishingError(HubError):
    """Input that cannot be published; `field` names the input at fault."""

    def __init__(self, field: str, message: object) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def errors_of(error: HubError) -> dict[str, str]:
    """`{field: message}` for a ContentError or PublishingError, for forms and JSON."""
    if isinstance(error, PublishingError):
        return {error.field: str(error.message)}
    if isinstance(error, ContentError):
        return {
            "request" if name == GENERAL else name: str(why) for name, why in error.errors.items()
        }
    return {"request": str(error)}


def kind_of(record: Record) -> str:
    return "case" if isinstance(record, CaseStudy) else "webinar"


def target(record: Record) -> str:
    return f"{kind_of(record)}:{record.id}"


def summary(record: Record) -> dict:
    """What the audit log keeps of a record's state."""
    original = record.original
    return {"state": record.state, "title": original.title if original else None}


def export(record: Record) -> tuple[dict, str]:
    """The record's original version in content-file form: front matter and body."""
    return RECORDS[kind_of(record)].export(record)


def record_by_id(kind: str, record_id: int) -> Record:
    record = db.session.get(MODELS[kind], record_id) if kind in MODELS else None
    if record is None:
        raise NotFound()
    return record


def published_record(kind: str, record_id: int) -> Record:
    record = record_by_id(kind, record_id)
    if record.state != PUBLISHED:
        raise NotFound()
    return record


def make_slug(kind: str, title: Any) -> str:
    """Lowercase ASCII words of the English title joined by hyphens, unique among `kind`."""
    ascii_title = ""
    if isinstance(title, str):
        decomposed = unicodedata.normalize("NFKD", title)
        ascii_title = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    base = _NOT_SLUG.sub("-", ascii_title).strip("-")[:SLUG_BASE_LIMIT].strip("-") or kind
    model = MODELS[kind]
    taken = set(db.session.scalars(db.select(model.slug).filter(model.slug.startswith(base))))
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def coerce(fields: dict) -> dict:
    """Dates written `YYYY-MM-DD` (as forms and JSON carry them) become dates."""
    result = dict(fields)
    for name in ("published", "updated", "date"):
        value = result.get(name)
        if isinstance(value, str) and _FULL_DATE.match(value.strip()):
            try:
                result[name] = date.fromisoformat(value.strip())
            except ValueError:
                pass  # left as text: the schema says what is wrong with it
    return result


def _document(front: dict, body: Any) -> Document:
    document = parse_document(front, body, SOURCE)
    for name, limit in NARROW_FIELDS.items():
        if len(document.fields.get(name) or "") > limit:
            raise PublishingError(name, _l("is longer than %(limit)s characters", limit=limit))
    return document


def _check_state(state: Any) -> str:
    if state not in vocab.PUBLICATION_STATES:
        raise PublishingError(
            "state", _l("must be one of: %(states)s", states=", ".join(vocab.PUBLICATION_STATES))
        )
    return state


def _changed(before: tuple[dict, str], after: tuple[dict, str]) -> list[str]:
    (old, old_body), (new, new_body) = before, after
    names = sorted(name for name in set(old) | set(new) if old.get(name) != new.get(name))
    return names + (["body"] if old_body != new_body else [])


def create_record(kind: str, fields: dict, body: str, actor: User | None) -> Record:
    """A new record, as a draft; its slug comes from the title unless `fields` names one."""
    front = {**coerce(fields), "kind": kind}
    front.setdefault("language", "en")
    front.setdefault("machine_translated", False)
    front.setdefault("published", date.today())
    model = MODELS[kind]
    if not front.get("slug"):
        front["slug"] = make_slug(kind, front.get("title"))
    elif db.session.scalar(db.select(model.id).filter_by(slug=front["slug"])) is not None:
        raise PublishingError("slug", _l("is used by another record"))
    document = _document(front, body)
    loader = RECORDS[kind]
    references = loader.resolve(document)  # raises before anything changes
    record = loader.create(document)
    record.state = "draft"
    loader.apply(record, document, references)
    db.session.flush()
    audit.record("create", target(record), None, summary(record), actor=actor)
    return record


def create_case(fields: dict, body: str, actor: User | None) -> CaseStudy:
    return create_record("case", fields, body, actor)


def create_webinar(fields: dict, body: str, actor: User | None) -> Webinar:
    return create_record("webinar", fields, body, actor)


def update_record(record: Record, fields: dict, body: str | None, actor: User | None) -> list[str]:
    """Change the given fields of the original version (body None: unchanged); the state stays.

    Returns the names of the fields that changed.
    """
    loader = RECORDS[kind_of(record)]
    before = loader.export(record)
    old, old_body = before
    front = {**old, **coerce(fields)}
    for fixed in ("kind", "slug", "language"):
        if front.get(fixed) != old[fixed]:
            raise PublishingError(fixed, _l("cannot be changed"))
    document = _document(front, old_body if body is None else body)
    references = loader.resolve(document)
    old_summary = summary(record)
    loader.apply(record, document, references)
    db.session.flush()
    changed = _changed(before, loader.export(record))
    if changed:
        after = {**summary(record), "changed": changed}
        audit.record("edit", target(record), old_summary, after, actor=actor)
    return changed


def set_state(record: Record, state: str, actor: User | None) -> bool:
    """Publish, unpublish (back to draft) or archive; False when the record is there already."""
    _check_state(state)
    if record.state == state:
        return False
    before = summary(record)
    record.state = state
    db.session.flush()
    audit.record(STATE_ACTIONS[state], target(record), before, summary(record), actor=actor)
    return True


def delete_record(record: Record, actor: User | None) -> None:
    audit.record("delete", target(record), summary(record), None, actor=actor)
    db.session.delete(record)
    db.session.flush()


# Translations ----------------------------------------------------------------------------------


def text_in(record: Record, language: str) -> Text:
    """The version in exactly `language`."""
    for text in record.texts:
        if text.language == language:
            return text
    raise NotFound()


def missing_languages(record: Record) -> list[str]:
    return [code for code in LANGUAGES if code not in record.languages]


def add_translation(
    record: Record,
    language: str,
    fields: dict,
    body: str,
    machine_translated: bool,
    actor: User | None,
) -> Text:
    if language not in LANGUAGES:
        raise PublishingError("language", _l("Choose one of the hub's languages."))
    if language in record.languages:
        raise PublishingError("language", _l("This language version exists already."))
    kind = kind_of(record)
    front = {
        **fields,
        "kind": kind,
        "translation_of": record.slug,
        "language": language,
        "machine_translated": machine_translated,
    }
    document = _document(front, body)
    loader = TEXT_RECORDS[kind]
    references = loader.resolve(document)
    text = loader.create(document)
    loader.apply(text, document, references)
    db.session.flush()
    after = {"language": language, "machine_translated": machine_translated}
    audit.record("add_translation", target(record), None, after, actor=actor)
    return text


def update_translation(
    text: Text, fields: dict, body: str, machine_translated: bool, actor: User | None
) -> list[str]:
    record = text.case if isinstance(text, CaseText) else text.webinar
    loader = TEXT_RECORDS[kind_of(record)]
    before = loader.export(text)
    front = {**before[0], **fields, "machine_translated": machine_translated}
    for fixed in ("kind", "translation_of", "language"):
        front[fixed] = before[0][fixed]
    document = _document(front, body)
    references = loader.resolve(document)
    loader.apply(text, document, references)
    db.session.flush()
    changed = _changed(before, loader.export(text))
    if changed:
        after = {"language": text.language, "changed": changed}
        audit.record("edit", target(record), summary(record), after, actor=actor)
    return changed


@dataclass
class MissingTranslations:
    kind: str
    record: Record
    missing: list[str]


def missing_translations() -> list[MissingTranslations]:
    """Every case and webinar record that lacks one of the hub's languages, and which."""
    result = []
    for kind, model in MODELS.items():
        stmt = db.select(model).options(selectinload(model.texts)).order_by(model.slug)
        for record in db.session.scalars(stmt):
            missing = missing_languages(record)
            if missing:
                result.append(MissingTranslations(kind, record, missing))
    return result


# Readers' reports ------------------------------------------------------------------------------


def _report_text(field: str, value: Any, limit: int, required: bool) -> str:
    value = value.strip() if isinstance(value, str) else ""
    if required and not value:
        raise PublishingError(field, _l("Say what is wrong with the translation."))
    if len(value) > limit:
        raise PublishingError(
            field, _l("Use at most %(limit)s characters.", limit=format(limit, ","))
        )
    if _CONTROL.search(value):
        raise PublishingError(field, _l("Remove the control characters from this text."))
    return value


def report_problem(
    kind: str, record_id: int, language: str, problem: Any, location: Any
) -> TranslationReport:
    """A reader's report on the version in `language` of a published record."""
    record = published_record(kind, record_id)
    if language not in record.languages:
        raise PublishingError("language", _l("This record has no version in that language."))
    report = TranslationReport(
        kind=kind,
        record_id=record.id,
        language=language,
        problem=_report_text("problem", problem, PROBLEM_LIMIT, required=True),
        location=_report_text("location", location, LOCATION_LIMIT, required=False),
    )
    db.session.add(report)
    db.session.flush()
    return report


@dataclass
class ReportEntry:
    report: TranslationReport
    record: Record | None  # None once the record is deleted


def report_queue() -> list[ReportEntry]:
    """Open reports first, then resolved ones; oldest first within each."""
    stmt = (
        db.select(TranslationReport)
        .order_by(TranslationReport.resolved, TranslationReport.created_at, TranslationReport.id)
        .limit(REPORTS_SHOWN)
    )
    return [
        ReportEntry(report, db.session.get(MODELS[report.kind], report.record_id))
        for report in db.session.scalars(stmt)
    ]


def resolve_report(report_id: int, actor: User | None) -> TranslationReport:
    report = db.session.get(TranslationReport, report_id)
    if report is None:
        raise NotFound()
    if not report.resolved:
        report.resolved = True
        db.session.flush()
        audit.record(
            "resolve_report",
            f"translation_report:{report.id}",
            {"resolved": False},
            {"resolved": True, "record": f"{report.kind}:{report.record_id}"},
            actor=actor,
        )
    return report
