"""Shared pieces of the HTML forms: the same rules as the API's schemas (`hub.types`), as
WTForms validators, and a base form whose problems read by field label."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

import pydantic
from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, SelectChoice, SelectMultipleField
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from hub import types, versions, vocab
from hub.i18n import language_name
from hub.types import LINE_LIMIT, TEXT_LIMIT


class HubForm(FlaskForm):
    """A FlaskForm (CSRF included) that can list its problems by field label."""

    def problems(self) -> dict[str, str]:
        """The first problem of each field, keyed by the field's label in the reader's language."""
        found = {}
        for field in self:
            if field.errors:
                label = str(field.label.text) if field.label else field.name
                found[label] = str(field.errors[0])
        return found

    def problem_links(self) -> list[tuple[str | None, str, str]]:
        """Each problem as (id of the control to go to, label, message): the first problem of
        each field, then the form's own (no control)."""
        found: list[tuple[str | None, str, str]] = []
        for field in self:
            if field.errors:
                label = str(field.label.text) if field.label else field.name
                control = f"{field.id}-0" if isinstance(field, Checkboxes) else field.id
                found.append((control, label, str(field.errors[0])))
        return found + [(None, "", str(message)) for message in self.form_errors]


class VersionedForm(HubForm):
    """A form that edits a versioned record (`hub.versions`). It carries the version it started
    from and a fingerprint of each value then, so that a save made after someone else's is not
    kept: the form shows which fields changed meanwhile, with their current values, and keeps
    what the user typed."""

    version = HiddenField()
    started = HiddenField()

    # Set by `changed_meanwhile`: the record moved on, and the fields that changed with it.
    stale = False
    meanwhile: dict[str, Any] = {}  # noqa: RUF012 (replaced, never mutated)

    def compared_names(self) -> list[str]:
        """The fields a change made meanwhile is looked for in."""
        return [field.name for field in self if field.name not in ("csrf_token", *EXTRA)]

    def start_from(self, version: int, values: dict[str, Any]) -> None:
        """Carry the version and the fingerprints of the values the form is filled with."""
        self.version.data = str(version)
        self.started.data = versions.fingerprints(values, self.compared_names())

    def changed_meanwhile(self, version: int, current: dict[str, Any]) -> bool:
        """Whether someone saved a change to one of this form's fields since it was filled.

        When the record has moved on, the form now starts from its current version (the values
        typed stay), and `meanwhile` maps each field changed meanwhile to its current value.
        A post without a version (not from the hub's page) is checked only by the write itself,
        as an API call without If-Match is."""
        if not self.version.raw_data or versions.same_version(version, self.version.data):
            return False
        changed = versions.changed_since(self.started.data, current, self.compared_names())
        self.start_from(version, current)
        self.stale = True
        self.meanwhile = {name: self.shown(name, current.get(name)) for name in changed}
        return bool(self.meanwhile)

    def shown(self, name: str, value: Any) -> str:
        """A field's value as a person reads it: choices by their labels."""
        field = self[name]
        labels = {}
        for choice in getattr(field, "choices", None) or []:
            key, label = (
                (choice.value, choice.label) if isinstance(choice, SelectChoice) else choice
            )
            labels[str(key)] = str(label if label is not None else key)
        items = value if isinstance(value, list | tuple) else [value]
        if all(item in (None, "") for item in items):
            return ""
        return ", ".join(labels.get(str(item), str(item)) for item in items if item is not None)

    def meanwhile_by_label(self) -> dict[str, str]:
        return {
            str(self[name].label.text) if self[name].label else name: value
            for name, value in self.meanwhile.items()
        }


# Fields of a versioned form that are not the record's values.
EXTRA = ("version", "started", "action")


class Text:
    """The hub's storable text (`hub.types.check_text`): CRLF read as LF, trimmed, bounded, and
    free of NUL, lone surrogates, control and bidi characters. Replaces the field's data with
    the cleaned text."""

    def __init__(
        self, max_length: int = TEXT_LIMIT, *, required: bool = False, line: bool = False
    ) -> None:
        self.max_length = max_length
        self.required = required
        self.line = line
        self.field_flags = {"required": True, "maxlength": max_length} if required else {}

    def __call__(self, form: Any, field: Field) -> None:
        value = field.data if field.data is not None else ""
        try:
            field.data = types.check_text(
                value, max_length=self.max_length, required=self.required, line=self.line
            )
        except ValueError as error:
            if self.required and not str(value).strip():
                raise StopValidation(str(error.args[0])) from None
            raise ValidationError(str(error.args[0])) from None


def Line(max_length: int = LINE_LIMIT, *, required: bool = True) -> Text:  # noqa: N802
    """A one-line text, such as a title or a name."""
    return Text(max_length, required=required, line=True)


class Checked:
    """Any `hub.types` check (`check_language`, `check_slug`...) as a validator."""

    def __init__(self, check) -> None:
        self.check = check

    def __call__(self, form: Any, field: Field) -> None:
        if field.data in (None, ""):
            return
        try:
            field.data = self.check(field.data)
        except ValueError as error:
            raise ValidationError(str(error.args[0])) from None


class Typed:
    """A `hub.types` type (a year, a date) as a validator: the field's data becomes the value it
    stands for, None when left empty."""

    def __init__(self, kind: Any) -> None:
        self.adapter = pydantic.TypeAdapter(kind)

    def __call__(self, form: Any, field: Field) -> None:
        if field.data in (None, ""):
            field.data = None
            return
        try:
            field.data = self.adapter.validate_python(field.data)
        except pydantic.ValidationError as error:
            raise ValidationError(str(next(iter(types.problems(error).values())))) from None


class Checkboxes(SelectMultipleField):
    """A multiple choice shown as a group of checkboxes: it sends what a multiple select sends."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LanguageChoice(Checkboxes):
    """Languages ticked by name, in the reader's language and sorted by it: the network's working
    languages (`vocab.WORKING_LANGUAGES`) and any other language the field holds, so that one
    stored earlier stays ticked and survives a save. The codes are checked by the form's
    validators or the schema it feeds, as the API's are."""

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, validate_choice=False, **kwargs)

    @property
    def choices(self) -> list[SelectChoice]:
        known = types.language_codes()
        held = [code for code in self.data or [] if code in known]
        codes = dict.fromkeys([*vocab.WORKING_LANGUAGES, *held])
        named = [(code, language_name(code)) for code in codes]
        return options(sorted(named, key=lambda pair: _sort_key(pair[1])))


def _sort_key(name: str) -> str:
    """A name as a list sorts it: regardless of accents and case (néerlandais, norvégien)."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def options(pairs: Iterable[tuple[str, Any]]) -> list[SelectChoice]:
    """(value, label) pairs, such as `LabelledEnum.choices()`, as a select field's options
    (WTForms 3.3 deprecates plain tuples)."""
    return [SelectChoice(value, label) for value, label in pairs]
