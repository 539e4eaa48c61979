"""The publishing pages' forms: a case study, a webinar record, a translation, a state step, a
reader's report and its resolution. Text fields read CRLF as LF (`hub.forms.Text`), so what a
browser's textarea sends is saved as typed.

A record form's `fields()` gives the content-file fields its values stand for; `values_of()`
gives a form's values for a record's content-file fields.
"""

from __future__ import annotations

from datetime import time as Time
from typing import Any

from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired

from hub import vocab
from hub.forms import EXTRA, Checkboxes, HubForm, Line, Text, Typed, VersionedForm, options
from hub.i18n import LANGUAGE_NAMES
from hub.i18n import lazy_gettext as _l
from hub.markdown import render_markdown
from hub.publishing.reports import LOCATION_LIMIT, PROBLEM_LIMIT
from hub.publishing.schemas import NARROW_LIMIT, WebinarDate
from hub.publishing.states import Step
from hub.types import Day, Year

PREVIEW = "preview"
CONFIRMED = "yes"
# The fields the public pages render as Markdown: each gets a preview beside it.
CASE_MARKDOWN = (
    "target_audience", "what_was_done", "results", "what_did_not_work", "transferability", "body",
)  # fmt: skip
SPEAKER_PARTS = ("name", "role", "city")
TRANSLATED_SPEAKER_PARTS = ("name", "role")
TAKEAWAY_PARTS = ("title", "text")


def _required() -> DataRequired:
    return DataRequired(_l("This field is required."))


def _split_lines(value: str | None, names: tuple[str, ...]) -> list[dict] | None:
    """`a | b | c` lines into mappings; empty parts are left out."""
    items = []
    for line in (value or "").splitlines():
        if line.strip():
            parts = [part.strip() for part in line.split("|", len(names) - 1)]
            items.append({name: part for name, part in zip(names, parts, strict=False) if part})
    return items or None


def _join_lines(items: list[dict] | None, names: tuple[str, ...]) -> str:
    return "\n".join(" | ".join(filter(None, (item.get(n) for n in names))) for item in items or [])


class ContentForm(VersionedForm):
    """A form whose values are content-file fields, with Preview and Save buttons; it carries
    the version of the record (or language version) it edits."""

    # Which button was pressed: the buttons carry it, no input of its own.
    action = StringField()
    body = TextAreaField(validators=[Text()])
    SPEAKER_PARTS = SPEAKER_PARTS
    MARKDOWN: tuple[str, ...] = ("body",)

    def previewing(self) -> bool:
        return self.action.data == PREVIEW

    def previews(self) -> list[tuple[str, Any]]:
        """(label, rendered HTML) of each Markdown field that has a value."""
        return [
            (str(self[name].label.text), render_markdown(self[name].data))
            for name in self.MARKDOWN
            if name in self and self[name].data
        ]

    def content_names(self) -> list[str]:
        return [field.name for field in self if field.name not in ("body", "csrf_token", *EXTRA)]

    def fields(self) -> dict[str, Any]:
        """The content-file fields the values stand for; an empty value is None."""
        fields = {}
        for name in self.content_names():
            value = self[name].data
            if name == "organizers":
                value = [line.strip() for line in (value or "").splitlines() if line.strip()]
            elif name == "speakers":
                value = _split_lines(value, self.SPEAKER_PARTS)
            elif name == "takeaways":
                value = _split_lines(value, TAKEAWAY_PARTS)
            fields[name] = value if value not in ("", []) else None
        return fields

    @classmethod
    def values_of(cls, front: dict, body: str) -> dict[str, Any]:
        """A record's content-file fields as the form's values."""
        values: dict[str, Any] = {"body": body}
        for name, value in front.items():
            if name == "speakers":
                value = _join_lines(value, cls.SPEAKER_PARTS)
            elif name == "takeaways":
                value = _join_lines(value, TAKEAWAY_PARTS)
            elif name == "organizers":
                value = "\n".join(value or [])
            elif isinstance(value, Time):
                value = value.strftime("%H:%M")
            values[name] = value
        return values

    def refused(self, errors: dict[str, Any]) -> None:
        """Show an operation's problems next to their fields."""
        for name, message in errors.items():
            if name in self and name != "action":
                self[name].errors = [*self[name].errors, str(message)]
            else:
                self.form_errors.append(str(message))

    def problems(self) -> dict[str, str]:
        found = super().problems()
        for message in self.form_errors:
            found.setdefault(str(_l("Form")), message)
        return found


def _original_language() -> SelectField:
    """The language a new record is written in; fixed once the record exists."""
    return SelectField(_l("Original language"), choices=options(LANGUAGE_NAMES.items()))


class CaseForm(ContentForm):
    language = _original_language()
    title = StringField(_l("Title"), [Line()])
    summary = TextAreaField(_l("Summary (one paragraph, plain text)"), [Text(required=True)])
    lead_city = SelectField(_l("Lead city"), choices=[])
    partner_cities = Checkboxes(_l("Partner cities"), choices=[])
    themes = Checkboxes(_l("Themes (at least one)"), [_required()], choices=[])
    start_year = StringField(_l("Start year"), [Typed(Year)], render_kw={"type": "number"})
    status = SelectField(_l("Status"), choices=options(vocab.CASE_STATUSES.items()))
    evidence_level = SelectField(_l("Evidence"), choices=options(vocab.EVIDENCE_LEVELS.items()))
    target_audience = TextAreaField(_l("Who it is for"), [Text()])
    what_was_done = TextAreaField(_l("What was done (Markdown)"), [Text()])
    results = TextAreaField(_l("Results (Markdown)"), [Text()])
    what_did_not_work = TextAreaField(_l("What did not work (Markdown)"), [Text()])
    cost_band = SelectField(_l("Cost"), choices=options(vocab.BANDS.items()))
    staffing_band = SelectField(_l("Staffing"), choices=options(vocab.BANDS.items()))
    transferability = TextAreaField(_l("Using it elsewhere (Markdown)"), [Text()])
    contact = TextAreaField(_l("Contact (shown to signed-in members only)"), [Text()])
    published = StringField(
        _l("Published on (YYYY-MM-DD)"), [_required(), Typed(Day)], render_kw={"type": "date"}
    )
    body = TextAreaField(_l("The case study (Markdown)"), [Text()])

    NEW = {"status": "ongoing", "language": "en"}
    MARKDOWN = CASE_MARKDOWN

    def offer(self, cities: list[tuple[str, str]], themes: list[tuple[str, str]]) -> None:
        """The choices of the city and theme selects."""
        self.lead_city.choices = options([("", _l("None")), *cities])
        self.partner_cities.choices = options(cities)
        self.themes.choices = options(themes)


class WebinarForm(ContentForm):
    language = _original_language()
    series = StringField(_l("Series"), [Line(NARROW_LIMIT, required=False)])
    title = StringField(_l("Title"), [Line()])
    summary = TextAreaField(_l("Summary (one paragraph, plain text)"), [Text(required=True)])
    date = StringField(
        _l("Date (YYYY-MM-DD, or YYYY-MM when only the month is known)"),
        [Line(), Typed(WebinarDate)],
    )
    time = StringField(
        _l("Local start time (HH:MM, only when the date precision is minute)"),
        [Line(required=False)],
    )
    timezone = StringField(_l("Time zone (such as Europe/Oslo)"), [Line()])
    date_precision = SelectField(
        _l("Date precision"),
        choices=options(
            [("minute", _l("Date and time")), ("day", _l("Day")), ("month", _l("Month"))]
        ),
    )
    format = SelectField(_l("Format"), choices=options(vocab.WEBINAR_FORMATS.items()))
    place = StringField(_l("Place (in person and hybrid)"), [Line(required=False)])
    organizers = TextAreaField(_l("Organizers (one per line)"), [Text()])
    recording_url = StringField(
        _l("Recording address"), [Line(500, required=False)], render_kw={"type": "url"}
    )
    themes = Checkboxes(_l("Themes (at least one)"), [_required()], choices=[])
    speakers = TextAreaField(_l("Speakers (name | role | city slug, one per line)"), [Text()])
    takeaways = TextAreaField(_l("Key takeaways (title | text, one per line)"), [Text()])
    published = StringField(
        _l("Published on (YYYY-MM-DD)"), [_required(), Typed(Day)], render_kw={"type": "date"}
    )
    body = TextAreaField(_l("The record (Markdown)"), [Text()])

    NEW = {"timezone": "UTC", "date_precision": "day", "format": "online", "language": "en"}

    def offer(self, cities: list[tuple[str, str]], themes: list[tuple[str, str]]) -> None:
        self.themes.choices = options(themes)


class TranslationForm(ContentForm):
    """A language version: the original's texts, in another language."""

    language = SelectField(_l("Language"), choices=[])
    machine_translated = BooleanField(_l("Translated by machine and not reviewed"))
    title = StringField(_l("Title"), [Line()])
    summary = TextAreaField(_l("Summary"), [Text(required=True)])
    body = TextAreaField(_l("Text (Markdown)"), [Text()])
    SPEAKER_PARTS = TRANSLATED_SPEAKER_PARTS

    def content_names(self) -> list[str]:
        fixed = ("language", "machine_translated")
        return [name for name in super().content_names() if name not in fixed]


class CaseTranslationForm(TranslationForm):
    MARKDOWN = CASE_MARKDOWN
    target_audience = TextAreaField(_l("Who it is for"), [Text()])
    what_was_done = TextAreaField(_l("What was done (Markdown)"), [Text()])
    results = TextAreaField(_l("Results (Markdown)"), [Text()])
    what_did_not_work = TextAreaField(_l("What did not work (Markdown)"), [Text()])
    transferability = TextAreaField(_l("Using it elsewhere (Markdown)"), [Text()])


class WebinarTranslationForm(TranslationForm):
    series = StringField(_l("Series"), [Line(NARROW_LIMIT, required=False)])
    place = StringField(_l("Place"), [Line(required=False)])
    speakers = TextAreaField(
        _l("Speakers (name | role, one per line, in the original's order)"), [Text()]
    )
    takeaways = TextAreaField(
        _l("Key takeaways (title | text, one per line, in the original's order)"), [Text()]
    )


RECORD_FORMS = {"case": CaseForm, "webinar": WebinarForm}
TRANSLATION_FORMS = {"case": CaseTranslationForm, "webinar": WebinarTranslationForm}


class StepForm(HubForm):
    """One of a record's state buttons: publish, unpublish or archive."""

    action = HiddenField(validators=[AnyOf([step.value for step in Step])])
    back = HiddenField()
    # Set by the confirmation page: a step posted without it is asked about first.
    confirmed = HiddenField()

    def is_confirmed(self) -> bool:
        return self.confirmed.data == CONFIRMED

    def step(self) -> Step:
        return Step(self.action.data)


class ReportForm(HubForm):
    """A reader's report of a problem with the language version shown."""

    language = HiddenField()
    problem = TextAreaField(_l("What is wrong?"), [Text(PROBLEM_LIMIT, required=True)])
    location = StringField(
        _l("Where? (optional: a heading or a sentence)"), [Line(LOCATION_LIMIT, required=False)]
    )


class PreviewForm(HubForm):
    """A Markdown text to render, as staff type it."""

    text = TextAreaField(validators=[Text()])


class ResolveForm(HubForm):
    """Marks a reader's report resolved: the CSRF token is all it carries."""
