"""The search box's query language, run against a real on-disk index."""

from __future__ import annotations

import pytest
from whoosh.index import create_in, open_dir

from hub.search.query import EMPTY, MAX_QUERY_LENGTH, MAX_TERMS, ONLY_EXCLUDED, parse_query
from hub.search.schema import TEXT_FIELDS, build_schema

DOCS = [
    {
        "doc_id": "case:speech",
        "title_en": "Hate speech online",
        "body_en": "Community networks answer hate speech online.",
    },
    {
        "doc_id": "case:reversed",
        "title_en": "Speaking about online hate",
        "body_en": "Speech by leaders about online hate.",
    },
    {
        "doc_id": "case:youth",
        "title_en": "Youth peace ambassadors",
        "body_en": "Young people trained as peace ambassadors in schools.",
    },
    {
        "doc_id": "case:women",
        "title_en": "Women mediators",
        "body_en": "Women mediators keep the peace between neighbourhoods.",
    },
    {
        "doc_id": "case:both",
        "title_en": "Youth and women councils",
        "body_en": "Councils where youth and women sit with the mayor.",
    },
    {
        "doc_id": "case:police",
        "title_en": "Police and community trust",
        "body_en": "Police officers meet community organizations every month.",
    },
    {
        "doc_id": "city:la",
        "title_en": "LA",
        "body_en": "Los Angeles, known as LA, joined the network.",
    },
    {
        "doc_id": "case:saida",
        "title_fr": "Cohésion sociale à Saïda",
        "body_fr": "Les villes renforcent la cohésion sociale.",
        "title_ar": "التماسك الاجتماعي في صيدا",
        "body_ar": "تعمل المدينة مع وزارة الداخلية على الوقاية من الكراهية.",
    },
    {
        "doc_id": "case:mombasa",
        "title_ar": "شبكة المدن القوية في مومباسا",
        "body_ar": "تتعاون المُدُنُ والبلديات لمواجهة خطاب الكراهية على الإنترنت.",
        "title_es": "Comunidades de Mombasa",
        "body_es": "La población participa en la prevención.",
    },
]


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    directory = tmp_path_factory.mktemp("index")
    writer = create_in(str(directory), build_schema()).writer()
    for doc in DOCS:
        writer.add_document(kind=doc["doc_id"].split(":")[0], **doc)
    writer.commit()
    with open_dir(str(directory)).searcher() as searcher:
        yield searcher


def search(searcher, text: str) -> set[str]:
    parsed = parse_query(text, TEXT_FIELDS)
    if parsed.query is None:
        return set()
    return {hit["doc_id"] for hit in searcher.search(parsed.query, limit=None)}


def test_all_words_must_match(searcher):
    assert search(searcher, "hate online") == {"case:speech", "case:reversed"}
    assert search(searcher, "hate community") == {"case:speech"}


def test_a_word_matches_in_any_language(searcher):
    assert search(searcher, "cohesion") == {"case:saida"}
    assert search(searcher, "الكراهية") == {"case:saida", "case:mombasa"}
    assert search(searcher, "poblacion") == {"case:mombasa"}


def test_words_from_two_languages_can_meet_in_one_record(searcher):
    assert search(searcher, "Saïda وزارة") == {"case:saida"}
    assert search(searcher, "comunidades الإنترنت") == {"case:mombasa"}


def test_english_stop_words_do_not_empty_the_results(searcher):
    assert search(searcher, "the youth of the city") == search(searcher, "youth city")
    assert search(searcher, "women and the peace") == {"case:women"}


def test_a_stop_word_of_one_language_is_still_a_word_in_another(searcher):
    # "la" is French and Spanish for "the", and a city in English.
    assert search(searcher, "LA") == {"city:la"}
    assert search(searcher, "la peace") == {"case:youth", "case:women"}


def test_phrases_need_the_words_in_order(searcher):
    # (Stop words are not indexed, so a phrase also matches across them: "speech about hate".)
    assert search(searcher, '"hate speech"') == {"case:speech"}
    assert search(searcher, '"speech hate"') == set()
    assert search(searcher, "hate speech") == {"case:speech", "case:reversed"}


def test_phrases_skip_stop_words_and_match_in_arabic(searcher):
    assert search(searcher, '"youth and women"') == {"case:both"}
    assert search(searcher, '"خطاب الكراهية"') == {"case:mombasa"}
    assert search(searcher, '"الكراهية خطاب"') == set()


def test_or_joins_the_two_words_around_it(searcher):
    assert search(searcher, "youth OR women") == {"case:youth", "case:women", "case:both"}
    assert search(searcher, "youth OR women mediators") == {"case:women"}
    assert search(searcher, "mediators youth OR women") == {"case:women"}


def test_lowercase_or_is_an_ordinary_word(searcher):
    assert search(searcher, "youth or women") == {"case:both"}


def test_and_not_keywords_are_words_not_operators(searcher):
    assert search(searcher, "youth NOT women") == {"case:both"}
    assert search(searcher, "youth AND women") == {"case:both"}


def test_minus_excludes(searcher):
    assert search(searcher, "community -police") == {"case:speech"}
    assert search(searcher, 'hate -"speech online"') == {"case:reversed"}
    assert search(searcher, "الكراهية -وزارة") == {"case:mombasa"}


def test_only_excluded_words_is_a_problem_not_everything(searcher):
    parsed = parse_query("-police -hate", TEXT_FIELDS)
    assert parsed.query is None
    assert parsed.problem == ONLY_EXCLUDED


def test_prefix_finds_words_beginning_with_it(searcher):
    assert search(searcher, "communit*") == {"case:speech", "case:police"}
    assert search(searcher, "mediat*") == {"case:women"}
    assert search(searcher, "organiz*") == {"case:police"}
    # A whole word with a star: the index holds the stem "communiti", shorter than the word.
    assert search(searcher, "communities*") == {"case:speech", "case:police"}


def test_arabic_prefix_matches_with_or_without_the_article(searcher):
    # مدينة and its broken plural المدن (case:mombasa) share an index term.
    assert search(searcher, "مدي*") == {"case:saida", "case:mombasa"}
    assert search(searcher, "المدي*") == {"case:saida", "case:mombasa"}
    assert search(searcher, "بلدي*") == {"case:mombasa"}


def test_a_one_letter_prefix_is_a_plain_word(searcher):
    parsed = parse_query("c*", TEXT_FIELDS)
    assert parsed.query is None and parsed.problem == EMPTY


def test_field_syntax_is_plain_text(searcher):
    parsed = parse_query("title:youth", TEXT_FIELDS)
    assert parsed.words == ("title", "youth")
    assert search(searcher, "body:peace") == set()  # "body" is a word nobody wrote


def test_words_are_the_normalized_user_words_for_did_you_mean():
    parsed = parse_query('Cohésion "Hate Speech" -police OR communit* المُدُنُ', TEXT_FIELDS)
    assert parsed.words == ("cohesion", "hate", "speech", "المدن")


def test_the_number_of_terms_is_capped():
    parsed = parse_query(" ".join(f"word{i}" for i in range(MAX_TERMS + 10)), TEXT_FIELDS)
    assert len(parsed.words) == MAX_TERMS


def test_long_input_is_cut(searcher):
    parsed = parse_query("hate " * 2000, TEXT_FIELDS)
    assert searcher.search(parsed.query)
    assert len(list(parsed.query.leaves())) <= MAX_TERMS * len(TEXT_FIELDS)
    assert parsed.truncated
    assert not parse_query("hate " * 20, TEXT_FIELDS).truncated


def test_invisible_characters_do_not_split_or_hide_words(searcher):
    assert search(searcher, "po\u200blice") == {"case:police"}
    assert search(searcher, "\u202bالكراهية\u202c \u200fوزارة") == {"case:saida"}
    assert search(searcher, "police\x00community\tmonth") == {"case:police"}


def test_typographic_quotes_make_a_phrase(searcher):
    assert search(searcher, "“speech hate”") == set()
    assert search(searcher, "“hate speech”") == {"case:speech"}


BAD_INPUT = [
    "",
    "   ",
    "\t\n",
    '"',
    '""',
    '"hate speech',
    'hate "speech',
    '"hate" "',
    "(hate",
    "hate)",
    "[hate TO speech]",
    "{hate}",
    "hate^2",
    "hate~",
    "ha*te",
    "h?te",
    "\\hate",
    "OR",
    "OR hate",
    "hate OR",
    "OR OR OR",
    "-",
    "- hate",
    "--hate",
    "*",
    "**",
    "hate*",
    "title:",
    "title:hate",
    ":",
    "AND",
    "NOT hate",
    "hate AND NOT",
    "x" * 10_000,
    "hate " * 2_000,
    "\x00",
    "hate\x00speech",
    "\x01\x02\x1b[31m",
    "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
    "\ufeff\u200b\u200c\u200d",
    "\ud800",
    "😀",
    "hate 😀",
    "the of and",
    "في من على",
    "مدينة city",
    "السلام peace 2022",
    "ﷲ ﷺ",
    '-""',
    'a" b "c',
    "٢٠٢٢",
    "%",
    "'; DROP TABLE records; --",
    "<script>alert(1)</script>",
]


@pytest.mark.parametrize("text", BAD_INPUT)
def test_bad_input_is_searched_or_explained_never_raises(searcher, text):
    parsed = parse_query(text, TEXT_FIELDS)
    if parsed.query is None:
        assert parsed.problem in (EMPTY, ONLY_EXCLUDED)
    else:
        assert parsed.problem is None
        searcher.search(parsed.query)
    assert parsed.truncated == (len(text) > MAX_QUERY_LENGTH)


@pytest.mark.parametrize("text", ["", "   ", '"', "OR", "-", "*", "the of and", "في من على", "😀"])
def test_nothing_to_search_for_is_empty(text):
    parsed = parse_query(text, TEXT_FIELDS)
    assert (parsed.query, parsed.problem) == (None, EMPTY)
