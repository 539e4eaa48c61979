"""What a content file may contain: each kind of record's fields, their types and allowed values.

Every value follows the rule of its kind in `hub.types` (language codes, storable text, slugs,
years), so a content file, a form and `/api/v1` accept the same things. A field's order in its
model is the order an exported file writes it in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date as Date
from datetime import time as Time
from functools import cache
from typing import Annotated, Any, Literal
from zoneinfo import available_timezones

from pydantic import AfterValidator, BeforeValidator, Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails

from hub import vocab
from hub.cities.forms import MAX_SUMMARY
from hub.exchanges.states import ExchangeFormat, ParticipantSide
from hub.i18n import lazy_gettext as _l
from hub.publishing.states import PublicationState as States
from hub.types import (
    LINE_LIMIT,
    CountryCode,
    Day,
    LanguageCode,
    Schema,
    Slug,
    StorableText,
    Year,
    storable_text,
)

# --- Kinds of values a content file holds -------------------------------------------------------


def choice(values: Any) -> Any:
    """A controlled value: one of `values` (a vocabulary's keys or an enum's values)."""
    return Literal[tuple(str(value) for value in values)]


Line = storable_text(LINE_LIMIT, line=True)
NarrowLine = storable_text(200, line=True)  # for the columns of 200 characters
Text = storable_text()  # required Markdown
ShortSlug = Annotated[Slug, Field(max_length=80)]  # the slug columns of themes and cities


def unique(items: list) -> list:
    if len(set(items)) != len(items):
        raise ValueError(_l("The same value is listed twice."))
    return items


def needs_english(texts: dict[str, str]) -> dict[str, str]:
    if not texts.get("en"):
        raise ValueError(_l("Give an English (en) value."))
    return texts


# A set of slugs (themes, cities): their order in a file carries no meaning.
Slugs = Annotated[list[Slug], AfterValidator(lambda slugs: sorted(unique(slugs)))]
Languages = Annotated[list[LanguageCode], AfterValidator(unique)]
LocalizedTexts = Annotated[dict[LanguageCode, StorableText], AfterValidator(needs_english)]
LocalizedLines = Annotated[dict[LanguageCode, Line], AfterValidator(needs_english)]
# A city's profile: paragraphs a focal point keeps in the profile form, within the form's limit,
# so a summary saved in the browser always loads and exports again, and a file's always saves.
CitySummaries = Annotated[
    dict[LanguageCode, storable_text(MAX_SUMMARY, required=False)], AfterValidator(needs_english)
]

HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def check_clock(value: Any) -> Time:
    # An unquoted 15:00 is the number 900 in YAML, which a time type would read as 00:15.
    if isinstance(value, Time):
        return value
    if isinstance(value, str) and (match := HHMM.match(value.strip())):
        return Time(int(match[1]), int(match[2]))
    raise ValueError(_l('A time written "HH:MM" (quoted in a content file), such as "15:00".'))


@cache
def time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def check_time_zone(value: Any) -> str:
    if not isinstance(value, str) or value not in time_zones():
        raise ValueError(_l("Not an IANA time zone, such as Europe/Oslo."))
    return value


def check_web_address(value: str) -> str:
    if not value.startswith(("https://", "http://")):
        raise ValueError(_l("An http(s) address, such as https://example.org/recording."))
    return value


Clock = Annotated[Time, BeforeValidator(check_clock)]
TimeZone = Annotated[str, BeforeValidator(check_time_zone)]
WebAddress = Annotated[storable_text(500, line=True), AfterValidator(check_web_address)]
Month = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]

Population = Annotated[int, Field(ge=1, le=100_000_000)]
MentorCapacity = Annotated[int, Field(ge=0, le=50)]
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]

Region = choice(vocab.REGIONS)
Side = choice(ParticipantSide)
Format = choice(ExchangeFormat)
CaseStatus = choice(vocab.CASE_STATUSES)
EvidenceLevel = choice(vocab.EVIDENCE_LEVELS)
Band = choice(vocab.BANDS)
DatePrecision = choice(vocab.DATE_PRECISIONS)
WebinarFormat = choice(vocab.WEBINAR_FORMATS)
PublicationState = choice(States)
PUBLISHED = States.published.value


def refuse(problems: Mapping[str, Any]) -> None:
    """Report what a check across fields found, each problem at its field."""
    if problems:
        raise ValidationError.from_exception_data(
            "content file",
            [
                InitErrorDetails(
                    type="value_error", loc=(name,), input=None, ctx={"error": ValueError(reason)}
                )
                for name, reason in problems.items()
            ],
        )


EMPTY = (None, "", [], {})


class FileSchema(Schema):
    """Front matter, or a part of it. An empty value (`field:`, "", [], {}) is a field left out."""

    @model_validator(mode="before")
    @classmethod
    def _leave_out_empty_values(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if value not in EMPTY}
        return data


def described(description: str, **constraints: Any) -> Any:
    return Field(description=description, **constraints)


# --- Themes, cities and exchanges ---------------------------------------------------------------


class ThemeFile(FileSchema):
    """A theme the network's work is grouped by: `themes/<slug>.md`."""

    kind: Literal["theme"]
    slug: ShortSlug = described("The theme's name in URLs and in other files.")
    names: LocalizedLines = described("The theme's name by language code; English required.")
    descriptions: LocalizedTexts = described("One or two sentences by language code.")


class CityFile(FileSchema):
    """A member city of the network: `cities/<slug>.md`."""

    kind: Literal["city"]
    slug: ShortSlug = described("The city's name in URLs and in other files.")
    name: NarrowLine = described("The city's English name.")
    names: dict[LanguageCode, Line] = described("Its name in other languages.", default={})
    country: CountryCode = described("ISO 3166-1 alpha-2 code, such as KE.")
    region: Region = described("The world region the city is in.")
    population: Population = described("Inhabitants; the size band is derived from it.")
    population_source: NarrowLine = described("Where the population figure comes from.")
    latitude: Latitude = described("Degrees north (negative: south).")
    longitude: Longitude = described("Degrees east (negative: west).")
    timezone: TimeZone = described("The IANA time zone, such as Africa/Nairobi.")
    languages: Languages = described("Working languages, as ISO 639-1 codes.")
    member_since: Year | None = described("The year the city joined the network.", default=None)
    mentor_capacity: MentorCapacity = described("Exchanges it can mentor at once.", default=0)
    expertise: Slugs = described("Slugs of the themes the city declares expertise in.", default=[])
    summaries: CitySummaries = described(
        "A short profile by language code, in paragraphs; English required."
    )


class Participant(FileSchema):
    """A party to an exchange: a member city, or a labelled party that is not one city."""

    city: Slug | None = described("The slug of a member city.", default=None)
    label: LocalizedLines | None = described("A party that is not one city.", default=None)
    country: CountryCode | None = described("The label's country.", default=None)
    side: Side = described("Whether the party mentored or learned.")

    @model_validator(mode="after")
    def _city_or_label(self) -> Participant:
        if (self.city is None) == (self.label is None):
            raise ValueError(_l("Give a city or a label, one of the two."))
        return self


class ExchangeFile(FileSchema):
    """A peer exchange between cities that took place: `exchanges/<slug>.md`."""

    kind: Literal["exchange"]
    slug: Slug = described("The exchange's name in URLs.")
    titles: LocalizedLines = described("Its title by language code; English required.")
    format: Format = described("How the cities met.")
    started: Year = described("The year the exchange started.")
    ended: Year | None = described("The year it ended, when it has.", default=None)
    themes: Slugs = described("Slugs of the exchange's themes.")
    supported_by: list[Line] = described("Organizations that supported it.", default=[])
    participants: list[Participant] = described("The parties, in the order shown.")
    summaries: LocalizedTexts = described("What happened, by language code.")
    outcomes: LocalizedTexts = described("What came of it, by language code.", default={})
    source: StorableText = described("Where the facts come from.", default="")


# --- Case studies and webinars, originals and translations --------------------------------------


def field(kind: Any, description: str) -> Any:
    """A field type shared by an original and its translations, described once."""
    return Annotated[kind, Field(description=description)]


TranslationOf = field(Slug, "The slug of the original version this file translates.")
Language = field(LanguageCode, "The language of this version.")
MachineTranslated = field(bool, "Whether a machine translated this version.")
Title = field(Line, "The title in this language.")
Summary = field(Text, "One paragraph of plain text.")
Markdown = field(StorableText, "Markdown in this language.")
Updated = field(Day | None, "The date of the last real change to this version.")
State = field(PublicationState, "Draft and archived records are not public.")
Place = field(Line | None, "Where an in-person or hybrid webinar took place.")
Series = field(NarrowLine | None, "The series the webinar belongs to.")


class CaseFile(FileSchema):
    """A case study's original version, carrying every fact: `cases/<slug>.<language>.md`."""

    kind: Literal["case"]
    slug: Slug = described("The case's name in URLs and in its translations' files.")
    language: Language
    machine_translated: MachineTranslated
    title: Title
    summary: Summary
    lead_city: Slug | None = described("The slug of the city that led the work.", default=None)
    lead_organization: NarrowLine | None = described("Who led it, when no city did.", default=None)
    partner_cities: Slugs = described("Slugs of the partner cities.", default=[])
    partner_organizations: list[Line] = described("Partner organizations.", default=[])
    themes: Slugs = described("Slugs of the case's themes.")
    start_year: Year | None = described("The year the work started.", default=None)
    status: CaseStatus = described("Whether the work goes on.")
    target_audience: Markdown = ""
    what_was_done: Markdown = ""
    results: Markdown = ""
    evidence_level: EvidenceLevel = described("How the results are known.")
    what_did_not_work: Markdown = ""
    cost_band: Band = described("What the work cost.", default="unknown")
    staffing_band: Band = described("The staff it took.", default="unknown")
    transferability: Markdown = ""
    contact: StorableText = described("Whom to ask; shown to members only.", default="")
    published: Day = described("The date the network published the case.")
    updated: Updated = None
    adapted_by: Slugs = described("Slugs of the cities that replicated it.", default=[])
    source: StorableText = described("The article the facts come from.", default="")
    source_url: WebAddress | None = described("The address of that article.", default=None)
    state: State = PUBLISHED


class CaseTextFile(FileSchema):
    """A case study in another language than its original: `cases/<slug>.<language>.md`."""

    kind: Literal["case"]
    translation_of: TranslationOf
    language: Language
    machine_translated: MachineTranslated
    title: Title
    summary: Summary
    target_audience: Markdown = ""
    what_was_done: Markdown = ""
    results: Markdown = ""
    what_did_not_work: Markdown = ""
    transferability: Markdown = ""
    updated: Updated = None


class Speaker(FileSchema):
    name: Line = described("The speaker's name.")
    role: Line = described("The speaker's role, in the file's language.")
    city: Slug | None = described("The slug of the speaker's city.", default=None)


class SpeakerText(FileSchema):
    name: Line = described("The speaker's name, in the file's language.")
    role: Line = described("The speaker's role, in the file's language.")


class Takeaway(FileSchema):
    title: Line = described("The takeaway in a few words.")
    text: Text = described("The takeaway in Markdown.")


class WebinarFile(FileSchema):
    """A webinar's original version: `webinars/<slug>.<language>.md`."""

    kind: Literal["webinar"]
    slug: Slug = described("The webinar's name in URLs and in its translations' files.")
    language: Language
    machine_translated: MachineTranslated
    series: Series = None
    title: Title
    summary: Summary
    date: Day | Month = described('The day it took place; "YYYY-MM" with date_precision month.')
    time: Clock | None = described('The local start time, "HH:MM".', default=None)
    timezone: TimeZone = described("The IANA time zone the date and time are in.")
    date_precision: DatePrecision = described("minute, day or month known.")
    format: WebinarFormat = described("Online, in person or both.")
    place: Place = None
    organizers: list[Line] = described("The organizations that held it.", default=[])
    recording_url: WebAddress | None = described("Where to watch it again.", default=None)
    themes: Slugs = described("Slugs of the webinar's themes.")
    published: Day = described("The date the network published the record.")
    speakers: list[Speaker] = described("The speakers, in order.", default=[])
    takeaways: list[Takeaway] = described("What to take away, numbered in order.", default=[])
    source: StorableText = described("The article the facts come from.", default="")
    source_url: WebAddress | None = described("The address of that article.", default=None)
    state: State = PUBLISHED

    @model_validator(mode="after")
    def _date_and_time_fit_the_precision(self) -> WebinarFile:
        problems: dict[str, Any] = {}
        if self.date_precision == "month" and isinstance(self.date, str):
            self.date = Date.fromisoformat(f"{self.date}-01")
        elif self.date_precision == "month":
            problems["date"] = _l('A month written "YYYY-MM" when date_precision is month.')
        elif isinstance(self.date, str):
            problems["date"] = _l("A date written YYYY-MM-DD.")
        if self.date_precision == "minute" and self.time is None:
            problems["time"] = _l("A time is required when date_precision is minute.")
        elif self.date_precision != "minute" and self.time is not None:
            problems["time"] = _l("A time is only allowed when date_precision is minute.")
        refuse(problems)
        return self


class WebinarTextFile(FileSchema):
    """A webinar record in another language than its original: `webinars/<slug>.<language>.md`."""

    kind: Literal["webinar"]
    translation_of: TranslationOf
    language: Language
    machine_translated: MachineTranslated
    series: Series = None
    title: Title
    summary: Summary
    place: Place = None
    speakers: list[SpeakerText] = described("The original's speakers, in order.", default=[])
    takeaways: list[Takeaway] = described("The original's takeaways, in order.", default=[])


# The schema of each kind of file, by (kind, whether it is a translation); None: no such file.
SCHEMAS: dict[tuple[str, bool], type[FileSchema] | None] = {
    ("theme", False): ThemeFile,
    ("theme", True): None,
    ("city", False): CityFile,
    ("city", True): None,
    ("case", False): CaseFile,
    ("case", True): CaseTextFile,
    ("webinar", False): WebinarFile,
    ("webinar", True): WebinarTextFile,
    ("exchange", False): ExchangeFile,
    ("exchange", True): None,
}
BODY = field(StorableText, "The record in Markdown.")
