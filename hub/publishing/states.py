"""A record's publication state, and the steps between states, in one table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hub.audit import AuditAction
from hub.i18n import lazy_gettext as _l
from hub.types import LabelledEnum


class PublicationState(LabelledEnum):
    """Only published records are public; new records start as drafts."""

    draft = "draft", _l("Draft")
    published = "published", _l("Published")
    archived = "archived", _l("Archived")


class Step(LabelledEnum):
    """What staff can do to a record's state."""

    publish = "publish", _l("Publish")
    unpublish = "unpublish", _l("Unpublish")
    archive = "archive", _l("Archive")


@dataclass(frozen=True)
class Transition:
    to: PublicationState
    sources: frozenset[PublicationState]
    action: AuditAction
    done: Any  # what the person who took the step is told


TRANSITIONS: dict[Step, Transition] = {
    Step.publish: Transition(
        PublicationState.published,
        frozenset({PublicationState.draft, PublicationState.archived}),
        AuditAction.publish,
        _l("Published: the public can see it now."),
    ),
    Step.unpublish: Transition(
        PublicationState.draft,
        frozenset({PublicationState.published, PublicationState.archived}),
        AuditAction.unpublish,
        _l("Unpublished: it is a draft again, hidden from the public."),
    ),
    Step.archive: Transition(
        PublicationState.archived,
        frozenset({PublicationState.draft, PublicationState.published}),
        AuditAction.archive,
        _l("Archived: hidden from the public."),
    ),
}
# What the confirmation page asks before each step, and what the step will do.
QUESTIONS: dict[Step, tuple[Any, Any]] = {
    Step.publish: (
        _l("Publish “%(title)s”?"),
        _l("The public will see it, and search will find it."),
    ),
    Step.unpublish: (
        _l("Unpublish “%(title)s”?"),
        _l("It becomes a draft again: the public will no longer see it."),
    ),
    Step.archive: (
        _l("Archive “%(title)s”?"),
        _l("It is hidden from the public and kept for the record."),
    ),
}
# The step that brings a record into each state.
STEP_TO = {transition.to: step for step, transition in TRANSITIONS.items()}


def allowed_steps(record: Any) -> list[Step]:
    """The steps the record's state allows, in the table's order."""
    return [step for step, transition in TRANSITIONS.items() if record.state in transition.sources]
