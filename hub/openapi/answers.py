"""Output schemas for API answers that their views build as plain dictionaries."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Errors(BaseModel):
    """The one error envelope: a message per field at fault, `_` for the request as a whole."""

    model_config = ConfigDict(extra="forbid")

    errors: dict[str, str] = Field(
        description='Messages by field name; "_" holds a message about the whole request.'
    )


class SearchResult(BaseModel):
    kind: str = Field(description="case, webinar or city.")
    id: int
    title: str
    url: str = Field(description="The record's page, in the reader's language.")
    language: str = Field(description="The language of the version shown.")
    snippet: str = Field(description="The matching passage, as HTML with <mark> around matches.")
    score: float
    city: str | None
    date: str | None
    languages: list[str] = Field(description="The languages the record has versions in.")


class SearchAnswer(BaseModel):
    query: str
    total: int = Field(description="How many records match, on every page.")
    page: int
    per_page: int
    results: list[SearchResult]
    facets: dict[str, Any] = Field(description="Counts per filter value, for narrowing down.")
    suggestion: str | None = Field(description="A spelling the hub suggests, if any.")
    problem: str | None = Field(description="What the hub could not read in the query, if any.")
    truncated: bool = Field(description="Whether the query was cut to the longest allowed.")
