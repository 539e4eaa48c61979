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
