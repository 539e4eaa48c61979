"""The publishing API's declared inputs and outputs: a case study or webinar record with the
fields of its content file (`content/FORMAT.md`) and its Markdown text in `body`.

A create names at least the fields a record needs; a patch names only what changes (null
clears an optional field). The checks the content files share (references to cities and themes,
time zones, a webinar's date and its precision) are made by the content rules when saving.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from hub import vocab
from hub.publishing.states import PublicationState
from hub.types import (
    LINE_LIMIT,
    Day,
    LanguageCode,
    Line,
    RecordId,
    Schema,
    Slug,
    StorableText,
    Year,
    storable_text,
)

NARROW_LIMIT = 200  # characters of the columns narrower than a line: series, organization
OptionalLine = storable_text(LINE_LIMIT, line=True, required=False)
NarrowLine = storable_text(NARROW_LIMIT, line=True, required=False)
Summary = storable_text(required=True)
CaseStatus = Literal[tuple(vocab.CASE_STATUSES)]  # type: ignore[valid-type]
EvidenceLevel = Literal[tuple(vocab.EVIDENCE_LEVELS)]  # type: ignore[valid-type]
Band = Literal[tuple(vocab.BANDS)]  # type: ignore[valid-type]
WebinarFormat = Literal[tuple(vocab.WEBINAR_FORMATS)]  # type: ignore[valid-type]
DatePrecision = Literal[vocab.DATE_PRECISIONS]  # type: ignore[valid-type]
# A full date, or "YYYY-MM" when only the month is known.
WebinarDate = Annotated[Day | Line, Field(union_mode="left_to_right")]
# What the API answers with and a client may send back unchanged; ignored when sent.
READ_ONLY = frozenset({"id", "kind", "languages"})
NOT_FIELDS = READ_ONLY | {"body", "state"}


class Speaker(Schema):
    name: Line = Field(description="The speaker's name.")
    role: Line = Field(description="What the speaker does, in the record's language.")
    city: Slug | None = Field(None, description="Slug of the speaker's city, if one of the hub's.")


class Takeaway(Schema):
    title: Line = Field(description="The takeaway in a few words.")
    text: Summary = Field(description="The takeaway explained (plain text).")


class RecordInput(Schema):
    """What every case or webinar input may carry."""

    id: RecordId | None = Field(None, description="Read-only: ignored when sent.")
    kind: str | None = Field(None, description="Read-only: ignored when sent.")
    languages: list[str] | None = Field(None, description="Read-only: ignored when sent.")
    slug: Slug | None = Field(
        None, description="The record's address; made from the title when left out. Fixed."
    )
    language: LanguageCode | None = Field(
        None, description="The original version's language (ISO 639-1); en when left out. Fixed."
    )
    machine_translated: bool | None = Field(
        None, description="Whether the original text was translated by machine, unreviewed."
    )
    title: Line | None = Field(None, description="The title, on one line.")
    summary: Summary | None = Field(None, description="One paragraph of plain text.")
    themes: list[Slug] | None = Field(
        None, description="Slugs of the record's themes (one or more)."
    )
    published: Day | None = Field(None, description="Publication date; today when left out.")
    source: StorableText | None = Field(None, description="Where the record's facts come from.")
    source_url: OptionalLine | None = Field(None, description="Address of that article.")
    body: StorableText | None = Field(None, description="The record's text, in Markdown.")

    def fields(self) -> dict[str, Any]:
        """The content-file fields that were sent."""
        return self.model_dump(exclude_unset=True, exclude=set(NOT_FIELDS))


class CasePatch(RecordInput):
    """A change to a case study: only the fields sent change."""

    state: PublicationState | None = Field(None, description="Move the record to this state.")
    lead_city: Slug | None = Field(None, description="Slug of the city that led the work.")
    lead_organization: NarrowLine | None = Field(None, description="The organization that led it.")
    partner_cities: list[Slug] | None = Field(None, description="Slugs of the partner cities.")
    partner_organizations: list[Line] | None = Field(None, description="Partner organizations.")
    adapted_by: list[Slug] | None = Field(None, description="Slugs of cities that adapted it.")
    start_year: Year | None = Field(None, description="The year the work started.")
    status: CaseStatus | None = Field(None, description="Whether the work goes on.")
    evidence_level: EvidenceLevel | None = Field(None, description="How its results are known.")
    target_audience: StorableText | None = Field(None, description="Who it is for.")
    what_was_done: StorableText | None = Field(None, description="What was done (Markdown).")
    results: StorableText | None = Field(None, description="Results (Markdown).")
    what_did_not_work: StorableText | None = Field(None, description="Lessons (Markdown).")
    transferability: StorableText | None = Field(None, description="Using it elsewhere.")
    cost_band: Band | None = Field(None, description="What it cost, roughly.")
    staffing_band: Band | None = Field(None, description="The staff it took, roughly.")
    contact: StorableText | None = Field(None, description="Contact, shown to members only.")
    updated: Day | None = Field(None, description="When the text was last revised.")


class NewRecord(Schema):
    """What every new record names."""

    state: Literal["draft", "published"] = Field("draft", description="draft or published.")
    title: Line = Field(description="The title, on one line.")
    summary: Summary = Field(description="One paragraph of plain text.")
    themes: list[Slug] = Field(description="Slugs of the record's themes (one or more).")


class RecordOutput(Schema):
    """What the API adds to a record's fields."""

    id: RecordId = Field(description="The record's id.")
    languages: list[LanguageCode] = Field(description="Languages the record has versions in.")
    state: PublicationState = Field(description="Only published records are public.")


class CaseCreate(NewRecord, CasePatch):
    """A new case study; a draft unless `state` says published."""

    status: CaseStatus = Field(description="Whether the work goes on.")
    evidence_level: EvidenceLevel = Field(description="How its results are known.")


class CaseOutput(RecordOutput, CasePatch):
    """A case study as the API shows it."""

    kind: Literal["case"] = Field(description="Always case.")


class WebinarPatch(RecordInput):
    """A change to a webinar or event record: only the fields sent change."""

    state: PublicationState | None = Field(None, description="Move the record to this state.")
    series: NarrowLine | None = Field(None, description="The series it belongs to.")
    date: WebinarDate | None = Field(
        None, description="YYYY-MM-DD, or YYYY-MM when date_precision is month."
    )
    time: OptionalLine | None = Field(
        None, description="Local start time, HH:MM; only when date_precision is minute."
    )
    timezone: Line | None = Field(None, description="IANA time zone, such as Europe/Oslo.")
    date_precision: DatePrecision | None = Field(None, description="minute, day or month.")
    format: WebinarFormat | None = Field(None, description="online, in-person or hybrid.")
    place: OptionalLine | None = Field(None, description="Where it took place.")
    organizers: list[Line] | None = Field(None, description="Organizers, one per item.")
    recording_url: OptionalLine | None = Field(None, description="Address of the recording.")
    speakers: list[Speaker] | None = Field(None, description="Speakers, in order.")
    takeaways: list[Takeaway] | None = Field(None, description="Key takeaways, in order.")


class WebinarCreate(NewRecord, WebinarPatch):
    """A new webinar or event record; a draft unless `state` says published."""

    date: WebinarDate = Field(description="YYYY-MM-DD, or YYYY-MM when date_precision is month.")
    timezone: Line = Field(description="IANA time zone, such as Europe/Oslo.")
    date_precision: DatePrecision = Field(description="minute, day or month.")
    format: WebinarFormat = Field(description="online, in-person or hybrid.")


class WebinarOutput(RecordOutput, WebinarPatch):
    """A webinar or event record as the API shows it."""

    kind: Literal["webinar"] = Field(description="Always webinar.")


CREATE = {"case": CaseCreate, "webinar": WebinarCreate}
PATCH = {"case": CasePatch, "webinar": WebinarPatch}
OUTPUT = {"case": CaseOutput, "webinar": WebinarOutput}
