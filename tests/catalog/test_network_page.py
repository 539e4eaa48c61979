"""`/<lang>/network`: the member cities on a server-drawn map, and the network's figures as SVG
bar charts with tables, in every language and mirrored in Arabic."""

from __future__ import annotations

import re

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
    return section.find(".//svg"), section.find(".//table")


def bars(svg) -> dict[str, int]:
    """Each bar's label and the figure drawn at its end."""
    found = {}
    for group in svg.findall(".//g"):
        label = group.find("text[@class='label']").text_content()
        found[label] = group.find("text[@class='value']").text_content()
    return found


def table(element) -> dict[str, list[str]]:
    return {
        row.find("th").text_content().strip(): [cell.text_content().strip() for cell in row.findall("td")]
        for row in element.findall(".//tbody/tr")
    }


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_page_answers_in_every_language_and_is_in_the_navigation(client, lang):
    tree = page(client, lang)
    assert tree.get("lang") == lang
    nav = tree.find(".//nav")
    assert f"/{lang}/network" in [link.get("href") for link in nav.iter("a")]
    assert len(tree.findall(".//section/svg")) == 5  # the map and four charts
