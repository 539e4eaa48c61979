"""The HTML forms of signing in, passwords and administration (CSRF included in each)."""

from __future__ import annotations

from typing import Any

from wtforms import (
    BooleanField,
    EmailField,
    Field,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import EqualTo, StopValidation, ValidationError

from hub.accounts.models import Role
from hub.accounts.schemas import EMAIL_LIMIT, check_email
from hub.errors import HubError
from hub.forms import Checked, HubForm, Line, Text, options
from hub.i18n import lazy_gettext as _l
from hub.security.passwords import password_problem

NAME_LIMIT = 200  # characters in a person's name (the column's length)
SECRET_LIMIT = 1024  # characters of a password that is checked, not chosen
NEW_SECRET_LIMIT = 2048  # longer is refused unhashed; the policy's own limit is lower
REASON_LIMIT = 2000  # characters of why someone asks for access: a few paragraphs at most
NOTE_LIMIT = 2000  # characters of staff's note to someone whose request is declined


class Secret:
    """A password as typed: required, bounded, and never trimmed or otherwise changed."""

    def __init__(self, max_length: int = SECRET_LIMIT) -> None:
        self.max_length = max_length
        self.field_flags = {"required": True}

    def __call__(self, form: Any, field: Field) -> None:
        if not field.data:
            raise StopValidation(_l("This field is required."))
        if len(field.data) > self.max_length:
            raise StopValidation(_l("At most %(limit)d characters.", limit=self.max_length))


class Policy:
    """The password policy (`hub.security.passwords`), for the address of the form's account."""

    def __call__(self, form: Any, field: Field) -> None:
        problem = password_problem(field.data or "", getattr(form, "account_email", ""))
        if problem is not None:
            raise ValidationError(problem)


def email_field(label: Any = None, autocomplete: str = "username") -> EmailField:
    return EmailField(
        label or _l("E-mail address"),
        validators=[Line(EMAIL_LIMIT), Checked(check_email)],
        render_kw={"autocomplete": autocomplete, "maxlength": EMAIL_LIMIT},
    )


def new_password_fields() -> tuple[PasswordField, PasswordField]:
    new = PasswordField(
        _l("New password"),
        validators=[Secret(NEW_SECRET_LIMIT), Policy()],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[
            Secret(NEW_SECRET_LIMIT),
            EqualTo("new_password", message=_l("The two new passwords differ.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    return new, confirm


class AccountForm(HubForm):
    """A form that can also show an operation's refusal next to the fields it names."""

    # An operation's name for a field, where the form names it otherwise.
    aliases: dict[str, str] = {}

    def __init__(self, *args: Any, account_email: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.account_email = account_email

    def refuse(self, error: HubError) -> None:
        for name, message in error.errors.items():
            field = self._fields.get(self.aliases.get(name, name))
            if field is not None and field.name != "csrf_token":
                field.errors = [*field.errors, message]
            else:
                self.form_errors.append(message)


class SignInForm(AccountForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[Line(EMAIL_LIMIT)],
        render_kw={"autocomplete": "username", "maxlength": EMAIL_LIMIT},
    )
    password = PasswordField(
        _l("Password"), validators=[Secret()], render_kw={"autocomplete": "current-password"}
    )
    next = HiddenField()


class SignOutForm(HubForm):
    """Signing out changes state, so it is a form with a CSRF token, not a link."""


class PasswordChangeForm(AccountForm):
    aliases = {"password": "new_password"}

    current_password = PasswordField(
        _l("Current password"),
        validators=[Secret()],
        render_kw={"autocomplete": "current-password"},
    )
    new_password, confirm_password = new_password_fields()


class ResetRequestForm(AccountForm):
    email = email_field()


class ResetForm(AccountForm):
    aliases = {"password": "new_password"}

    new_password, confirm_password = new_password_fields()


# --- Administration ----------------------------------------------------------------------------


def city_field() -> SelectField:
    # The choices are the cities a page shows; the operation checks the city that is sent.
    return SelectField(_l("City (for focal points)"), choices=[], validate_choice=False)


class InviteForm(AccountForm):
    email = email_field()
    name = StringField(
        _l("Name"),
        validators=[Line(NAME_LIMIT, required=False)],
        render_kw={"maxlength": NAME_LIMIT},
    )
    role = SelectField(_l("Role"), choices=options(Role.choices()))
    city = city_field()


class RoleForm(AccountForm):
    role = SelectField(_l("Role"), choices=options(Role.choices()))
    city = city_field()


class DisableForm(AccountForm):
    """Disabling an account: nothing to fill in but the CSRF token."""


# --- Asking for access, and deciding on it -----------------------------------------------------


class JoinForm(AccountForm):
    """A city official's request for access; `city` offers the member cities (a datalist) and
    takes any other city typed."""

    name = StringField(
        _l("Your name"),
        validators=[Line(NAME_LIMIT)],
        render_kw={"autocomplete": "name", "maxlength": NAME_LIMIT},
    )
    email = email_field(_l("Work e-mail address"), autocomplete="work email")
    city = StringField(
        _l("City"),
        validators=[Line(NAME_LIMIT)],
        description=_l("Choose a member city from the list, or type yours."),
        render_kw={"list": "member-cities", "maxlength": NAME_LIMIT, "autocomplete": "off"},
    )
    position = StringField(
        _l("Your role in the city"),
        validators=[Line(NAME_LIMIT)],
        description=_l("For example: deputy mayor, head of the prevention office."),
        render_kw={"autocomplete": "organization-title", "maxlength": NAME_LIMIT},
    )
    reason = TextAreaField(
        _l("Why would you like access?"),
        validators=[Text(REASON_LIMIT, required=True)],
        render_kw={"rows": 5, "maxlength": REASON_LIMIT, "dir": "auto"},
    )
    # Left empty by people, who do not see it; filled by bots, which fill every field.
    website = StringField(
        _l("Leave this field empty"),
        render_kw={"autocomplete": "off", "tabindex": "-1"},
    )
    # When the form was shown, signed (`joining.form_stamp`).
    stamp = HiddenField()


class ApproveForm(AccountForm):
    role = SelectField(_l("Role"), choices=[])
    city = city_field()


class DeclineForm(AccountForm):
    notify = BooleanField(_l("Tell them by e-mail"))  # checked on the page
    note = TextAreaField(
        _l("A note to add to the message (optional)"),
        validators=[Text(NOTE_LIMIT)],
        render_kw={"rows": 3, "maxlength": NOTE_LIMIT},
    )
