"""A case printed from Chromium: one or two A4 pages with its facts, source and address, and no
navigation. Chromium prints with the hub's print stylesheet; pypdf counts and reads the pages."""

from __future__ import annotations

import base64
import io
import unicodedata

import pytest
import sqlalchemy as sa

from hub.extensions import db
from hub.publishing.models import CaseStudy

# The longest case in words, in its original and a translated version, and a short one.
PRINTED = ["transatlantic-dialogue-initiative-2023-findings", "mombasa-county-action-plan"]


def print_to_pdf(driver, url: str):
    from pypdf import PdfReader
    from selenium.webdriver.common.print_page_options import PrintOptions

    driver.get(url)
    options = PrintOptions()
    options.page_width, options.page_height = 21.0, 29.7  # A4, in centimetres
    return PdfReader(io.BytesIO(base64.b64decode(driver.print_page(options))))


def longest_case(app) -> str:
    with app.app_context():
        cases = db.session.scalars(sa.select(CaseStudy).where(CaseStudy.state == "published"))
        return max(cases, key=lambda case: case.original.reading_minutes).slug


@pytest.mark.parametrize("lang", ["en", "ar", "fr"])
def test_a_case_prints_on_one_or_two_a4_pages(served, browser, lang):
    base = served.config["test_base"]
    for slug in {longest_case(served), *PRINTED}:
        pdf = print_to_pdf(browser, f"{base}/{lang}/cases/{slug}")
        assert 1 <= len(pdf.pages) <= 2, (slug, lang, len(pdf.pages))
        width, height = (float(n) for n in pdf.pages[0].mediabox[2:])
        assert (round(width / 72 * 2.54, 1), round(height / 72 * 2.54, 1)) == (21.0, 29.7)
        if lang == "ar":
            continue  # pypdf reads Arabic glyphs out of order: the page count is the check
        # NFKC undoes the ligatures a PDF prints ("ﬁ" in "findings").
        text = unicodedata.normalize("NFKC", " ".join(page.extract_text() for page in pdf.pages))
        assert f"/{lang}/cases/{slug}" in text.replace("\n", "")  # the page's address
        assert "Strong Cities Network" in text  # its source
        assert ("Evidence" if lang == "en" else "Données probantes") in text  # the facts box
        for navigation in ("Skip to content", "Sign in", "Peer exchanges", "Se connecter"):
            assert navigation not in text
