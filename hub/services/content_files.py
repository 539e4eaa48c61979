"""Content files (Markdown with YAML front matter) in and out of the database.

Loading validates each file completely and resolves every reference before it changes anything,
so a bad file is reported (path, field, reason) and changes nothing. A record whose file says
what the database already holds is left alone, which makes loading idempotent. The caller commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path

import yaml

from hub.errors import ContentError
from hub.extensions import db
from hub.models import (
    CaseStudy,
    CaseText,
    City,
    Exchange,
    ExchangeParticipant,
    Speaker,
    Theme,
    Webinar,
    WebinarText,
)
from hub.services import content_schema as schema
from hub.services.content_schema import FieldError, Invalid

SKIPPED_FILES = frozenset({"FORMAT.md", "README.md"})
MAX_FILE_BYTES = 1_000_000
# Records that others refer to load first; translations after their originals.
LOAD_ORDER = ("theme", "city", "case", "webinar", "exchange")


@dataclass
class Document:
    path: str
    kind: str
    fields: dict
    body: str = ""

    @property
    def is_translation(self) -> bool:
        return "translation_of" in self.fields

    @property
    def order(self) -> tuple[int, bool, str]:
        return (LOAD_ORDER.index(self.kind), self.is_translation, self.path)


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[ContentError] = field(default_factory=list)


# Reading --------------------------------------------------------------------------------------


def content_files(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    return sorted(p for p in root.rglob("*.md") if p.name not in SKIPPED_FILES and p.is_file())


def split_front_matter(raw: str, path: str) -> tuple[dict, str]:
    raw = raw.lstrip("\ufeff").replace("\r\n", "\n")
    if not raw.startswith("---\n"):
        raise ContentError(path, None, "does not start with a '---' front matter line")
    end = raw.find("\n---\n", 3)
    if end == -1:
        if raw.rstrip().endswith("\n---"):
            end = len(raw.rstrip()) - 4
        else:
            raise ContentError(path, None, "has no closing '---' after its front matter")
    try:
        front = yaml.safe_load(raw[4:end])
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark else ""
        raise ContentError(path, None, f"front matter is not valid YAML{where}") from None
    if not isinstance(front, dict):
        raise ContentError(path, None, "front matter must be a YAML mapping")
    return front, raw[end + 5 :].strip()


def read_document(path: Path, root: Path | None = None) -> Document:
    label = str(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ContentError(label, None, f"is larger than {MAX_FILE_BYTES} bytes")
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ContentError(label, None, "is not UTF-8 text") from None
    except OSError as error:
        raise ContentError(label, None, f"cannot be read ({error.strerror})") from None
    front, body = split_front_matter(raw, label)
    return parse_document(front, body, label)


def parse_document(front: dict, body: str, path: str) -> Document:
    kind = front.get("kind")
    if kind not in LOAD_ORDER:
        raise ContentError(path, "kind", f"must be one of: {', '.join(LOAD_ORDER)}")
    translation = "translation_of" in front
    rules = _SCHEMAS[kind, translation]
    if rules is None:
        raise ContentError(path, "translation_of", f"a {kind} has no translation files")
    try:
        fields = schema.validate_fields(front, rules)
        if kind == "webinar" and not translation:
            fields["date"] = schema.webinar_date(fields["date"], fields["date_precision"])
            if fields["date_precision"] == "minute" and "time" not in fields:
                raise FieldError("time", "is required when date_precision is minute")
            if fields["date_precision"] != "minute" and "time" in fields:
                raise FieldError("time", "is only allowed when date_precision is minute")
        if kind == "exchange":
            for number, participant in enumerate(fields["participants"], start=1):
                if ("city" in participant) == ("label" in participant):
                    raise FieldError("participants", f"item {number} needs a city or a label")
        schema.text(body)
    except FieldError as error:
        raise ContentError(path, error.field, error.reason) from None
    except Invalid as error:
        field_name = "date" if kind == "webinar" else "body"
        raise ContentError(path, field_name, str(error)) from None
    return Document(path=path, kind=kind, fields=fields, body=body)


_SCHEMAS = {
    ("theme", False): schema.THEME,
    ("theme", True): None,
    ("city", False): schema.CITY,
    ("city", True): None,
    ("case", False): schema.CASE,
    ("case", True): schema.CASE_TEXT,
    ("webinar", False): schema.WEBINAR,
    ("webinar", True): schema.WEBINAR_TEXT,
    ("exchange", False): schema.EXCHANGE,
    ("exchange", True): None,
}


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
    loader = _LOADERS[document.kind, document.is_translation]
    existing = loader.find(document)
    if existing is not None and _same(loader.export(existing), document):
        return "unchanged"
    references = loader.resolve(document)
    record = existing if existing is not None else loader.create(document)
    loader.apply(record, document, references)
    db.session.flush()
    return "created" if existing is None else "updated"


def _same(exported: tuple[dict, str], document: Document) -> bool:
    front, body = exported
    return parse_document(front, body, document.path).fields == document.fields and (
        body == document.body
    )


def _error(document: Document, field_name: str, reason: str) -> ContentError:
    return ContentError(document.path, field_name, reason)


def _by_slug(model, slugs: Iterable[str], document: Document, field_name: str) -> list:
    wanted = list(slugs)
    if not wanted:
        return []
    found = {
        row.slug: row for row in db.session.scalars(db.select(model).filter(model.slug.in_(wanted)))
    }
    missing = [slug for slug in wanted if slug not in found]
    if missing:
        noun = {Theme: "theme", City: "city"}[model]
        raise _error(document, field_name, f"no {noun} {', '.join(map(repr, missing))}")
    return [found[slug] for slug in wanted]


def _one_by_slug(model, slug: str | None, document: Document, field_name: str):
    if slug is None:
        return None
    return _by_slug(model, [slug], document, field_name)[0]


class _ThemeLoader:
    @staticmethod
    def find(doc: Document) -> Theme | None:
        return db.session.scalar(db.select(Theme).filter_by(slug=doc.fields["slug"]))

    @staticmethod
    def resolve(doc: Document) -> dict:
        return {}

    @staticmethod
    def create(doc: Document) -> Theme:
        position = db.session.scalar(db.select(db.func.count(Theme.id)))
        theme = Theme(slug=doc.fields["slug"], position=position)
        db.session.add(theme)
        return theme

    @staticmethod
    def apply(theme: Theme, doc: Document, _refs: dict) -> None:
        theme.names = doc.fields["names"]
        theme.descriptions = doc.fields["descriptions"]

    @staticmethod
    def export(theme: Theme) -> tuple[dict, str]:
        return {
            "kind": "theme",
            "slug": theme.slug,
            "names": theme.names,
            "descriptions": theme.descriptions,
        }, ""


class _CityLoader:
    @staticmethod
    def find(doc: Document) -> City | None:
        return db.session.scalar(db.select(City).filter_by(slug=doc.fields["slug"]))

    @staticmethod
    def resolve(doc: Document) -> dict:
        return {"expertise": _by_slug(Theme, doc.fields.get("expertise", []), doc, "expertise")}

    @staticmethod
    def create(doc: Document) -> City:
        city = City(slug=doc.fields["slug"])
        db.session.add(city)
        return city

    @staticmethod
    def apply(city: City, doc: Document, refs: dict) -> None:
        f = doc.fields
        for name in ("name", "country", "region", "population", "population_source"):
            setattr(city, name, f[name])
        city.names = f.get("names", {})
        city.latitude, city.longitude = f["latitude"], f["longitude"]
        city.timezone = f["timezone"]
        city.languages = f["languages"]
        city.member_since = f.get("member_since")
        city.mentor_capacity = f.get("mentor_capacity", schema.DEFAULTS["mentor_capacity"])
        city.summaries = f["summaries"]
        city.expertise = refs["expertise"]

    @staticmethod
    def export(city: City) -> tuple[dict, str]:
        return _without_none(
            {
                "kind": "city",
                "slug": city.slug,
                "name": city.name,
                "names": city.names,
                "country": city.country,
                "region": city.region,
                "population": city.population,
                "population_source": city.population_source,
                "latitude": city.latitude,
                "longitude": city.longitude,
                "timezone": city.timezone,
                "languages": city.languages,
                "member_since": city.member_since,
                "mentor_capacity": city.mentor_capacity,
                "expertise": [theme.slug for theme in city.expertise],
                "summaries": city.summaries,
            }
        ), ""


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


class _CaseLoader:
    @staticmethod
    def find(doc: Document) -> CaseStudy | None:
        return db.session.scalar(db.select(CaseStudy).filter_by(slug=doc.fields["slug"]))

    @staticmethod
    def resolve(doc: Document) -> dict:
        f = doc.fields
        return {
            "lead_city": _one_by_slug(City, f.get("lead_city"), doc, "lead_city"),
            "partner_cities": _by_slug(City, f.get("partner_cities", []), doc, "partner_cities"),
            "adapted_by": _by_slug(City, f.get("adapted_by", []), doc, "adapted_by"),
            "themes": _by_slug(Theme, f["themes"], doc, "themes"),
        }

    @staticmethod
    def create(doc: Document) -> CaseStudy:
        case = CaseStudy(slug=doc.fields["slug"])
        db.session.add(case)
        return case

    @staticmethod
    def apply(case: CaseStudy, doc: Document, refs: dict) -> None:
        f = doc.fields
        if case.texts and case.original_language != f["language"]:
            raise _error(doc, "language", "differs from the record's original language")
        case.original_language = f["language"]
        case.lead_city = refs["lead_city"]
        case.lead_organization = f.get("lead_organization")
        case.partner_cities = refs["partner_cities"]
        case.partner_organizations = f.get("partner_organizations", [])
        case.adapted_by = refs["adapted_by"]
        case.themes = refs["themes"]
        case.start_year, case.status = f["start_year"], f["status"]
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
        return _without_none(
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


class _CaseTextLoader:
    @staticmethod
    def find(doc: Document) -> CaseText | None:
        return db.session.scalar(
            db.select(CaseText)
            .join(CaseStudy)
            .filter(CaseStudy.slug == doc.fields["translation_of"])
            .filter(CaseText.language == doc.fields["language"])
        )

    @staticmethod
    def resolve(doc: Document) -> dict:
        return {"record": _translated_record(CaseStudy, doc)}

    @staticmethod
    def create(doc: Document) -> CaseText:
        return CaseText(language=doc.fields["language"])

    @staticmethod
    def apply(text: CaseText, doc: Document, refs: dict) -> None:
        if text not in refs["record"].texts:
            refs["record"].texts.append(text)
        _apply_case_text(text, doc)

    @staticmethod
    def export(text: CaseText) -> tuple[dict, str]:
        return _without_none(
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
        raise _error(doc, "translation_of", f"no {doc.kind} {doc.fields['translation_of']!r}")
    if record.original_language == doc.fields["language"]:
        raise _error(doc, "language", "is the language of the original version")
    return record


class _WebinarLoader:
    @staticmethod
    def find(doc: Document) -> Webinar | None:
        return db.session.scalar(db.select(Webinar).filter_by(slug=doc.fields["slug"]))

    @staticmethod
    def resolve(doc: Document) -> dict:
        speakers = doc.fields.get("speakers", [])
        return {
            "themes": _by_slug(Theme, doc.fields["themes"], doc, "themes"),
            "speaker_cities": [
                _one_by_slug(City, speaker.get("city"), doc, "speakers") for speaker in speakers
            ],
        }

    @staticmethod
    def create(doc: Document) -> Webinar:
        webinar = Webinar(slug=doc.fields["slug"])
        db.session.add(webinar)
        return webinar

    @staticmethod
    def apply(webinar: Webinar, doc: Document, refs: dict) -> None:
        f = doc.fields
        if webinar.texts and webinar.original_language != f["language"]:
            raise _error(doc, "language", "differs from the record's original language")
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
        return _without_none(
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
                    _without_none(
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


class _WebinarTextLoader:
    @staticmethod
    def find(doc: Document) -> WebinarText | None:
        return db.session.scalar(
            db.select(WebinarText)
            .join(Webinar)
            .filter(Webinar.slug == doc.fields["translation_of"])
            .filter(WebinarText.language == doc.fields["language"])
        )

    @staticmethod
    def resolve(doc: Document) -> dict:
        webinar = _translated_record(Webinar, doc)
        for name, have in (
            ("speakers", webinar.speakers),
            ("takeaways", webinar.original.takeaways),
        ):
            if len(doc.fields.get(name, [])) != len(have):
                raise _error(doc, name, f"must have {len(have)} items, as the original has")
        return {"record": webinar}

    @staticmethod
    def create(doc: Document) -> WebinarText:
        return WebinarText(language=doc.fields["language"])

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
        return _without_none(
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


class _ExchangeLoader:
    @staticmethod
    def find(doc: Document) -> Exchange | None:
        return db.session.scalar(db.select(Exchange).filter_by(slug=doc.fields["slug"]))

    @staticmethod
    def resolve(doc: Document) -> dict:
        return {
            "themes": _by_slug(Theme, doc.fields["themes"], doc, "themes"),
            "cities": [
                _one_by_slug(City, p.get("city"), doc, "participants")
                for p in doc.fields["participants"]
            ],
        }

    @staticmethod
    def create(doc: Document) -> Exchange:
        exchange = Exchange(slug=doc.fields["slug"])
        db.session.add(exchange)
        return exchange

    @staticmethod
    def apply(exchange: Exchange, doc: Document, refs: dict) -> None:
        f = doc.fields
        exchange.titles, exchange.format = f["titles"], f["format"]
        exchange.started, exchange.ended = f["started"], f.get("ended")
        exchange.themes = refs["themes"]
        exchange.supported_by = f.get("supported_by", [])
        exchange.summaries, exchange.outcomes = f["summaries"], f.get("outcomes", {})
        exchange.source = f.get("source", "")
        exchange.participants = [
            ExchangeParticipant(
                position=n,
                side=p["side"],
                city=city,
                country=p.get("country"),
                labels=p.get("label"),
            )
            for n, (p, city) in enumerate(zip(f["participants"], refs["cities"], strict=True))
        ]

    @staticmethod
    def export(exchange: Exchange) -> tuple[dict, str]:
        return _without_none(
            {
                "kind": "exchange",
                "slug": exchange.slug,
                "titles": exchange.titles,
                "format": exchange.format,
                "started": exchange.started,
                "ended": exchange.ended,
                "themes": [theme.slug for theme in exchange.themes],
                "supported_by": exchange.supported_by,
                "participants": [
                    _without_none(
                        {
                            "city": p.city.slug if p.city else None,
                            "label": p.labels,
                            "country": p.country,
                            "side": p.side,
                        }
                    )
                    for p in exchange.participants
                ],
                "summaries": exchange.summaries,
                "outcomes": exchange.outcomes,
                "source": exchange.source,
            }
        ), ""


_LOADERS = {
    ("theme", False): _ThemeLoader,
    ("city", False): _CityLoader,
    ("case", False): _CaseLoader,
    ("case", True): _CaseTextLoader,
    ("webinar", False): _WebinarLoader,
    ("webinar", True): _WebinarTextLoader,
    ("exchange", False): _ExchangeLoader,
}


def _without_none(mapping: dict) -> dict:
    return {key: value for key, value in mapping.items() if value not in (None, "", [], {})}


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
        yield f"themes/{theme.slug}.md", _ThemeLoader.export(theme)
    for city in db.session.scalars(db.select(City).order_by(City.slug)):
        yield f"cities/{city.slug}.md", _CityLoader.export(city)
    for case in db.session.scalars(db.select(CaseStudy).order_by(CaseStudy.slug)):
        for text in case.texts:
            exported = (
                _CaseLoader.export(case)
                if text.language == case.original_language
                else _CaseTextLoader.export(text)
            )
            yield f"cases/{case.slug}.{text.language}.md", exported
    for webinar in db.session.scalars(db.select(Webinar).order_by(Webinar.slug)):
        for text in webinar.texts:
            exported = (
                _WebinarLoader.export(webinar)
                if text.language == webinar.original_language
                else _WebinarTextLoader.export(text)
            )
            yield f"webinars/{webinar.slug}.{text.language}.md", exported
    for exchange in db.session.scalars(db.select(Exchange).order_by(Exchange.slug)):
        yield f"exchanges/{exchange.slug}.md", _ExchangeLoader.export(exchange)


class _Dumper(yaml.SafeDumper):
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_time(dumper: yaml.SafeDumper, value: time) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value.strftime("%H:%M"), style='"')


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(time, _represent_time)
_Dumper.add_representer(date, yaml.SafeDumper.represent_date)


def render_document(front: dict, body: str) -> str:
    rules = _SCHEMAS.get((front.get("kind"), "translation_of" in front)) or {}
    order = {name: n for n, name in enumerate(rules)}
    front = dict(sorted(front.items(), key=lambda item: order.get(item[0], len(order))))
    dumped = yaml.dump(front, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
    return f"---\n{dumped}---\n" + (f"\n{body}\n" if body else "")
