"""Per-language text analysis: what the index stores and what queries are matched against.

Arabic: diacritics and tatweel are removed, آ أ إ ٱ read as ا and ى as ي, particles are dropped,
and a light stemmer strips the attached و ف, the article (ال بال كال لل), possessive endings
(ها هم نا ه ...) and the suffixes ة ات ون ين ي, so المدينة / بالمدينة / مدينتنا all find مدينة.
Broken plurals are joined to their singular by a table of the field's frequent nouns (لجان → لجنة,
مدن → مدينة), and words the stemmer would fold into another (السلامة "safety" into السلام "peace")
keep a term of their own: both lists are data, in `arabic.yaml`. Other broken plurals and most verb
forms are not joined; words whose own first letter is و or ف (وزارة, فريق) are protected by a list,
so a rare one missing from it may lose that letter.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from functools import cache, lru_cache
from pathlib import Path

import Stemmer
import yaml
from whoosh.analysis import Analyzer, Filter, RegexTokenizer, StopFilter, Token
from whoosh.lang import stopwords_for_language

# libyaml when installed: the pure-Python loader takes most of a second on these files.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

LANGUAGES = ("en", "ar", "fr", "es")

SNOWBALL_ALGORITHMS = {"en": "english", "fr": "french", "es": "spanish", "ar": "arabic"}

# Distinct words seen by one process stay well under this; beyond it the least recent are dropped.
STEM_CACHE_SIZE = 100_000

# Marks that may sit inside a word: Latin combining accents (text in NFD form), the Arabic
# diacritics (Python's \w does not match them, so a vowelled word would be cut in pieces) and
# the zero-width joiners used in Arabic script.
_WORD_MARKS = "\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u200c\u200d"
# A word starts with a letter or digit; "u.s.a" and "3.5" stay one word, as in Whoosh's default.
TOKEN_PATTERN = rf"\w[\w{_WORD_MARKS}]*(?:\.\w[\w{_WORD_MARKS}]*)*"


def _fold_table() -> dict[int, str | None]:
    """One str.translate table: Arabic spelling variants, digits and Latin accents."""
    table: dict[int, str | None] = {}
    for start, end in ((0x0300, 0x036F), (0x0610, 0x061A), (0x064B, 0x065F), (0x06D6, 0x06ED)):
        table.update(dict.fromkeys(range(start, end + 1)))
    table.update(dict.fromkeys(map(ord, "\u0670\u0640\u200c\u200d")))  # dagger alef, tatweel
    table.update({ord(c): "ا" for c in "آأإٱ"})
    table.update({ord("ى"): "ي", ord("ی"): "ي", ord("ک"): "ك"})  # and the Persian forms
    for zero in (0x0660, 0x06F0):  # Arabic-Indic and Persian digits
        table.update({zero + i: str(i) for i in range(10)})
    for code in (*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00)):
        base = "".join(
            c for c in unicodedata.normalize("NFKD", chr(code)) if not unicodedata.combining(c)
        )
        if base != chr(code) and base.isascii() and base.isalpha():
            table[code] = base.lower()
    # Letters NFKD does not take apart.
    special = {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "ł": "l"}
    table.update({ord(k): v for k, v in special.items()})
    table[ord("ı")] = "i"
    return table


_FOLD = _fold_table()


def normalize_word(text: str) -> str:
    """NFKC, lowercase, Arabic spelling variants unified, diacritics and accents removed."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKC", text).lower().translate(_FOLD)


class NormalizeFilter(Filter):
    """normalize_word on every token; tokens left empty (a lone tatweel) are dropped."""

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        for t in tokens:
            text = normalize_word(t.text)
            if text:
                t.text = text
                yield t


# Stemmer objects keep state while they work, so each thread gets its own.
_thread_stemmers = threading.local()


def _stemmer(algorithm: str) -> Stemmer.Stemmer:
    stemmers = _thread_stemmers.__dict__.setdefault("by_algorithm", {})
    if algorithm not in stemmers:
        stemmers[algorithm] = Stemmer.Stemmer(algorithm, 0)  # 0: we cache ourselves
    return stemmers[algorithm]


# Accents are folded before stemming, so that a query typed without them finds the same stem
# (securite: sécurité). Snowball French then leaves an "e" where it would have removed an "é"
# ending (presentees: présentées); taking it off joins those words to the rest of their family.
_FRENCH_MIN_TRIMMED = 3


def _trim_french(stem: str) -> str:
    while stem.endswith("e") and len(stem) > _FRENCH_MIN_TRIMMED:
        stem = stem[:-1]
    return stem


@cache
def _snowball(lang: str) -> Callable[[str], str]:
    """The cached stem function of a language (one per process, shared by all filters)."""
    algorithm = SNOWBALL_ALGORITHMS[lang]

    def stem(word: str) -> str:
        out = _stemmer(algorithm).stemWord(word)
        return _trim_french(out) if lang == "fr" else out

    return lru_cache(maxsize=STEM_CACHE_SIZE)(stem)


class SnowballFilter(Filter):
    """Snowball stemming (PyStemmer) of en/fr/es; only the language is pickled with the index."""

    is_morph = True

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        stem = _snowball(self.lang)
        for t in tokens:
            if not t.stopped:
                t.text = stem(t.text)
            yield t


# --- Arabic light stemming -------------------------------------------------------------------

_ARTICLE = "ال"
# Proclitics ending in the article, longest first: (conjunction)(preposition)article.
_ARTICLES = ("وبال", "فبال", "وكال", "فكال", "وال", "فال", "ولل", "فلل", "بال", "كال", "ال", "لل")
_CONJUNCTIONS = ("و", "ف")
# Possessive pronouns written onto a noun, longest first; ي also ends adjectives (وطني), which
# Snowball would strip anyway. كم/كن are left out: rare in reports, and they end common words
# (محاكم, اماكن).
_PRONOUNS = ("هما", "ها", "هم", "هن", "نا", "ه", "ي")
MIN_STEM = 3  # letters a word keeps when a conjunction or a pronoun is taken off
MIN_AFTER_ARTICLE = 2  # الحب, الدم: two-letter nouns are common after the article
_ARABIC_LETTER = re.compile("[\u0621-\u064a]")

# Words (in normalized spelling) whose first letter is و or ف, or whose first letters are ال,
# as part of the word itself: they are not taken for a conjunction or an article.
_OWN_PREFIX_WORDS = """
وزارة وزارات وزاري وزارية وزير وزراء وطن وطني وطنية وطنيين وقاية وقائي وقائية وكالة وكالات
وكيل وكلاء وسيلة وسائل وسائط وسيط وسطاء وسطي ولاية ولايات والي وظيفة وظائف وثيقة وثائق وحدة
وحدات وجود وصول وفود وفاة وفيات وضع ورشة ورقة وصف وصمة وعود وقف وقائع واقع واقعي واضح واسع
واجب واجبات واجهة ولاء وئام وباء وجهة وجهات ولادة وعظ واعظ وقود وفاق وصاية وحشية وعي وحيد
فريق فرق فكرة فكر فرصة فرص فئة فئات فترة فقر فقراء فعالية فعاليات فعال فعالة فاعل فاعلة
فاعلين فاعلية فلسطين فلسطيني فلسطينيين فرنسا فرنسي فيديو فن فنون فنان فهم فرد فصل فضاء فعل
فوز فيسبوك فساد فتيات فتاة فتيان فلسفة فوضي فيضان فيضانات فائدة فوائد فحص فشل فقدان فجوة
فجوات فقرة فهرس فوري فيروس فريد فريدة
الية اليات الة الات الاف المانيا الماني المانية
""".split()

# Words ending in letters that look like a possessive pronoun but belong to the word.
_OWN_ENDING_WORDS = frozenset(
    """
توجيه توجيهه اتجاه تشويه تنبيه انتباه مياه رفاه ترفيه اشتباه نزيه فقيه وجيه تمويه
تفاهم مساهم يساهم تساهم نساهم
""".split()
)
# Three-letter words ending in a root ت; elsewhere a ت left by a pronoun is a written ة.
_OWN_TEH_WORDS = frozenset("بيت صوت وقت موت زيت سبت نبت كبت".split())


def _snowball_noun(word: str) -> str:
    """Snowball Arabic, made to read the word as a noun with the article.

    Left alone it reads an indefinite word as a possible verb (مجتمعات → مجتمعا but
    المجتمعات → مجتمع) and strips a first و or ب it takes for a prefix (وزارة → زار,
    بلديات → لديا). With an article in front it does neither, and we take the article off again.
    """
    out = _stemmer("arabic").stemWord(_ARTICLE + word)
    if out.startswith(_ARTICLE) and not word.startswith(_ARTICLE):
        out = out[len(_ARTICLE) :]
    return out or word


def _strip_pronoun(word: str) -> str:
    if word in _OWN_ENDING_WORDS:
        return word
    for suffix in _PRONOUNS:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            word = word[: -len(suffix)]
            # A feminine ة is written ت before the pronoun: مدينة → مدينتنا.
            if word.endswith("ت") and not word.endswith("ات") and word not in _OWN_TEH_WORDS:
                word = word[:-1] + "ة"
            return word
    return word


def _arabic_data() -> tuple[dict[str, str], dict[str, str]]:
    path = Path(__file__).with_name("arabic.yaml")
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    return dict(data["protected"]), dict(data["plurals"])


# protected: word -> its own index term; plurals: broken plural -> singular (arabic.yaml).
ARABIC_PROTECTED, ARABIC_PLURALS = _arabic_data()


def _core(word: str) -> str:
    if word in ARABIC_PROTECTED:
        return ARABIC_PROTECTED[word]
    word = _strip_pronoun(word)
    word = ARABIC_PLURALS.get(word, word)
    if word in ARABIC_PROTECTED:
        return ARABIC_PROTECTED[word]
    return _snowball_noun(word)


_PROTECTED_CORES = frozenset(map(_core, _OWN_PREFIX_WORDS))


def _strip_proclitics(word: str) -> str:
    # Repeated until nothing more comes off, so that a word and the same word with a proclitic
    # in front always end up the same (الوزارة and وزارة, والمدينة and المدينة).
    while _core(word) not in _PROTECTED_CORES:
        for article in _ARTICLES:
            if word.startswith(article) and len(word) - len(article) >= MIN_AFTER_ARTICLE:
                word = word[len(article) :]
                break
        else:
            if word.startswith(_CONJUNCTIONS) and len(word) - 1 >= MIN_STEM:
                word = word[1:]
            else:
                break
    return word


@lru_cache(maxsize=STEM_CACHE_SIZE)
def arabic_stem(word: str) -> str:
    """The index term of a normalized Arabic word; words without Arabic letters pass unchanged."""
    if word.isascii() or not _ARABIC_LETTER.search(word):
        return word
    # ة → ه after stemming: Snowball strips ة but keeps ه, so doing it first loses matches.
    return _core(_strip_proclitics(word)).replace("ة", "ه")


class ArabicStemFilter(Filter):
    """arabic_stem on every token; stateless, so nothing but the class is pickled."""

    is_morph = True

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        for t in tokens:
            if not t.stopped:
                t.text = arabic_stem(t.text)
            yield t


# --- Stop words ----------------------------------------------------------------------------

# Particles and function words, in normalized spelling (على → علي, إلى → الي, أن → ان).
_ARABIC_STOP = """
في من الي علي عن مع حتي منذ مذ لدي عند بين نحو ضد خلال حول دون فوق تحت بعد قبل عبر ضمن وفق
وفقا لدي مثل غير سوي الا ثم او ام بل لكن لكنه لكنها اما حيث اذا اذ لو لولا كي لكي ان انه انها
انهم لان لانه لانها كما ايضا فقط قد لقد لا لم لن ما ماذا متي اين كيف هل ليس ليست كل بعض جميع
اي اية هو هي هم هما هن انا نحن انت انتم هذا هذه هذان هاتان هؤلاء ذلك تلك اولئك هنا هناك هنالك
الذي التي الذين اللذان اللتان اللواتي اللاتي كان كانت كانوا يكون تكون يكن اصبح اصبحت صار ظل
يمكن ينبغي يجب تم يتم فيه فيها فيهم منه منها منهم عليه عليها عليهم اليه اليها اليهم عنه عنها
عنهم له لها لهم لنا به بها بهم معه معها معهم بينهم لديه لديها لديهم عندما بينما حين حينما
جدا لذلك لذا كذلك هكذا اذن مما بما فيما عما ممن لما انما ربما كلما سوف بهذا لهذا بذلك
""".split()
# "and"/"so" + particle (وفي, ومن, فان) are particles too; فهم is "understanding" more often.
_ARABIC_STOP_WORDS = frozenset(
    _ARABIC_STOP + [c + w for c in _CONJUNCTIONS for w in _ARABIC_STOP if c + w != "فهم"]
)
# Spanish list entries that are content words in policy texts (el Estado, sentido).
_SPANISH_KEEP = set("estado estados estada estadas sentido sentidos sentida sentidas".split())
_SPANISH_KEEP |= {"sentid", "siente", "sintiendo"}
# English function words inside French or Spanish text are stop words there too, except those
# that are also French or Spanish words (le but, un don, once, l'or).
_ENGLISH_ALSO_FR_ES = {"but", "don", "once", "or", "are", "do"}


def _folded(words: Iterable[str]) -> frozenset[str]:
    return frozenset(normalize_word(w) for w in words)


_ENGLISH = _folded(stopwords_for_language("en"))
_ENGLISH_ELSEWHERE = _ENGLISH - _ENGLISH_ALSO_FR_ES
# Arabic particles are stop words in every field: in Latin-script text they are never content.
# French and Spanish ones stay searchable in English fields, where they are names (LA, UN).
STOP_WORDS = {
    "en": _ENGLISH | _ARABIC_STOP_WORDS,
    "fr": _folded(stopwords_for_language("fr")) | _ENGLISH_ELSEWHERE | _ARABIC_STOP_WORDS,
    "es": _folded(set(stopwords_for_language("es")) - _SPANISH_KEEP)
    | _ENGLISH_ELSEWHERE
    | _ARABIC_STOP_WORDS,
    "ar": _ARABIC_STOP_WORDS | _ENGLISH,
}


class LanguageStopFilter(StopFilter):
    """Whoosh's StopFilter on STOP_WORDS[lang], pickled as the language alone.

    Whoosh stores the schema in the index and reads it again for every searcher; the word lists
    would make that several times larger.
    """

    def __init__(self, lang: str) -> None:
        super().__init__(stoplist=STOP_WORDS[lang])
        self.lang = lang

    def __getstate__(self) -> dict[str, str]:
        return {"lang": self.lang}

    def __setstate__(self, state: dict[str, str]) -> None:
        self.__init__(state["lang"])


# --- Analyzers -----------------------------------------------------------------------------


def analyzer(lang: str) -> Analyzer:
    """The full analysis chain of a language: what the index stores and queries are matched by."""
    stemmer = ArabicStemFilter() if lang == "ar" else SnowballFilter(lang)
    return RegexTokenizer(TOKEN_PATTERN) | NormalizeFilter() | LanguageStopFilter(lang) | stemmer


def plain_analyzer(lang: str) -> Analyzer:
    """Tokenize and normalize without stemming: for prefix queries and spelling suggestions.

    The normalization is the same in every language (Arabic spelling, accents, case), so the
    argument only keeps the call sites saying which field they serve.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}")
    return RegexTokenizer(TOKEN_PATTERN) | NormalizeFilter()


def strip_arabic_proclitics(word: str) -> str:
    """A normalized Arabic word without و ف and the article: the form a prefix query needs."""
    if word.isascii() or not _ARABIC_LETTER.search(word):
        return word
    return _strip_proclitics(word)
