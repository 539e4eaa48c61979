"""What a search document is built from, declared beside its builder in `documents`.

A builder declares, per model it reads, the columns and relationships it reads of it (`Source`)
and how to find the records whose documents an instance of that model feeds. `tracking` writes
the outbox rows from these declarations: a change to anything a builder reads re-indexes the
documents that show it, and a change to anything else re-indexes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.orm import RelationshipDirection

# The ids of the records whose documents show this instance.
Locate = Callable[[Connection, Any], Iterable[int]]


@dataclass(frozen=True)
class Source:
    """A model a builder reads: the attributes it reads of it (columns and relationships), and
    the ways to find the records an instance of it feeds."""

    model: type
    attributes: tuple[str, ...]
    found_by: tuple[Locate, ...]


@dataclass(frozen=True)
class Reads:
    """Everything one kind of document is built from."""

    kind: str
    sources: tuple[Source, ...]


def itself(_connection: Connection, record: Any) -> Iterable[int]:
    """The record is the document's own record."""
    return [record.id]


def parent(column: str, relationship: str) -> Locate:
    """The record this instance belongs to, such as a text's case (`case_id`, `case`)."""

    def locate(_connection: Connection, instance: Any) -> Iterable[int]:
        record_id = getattr(instance, column)
        if record_id is None:  # not flushed into its parent yet
            record = getattr(instance, relationship)
            record_id = record.id if record is not None else None
        return [] if record_id is None else [record_id]

    return locate


def linked(through: sa.Column, to: sa.Column) -> Locate:
    """The records that a row links to this instance, such as the cases tagged with a theme
    (`case_themes.c.theme_id`, `case_themes.c.case_id`)."""

    def locate(connection: Connection, instance: Any) -> Iterable[int]:
        return connection.execute(sa.select(to).where(through == instance.id).distinct()).scalars()

    return locate


@cache
def watched(source: Source) -> tuple[str, ...]:
    """The attributes whose changes re-index: those declared, and the foreign keys behind a
    declared many-to-one relationship (setting `lead_city_id` changes `lead_city` too)."""
    mapper = sa.inspect(source.model)
    names = list(source.attributes)
    for name in source.attributes:
        relationship = mapper.relationships.get(name)
        if relationship is not None and relationship.direction is RelationshipDirection.MANYTOONE:
            names += [
                mapper.get_property_by_column(column).key for column in relationship.local_columns
            ]
    return tuple(dict.fromkeys(names))
