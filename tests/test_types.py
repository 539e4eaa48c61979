"""The shared schema types: each rule about a kind of value, as a reader of any form or API meets it."""

from datetime import date

import pytest

from hub import create_app
from hub.errors import InvalidInput
from hub.types import Day, LanguageCode, Schema, Slug, Year, make_slug, storable_text


class Submission(Schema):
    title: storable_text(300, line=True)
    body: storable_text(1000)
    language: LanguageCode
    year: Year | None = None
    day: Day | None = None
    slug: Slug | None = None


GOOD = {"title": "Peace committees", "body": "One.\r\n\r\nTwo.\rThree.", "language": "AR"}


@pytest.fixture
def in_request():
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.test_request_context("/fr/"):
        yield


def test_text_from_a_browser_is_kept_with_plain_newlines(in_request):
    from hub.types import validate

    read = validate(Submission, GOOD)
    assert read.body == "One.\n\nTwo.\nThree."
    assert read.language == "ar"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("body", "nul\x00byte"),
        ("body", "lone \ud800 surrogate"),
        ("body", "bell\x07"),
        ("body", "right-to-left \u202e override"),
        ("body", "isolate \u2066 mark"),
        ("title", "two\nlines"),
        ("title", "x" * 301),
        ("language", "xx"),
        ("language", "english"),
        ("year", 1),
        ("year", 9999),
        ("day", "0001-01-01"),
        ("day", "9999-12-31"),
        ("slug", "Not A Slug"),
        ("slug", "-leading"),
    ],
)
def test_each_rule_refuses_its_bad_values_by_field(in_request, field, value):
    from hub.types import validate

    with pytest.raises(InvalidInput) as refused:
        validate(Submission, {**GOOD, field: value})
    assert set(refused.value.errors) == {field}


def test_every_problem_is_reported_at_once_in_the_readers_language(in_request):
    from hub.types import validate

    with pytest.raises(InvalidInput) as refused:
        validate(Submission, {"body": 5, "language": "zz", "year": 1, "extra": True})
    problems = {name: str(text) for name, text in refused.value.errors.items()}
    assert set(problems) == {"title", "body", "language", "year", "extra"}
    assert problems["title"] == "Ce champ est obligatoire."


def test_dates_and_years_within_the_networks_span_are_accepted(in_request):
    from hub.types import validate

    read = validate(Submission, {**GOOD, "year": 2019, "day": "2024-05-02"})
    assert (read.year, read.day) == (2019, date(2024, 5, 2))


def test_an_arabic_title_gets_a_readable_latin_slug():
    slug = make_slug("لجان السلام في صيدا")
    assert slug and slug.isascii() and "-" in slug
    assert make_slug("لجان السلام في صيدا", taken={slug}) == f"{slug}-2"
    assert make_slug("Écoles de la paix") == "ecoles-de-la-paix"
    assert make_slug("!!!") == "record"
