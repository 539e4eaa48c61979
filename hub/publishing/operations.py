"""Staff publishing: case studies and webinar records created, edited, translated and moved
between draft, published and archived.

Every change follows the rules of the content files: the fields are checked by
`parse_document` and applied by the record mappings of `hub.content.publications`, so the
browser, the API and `content/` cannot disagree. Functions flush, never commit, and raise the
hub's errors; the request lifecycle commits once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import joinedload, selectinload

from hub import audit
from hub.accounts.models import User
from hub.audit import AuditAction
from hub.content.documents import parse_document
from hub.content.publications import (
    CaseRecord,
    CaseTextRecord,
    WebinarRecord,
    WebinarTextRecord,
)
from hub.errors import InvalidInput, NotFound, StepRefused
from hub.extensions import db
from hub.i18n import LANGUAGES
from hub.i18n import lazy_gettext as _l
from hub.publishing.models import CaseStudy, CaseText, Speaker, Webinar, WebinarText
from hub.publishing.states import STEP_TO, TRANSITIONS, PublicationState, Step, Transition
from hub.types import make_slug

Record = CaseStudy | Webinar
Text = CaseText | WebinarText

MODELS: dict[str, type] = {"case": CaseStudy, "webinar": Webinar}
RECORDS = {"case": CaseRecord, "webinar": WebinarRecord}
TEXT_RECORDS = {"case": CaseTextRecord, "webinar": WebinarTextRecord}
SOURCE = "form"  # where input comes from, in a ContentError: not a file
# What a record's form, export and JSON read: loaded with the record, not one row at a time.
LOADED = {
    "case": (
        selectinload(CaseStudy.texts),
        joinedload(CaseStudy.lead_city),
        selectinload(CaseStudy.partner_cities),
        selectinload(CaseStudy.adapted_by),
        selectinload(CaseStudy.themes),
    ),
    "webinar": (
        selectinload(Webinar.texts),
        selectinload(Webinar.themes),
        selectinload(Webinar.speakers).joinedload(Speaker.city),
    ),
}


def kind_of(record: Record) -> str:
    return "case" if isinstance(record, CaseStudy) else "webinar"


def target(record: Record) -> str:
    return f"{kind_of(record)}:{record.id}"


def summary(record: Record) -> dict:
    """What the audit log keeps of a record's state."""
    original = record.original
    return {"state": str(record.state), "title": original.title if original else None}


def export(record: Record) -> tuple[dict, str]:
    """The record's original version in content-file form: front matter and body."""
    return RECORDS[kind_of(record)].export(record)


def record_by_id(kind: str, record_id: int) -> Record:
    """The record with what its form and JSON show, or NotFound."""
    model = MODELS[kind]
    record = db.session.scalar(db.select(model).filter_by(id=record_id).options(*LOADED[kind]))
    if record is None:
        raise NotFound()
    return record


def published_record(kind: str, record_id: int) -> Record:
    record = record_by_id(kind, record_id)
    if not record.is_published:
        raise NotFound()
    return record


def new_slug(kind: str, title: Any) -> str:
    """A readable Latin slug for the title, in any script, unique among `kind`."""
    title = title if isinstance(title, str) else ""
    base = make_slug(title, fallback=kind)
    model = MODELS[kind]
    taken = db.session.scalars(db.select(model.slug).filter(model.slug.startswith(base)))
    return make_slug(title, taken, fallback=kind)


def _changed(before: tuple[dict, str], after: tuple[dict, str]) -> list[str]:
    (old, old_body), (new, new_body) = before, after
    names = sorted(name for name in set(old) | set(new) if old.get(name) != new.get(name))
    return names + (["body"] if old_body != new_body else [])


def create_record(kind: str, fields: dict, body: str, actor: User | None) -> Record:
    """A new record, as a draft; its slug comes from the title unless `fields` names one."""
    front = {"language": "en", "machine_translated": False, "published": date.today()}
    front.update({name: value for name, value in fields.items() if value is not None})
    front["kind"] = kind
    model = MODELS[kind]
    if not front.get("slug"):
        front["slug"] = new_slug(kind, front.get("title"))
    elif db.session.scalar(db.select(model.id).filter_by(slug=front["slug"])) is not None:
        raise InvalidInput({"slug": _l("Another record uses this slug.")})
    document = parse_document(front, body, SOURCE)
    loader = RECORDS[kind]
    references = loader.resolve(document)  # raises before anything changes
    record = loader.create(document)
    record.state = PublicationState.draft
    loader.apply(record, document, references)
    db.session.flush()
    audit.record(AuditAction.create, target(record), None, summary(record), actor=actor)
    return record


def update_record(record: Record, fields: dict, body: str | None, actor: User | None) -> list[str]:
    """Change the given fields of the original version (a field None: left out; body None:
    unchanged); the state stays. Returns the names of the fields that changed."""
    loader = RECORDS[kind_of(record)]
    before = loader.export(record)
    old, old_body = before
    front = {**old, **fields}
    fixed = {
        name: _l("This cannot be changed.")
        for name in ("kind", "slug", "language")
        if front.get(name) != old[name]
    }
    if fixed:
        raise InvalidInput(fixed)
    front = {name: value for name, value in front.items() if value is not None}
    document = parse_document(front, old_body if body is None else body, SOURCE)
    references = loader.resolve(document)
    old_summary = summary(record)
    loader.apply(record, document, references)
    db.session.flush()
    changed = _changed(before, loader.export(record))
    if changed:
        after = {**summary(record), "changed": changed}
        audit.record(AuditAction.edit, target(record), old_summary, after, actor=actor)
    return changed


def take_step(record: Record, step: Step, actor: User | None) -> Transition:
    """Publish, unpublish (back to draft) or archive; StepRefused when the state does not
    allow it."""
    transition = TRANSITIONS[step]
    if record.state not in transition.sources:
        raise StepRefused(
            {"state": _l("The record is %(state)s already.", state=record.state.label)}
        )
    before = summary(record)
    record.state = transition.to
    db.session.flush()
    audit.record(transition.action, target(record), before, summary(record), actor=actor)
    return transition


def set_state(record: Record, state: PublicationState, actor: User | None) -> bool:
    """Bring the record into `state`; False when it is there already."""
    if record.state == state:
        return False
    take_step(record, STEP_TO[state], actor)
    return True


def delete_record(record: Record, actor: User | None) -> None:
    # The record's row first, as every edit takes it: a concurrent edit waits, then loses,
    # instead of deadlocking on the language versions deleted before the record.
    record.version += 1
    db.session.flush()
    audit.record(AuditAction.delete, target(record), summary(record), None, actor=actor)
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
        raise InvalidInput({"language": _l("Choose one of the hub's languages.")})
    if language in record.languages:
        raise InvalidInput({"language": _l("This language version exists already.")})
    kind = kind_of(record)
    front = {
        **{name: value for name, value in fields.items() if value is not None},
        "kind": kind,
        "translation_of": record.slug,
        "language": language,
        "machine_translated": machine_translated,
    }
    document = parse_document(front, body, SOURCE)
    loader = TEXT_RECORDS[kind]
    references = loader.resolve(document)
    text = loader.create(document)
    loader.apply(text, document, references)
    db.session.flush()
    after = {"language": language, "machine_translated": machine_translated}
    audit.record(AuditAction.add_translation, target(record), None, after, actor=actor)
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
    front = {name: value for name, value in front.items() if value is not None}
    document = parse_document(front, body, SOURCE)
    references = loader.resolve(document)
    loader.apply(text, document, references)
    db.session.flush()
    changed = _changed(before, loader.export(text))
    if changed:
        after = {"language": text.language, "changed": changed}
        audit.record(AuditAction.edit, target(record), summary(record), after, actor=actor)
    return changed


@dataclass
class MissingTranslations:
    kind: str
    record: Record
    missing: list[str]


# Rows of a staff table per page: a screenful, loaded with its language versions in one batch.
STAFF_PER_PAGE = 50
TEXT_OF = {"case": (CaseText, CaseText.case_id), "webinar": (WebinarText, WebinarText.webinar_id)}


def records_page(kind: str, page: int) -> Pagination:
    """One page of the records of `kind` with their language versions, by slug."""
    model = MODELS[kind]
    stmt = sa.select(model).options(selectinload(model.texts)).order_by(model.slug)
    return db.paginate(stmt, page=page, per_page=STAFF_PER_PAGE, error_out=False)


@dataclass
class MissingPage:
    entries: list[MissingTranslations]
    pagination: Pagination  # of the kind with the most pages, for the pager


def missing_translations(page: int) -> MissingPage:
    """One page of the case and webinar records that lack a language of the hub, and which."""
    entries: list[MissingTranslations] = []
    pages = []
    for kind, model in MODELS.items():
        text, owner = TEXT_OF[kind]
        versions = (
            sa.select(sa.func.count(text.id))
            .where(owner == model.id, text.language.in_(LANGUAGES))
            .scalar_subquery()
        )
        stmt = (
            sa.select(model)
            .where(versions < len(LANGUAGES))
            .options(selectinload(model.texts))
            .order_by(model.slug)
        )
        found = db.paginate(stmt, page=page, per_page=STAFF_PER_PAGE, error_out=False)
        entries += [MissingTranslations(kind, r, missing_languages(r)) for r in found.items]
        pages.append(found)
    return MissingPage(entries, max(pages, key=lambda found: found.pages))
