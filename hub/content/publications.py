"""How case study and webinar files, originals and translations, map onto the database."""

from __future__ import annotations

from hub.cities.models import City, Theme
from hub.content.documents import Document
from hub.content.records import (
    SluggedRecord,
    by_slug,
    error,
    one_by_slug,
    without_none,
)
from hub.content.schemas import PUBLISHED
from hub.extensions import db
from hub.i18n import lazy_gettext as _l
from hub.publishing.models import CaseStudy, CaseText, Speaker, Webinar, WebinarText

CASE_TEXT_FIELDS = ("target_audience", "what_was_done", "results", "what_did_not_work")
ORIGINAL_LANGUAGE_FIXED = _l("It differs from the record's original language.")


def _apply_case_text(text: CaseText, doc: Document) -> None:
    f = doc.data
    text.machine_translated = f.machine_translated
    text.title, text.summary = f.title, f.summary
    for name in (*CASE_TEXT_FIELDS, "transferability"):
        setattr(text, name, getattr(f, name))
    text.updated_on = f.updated
    text.body = doc.body


def _case_text_fields(text: CaseText) -> dict:
    return {
        "machine_translated": text.machine_translated,
        "title": text.title,
        "summary": text.summary,
        **{name: getattr(text, name) for name in CASE_TEXT_FIELDS},
    }


class TranslationRecord:
    """A language version of a record, named by `translation_of` and `language`."""

    model: type
    parent: type

    @classmethod
    def find(cls, doc: Document):
        return db.session.scalar(
            db.select(cls.model)
            .join(cls.parent)
            .filter(cls.parent.slug == doc.data.translation_of)
            .filter(cls.model.language == doc.data.language)
        )

    @classmethod
    def create(cls, doc: Document):
        return cls.model(language=doc.data.language)


class CaseRecord(SluggedRecord):
    model = CaseStudy

    @staticmethod
    def resolve(doc: Document) -> dict:
        f = doc.data
        return {
            "lead_city": one_by_slug(City, f.lead_city, doc, "lead_city"),
            "partner_cities": by_slug(City, f.partner_cities, doc, "partner_cities"),
            "adapted_by": by_slug(City, f.adapted_by, doc, "adapted_by"),
            "themes": by_slug(Theme, f.themes, doc, "themes"),
        }

    @staticmethod
    def apply(case: CaseStudy, doc: Document, refs: dict) -> None:
        f = doc.data
        if case.texts and case.original_language != f.language:
            raise error(doc, "language", ORIGINAL_LANGUAGE_FIXED)
        case.original_language = f.language
        case.lead_city = refs["lead_city"]
        case.lead_organization = f.lead_organization
        case.partner_cities = refs["partner_cities"]
        case.partner_organizations = f.partner_organizations
        case.adapted_by = refs["adapted_by"]
        case.themes = refs["themes"]
        case.start_year, case.status = f.start_year, f.status
        case.evidence_level = f.evidence_level
        case.cost_band, case.staffing_band = f.cost_band, f.staffing_band
        case.contact, case.source = f.contact, f.source
        case.source_url = f.source_url
        case.published_on = f.published
        text = case.original or CaseText(language=f.language)
        if text not in case.texts:
            case.texts.append(text)
        _apply_case_text(text, doc)

    @staticmethod
    def export(case: CaseStudy) -> tuple[dict, str]:
        text = case.original
        return without_none(
            {
                "kind": "case",
                "slug": case.slug,
                "language": case.original_language,
                **_case_text_fields(text),
                "lead_city": case.lead_city.slug if case.lead_city else None,
                "lead_organization": case.lead_organization,
                "partner_cities": [city.slug for city in case.partner_cities],
                "partner_organizations": case.partner_organizations,
                "themes": [theme.slug for theme in case.themes],
                "start_year": case.start_year,
                "status": case.status,
                "evidence_level": case.evidence_level,
                "cost_band": case.cost_band,
                "staffing_band": case.staffing_band,
                "transferability": text.transferability,
                "contact": case.contact,
                "published": case.published_on,
                "updated": text.updated_on,
                "adapted_by": [city.slug for city in case.adapted_by],
                "source": case.source,
                "source_url": case.source_url,
                "state": _state(case),
            }
        ), text.body


class CaseTextRecord(TranslationRecord):
    model, parent = CaseText, CaseStudy

    @staticmethod
    def resolve(doc: Document) -> dict:
        return {"record": _translated_record(CaseStudy, doc)}

    @staticmethod
    def apply(text: CaseText, doc: Document, refs: dict) -> None:
        if text not in refs["record"].texts:
            refs["record"].texts.append(text)
        _apply_case_text(text, doc)

    @staticmethod
    def export(text: CaseText) -> tuple[dict, str]:
        return without_none(
            {
                "kind": "case",
                "translation_of": text.case.slug,
                "language": text.language,
                **_case_text_fields(text),
                "transferability": text.transferability,
                "updated": text.updated_on,
            }
        ), text.body


def _translated_record(model, doc: Document):
    slug = doc.data.translation_of
    record = db.session.scalar(db.select(model).filter_by(slug=slug))
    if record is None:
        raise error(
            doc, "translation_of", _l("There is no %(kind)s %(slug)r.", kind=doc.kind, slug=slug)
        )
    if record.original_language == doc.data.language:
        raise error(doc, "language", _l("It is the language of the original version."))
    return record


def _state(record: CaseStudy | Webinar) -> str | None:
    """A record's state as its file writes it: left out when published."""
    return None if record.state == PUBLISHED else record.state


class WebinarRecord(SluggedRecord):
    model = Webinar

    @staticmethod
    def resolve(doc: Document) -> dict:
        return {
            "themes": by_slug(Theme, doc.data.themes, doc, "themes"),
            "speaker_cities": [
                one_by_slug(City, speaker.city, doc, "speakers") for speaker in doc.data.speakers
            ],
        }

    @staticmethod
    def apply(webinar: Webinar, doc: Document, refs: dict) -> None:
        f = doc.data
        if webinar.texts and webinar.original_language != f.language:
            raise error(doc, "language", ORIGINAL_LANGUAGE_FIXED)
        lang = webinar.original_language = f.language
        webinar.starts_on, webinar.start_time = f.date, f.time
        webinar.timezone, webinar.date_precision = f.timezone, f.date_precision
        webinar.format = f.format
        webinar.organizers = f.organizers
        webinar.recording_url = f.recording_url
        webinar.themes = refs["themes"]
        webinar.published_on = f.published
        webinar.source, webinar.source_url = f.source, f.source_url
        specs = f.speakers
        # Speakers keep their translations when the list keeps its length.
        if len(specs) != len(webinar.speakers):
            webinar.speakers = [Speaker(position=n, names={}, roles={}) for n in range(len(specs))]
        for speaker, spec, city in zip(
            webinar.speakers, specs, refs["speaker_cities"], strict=True
        ):
            _name_speaker(speaker, lang, spec)
            speaker.city = city
        text = webinar.original or WebinarText(language=lang)
        if text not in webinar.texts:
            webinar.texts.append(text)
        _apply_webinar_text(text, doc)

    @staticmethod
    def export(webinar: Webinar) -> tuple[dict, str]:
        text = webinar.original
        lang = webinar.original_language
        when = webinar.starts_on
        return without_none(
            {
                "kind": "webinar",
                "slug": webinar.slug,
                "language": lang,
                "machine_translated": text.machine_translated,
                "series": text.series or None,
                "title": text.title,
                "summary": text.summary,
                "date": when.strftime("%Y-%m") if webinar.date_precision == "month" else when,
                "time": webinar.start_time,
                "timezone": webinar.timezone,
                "date_precision": webinar.date_precision,
                "format": webinar.format,
                "place": text.place,
                "organizers": webinar.organizers,
                "recording_url": webinar.recording_url,
                "themes": [theme.slug for theme in webinar.themes],
                "published": webinar.published_on,
                "speakers": [
                    without_none(
                        {
                            "name": s.names.get(lang),
                            "role": s.roles.get(lang),
                            "city": s.city.slug if s.city else None,
                        }
                    )
                    for s in webinar.speakers
                ],
                "takeaways": text.takeaways,
                "source": webinar.source,
                "source_url": webinar.source_url,
                "state": _state(webinar),
            }
        ), text.body


def _name_speaker(speaker: Speaker, lang: str, spec) -> None:
    # A stored value that is not a mapping (changed outside the hub) is replaced, not tripped on.
    names = speaker.names if isinstance(speaker.names, dict) else {}
    roles = speaker.roles if isinstance(speaker.roles, dict) else {}
    speaker.names, speaker.roles = {**names, lang: spec.name}, {**roles, lang: spec.role}


def _apply_webinar_text(text: WebinarText, doc: Document) -> None:
    f = doc.data
    text.machine_translated = f.machine_translated
    text.series = f.series or ""
    text.title, text.summary = f.title, f.summary
    text.place = f.place
    text.takeaways = [takeaway.model_dump() for takeaway in f.takeaways]
    text.body = doc.body


class WebinarTextRecord(TranslationRecord):
    model, parent = WebinarText, Webinar

    @staticmethod
    def resolve(doc: Document) -> dict:
        webinar = _translated_record(Webinar, doc)
        for name, have in (
            ("speakers", webinar.speakers),
            ("takeaways", webinar.original.takeaways),
        ):
            if len(getattr(doc.data, name)) != len(have):
                raise error(
                    doc, name, _l("List %(count)s items, as the original does.", count=len(have))
                )
        return {"record": webinar}

    @staticmethod
    def apply(text: WebinarText, doc: Document, refs: dict) -> None:
        webinar = refs["record"]
        lang = doc.data.language
        if text not in webinar.texts:
            webinar.texts.append(text)
        for speaker, spec in zip(webinar.speakers, doc.data.speakers, strict=True):
            _name_speaker(speaker, lang, spec)
        _apply_webinar_text(text, doc)

    @staticmethod
    def export(text: WebinarText) -> tuple[dict, str]:
        lang = text.language
        return without_none(
            {
                "kind": "webinar",
                "translation_of": text.webinar.slug,
                "language": lang,
                "machine_translated": text.machine_translated,
                "series": text.series or None,
                "title": text.title,
                "summary": text.summary,
                "place": text.place,
                "speakers": [
                    {"name": s.names.get(lang), "role": s.roles.get(lang)}
                    for s in text.webinar.speakers
                ],
                "takeaways": text.takeaways,
            }
        ), text.body
