"""The city profile form a focal point keeps: summaries, working languages, mentoring."""

from __future__ import annotations

from typing import Any

from wtforms import Field, IntegerField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, StopValidation, ValidationError

from hub.cities.models import City, Theme
from hub.forms import HubForm, LanguageChoice, Line, Text, VersionedForm
from hub.i18n import DEFAULT_LANGUAGE, LANGUAGE_NAMES, LANGUAGES, localized, text_direction
from hub.i18n import lazy_gettext as _l
from hub.types import check_language

MAX_SUMMARY = 2000
# More mentoring at once than this is more than a city administration can follow.
MAX_CAPACITY = 50
CAPACITY_RULE = _l("A whole number from 0 to %(max)s.", max=MAX_CAPACITY)


class Languages:
    """At least one language, each a language code (`hub.types.check_language`, CLDR)."""

    def __call__(self, form: Any, field: Field) -> None:
        if not field.data:
            raise StopValidation(_l("Tick at least one language."))
        try:
            field.data = list(dict.fromkeys(check_language(code) for code in field.data))
        except ValueError as error:
            raise ValidationError(str(error.args[0])) from None


class CityProfileForm(VersionedForm):
    languages = LanguageChoice(_l("Working languages"), [Languages()])
    mentor_capacity = IntegerField(
        _l("Exchanges the city can mentor at once"),
        validators=[InputRequired(CAPACITY_RULE), NumberRange(0, MAX_CAPACITY, CAPACITY_RULE)],
        invalid_value_message=CAPACITY_RULE,
        render_kw={"min": 0, "max": MAX_CAPACITY},
    )
    expertise = SelectMultipleField(_l("Themes the city can help with"), choices=[])

    @staticmethod
    def values_of(city: City) -> dict[str, Any]:
        """The city's profile as the form's values."""
        saved = {
            "languages": city.languages,
            "mentor_capacity": city.mentor_capacity,
            "expertise": [theme.slug for theme in city.expertise],
        }
        return saved | {f"summary_{lang}": city.summaries.get(lang, "") for lang in LANGUAGES}

    @classmethod
    def for_city(cls, city: City, themes: list[Theme]) -> CityProfileForm:
        """The form filled from the request, or from `city` (and its version) when nothing
        was sent."""
        saved = cls.values_of(city)
        form = cls(data=saved)
        form.expertise.choices = [(theme.slug, localized(theme.names)) for theme in themes]
        if not form.is_submitted():
            form.start_from(city.version, saved)
        return form

    def chosen_themes(self, themes: list[Theme]) -> list[Theme]:
        """The themes chosen as the city's expertise, in the list's order."""
        return [theme for theme in themes if theme.slug in self.expertise.data]

    def summary_fields(self) -> list[Field]:
        return [self[f"summary_{lang}"] for lang in LANGUAGES]

    def summaries(self) -> dict[str, str]:
        """The summaries written, by language (an emptied one is removed)."""
        return {lang: field.data for lang in LANGUAGES if (field := self[f"summary_{lang}"]).data}


# One summary per language of the hub; the default language's is required.
for _lang in LANGUAGES:
    setattr(
        CityProfileForm,
        f"summary_{_lang}",
        TextAreaField(
            _l("Summary in %(language)s", language=LANGUAGE_NAMES[_lang]),
            validators=[Text(MAX_SUMMARY, required=_lang == DEFAULT_LANGUAGE)],
            render_kw={"lang": _lang, "dir": text_direction(_lang), "maxlength": MAX_SUMMARY},
        ),
    )


SUBJECT_LIMIT = 200  # characters of a message's subject line
MESSAGE_LIMIT = 5000  # characters of a message to a city: a letter, not a document


class CityMessageForm(HubForm):
    """A member's message to a city's focal point."""

    subject = StringField(
        _l("Subject"), validators=[Line(SUBJECT_LIMIT)], render_kw={"maxlength": SUBJECT_LIMIT}
    )
    message = TextAreaField(
        _l("Message"),
        validators=[Text(MESSAGE_LIMIT, required=True)],
        render_kw={"rows": 8, "maxlength": MESSAGE_LIMIT, "dir": "auto"},
    )
