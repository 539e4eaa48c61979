"""The HTML forms of the exchange pages. Their values are checked by the same schemas as the
API's (`hub.exchanges.schemas`), in the lifecycle; the forms carry CSRF and what was typed."""

from __future__ import annotations

from typing import Any

from wtforms import (
    HiddenField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)

from hub.exchanges.models import ExchangeRequest
from hub.exchanges.states import ExchangeFormat, RequestStatus
from hub.forms import HubForm, LanguageChoice, VersionedForm
from hub.i18n import lazy_gettext as _l


class RequestForm(VersionedForm):
    themes = SelectMultipleField(_l("Themes you want to learn about"), validate_choice=False)
    challenge = TextAreaField(_l("The challenge, in your own words"))
    languages = LanguageChoice(_l("Languages you can work in"))
    format = StringField(_l("Format"))  # radio buttons of ExchangeFormat; the schema checks
    timeframe = StringField(_l("Timeframe (for example: the first half of 2027)"))
    action = HiddenField()

    def fill(self, found: ExchangeRequest | None, languages: list[str]) -> None:
        """Show a request's values (or a new request's defaults) on a form not yet posted; an
        existing request's form carries its version."""
        self.languages.data = list(languages)
        if found is not None:
            values = self.values_of(found)
            for name, value in values.items():
                self[name].data = value
            self.start_from(found.version, values)

    @staticmethod
    def values_of(found: ExchangeRequest) -> dict[str, Any]:
        """The request's fields as the form's values."""
        return {
            "themes": [t.slug for t in found.themes],
            "challenge": found.challenge,
            "languages": list(found.languages),
            "format": found.format.value,
            "timeframe": found.timeframe,
        }

    def shown(self, name: str, value: Any) -> str:
        if name == "format" and value in ExchangeFormat._value2member_map_:
            return str(ExchangeFormat(value).label)
        return super().shown(name, value)

    def fields(self) -> dict[str, Any]:
        """The request as the lifecycle reads it (the same checks as the API)."""
        return {
            "themes": self.themes.data or [],
            "challenge": self.challenge.data or "",
            "languages": self.languages.data or [],
            "format": self.format.data or "",
            "timeframe": self.timeframe.data or "",
        }

    def status(self) -> RequestStatus:
        """Which of the two buttons was pressed."""
        return (
            RequestStatus.submitted if self.action.raw_data == ["submit"] else RequestStatus.draft
        )


class ReportForm(HubForm):
    outcomes = TextAreaField(_l("What came out of it"))
    feedback = TextAreaField(_l("Feedback for the other city (optional)"))
    rating = StringField(_l("How did the exchange go?"))  # radio buttons of RATINGS

    def fields(self) -> dict[str, Any]:
        return {
            "outcomes": self.outcomes.data or "",
            "feedback": self.feedback.data or "",
            "rating": self.rating.data or "",
        }


class StepForm(HubForm):
    """A button that takes one step (submit, withdraw, accept, approve...): CSRF only."""


class ChangeForm(HubForm):
    city = StringField(_l("Propose another city instead"))  # a select of eligible cities


class RoundForm(HubForm):
    dry_run = HiddenField()

    def is_dry_run(self) -> bool:
        return self.dry_run.raw_data == ["1"]
