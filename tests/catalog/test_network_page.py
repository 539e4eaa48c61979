"""`/<lang>/network`: the member cities on a server-drawn map, and the network's figures as SVG
bar charts with tables, in every language and mirrored in Arabic."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from lxml import html

from hub.atlas import charts
from hub.cities.models import City, Theme
from hub.exchanges.models import Exchange
from hub.extensions import db
from hub.i18n import LANGUAGES
from hub.publishing.models import CaseStudy, case_themes
from hub.vocab import SIZE_BANDS, size_band
from tests.conftest import app_with_content

SVG = "{http://www.w3.org/2000/svg}"


def page(client, lang: str = "en"):
    response = client.get(f"/{lang}/network")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return html.fromstring(response.get_data(as_text=True))


def chart(tree, chart_id: str):
    """The chart's SVG and its table."""
    section = tree.get_element_by_id(f"{chart_id}-title").getparent()
    return section.find("svg[@class='bar-chart']"), section.find(".//table")


def bars(svg) -> dict[str, int]:
    """Each bar's label and the figure drawn at its end."""
    found = {}
    for group in svg.findall(".//g"):
        label = group.find("text[@class='label']").text_content()
        found[label] = group.find("text[@class='value']").text_content()
    return found


def table(element) -> dict[str, list[str]]:
    return {
        row.find("th").text_content().strip(): [
            cell.text_content().strip() for cell in row.findall("td")
        ]
        for row in element.findall(".//tbody/tr")
    }


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_page_answers_in_every_language_and_is_in_the_navigation(client, lang):
    tree = page(client, lang)
    assert tree.get("lang") == lang
    nav = tree.find(".//nav")
    assert f"/{lang}/network" in [link.get("href") for link in nav.iter("a")]
    assert len(tree.findall(".//section/svg")) == 5  # the map and four charts


def test_every_member_city_has_a_marker_that_links_to_its_page(content_app, client):
    with content_app.app_context():
        cities = {city.slug: city for city in db.session.scalars(sa.select(City))}
    tree = page(client)
    markers = tree.findall(".//section[@class='network-map']/svg/a")
    by_slug = {marker.get("href").rsplit("/", 1)[1]: marker for marker in markers}
    assert set(by_slug) == set(cities)
    for slug, marker in by_slug.items():
        assert marker.get("href") == f"/en/cities/{slug}"
        assert cities[slug].name in marker.get("aria-label")
        assert cities[slug].name in marker.find("title").text_content()
        assert marker.find("circle") is not None
    # The map is drawn on the world outline, with its source named on the page.
    assert len(tree.find(".//section[@class='network-map']/svg/path").get("d")) > 10_000
    assert "Natural Earth" in tree.get_element_by_id("credits-title").getparent().text_content()


def test_a_marker_grows_with_the_city_size_band(content_app, client):
    with content_app.app_context():
        bands = {city.slug: city.size_band.slug for city in db.session.scalars(sa.select(City))}
    tree = page(client)
    radius = {}
    for marker in tree.findall(".//section[@class='network-map']/svg/a"):
        band = bands[marker.get("href").rsplit("/", 1)[1]]
        radius.setdefault(band, set()).add(float(marker.find("circle").get("r")))
    assert len(radius) >= 3, radius  # content/ has cities of several sizes
    assert all(len(sizes) == 1 for sizes in radius.values()), radius
    ordered = [radius[band.slug].pop() for band in SIZE_BANDS if band.slug in radius]
    assert ordered == sorted(ordered) and len(set(ordered)) == len(ordered), ordered


def test_the_case_bars_show_the_published_cases_of_each_theme(content_app, client):
    with content_app.app_context():
        counted = dict(
            db.session.execute(
                sa.select(Theme.names["en"].as_string(), sa.func.count(CaseStudy.id))
                .join(case_themes, case_themes.c.theme_id == Theme.id)
                .join(CaseStudy, CaseStudy.id == case_themes.c.case_id)
                .where(CaseStudy.state == "published")
                .group_by(Theme.id)
            ).all()
        )
        every_theme = list(db.session.scalars(sa.select(Theme.names["en"].as_string())))
    svg, cells = chart(page(client), "cases-by-theme")
    drawn = bars(svg)
    assert set(drawn) == set(every_theme)
    assert {name: int(value) for name, value in drawn.items()} == {
        name: counted.get(name, 0) for name in every_theme
    }
    assert {name: [str(counted.get(name, 0))] for name in every_theme} == table(cells)
    # A bar's length is proportional to its figure.
    widths = {
        group.find("text[@class='label']").text_content(): float(group.find("rect").get("width"))
        for group in svg.findall(".//g")
        if group.find("rect") is not None
    }
    largest = max(counted.values())
    for name, width in widths.items():
        assert width == pytest.approx(
            (charts.WIDTH - charts.VALUE_ROOM) * counted[name] / largest, abs=0.1
        )


def test_the_city_exchange_and_language_charts_match_the_database(content_app, client):
    with content_app.app_context():
        cities = list(db.session.scalars(sa.select(City)))
        years = dict(
            db.session.execute(
                sa.select(Exchange.ended, sa.func.count())
                .where(Exchange.ended.is_not(None))
                .group_by(Exchange.ended)
            ).all()
        )
    tree = page(client)

    svg, cells = chart(tree, "cities-by-region")
    drawn = {label: int(value) for label, value in bars(svg).items()}
    assert drawn["Africa"] == sum(city.region == "africa" for city in cities)
    assert drawn["Europe"] == sum(city.region == "europe" for city in cities)
    assert sum(drawn.values()) == len(cities)
    europe = table(cells)["Europe"]  # one column per size band, then the total
    assert europe == [
        str(sum(c.region == "europe" and size_band(c.population) == band for c in cities))
        for band in SIZE_BANDS
    ] + [str(drawn["Europe"])]

    svg, cells = chart(tree, "exchanges-by-year")
    assert {int(label): int(value) for label, value in bars(svg).items()} == {
        year: years.get(year, 0) for year in range(min(years), max(years) + 1)
    }

    svg, cells = chart(tree, "content-languages")
    rows = table(cells)
    assert rows["English"][0] == str(
        len([1 for case in _published_cases(content_app) if "en" in case])
    )
    assert {label: int(value) for label, value in bars(svg).items()} == {
        label: int(cells[-1]) for label, cells in rows.items()
    }


def _published_cases(app) -> list[set[str]]:
    with app.app_context():
        cases = db.session.scalars(sa.select(CaseStudy).where(CaseStudy.state == "published"))
        return [{text.language for text in case.texts} for case in cases]


def test_arabic_charts_grow_from_the_right_with_their_labels_on_the_right(client):
    english, arabic = page(client, "en"), page(client, "ar")
    for chart_id in (
        "cities-by-region",
        "cases-by-theme",
        "exchanges-by-year",
        "content-languages",
    ):
        ltr, _ = chart(english, chart_id)
        rtl, _ = chart(arabic, chart_id)
        assert ltr.get("direction") == "ltr" and rtl.get("direction") == "rtl"
        for left, right in zip(ltr.findall(".//g"), rtl.findall(".//g"), strict=True):
            # Labels: at the left edge in English, at the right edge in Arabic; the anchor is
            # the text's start, which the drawing's direction puts on the right in Arabic.
            label_en, label_ar = (
                left.find("text[@class='label']"),
                right.find("text[@class='label']"),
            )
            assert float(label_en.get("x")) == 0 and float(label_ar.get("x")) == charts.WIDTH
            assert label_en.get("text-anchor") == label_ar.get("text-anchor") == "start"
            # Bars: from the left in English, from the right in Arabic, mirror images.
            rects_en, rects_ar = left.findall("rect"), right.findall("rect")
            assert len(rects_en) == len(rects_ar)
            if rects_en:
                assert float(rects_en[0].get("x")) == 0
                first = rects_ar[0]
                assert float(first.get("x")) + float(first.get("width")) == pytest.approx(
                    charts.WIDTH
                )
                for rect_en, rect_ar in zip(rects_en, rects_ar, strict=True):
                    mirrored = charts.WIDTH - float(rect_en.get("x")) - float(rect_en.get("width"))
                    assert float(rect_ar.get("x")) == pytest.approx(mirrored, abs=0.2)
            # Figures: after the bar's end, on its right in English and on its left in Arabic.
            end_en = max((float(r.get("x")) + float(r.get("width")) for r in rects_en), default=0)
            end_ar = min((float(r.get("x")) for r in rects_ar), default=charts.WIDTH)
            assert float(left.find("text[@class='value']").get("x")) > end_en
            assert float(right.find("text[@class='value']").get("x")) < end_ar
    # Labels are in Arabic, and the map itself is not mirrored.
    svg, _ = chart(arabic, "cities-by-region")
    assert "أفريقيا" in bars(svg)
    map_en = english.find(".//section[@class='network-map']/svg")
    map_ar = arabic.find(".//section[@class='network-map']/svg")
    assert [c.get("cx") for c in map_en.iter("circle")] == [
        c.get("cx") for c in map_ar.iter("circle")
    ]


def test_figures_follow_the_reader_locale(content_app):
    rows = [charts.Row("Youth", [12345])]
    series = [charts.Series("Case studies", "#000")]
    for lang, expected in {
        "en": "12,345",
        "fr": "12\u202f345",
        "es": "12.345",
        "ar": "12,345",
    }.items():
        with content_app.test_request_context(f"/{lang}/network"):
            content_app.preprocess_request()
            drawn = charts.bar_chart("test", "Test", series, rows, rtl=lang == "ar")
            macro = content_app.jinja_env.get_template("atlas/_charts.html").module.bar_chart
            tree = html.fromstring(str(macro(drawn)))
        assert tree.find(".//text[@class='value']").text_content() == expected, lang
        assert tree.find(".//tbody/tr/td").text_content() == expected, lang


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_page_makes_no_third_party_request(client, lang):
    body = client.get(f"/{lang}/network").get_data(as_text=True)
    tree = html.fromstring(body)
    addresses = [
        value
        for element in tree.iter()
        for name, value in element.items()
        if name in ("src", "href")
    ]
    assert addresses
    # The hub's own absolute addresses (canonical, alternates) share the canonical's origin.
    own = urlsplit(tree.find(".//link[@rel='canonical']").get("href")).netloc
    outside = [
        address
        for address in addresses
        if re.match(r"(?i)(https?:)?//", address) and urlsplit(address).netloc != own
    ]
    assert outside == []
    assert "<script" not in body


def test_the_page_runs_as_many_statements_however_large_the_network(database, grow_content):
    app = app_with_content(database)
    client = app.test_client()

    def statements(url: str) -> int:
        seen: list[str] = []

        def count(_conn, _cursor, statement, *_args) -> None:
            seen.append(statement)

        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get(url).status_code == 200
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        return len(seen)

    client.get("/en/cities")  # the app's first request warms what is kept per process
    # The first request after a change reads the figures; the next ones only the generation.
    before = statements("/en/network"), statements("/ar/network")
    grow_content(app, cases=60, cities=25)
    with app.app_context():
        db.session.add_all(
            Exchange(
                slug=f"grown-exchange-{number}",
                format="virtual",
                started=2015,
                ended=2015 + number,
                titles={"en": "Grown"},
            )
            for number in range(6)
        )
        db.session.commit()
    after = statements("/ar/network"), statements("/en/network")
    assert after == before
    read, kept = after
    assert kept < read <= 6, after
    # What was kept is not shown after the change: the new cities are on the map.
    markers = page(client).findall(".//section[@class='network-map']/svg/a")
    assert len(markers) == 25 + 12
