"""What a content file may hold: shared value rules, every problem at once, no crash, round trips."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from hub.cities.models import City, Theme
from hub.exchanges.models import Exchange, ExchangeParticipant
from hub.extensions import db
from hub.publishing.models import CaseStudy, CaseText, Speaker, Webinar, WebinarText
from tests.conftest import CONTENT, Database, make_app
from tests.content.test_content_loader import CASE, CITY, THEME, WEBINAR, load, write


@pytest.fixture
def content(tmp_path):
    root = tmp_path / "content"
    write(root, "themes/youth.md", THEME)
    write(root, "cities/testville.md", CITY)
    return root


def errors_of(result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("error: ")]


def test_every_problem_of_a_file_is_reported_at_once(app, runner, content):
    bad = (
        CASE.replace("language: en", "language: xx")
        .replace("slug: youth-council", "slug: Youth Council")
        .replace("title: A youth council\n", "")
        .replace("start_year: 2020", "start_year: 1")
    )
    path = write(content, "cases/youth-council.en.md", bad + "\x00")
    result = load(runner, content)
    assert result.exit_code == 1
    assert sorted(line.split(": ")[2] for line in errors_of(result)) == [
        "body",
        "language",
        "slug",
        "start_year",
        "title",
    ]
    assert f"error: {path}: start_year: This must be 1900 or more." in result.output
    assert f"error: {path}: body: This text contains characters that cannot be saved." in (
        result.output
    )


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        (("start_year: 2020", "start_year: 9999"), "start_year", "This must be 2100 or less."),
        (("language: en", "language: zz"), "language", "Not a language code"),
        (("title: A youth council", "title: A \u202eyouth council"), "title", "cannot be saved"),
        (("title: A youth council", 'title: "A\\nyouth council"'), "title", "a single line"),
        (("lead_city: testville", "lead_organization: " + "x" * 201), "lead_organization",
         "At most 200 characters."),
        (("machine_translated: false", "machine_translated: maybe"), "machine_translated",
         "This must be true or false."),
        (("themes: [youth]", "themes: [youth, youth]"), "themes", "listed twice"),
    ],
)  # fmt: skip
def test_a_case_follows_the_shared_value_rules(app, runner, content, change, field, reason):
    path = write(content, "cases/youth-council.en.md", CASE.replace(*change))
    result = load(runner, content)
    assert f"error: {path}: {field}: " in result.output
    assert reason in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(CaseStudy)) is None


def test_languages_follow_the_cldr_and_text_may_have_carriage_returns(app, runner, content):
    # Swahili is not one of the hub's interface languages, and is a language code all the same.
    write(
        content,
        "cases/youth-council.en.md",
        CASE.replace("language: en", "language: sw").replace(
            "summary: Young people advise the mayor.",
            'summary: "Young people\\r\\nadvise the mayor.\\r"',
        ),
    )
    result = load(runner, content)
    assert result.exit_code == 0, result.output
    with app.app_context():
        case = db.session.scalar(sa.select(CaseStudy))
        assert case.original_language == "sw"
        assert case.original.summary == "Young people\nadvise the mayor."


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (THEME.replace("kind: theme", "published: 2022-02-30\nkind: theme"), "impossible value"),
        (THEME.replace("kind: theme", "deep: " + "[" * 3000 + "]" * 3000 + "\nkind: theme"),
         "nested too deeply"),
        ("---\n- a list\n---\n", "must be a YAML mapping"),
        (THEME.replace("slug: youth", "slug: " + "a" * 81), "slug: "),
        (THEME.replace("kind: theme", "kind: [theme]"), "kind: "),
    ],
)  # fmt: skip
def test_broken_files_are_reported_not_crashed_on(app, runner, tmp_path, text, reason):
    path = write(tmp_path / "c", "themes/broken.md", text)
    write(tmp_path / "c", "themes/other.md", THEME.replace("slug: youth", "slug: other"))
    result = load(runner, tmp_path / "c")
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"error: {path}: " in result.output and reason in result.output
    assert "1 created" in result.output


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        (('time: "15:00"', "time: 15:00"), "time", 'A time written "HH:MM"'),
        (('time: "15:00"\n', ""), "time", "A time is required when date_precision is minute."),
        (("date_precision: minute", "date_precision: day"), "time", "only allowed"),
        (("date: 2022-03-17", "date: 2022-03"), "date", "A date written YYYY-MM-DD."),
        (('date: 2022-03-17\ntime: "15:00"', "date: 2022-03-17"), "date", 'month written "YYYY-MM"'),
        (("date: 2022-03-17", "date: soon"), "date", "This must be a date"),
    ],
)  # fmt: skip
def test_a_webinar_date_and_time_fit_their_precision(app, runner, content, change, field, reason):
    text = WEBINAR.replace(*change)
    if "month written" in reason:
        text = text.replace("date_precision: minute", "date_precision: month")
    path = write(content, "webinars/talk.en.md", text)
    result = load(runner, content)
    assert f"error: {path}: {field}: {reason}" in result.output or (
        f"error: {path}: {field}: " in result.output and reason in result.output
    )


def test_a_month_precise_webinar_loads_and_exports_its_month(app, runner, content, tmp_path):
    text = WEBINAR.replace("date: 2022-03-17", "date: 2022-03").replace('time: "15:00"\n', "")
    write(content, "webinars/talk.en.md", text.replace("minute", "month"))
    assert load(runner, content).exit_code == 0
    runner.invoke(args=["content", "export", str(tmp_path / "out")])
    assert "date: 2022-03\n" in (tmp_path / "out/webinars/talk.en.md").read_text()


def snapshot(app) -> dict:
    """Every column a content load writes, by record, without generated ids and versions (a
    count of edits, not content)."""
    shown = {}
    with app.app_context():
        for model in (Theme, City, CaseStudy, CaseText, Webinar, WebinarText, Speaker, Exchange,
                      ExchangeParticipant):  # fmt: skip
            columns = [
                c.key
                for c in sa.inspect(model).columns
                if not c.key.endswith("id") and c.key != "version"
            ]
            rows = db.session.scalars(sa.select(model).order_by(model.id))
            shown[model.__name__] = [
                {name: getattr(row, name) for name in columns} | {"relations": relations(row)}
                for row in rows
            ]
    return shown


def relations(row) -> dict:
    """The slugs a row refers to, for the relationships a load sets."""
    found = {}
    for name in ("themes", "expertise", "partner_cities", "adapted_by"):
        if hasattr(row, name):
            found[name] = [item.slug for item in getattr(row, name)]
    for name in ("lead_city", "city", "case", "webinar", "exchange"):
        if hasattr(row, name):
            found[name] = getattr(getattr(row, name), "slug", None)
    return found


def load_into_fresh_database(database, tmp_path, root):
    other = make_app(Database(database.backend, tmp_path / "fresh"))
    with other.app_context():
        db.create_all()
    result = other.test_cli_runner().invoke(args=["content", "load", str(root)])
    assert result.exit_code == 0, result.output
    return other


def test_an_export_loads_into_the_same_database(app, runner, database, tmp_path):
    assert load(runner, CONTENT).exit_code == 0
    with app.app_context():
        case = db.session.scalar(sa.select(CaseStudy).order_by(CaseStudy.slug))
        case.state = "draft"  # a state other than published travels with the file
        city = db.session.scalar(sa.select(City).filter_by(slug="oslo"))
        # What a focal point saves from a textarea: lines, and a carriage return.
        city.summaries = {**city.summaries, "en": "First line\nsecond line\r\n\r\nA paragraph."}
        db.session.commit()
    assert runner.invoke(args=["content", "export", str(tmp_path / "out")]).exit_code == 0
    other = load_into_fresh_database(database, tmp_path, tmp_path / "out")
    try:
        before, after = snapshot(app), snapshot(other)
        oslo = next(c for c in before["City"] if c["slug"] == "oslo")
        oslo["summaries"]["en"] = oslo["summaries"]["en"].replace("\r\n", "\n")
        assert after == before
        assert {row["state"] for row in after["CaseStudy"]} == {"draft", "published"}
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_multi_line_city_summary_exports_and_loads_again(app, runner, tmp_path):
    assert load(runner, CONTENT).exit_code == 0
    summary = (
        "Oslo works with schools.\r\nIt trains teachers.\n\nSecond paragraph, indented:\n  yes"
    )
    with app.app_context():
        city = db.session.scalar(sa.select(City).filter_by(slug="oslo"))
        city.summaries = {**city.summaries, "en": summary}
        db.session.commit()
    runner.invoke(args=["content", "export", str(tmp_path / "out")])
    exported = (tmp_path / "out/cities/oslo.md").read_text()
    assert "\r" not in exported and "  en: |-\n    Oslo works with schools.\n" in exported
    result = load(runner, tmp_path / "out")
    assert result.exit_code == 0, result.output
    # A carriage return and the newline it stands for are the same text: nothing to update.
    assert "0 created, 0 updated" in result.output and "0 with errors" in result.output


def test_a_city_summary_follows_the_profile_forms_rule(app, runner, content):
    """Paragraphs, up to the 2,000 characters the focal point's form allows: what one saves,
    the other loads."""
    paragraphs = "summaries:\n  en: |-\n    A test city.\n\n    It has two paragraphs.\n"
    write(
        content, "cities/testville.md", CITY.replace("summaries: {en: A test city.}\n", paragraphs)
    )
    assert load(runner, content).exit_code == 0
    with app.app_context():
        stored = db.session.scalar(sa.select(City.summaries).filter_by(slug="testville"))
        assert stored == {"en": "A test city.\n\nIt has two paragraphs."}
    too_long = f"summaries: {{en: {'x' * 2001}}}\n"
    path = write(
        content, "cities/testville.md", CITY.replace("summaries: {en: A test city.}\n", too_long)
    )
    result = load(runner, content)
    assert f"error: {path}: summaries: At most 2000 characters." in errors_of(result)
