"""What the accounts pages accept: e-mail addresses, and the audit log's filters."""

from __future__ import annotations

from typing import Annotated, Any

from email_validator import EmailNotValidError, validate_email
from pydantic import BeforeValidator, Field

from hub.audit import AuditAction
from hub.i18n import lazy_gettext as _l
from hub.types import Schema

EMAIL_LIMIT = 254  # characters in an address (RFC 5321 path limit)


def check_email(value: Any) -> str:
    """An e-mail address as the hub stores it: checked for form (not delivery), lowercased."""
    if not isinstance(value, str) or len(value.strip()) > EMAIL_LIMIT:
        raise ValueError(_l("Enter a valid e-mail address."))
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise ValueError(_l("Enter a valid e-mail address.")) from None


def _blank_is_none(value: Any) -> Any:
    """A filter left at "any" arrives as an empty parameter."""
    return None if isinstance(value, str) and not value.strip() else value


EmailAddress = Annotated[str, BeforeValidator(check_email)]


class AuditQuery(Schema):
    """The audit log's filters, from the query string."""

    action: Annotated[AuditAction | None, BeforeValidator(_blank_is_none)] = Field(
        None, description="Only events of this action."
    )
    actor: Annotated[EmailAddress | None, BeforeValidator(_blank_is_none)] = Field(
        None, description="Only events by the account with this e-mail address."
    )
