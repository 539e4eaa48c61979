"""Reason sentences as a reader reads them: whole sentences in each language, each count said
once in its plural form, and the requesting city addressed as "your" only by its own people."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from hub.cities.models import City
from hub.exchanges.reasons import reason
from hub.extensions import db
from tests.exchanges.test_exchange_pages import ask, person, site, text  # noqa: F401

# Facts of a city with nothing on the themes, one shared language, nothing else in common.
BARE = {
    "themes_covered": ["local-action-plans"],
    "evaluated_cases_on_themes": 0,
    "monitored_cases_on_themes": 0,
    "other_cases_on_themes": 0,
    "exchanges_on_themes": 0,
    "declared_expertise_on_themes": [],
    "shared_languages": ["en"],
    "same_region": False,
    "same_country": False,
    "earlier_relation": False,
}


def sentence(app, lang: str, requester: str | None = None, **facts) -> str:
    with app.test_request_context(f"/{lang}/"):
        mombasa = db.session.scalar(sa.select(City).filter_by(slug="mombasa"))
        named = db.session.scalar(sa.select(City).filter_by(slug=requester)) if requester else None
        return reason(mombasa, {**BARE, **facts}, named)


@pytest.mark.parametrize(
    "lang, count, expected",
    [
        ("en", 1, "Mombasa has one case study on local action plans. It works in English."),
        ("en", 3, "Mombasa has 3 case studies on local action plans. It works in English."),
        ("fr", 1, "Mombasa a une étude de cas sur les plans d’action locaux. Elle travaille en anglais."),
        ("fr", 3, "Mombasa a 3 études de cas sur les plans d’action locaux. Elle travaille en anglais."),
        ("es", 1, "Mombasa tiene un estudio de caso sobre los planes de acción locales. Además, trabaja en inglés."),
        ("es", 3, "Mombasa tiene 3 estudios de caso sobre los planes de acción locales. Además, trabaja en inglés."),
        ("ar", 1, "لدى مومباسا دراسة حالة واحدة حول خطط العمل المحلية. وهي تعمل باللغة الإنجليزية."),
        ("ar", 2, "لدى مومباسا دراستا حالة حول خطط العمل المحلية. وهي تعمل باللغة الإنجليزية."),
        ("ar", 3, "لدى مومباسا 3 دراسات حالة حول خطط العمل المحلية. وهي تعمل باللغة الإنجليزية."),
        ("ar", 11, "لدى مومباسا 11 دراسة حالة حول خطط العمل المحلية. وهي تعمل باللغة الإنجليزية."),
    ],
)  # fmt: skip
def test_a_count_is_said_once_in_its_plural_form(content_app, lang, count, expected):
    assert sentence(content_app, lang, other_cases_on_themes=count) == expected


@pytest.mark.parametrize(
    "lang, expected",
    [
        ("en", "Mombasa has 4 case studies on local action plans and youth, including one independently evaluated and 2 monitored, and has been the mentor city in 2 exchanges. It works in English and Swahili, is in your region, and has worked with your city before."),
        ("fr", "Mombasa a 4 études de cas sur les plans d’action locaux et la jeunesse, dont une évaluée de manière indépendante et 2 faisant l’objet d’un suivi, et a été la ville mentore de 2 échanges. Elle travaille en anglais et swahili, est dans votre région et a déjà travaillé avec votre ville."),
        ("es", "Mombasa tiene 4 estudios de caso sobre los planes de acción locales y la juventud, entre ellos uno con evaluación independiente y 2 con seguimiento, y ha sido la ciudad mentora en 2 intercambios. Además, trabaja en inglés y suajili, está en su región y ya ha trabajado con su ciudad."),
        ("ar", "لدى مومباسا 4 دراسات حالة حول خطط العمل المحلية والشباب، منها واحدة مقيَّمة تقييمًا مستقلًّا واثنتان خاضعتان للمتابعة، وكانت المدينة المرشدة في تبادلين. وهي تعمل باللغتين الإنجليزية والسواحلية وتقع في منطقتكم وسبق أن عملت مع مدينتكم."),
    ],
)  # fmt: skip
def test_mixed_evidence_reads_as_one_sentence_without_repeating_cases(content_app, lang, expected):
    facts = {
        "themes_covered": ["local-action-plans", "youth"],
        "evaluated_cases_on_themes": 1,
        "monitored_cases_on_themes": 2,
        "other_cases_on_themes": 1,
        "exchanges_on_themes": 2,
        "shared_languages": ["en", "sw"],
        "same_region": True,
        "earlier_relation": True,
    }
    assert sentence(content_app, lang, **facts) == expected


@pytest.mark.parametrize(
    "lang, expected",
    [
        ("en", "Mombasa has one monitored case study on local action plans and has been the mentor city in one exchange. It shares no working language with Zanzibar, is in the same country, and has worked with it before."),
        ("fr", "Mombasa a une étude de cas faisant l’objet d’un suivi sur les plans d’action locaux et a été la ville mentore d’un échange. Elle n’a aucune langue de travail en commun avec Zanzibar, est dans le même pays et a déjà travaillé avec elle."),
        ("es", "Mombasa tiene un estudio de caso con seguimiento sobre los planes de acción locales y ha sido la ciudad mentora en un intercambio. Además, no comparte ninguna lengua de trabajo con Zanzíbar, está en el mismo país y ya ha trabajado con ella."),
        ("ar", "لدى مومباسا دراسة حالة واحدة خاضعة للمتابعة حول خطط العمل المحلية، وكانت المدينة المرشدة في تبادل واحد. وهي لا تشترك مع زنجبار في أي لغة عمل وتقع في البلد نفسه وسبق أن عملت معها."),
    ],
)  # fmt: skip
def test_staff_read_the_requesting_citys_name_once(content_app, lang, expected):
    facts = {
        "monitored_cases_on_themes": 1,
        "exchanges_on_themes": 1,
        "shared_languages": [],
        "same_country": True,
        "earlier_relation": True,
    }
    assert sentence(content_app, lang, "zanzibar", **facts) == expected


@pytest.mark.parametrize(
    "lang, expected",
    [
        ("en", "Mombasa has been the mentor city in 11 exchanges on local action plans. It works in English, French, and Arabic."),
        ("ar", "مومباسا كانت المدينة المرشدة في 11 تبادلًا حول خطط العمل المحلية. وهي تعمل باللغات الإنجليزية والفرنسية والعربية."),
        ("fr", "Mombasa a été la ville mentore de 11 échanges sur les plans d’action locaux. Elle travaille en anglais, français et arabe."),
    ],
)  # fmt: skip
def test_exchanges_alone_and_several_languages(content_app, lang, expected):
    facts = {"exchanges_on_themes": 11, "shared_languages": ["en", "fr", "ar"]}
    assert sentence(content_app, lang, **facts) == expected


def test_declared_expertise_and_an_unlisted_theme(content_app):
    declared = {"declared_expertise_on_themes": ["monitoring-evaluation"]}
    assert sentence(content_app, "fr", **declared) == (
        "Mombasa déclare une expertise sur le suivi et l’évaluation. Elle travaille en anglais."
    )
    with content_app.app_context():
        db.session.execute(sa.text("UPDATE themes SET slug = 'new-theme' WHERE slug = 'youth'"))
        try:
            said = sentence(
                content_app, "en", themes_covered=["new-theme"], other_cases_on_themes=2
            )
        finally:
            db.session.rollback()
    assert said == "Mombasa has 2 case studies on the theme “Youth”. It works in English."


def test_your_region_for_the_city_the_requesting_citys_name_for_staff(site):  # noqa: F811
    request_id = ask(site)
    own = text(person(site, "zanzibar").get(f"/en/exchanges/{request_id}"))
    assert "Mombasa has " in own and "is in your region" in own
    staff = person(site, "staff")
    detail = text(staff.get(f"/en/exchanges/{request_id}"))
    preview = text(staff.post("/en/exchanges/rounds", data={"dry_run": "1"}))
    for page in (detail, preview):
        assert "Mombasa has " in page
        assert "your region" not in page and "your city" not in page
        assert "is in the same region as Zanzibar" in page
    staff.post("/en/exchanges/rounds", data={"dry_run": "0"})
    board = text(staff.get("/en/exchanges/staff"))
    assert "is in the same region as Zanzibar" in board and "your region" not in board
    arabic = text(staff.post("/ar/exchanges/rounds", data={"dry_run": "1"}))
    assert "منطقتكم" not in arabic
