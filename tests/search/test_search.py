"""Search on the network's real content, through the page and the JSON API."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from hub import search
from hub.cities.models import City
from hub.content import files as content_files
from hub.extensions import db
from hub.publishing.models import CaseStudy
from hub.search import indexer
from tests.conftest import CONTENT


def api(client, **params) -> dict:
    response = client.get("/api/v1/search", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def own_cities(content_app) -> dict[str, set[str]]:
    """For each result URL tail, the slugs of the cities the record belongs to."""
    with content_app.app_context():
        owned = {}
        for case in db.session.scalars(sa.select(CaseStudy)):
            owned[f"cases/{case.slug}"] = {city.slug for city in case.cities}
        for city in db.session.scalars(sa.select(City)):
            owned[f"cities/{city.slug}"] = {city.slug}
        return owned


@pytest.mark.parametrize(("query", "slug"), [("Mombasa", "mombasa"), ("Saida", "saida"),
                                             ("مومباسا", "mombasa"), ("Blantyre", "blantyre")])  # fmt: skip
def test_a_city_name_finds_that_citys_records_first(content_app, client, query, slug):
    owned = own_cities(content_app)
    results = api(client, q=query)["results"]
    tails = [r["url"].split("/", 2)[2] for r in results if r["kind"] != "webinar"]
    belongs = [slug in owned[tail] for tail in tails]
    assert belongs[0] and tails[0] == f"cities/{slug}"
    assert belongs == sorted(belongs, reverse=True), tails  # all of its own before any other


@pytest.mark.parametrize(
    "forms",
    [
        ("الكراهية", "كراهية", "للكراهية"),
        ("المجتمعات", "مجتمعات", "والمجتمعات"),
        ("المدينة", "مدينة", "والمدينة"),
        ("التطرف", "تطرف", "بالتطرف"),
    ],
)
def test_an_arabic_word_in_one_form_finds_the_others(client, forms):
    found = [
        {r["url"] for r in api(client, q=form, lang="ar", per_page=100)["results"]}
        for form in forms
    ]
    assert found[0], forms
    assert all(urls == found[0] for urls in found), forms


def test_arabic_results_show_the_arabic_version_with_highlights(client):
    result = api(client, q="التطرف العنيف", lang="ar")["results"][0]
    assert result["language"] == "ar" and result["url"].startswith("/ar/")
    assert "<mark>" in result["snippet"]


@pytest.mark.parametrize("lang", ["en", "ar", "fr", "es"])
def test_the_same_query_in_each_language_finds_that_languages_version(content_app, client, lang):
    with content_app.app_context():
        case = db.session.scalar(sa.select(CaseStudy).filter_by(slug="mombasa-county-action-plan"))
        title = case.text_in(lang).title
    # The reader's interface is English: the language of the words decides the version shown.
    results = api(client, q=title, lang="en")["results"]
    top = results[0]
    assert top["url"] == f"/{lang}/cases/mombasa-county-action-plan", [
        r["url"] for r in results[:3]
    ]
    assert top["language"] == lang and top["title"] == title


def test_a_record_appears_once_with_its_other_languages(client):
    results = api(client, q="Mombasa action plan", lang="fr")["results"]
    urls = [r["url"].split("/", 2)[2] for r in results]
    assert len(urls) == len(set(urls))
    top = results[0]
    assert top["url"] == "/fr/cases/mombasa-county-action-plan"
    assert set(top["languages"]) == {"en", "ar", "fr", "es"}


def test_query_language(client):
    def urls(q):
        return {r["url"].split("/", 2)[2] for r in api(client, q=q, per_page=100)["results"]}

    both = urls("weapons amnesty")
    # In this order the words are a thesaurus term, also searched as its synonyms and
    # equivalents (العفو عن الأسلحة): a superset of the same words in any order.
    assert "cases/mombasa-peace-committee-weapons-amnesty" in urls("amnesty weapons") <= both
    assert urls('"weapons amnesty"') <= both
    assert not urls('"amnesty weapons police"')
    assert urls("amnesty OR vaccination") >= urls("amnesty") | urls("vaccination")
    assert "cases/mombasa-peace-committee-weapons-amnesty" not in urls("police -amnesty")
    # A quoted word is searched as typed, without the thesaurus's synonyms (coronavirus...).
    assert urls("vaccin*") >= urls('"vaccination"')


def test_json_api_shape(client):
    body = api(client, q="hate speech", lang="en", per_page=5)
    assert set(body) >= {"query", "total", "page", "per_page", "results", "facets", "suggestion"}
    assert body["query"] == "hate speech" and body["page"] == 1 and body["per_page"] == 5
    assert 0 < len(body["results"]) <= 5 <= body["total"] or len(body["results"]) == body["total"]
    result = body["results"][0]
    assert set(result) >= {"kind", "id", "title", "url", "language", "snippet", "score"}
    assert set(body["facets"]) == {"kind", "theme", "region", "size", "language", "year"}


def test_facet_counts_equal_the_filtered_totals(client):
    body = api(client, q="city OR cities OR المدن", per_page=100)
    assert body["total"] > 5
    for facet, counts in body["facets"].items():
        for value, count in counts.items():
            filtered = api(client, q="city OR cities OR المدن", per_page=100, **{facet: value})
            assert filtered["total"] == count, (facet, value)
            assert len(filtered["results"]) == count


def test_filters_combine_and_pages_keep_them(client):
    everything = api(client, q="community", per_page=100)
    narrowed = api(client, q="community", kind="case", region="africa", per_page=2)
    assert narrowed["total"] < everything["total"]
    assert all(r["kind"] == "case" for r in narrowed["results"])
    page_two = api(client, q="community", kind="case", region="africa", per_page=2, page=2)
    assert not {r["url"] for r in page_two["results"]} & {r["url"] for r in narrowed["results"]}


def test_newest_first(client):
    results = api(client, q="network", sort="newest", per_page=100)["results"]
    dates = [r["date"] or "" for r in results]
    assert dates == sorted(dates, reverse=True)


def test_few_hits_offer_a_spelling_from_the_index(client):
    assert api(client, q="Mombsa")["suggestion"] == "mombasa"
    assert api(client, q="Mombasa")["suggestion"] is None
    # Nothing has the word typed: the page shows the suggestion's results and says so.
    body = get(client, "/en/search?q=Kristiansnd")
    assert "Showing results for" in body and "kristiansand" in body


def get(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.get_data(as_text=True)


def test_search_page_in_each_language(client):
    body = get(client, "/ar/search?q=الشباب")
    assert '<html lang="ar" dir="rtl">' in body
    assert "<mark>" in body
    assert 'href="/ar/cases/mombasa-peace-committee-weapons-amnesty"' in body
    body = get(client, "/fr/search?q=Mombasa&kind=case")
    assert "Études de cas" in body


BAD_QUERIES = [
    '"unbalanced', "(brackets", "brackets)", "[x", "{y}", "OR", "-", "*", '"', "title:", "title:foo",
    "a" * 10_000, "mombasa\x00", "\x01\x02\x03", "\u200fمومباسا\u200e", "", "   ", "the of and",
    "-mombasa", "AND NOT", "^2 ~3", "\\", "🙂", "Mombasa مومباسا", "%00", "<script>alert(1)</script>",
]  # fmt: skip


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_bad_queries_never_fail(client, query):
    for lang in ("en", "ar"):
        body = api(client, q=query, lang=lang)
        assert isinstance(body["results"], list)
        page = client.get(f"/{lang}/search", query_string={"q": query})
        assert page.status_code == 200
        assert "<script>alert" not in page.get_data(as_text=True)


def test_long_queries_are_cut_and_say_so(client):
    body = api(client, q="mombasa " * 2000)
    assert body["truncated"] is True
    assert "only its first part was used" in get(client, "/en/search?q=" + "mombasa+" * 2000)


def test_queries_with_nothing_to_search_say_why(client):
    assert "excluded words alone find nothing" in get(client, "/en/search?q=-mombasa")
    assert "nothing to search for" in get(client, "/en/search?q=%22%22")


@pytest.mark.parametrize(
    "params",
    [{"per_page": "101"}, {"per_page": "0"}, {"page": "0"}, {"page": "x"}, {"kind": "recipe"},
     {"sort": "random"}, {"lang": "de"}, {"year": "soon"}, {"region": "\x00"}, {"theme": "a b"}],
)  # fmt: skip
def test_bad_parameters_get_a_clear_400(client, params):
    response = client.get("/api/v1/search", query_string={"q": "mombasa", **params})
    assert response.status_code == 400
    assert set(response.get_json()["errors"]) == set(params)
    page = client.get("/en/search", query_string={"q": "mombasa", **params})
    assert page.status_code == 400


def test_snippets_escape_the_text_and_mark_only_the_words(app):
    with app.app_context():
        content_files.load_directory(CONTENT)
        db.session.commit()
        case = db.session.scalar(sa.select(CaseStudy).filter_by(slug="mombasa-county-action-plan"))
        case.original.summary = "Beware <script>alert('x')</script> & zebras <b>here</b>."
        db.session.commit()
        indexer.rebuild(search.store())
    body = app.test_client().get("/api/v1/search?q=zebras").get_json()
    snippet = body["results"][0]["snippet"]
    assert "<script>" not in snippet and "<b>" not in snippet
    # Snippets are text: HTML tags in a Markdown text are dropped, the rest escaped.
    assert "alert(&#39;x&#39;)" in snippet and "&amp;" in snippet
    assert re.findall(r"<[^>]+>", snippet) == ["<mark>", "</mark>"]


def test_result_dates_keep_their_precision(client):
    webinar = api(client, q="Fragility Forum", kind="webinar")["results"][0]
    assert webinar["date"] == "2022-03"
    case = api(client, q="transatlantic dialogue", kind="case")["results"][0]
    assert case["date"] == "2024-03-22"
    page = get(client, "/en/search?q=Fragility+Forum&kind=webinar")
    assert "March 2022" in page and "March 1, 2022" not in page
    assert "22 mars 2024" in get(client, "/fr/search?q=transatlantic+dialogue&kind=case")


def test_bad_parameters_are_explained_in_the_readers_language(client):
    response = client.get("/api/v1/search?q=mombasa&page=0&lang=fr&region=mars")
    assert response.status_code == 400
    assert response.get_json() == {
        "errors": {
            "page": "Le numéro de page doit être un nombre entier égal ou supérieur à 1.",
            "region": "Valeur inconnue pour ce filtre.",
        }
    }
    page = get(client, "/ar/search?q=mombasa&page=0", 400)
    assert '<html lang="ar" dir="rtl">' in page


def test_the_search_page_searches_in_its_own_language_unless_told(client):
    assert api(client, q="Mombasa action plan")["results"][0]["language"] == "en"
    body = get(client, "/fr/search?q=Mombasa+action+plan")
    assert 'href="/fr/cases/mombasa-county-action-plan"' in body
