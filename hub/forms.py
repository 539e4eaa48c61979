"""Shared pieces of the HTML forms: the same rules as the API's schemas (`hub.types`), as
WTForms validators, and a base form whose problems read by field label."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pydantic
from flask_wtf import FlaskForm
from wtforms import Field, SelectChoice
from wtforms.validators import StopValidation, ValidationError

from hub import types
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


def options(pairs: Iterable[tuple[str, Any]]) -> list[SelectChoice]:
    """(value, label) pairs, such as `LabelledEnum.choices()`, as a select field's options
    (WTForms 3.3 deprecates plain tuples)."""
    return [SelectChoice(value, label) for value, label in pairs]
