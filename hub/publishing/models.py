"""Case studies and webinar records, each with one text per language (its translation group)."""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.cities.models import City, Theme
from hub.database import utcnow
from hub.extensions import db
from hub.publishing.states import PublicationState
from hub.types import enum_column
from hub.versions import Versioned

# Adult silent reading runs at about 200-250 words a minute in English and somewhat fewer in
# Arabic; 200 keeps the estimate honest for practitioners reading in a second language.
WORDS_PER_MINUTE = 200
_WORD = re.compile(r"\w+")


def reading_minutes(*texts: str | None) -> int:
    """Minutes to read the texts, never less than one."""
    words = sum(len(_WORD.findall(text)) for text in texts if text)
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


def _link_table(name: str, left: str, right: str, right_table: str) -> sa.Table:
    return sa.Table(
        name,
        db.metadata,
        sa.Column(f"{left}_id", sa.ForeignKey(f"{left}s.id", ondelete="CASCADE"), primary_key=True),
        sa.Column(
            f"{right}_id", sa.ForeignKey(f"{right_table}.id", ondelete="CASCADE"), primary_key=True
        ),
    )


case_themes = _link_table("case_themes", "case", "theme", "themes")
case_partner_cities = _link_table("case_partner_cities", "case", "city", "cities")
case_adaptations = _link_table("case_adaptations", "case", "city", "cities")
webinar_themes = _link_table("webinar_themes", "webinar", "theme", "themes")


class TranslatedMixin:
    """A record whose texts are its language versions; the original is one of them."""

    original_language: Mapped[str] = mapped_column(sa.String(2))
    # Only published records are public; a record nobody has published yet is a draft.
    state: Mapped[PublicationState] = mapped_column(
        enum_column(PublicationState, name="publication_state", length=20),
        default=PublicationState.draft,
        index=True,
    )

    def text_in(self, lang: str):
        """The version in `lang`, else the original."""
        by_language = {text.language: text for text in self.texts}
        return by_language.get(lang) or by_language.get(self.original_language)

    @property
    def is_published(self) -> bool:
        return self.state == PublicationState.published

    @property
    def original(self):
        return self.text_in(self.original_language)

    @property
    def languages(self) -> list[str]:
        return sorted(text.language for text in self.texts)


class CaseStudy(TranslatedMixin, Versioned, db.Model):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    lead_city_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("cities.id", ondelete="SET NULL"), index=True
    )
    lead_organization: Mapped[str | None] = mapped_column(sa.String(200))
    partner_organizations: Mapped[list] = mapped_column(sa.JSON, default=list)
    start_year: Mapped[int | None]  # None when the sources do not record it
    status: Mapped[str] = mapped_column(sa.String(20))
    evidence_level: Mapped[str] = mapped_column(sa.String(40), index=True)
    cost_band: Mapped[str] = mapped_column(sa.String(20), default="unknown")
    staffing_band: Mapped[str] = mapped_column(sa.String(20), default="unknown")
    contact: Mapped[str] = mapped_column(sa.Text, default="")
    source: Mapped[str] = mapped_column(sa.Text, default="")
    # The address of the article the facts come from, when it has one.
    source_url: Mapped[str | None] = mapped_column(sa.String(500))
    published_on: Mapped[date] = mapped_column(index=True)

    lead_city: Mapped[City | None] = relationship()
    partner_cities: Mapped[list[City]] = relationship(
        secondary=case_partner_cities, order_by=City.name
    )
    adapted_by: Mapped[list[City]] = relationship(secondary=case_adaptations, order_by=City.name)
    themes: Mapped[list[Theme]] = relationship(secondary=case_themes, order_by=Theme.position)
    texts: Mapped[list[CaseText]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseText.language"
    )

    @property
    def cities(self) -> list[City]:
        lead = [self.lead_city] if self.lead_city else []
        return lead + [city for city in self.partner_cities if city is not self.lead_city]

    def __repr__(self) -> str:
        return f"<CaseStudy {self.slug}>"


class CaseText(Versioned, db.Model):
    __tablename__ = "case_texts"
    __table_args__ = (sa.UniqueConstraint("case_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(sa.String(2), index=True)
    machine_translated: Mapped[bool] = mapped_column(default=False)
    title: Mapped[str] = mapped_column(sa.String(300))
    summary: Mapped[str] = mapped_column(sa.Text)
    target_audience: Mapped[str] = mapped_column(sa.Text, default="")
    what_was_done: Mapped[str] = mapped_column(sa.Text, default="")
    results: Mapped[str] = mapped_column(sa.Text, default="")
    what_did_not_work: Mapped[str] = mapped_column(sa.Text, default="")
    transferability: Mapped[str] = mapped_column(sa.Text, default="")
    body: Mapped[str] = mapped_column(sa.Text, default="")
    updated_on: Mapped[date | None]

    case: Mapped[CaseStudy] = relationship(back_populates="texts")

    def version_owner(self) -> CaseStudy | None:
        return _owner_of_text(self, self.case)

    @property
    def reading_minutes(self) -> int:
        return reading_minutes(
            self.summary,
            self.body,
            self.what_was_done,
            self.results,
            self.what_did_not_work,
            self.transferability,
        )


class Webinar(TranslatedMixin, Versioned, db.Model):
    __tablename__ = "webinars"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    # The local date and, when known, local start time, in `timezone`; `date_precision` says
    # how much of it the record knows (minute, day or month).
    starts_on: Mapped[date] = mapped_column(index=True)
    start_time: Mapped[time | None]
    timezone: Mapped[str] = mapped_column(sa.String(64))
    date_precision: Mapped[str] = mapped_column(sa.String(10), default="day")
    format: Mapped[str] = mapped_column(sa.String(20))
    organizers: Mapped[list] = mapped_column(sa.JSON, default=list)
    recording_url: Mapped[str | None] = mapped_column(sa.String(500))
    source: Mapped[str] = mapped_column(sa.Text, default="")
    source_url: Mapped[str | None] = mapped_column(sa.String(500))
    published_on: Mapped[date]

    themes: Mapped[list[Theme]] = relationship(secondary=webinar_themes, order_by=Theme.position)
    texts: Mapped[list[WebinarText]] = relationship(
        back_populates="webinar", cascade="all, delete-orphan", order_by="WebinarText.language"
    )
    speakers: Mapped[list[Speaker]] = relationship(
        back_populates="webinar", cascade="all, delete-orphan", order_by="Speaker.position"
    )

    @property
    def starts_at(self) -> datetime | None:
        """The start as an aware datetime, when the time is known."""
        if self.start_time is None:
            return None
        return datetime.combine(self.starts_on, self.start_time, tzinfo=ZoneInfo(self.timezone))

    def __repr__(self) -> str:
        return f"<Webinar {self.slug}>"


class WebinarText(Versioned, db.Model):
    __tablename__ = "webinar_texts"
    __table_args__ = (sa.UniqueConstraint("webinar_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    webinar_id: Mapped[int] = mapped_column(sa.ForeignKey("webinars.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(sa.String(2), index=True)
    machine_translated: Mapped[bool] = mapped_column(default=False)
    series: Mapped[str] = mapped_column(sa.String(200), default="")
    title: Mapped[str] = mapped_column(sa.String(300))
    summary: Mapped[str] = mapped_column(sa.Text)
    place: Mapped[str | None] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    # [{"title": ..., "text": ...}], numbered in this order.
    takeaways: Mapped[list] = mapped_column(sa.JSON, default=list)

    webinar: Mapped[Webinar] = relationship(back_populates="texts")

    def version_owner(self) -> Webinar | None:
        return _owner_of_text(self, self.webinar)


class Speaker(db.Model):
    __tablename__ = "speakers"

    id: Mapped[int] = mapped_column(primary_key=True)
    webinar_id: Mapped[int] = mapped_column(
        sa.ForeignKey("webinars.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    city_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("cities.id", ondelete="SET NULL"), index=True
    )
    # {language: text}; the webinar's original language is always present.
    names: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    roles: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    webinar: Mapped[Webinar] = relationship(back_populates="speakers")
    city: Mapped[City | None] = relationship()

    def version_owner(self) -> Webinar | None:
        """Speakers are part of their webinar: a new name in any language is a new version."""
        return self.webinar


def _owner_of_text(text: CaseText | WebinarText, record: CaseStudy | Webinar | None):
    """The original version is part of its record (its version covers the original's text);
    a translation has a version of its own, and only its arrival or removal changes the
    record (its languages)."""
    if record is None:
        return None
    state = sa.inspect(text)
    if state.pending or state.deleted or text.language == record.original_language:
        return record
    return None


class TranslationReport(db.Model):
    """A reader's report of a problem with one language version, for staff to handle."""

    __tablename__ = "translation_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))  # case | webinar
    record_id: Mapped[int] = mapped_column(index=True)
    language: Mapped[str] = mapped_column(sa.String(2))
    problem: Mapped[str] = mapped_column(sa.Text)
    location: Mapped[str] = mapped_column(sa.String(300), default="")
    resolved: Mapped[bool] = mapped_column(default=False, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
