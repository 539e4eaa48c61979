"""Readers' reports of problems with a language version, and the staff's queue of them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy.orm import selectinload

from hub import audit
from hub.accounts.models import User
from hub.audit import AuditAction
from hub.errors import InvalidInput, NotFound
from hub.extensions import db
from hub.i18n import lazy_gettext as _l
from hub.publishing.models import TranslationReport
from hub.publishing.operations import MODELS, Record, published_record

PROBLEM_LIMIT = 2000  # characters in a reader's description of a translation problem
LOCATION_LIMIT = 300  # characters in "where" of a report
REPORTS_SHOWN = 200


def report_problem(
    kind: str, record_id: int, language: str, problem: str, location: str
) -> TranslationReport:
    """A reader's report on the version in `language` of a published record."""
    record = published_record(kind, record_id)
    if language not in record.languages:
        raise InvalidInput({"language": _l("This record has no version in that language.")})
    report = TranslationReport(
        kind=kind, record_id=record.id, language=language, problem=problem, location=location
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
    reports = list(db.session.scalars(stmt))
    wanted: dict[str, set[int]] = defaultdict(set)
    for report in reports:
        wanted[report.kind].add(report.record_id)
    records = {}
    for kind, ids in wanted.items():
        model = MODELS[kind]
        query = db.select(model).filter(model.id.in_(ids)).options(selectinload(model.texts))
        records.update({(kind, record.id): record for record in db.session.scalars(query)})
    return [ReportEntry(report, records.get((report.kind, report.record_id))) for report in reports]


def resolve_report(report_id: int, actor: User | None) -> TranslationReport:
    report = db.session.get(TranslationReport, report_id)
    if report is None:
        raise NotFound()
    if not report.resolved:
        report.resolved = True
        db.session.flush()
        audit.record(
            AuditAction.resolve_report,
            f"translation_report:{report.id}",
            {"resolved": False},
            {"resolved": True, "record": f"{report.kind}:{report.record_id}"},
            actor=actor,
        )
    return report
