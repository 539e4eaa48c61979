"""The catalogs cover every string of the code, translated and reviewed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.conftest import ROOT

LOCALES = ("ar", "fr", "es")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> dict:
    """The messages in the code right now, extracted as `make extract-messages` does."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(
        [str(pybabel), "extract", "-F", "babel.cfg", "-k", "_l", "-o", str(pot), "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as handle:
        return {message.id: message for message in read_po(handle) if message.id}


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_translates_every_string(extracted, locale):
    path = ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    assert len(extracted) > 100  # the extraction itself worked
    missing, untranslated, fuzzy = [], [], []
    for msgid in extracted:
        message = catalog.get(msgid)
        if message is None:
            missing.append(msgid)
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            untranslated.append(msgid)
        if message.fuzzy:
            fuzzy.append(msgid)
    assert not missing, f"run `make update-catalogs`: {missing}"
    assert not untranslated, untranslated
    assert not fuzzy, fuzzy
    # Placeholders such as %(date)s must survive translation.
    problems = [(message.id, errors) for message, errors in catalog.check() if errors]
    assert not problems, problems


def test_mail_in_another_language_in_the_middle_of_a_page_leaves_the_page_in_its_own(app):
    """The reader's catalog is looked up once per request; `force_locale` (mail in its
    recipient's language) switches it for its block only, in code and in templates alike."""
    from babel.support import Translations
    from flask import render_template_string

    from hub.i18n import current_language, force_locale, gettext, lazy_gettext, ngettext

    def catalog(lang: str) -> Translations:
        return Translations.load(str(ROOT / "translations"), [lang])

    label = lazy_gettext("Case studies")
    template = "{{ _('Case studies') }}|{{ ngettext('%(num)s result', '%(num)s results', 3) }}"
    with app.test_request_context("/fr/cases"):
        app.preprocess_request()
        french = catalog("fr").ugettext("Case studies")
        arabic = catalog("ar").ugettext("Case studies")
        assert french != arabic != "Case studies"
        assert (current_language(), gettext("Case studies"), str(label)) == ("fr", french, french)
        with force_locale("ar"):
            assert (current_language(), gettext("Case studies"), str(label)) == (
                "ar",
                arabic,
                arabic,
            )
            three = catalog("ar").ungettext("%(num)s result", "%(num)s results", 3) % {"num": 3}
            assert render_template_string(template) == f"{arabic}|{three}"
            assert ngettext("%(num)s result", "%(num)s results", 3) == three
        assert (current_language(), gettext("Case studies"), str(label)) == ("fr", french, french)
        assert render_template_string(template).startswith(f"{french}|")
