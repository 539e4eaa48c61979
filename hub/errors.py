"""The hub's one error family. Operations raise these; `hub.web` turns them into HTTP answers,
a page for people and `{"errors": {...}}` for `/api/v1`, in one place each."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# The key of a problem that belongs to no single field.
GENERAL = "_"


class HubError(Exception):
    """A refusal with a message per field at fault (`GENERAL` for the whole submission)."""

    status = 400

    def __init__(self, errors: Mapping[str, Any] | Any = None) -> None:
        if errors is None:
            errors = {}
        elif not isinstance(errors, Mapping):
            errors = {GENERAL: errors}
        self.errors: dict[str, Any] = dict(errors)
        super().__init__("; ".join(f"{key}: {value}" for key, value in self.errors.items()))


class InvalidInput(HubError):
    """What was sent cannot be used: a missing, malformed or unknown value."""

    status = 400


class NotAllowed(HubError):
    """The user may see the record but not do this to it."""

    status = 403


class NotFound(HubError):
    """A record that does not exist, or that the reader may not see."""

    status = 404


class StepRefused(HubError):
    """A step that the record's current state does not allow (out of order, or taken twice)."""

    status = 409


class ChangedMeanwhile(HubError):
    """A write that lost to another one made since the record was loaded: nothing is kept."""

    status = 409


class PreconditionRequired(HubError):
    """A write to a versioned record that does not say which version it is based on (RFC 6585):
    without If-Match it could overwrite a change the client has not seen, so nothing is kept."""

    status = 428


class PreconditionFailed(HubError):
    """The record is no longer the version the client named (If-Match): nothing is kept."""

    status = 412


class Unavailable(HubError):
    """A part of the hub that cannot answer for a while, such as search while its index is
    rebuilt: the answer asks the client to try again after `retry_after` seconds."""

    status = 503

    def __init__(self, errors: Mapping[str, Any] | Any = None, retry_after: int = 60) -> None:
        super().__init__(errors)
        self.retry_after = retry_after


class ContentError(InvalidInput):
    """A content file that cannot be loaded: which file, and each field at fault with why."""

    def __init__(self, path: str, errors: Mapping[str, Any] | Any) -> None:
        super().__init__(errors)
        self.path = path
        self.args = ("\n".join(self.lines()),)

    def lines(self) -> list[str]:
        """One line per problem: `path: field: reason`, or `path: reason` for the whole file."""
        return [
            f"{self.path}: {reason}" if field == GENERAL else f"{self.path}: {field}: {reason}"
            for field, reason in self.errors.items()
        ]
