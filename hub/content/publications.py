"""How case study and webinar files, originals and translations, map onto the database."""

from __future__ import annotations

from hub.cities.models import City, Theme
from hub.content import schemas as schema
from hub.content.documents import Document
from hub.content.records import (
    SluggedRecord,
    by_slug,
    error,
    one_by_slug,
    without_none,
)
from hub.extensions import db
from hub.publishing.models import CaseStudy, CaseText, Speaker, Webinar, WebinarText
from hub.publishing.states import PublicationState

CASE_TEXT_FIELDS = ("target_audience", "what_was_done", "results", "what_did_not_work")


def _apply_case_text(text: CaseText, doc: Document) -> None:
    f = doc.fields
    text.machine_translated = f["machine_translated"]
    text.title, text.summary = f["title"], f["summary"]
    for name in (*CASE_TEXT_FIELDS, "transferability"):
        setattr(text, name, f.get(name, ""))
    text.updated_on = f.get("updated")
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
            .filter(cls.parent.slug == doc.fields["translation_of"])
            .filter(cls.model.language == doc.fields["language"])
        )

    @classmethod
    def create(cls, doc: Document):
        return cls.model(language=doc.fields["language"])


class PublishedRecord(SluggedRecord):
    """A case or webinar of `content/`: a content file holds what the network has published."""

    @classmethod
    def create(cls, doc: Document):
        record = super().create(doc)
        record.state = PublicationState.published
        return record


class CaseRecord(PublishedRecord):
    model = CaseStudy

    @staticmethod
    def resolve(doc: Document) -> dict:
        f = doc.fields
        return {
            "lead_city": one_by_slug(City, f.get("lead_city"), doc, "lead_city"),
            "partner_cities": by_slug(City, f.get("partner_cities", []), doc, "partner_cities"),
            "adapted_by": by_slug(City, f.get("adapted_by", []), doc, "adapted_by"),
            "themes": by_slug(Theme, f["themes"], doc, "themes"),
        }

    @staticmethod
    def apply(case: CaseStudy, doc: Document, refs: dict) -> None:
        f = doc.fields
        if case.texts and case.original_language != f["language"]:
            raise error(doc, "language", "differs from the record's original language")
        case.original_language = f["language"]
        case.lead_city = refs["lead_city"]
        case.lead_organization = f.get("lead_organization")
        case.partner_cities = refs["partner_cities"]
        case.partner_organizations = f.get("partner_organizations", [])
        case.adapted_by = refs["adapted_by"]
        case.themes = refs["themes"]
        case.start_year, case.status = f.get("start_year"), f["status"]
        case.evidence_level = f["evidence_level"]
        case.cost_band = f.get("cost_band", schema.DEFAULTS["cost_band"])
        case.staffing_band = f.get("staffing_band", schema.DEFAULTS["staffing_band"])
        case.contact = f.get("contact", "")
        case.source = f.get("source", "")
        case.published_on = f["published"]
        text = case.original or CaseText(language=f["language"])
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
    record = db.session.scalar(db.select(model).filter_by(slug=doc.fields["translation_of"]))
    if record is None:
        raise error(doc, "translation_of", f"no {doc.kind} {doc.fields['translation_of']!r}")
    if record.original_language == doc.fields["language"]:
        raise error(doc, "language", "is the language of the original version")
    return record


class WebinarRecord(PublishedRecord):
    model = Webinar

    @staticmethod
    def resolve(doc: Document) -> dict:
        speakers = doc.fields.get("speakers", [])
        return {
            "themes": by_slug(Theme, doc.fields["themes"], doc, "themes"),
            "speaker_cities": [
                one_by_slug(City, speaker.get("city"), doc, "speakers") for speaker in speakers
            ],
        }

    @staticmethod
    def apply(webinar: Webinar, doc: Document, refs: dict) -> None:
        f = doc.fields
        if webinar.texts and webinar.original_language != f["language"]:
            raise error(doc, "language", "differs from the record's original language")
        lang = webinar.original_language = f["language"]
        webinar.starts_on, webinar.start_time = f["date"], f.get("time")
        webinar.timezone, webinar.date_precision = f["timezone"], f["date_precision"]
        webinar.format = f["format"]
        webinar.organizers = f.get("organizers", [])
        webinar.recording_url = f.get("recording_url")
        webinar.themes = refs["themes"]
        webinar.published_on = f["published"]
        webinar.source = f.get("source", "")
        specs = f.get("speakers", [])
        # Speakers keep their translations when the list keeps its length.
        if len(specs) != len(webinar.speakers):
            webinar.speakers = [Speaker(position=n, names={}, roles={}) for n in range(len(specs))]
        for speaker, spec, city in zip(
            webinar.speakers, specs, refs["speaker_cities"], strict=True
        ):
            speaker.names = {**speaker.names, lang: spec["name"]}
            speaker.roles = {**speaker.roles, lang: spec["role"]}
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
            }
        ), text.body


def _apply_webinar_text(text: WebinarText, doc: Document) -> None:
    f = doc.fields
    text.machine_translated = f["machine_translated"]
    text.series = f.get("series", "")
    text.title, text.summary = f["title"], f["summary"]
    text.place = f.get("place")
    text.takeaways = f.get("takeaways", [])
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
            if len(doc.fields.get(name, [])) != len(have):
                raise error(doc, name, f"must have {len(have)} items, as the original has")
        return {"record": webinar}

    @staticmethod
    def apply(text: WebinarText, doc: Document, refs: dict) -> None:
        webinar = refs["record"]
        lang = doc.fields["language"]
        if text not in webinar.texts:
            webinar.texts.append(text)
        for speaker, spec in zip(webinar.speakers, doc.fields.get("speakers", []), strict=True):
            speaker.names = {**speaker.names, lang: spec["name"]}
            speaker.roles = {**speaker.roles, lang: spec["role"]}
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
