"""Search benchmark: the hub's Whoosh search against a SQLite FTS5 baseline, same corpus, same run.

    make bench-search                      # 1k, 10k and 50k records
    .venv/bin/python bench/search.py --sizes 1000 10000 --queries 500

For each size it generates a reproducible multilingual corpus (English, Arabic, French, Spanish,
with the vocabulary of the network's own content), loads it into a fresh SQLite database through
the hub's models, and prints:
- the full-rebuild rate (records/s) and the index size;
- commit-to-searchable latency through the in-process indexer (median, p95);
- query latency (median, p95) for plain queries and for the full search with facets and
  highlighted snippets, and the same for FTS5, with the ratios.
Timings are wall-clock on a shared machine: compare ratios within one run, not across runs.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench.corpus import LANGS, sample_words, vocabularies  # noqa: E402
from hub import create_app, search  # noqa: E402
from hub.cities.models import City  # noqa: E402
from hub.content import files as content_files  # noqa: E402
from hub.extensions import db  # noqa: E402
from hub.publishing.models import CaseStudy, CaseText, case_partner_cities, case_themes  # noqa: E402  # noqa: E402
from hub.search import indexer, service  # noqa: E402
from hub.search.query import parse_query  # noqa: E402
from hub.search.schema import QUERY_BOOSTS, QUERY_FIELDS  # noqa: E402
from hub.vocab import REGIONS  # noqa: E402

SEED = 20261121
INCREMENTAL_SAMPLES = 40


# Corpus ------------------------------------------------------------------------------------------


def generate(size: int, vocab: dict[str, list[str]]) -> None:
    """Insert `size` case studies with 1-4 language versions into the current database."""
    rng = random.Random(SEED + size)
    themes = [row.id for row in db.session.execute(sa.text("SELECT id FROM themes"))]
    regions = list(REGIONS)
    cities = []
    for number in range(200):
        cities.append(
            {
                "slug": f"bench-city-{number}",
                "name": f"Bench City {number}",
                "names": {},
                "country": "KE",
                "region": rng.choice(regions),
                "population": int(rng.lognormvariate(12.5, 1.3)) + 1000,
                "population_source": "generated",
                "latitude": 0.0,
                "longitude": 0.0,
                "timezone": "UTC",
                "languages": ["en"],
                "mentor_capacity": 0,
                "summaries": {"en": "A generated city."},
            }
        )
    db.session.execute(sa.insert(City), cities)
    city_ids = list(db.session.scalars(sa.select(City.id).where(City.slug.like("bench-city-%"))))
    cases, texts, links, partners = [], [], [], []
    first_id = (db.session.scalar(sa.select(sa.func.max(CaseStudy.id))) or 0) + 1
    for offset in range(size):
        case_id = first_id + offset
        languages = ["en"] + [
            lang for lang in LANGS[1:] if rng.random() < (0.6, 0.25, 0.25)[LANGS.index(lang) - 1]
        ]
        original = rng.choice(languages)
        year = rng.randint(2015, 2026)
        cases.append(
            {
                "id": case_id,
                "slug": f"bench-case-{case_id}",
                "original_language": original,
                "state": "published",
                "lead_city_id": rng.choice(city_ids),
                "partner_organizations": [],
                "start_year": year,
                "status": "ongoing",
                "evidence_level": rng.choice(("none", "monitored", "independently-evaluated")),
                "cost_band": "unknown",
                "staffing_band": "unknown",
                "contact": "",
                "source": "",
                "published_on": date(year, rng.randint(1, 12), rng.randint(1, 28)),
            }
        )
        for lang in languages:
            words = vocab[lang]
            texts.append(
                {
                    "case_id": case_id,
                    "language": lang,
                    "machine_translated": lang != original,
                    "title": " ".join(sample_words(rng, words, rng.randint(5, 10))).capitalize(),
                    "summary": " ".join(sample_words(rng, words, rng.randint(30, 60))),
                    "body": " ".join(sample_words(rng, words, rng.randint(120, 280))),
                    "target_audience": "",
                    "what_was_done": "",
                    "results": "",
                    "what_did_not_work": "",
                    "transferability": "",
                }
            )
        for theme in rng.sample(themes, rng.randint(1, 3)):
            links.append({"case_id": case_id, "theme_id": theme})
        if rng.random() < 0.3:
            partners.append({"case_id": case_id, "city_id": rng.choice(city_ids)})
    for chunk in range(0, len(cases), 2000):
        db.session.execute(sa.insert(CaseStudy), cases[chunk : chunk + 2000])
    for chunk in range(0, len(texts), 2000):
        db.session.execute(sa.insert(CaseText), texts[chunk : chunk + 2000])
    db.session.execute(case_themes.insert(), links)
    if partners:
        db.session.execute(case_partner_cities.insert(), partners)
    db.session.commit()


def query_mix(rng: random.Random, vocab: dict[str, list[str]], count: int) -> list[dict]:
    """Plain word queries in every language, some with a filter, as people type them."""
    queries = []
    for number in range(count):
        lang = LANGS[number % len(LANGS)]
        words = vocab[lang][5:400]  # skip the commonest (mostly stop words)
        text = " ".join(rng.sample(words, rng.choice((1, 1, 2, 2, 3))))
        facet = rng.choice((None, None, ("language", lang), ("year", str(rng.randint(2015, 2026)))))
        queries.append({"q": text, "lang": lang, "filters": dict([facet]) if facet else {}})
    return queries


# Measuring ---------------------------------------------------------------------------------------


def timed(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return (time.perf_counter() - started) * 1000


def summary(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


def directory_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


class Fts5:
    """The baseline: one FTS5 row per record, a column per language's title and body."""

    COLUMNS = [f"{part}_{lang}" for lang in LANGS for part in ("title", "body")]

    def __init__(self, path: Path) -> None:
        self.connection = sqlite3.connect(path)
        tokenizer = "tokenize='unicode61 remove_diacritics 2'"
        self.connection.execute(
            f"CREATE VIRTUAL TABLE docs USING fts5({', '.join(self.COLUMNS)}, {tokenizer})"
        )
        self.connection.execute(
            "CREATE TABLE meta (rowid INTEGER PRIMARY KEY, kind TEXT, region TEXT, size TEXT,"
            " language TEXT, year TEXT)"
        )
        self.connection.execute("CREATE TABLE themes (rowid INTEGER, theme TEXT)")

    def load(self, documents) -> float:
        started = time.perf_counter()
        for number, doc in enumerate(documents, start=1):
            values = [doc.get(column, "") for column in self.COLUMNS]
            self.connection.execute(
                f"INSERT INTO docs(rowid, {', '.join(self.COLUMNS)})"
                f" VALUES (?, {', '.join('?' * len(self.COLUMNS))})",
                [number, *values],
            )
            self.connection.execute(
                "INSERT INTO meta VALUES (?, ?, ?, ?, ?, ?)",
                (
                    number,
                    doc["kind"],
                    doc["region"],
                    doc["size"],
                    doc["language"],
                    doc.get("year", ""),
                ),
            )
            self.connection.executemany(
                "INSERT INTO themes VALUES (?, ?)",
                [(number, theme) for theme in doc["theme"].split(",") if theme],
            )
        self.connection.execute("CREATE INDEX themes_rowid ON themes(rowid)")
        self.connection.commit()
        return time.perf_counter() - started

    @staticmethod
    def match(text: str) -> str:
        return " ".join(f'"{word}"' for word in text.split())

    def plain(self, query: dict) -> list:
        return self.connection.execute(
            "SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 3, 1, 3, 1, 3, 1, 3, 1)"
            " LIMIT 10",
            (self.match(query["q"]),),
        ).fetchall()

    def full(self, query: dict) -> list:
        match = self.match(query["q"])
        where, args = "docs MATCH ?", [match]
        for facet, value in query["filters"].items():
            where += f" AND meta.{facet} LIKE ?"
            args.append(f"%{value}%")
        rows = self.connection.execute(
            "SELECT docs.rowid, snippet(docs, -1, '<mark>', '</mark>', ' … ', 24) FROM docs"
            f" JOIN meta ON meta.rowid = docs.rowid WHERE {where}"
            " ORDER BY bm25(docs, 3, 1, 3, 1, 3, 1, 3, 1) LIMIT 10",
            args,
        ).fetchall()
        for facet in ("kind", "region", "size", "language", "year"):
            self.connection.execute(
                f"SELECT meta.{facet}, count(*) FROM docs JOIN meta ON meta.rowid = docs.rowid"
                " WHERE docs MATCH ? GROUP BY meta.{facet}".replace("{facet}", facet),
                (match,),
            ).fetchall()
        self.connection.execute(
            "SELECT theme, count(*) FROM docs JOIN themes ON themes.rowid = docs.rowid"
            " WHERE docs MATCH ? GROUP BY theme",
            (match,),
        ).fetchall()
        return rows


def run(size: int, query_count: int, vocab: dict[str, list[str]]) -> dict[str, float]:
    work = Path(tempfile.mkdtemp(prefix=f"hub-bench-{size}-"))
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{work / 'hub.sqlite'}",
            "SEARCH_INDEX_DIR": str(work / "search"),
            "SEARCH_SYNC": "thread",
        }
    )
    figures: dict[str, float] = {}
    with app.app_context():
        db.create_all()
        content_files.load_directory(ROOT / "content")
        db.session.commit()
        generate(size, vocab)
        store = search.store()
        records = search_documents_count()
        started = time.perf_counter()
        indexer.rebuild(store)
        seconds = time.perf_counter() - started
        figures["records"] = records
        figures["rebuild_rate"] = records / seconds
        figures["index_mb"] = directory_size(store.current_path()) / 1e6

        figures["incr_median"], figures["incr_p95"] = summary(incremental(app, store))

        # What a quiet minute after the edits does: fold their segments together.
        indexer.merge_segments(store)
        figures["segments"] = len(store.open()._segments())
        rng = random.Random(SEED)
        queries = query_mix(rng, vocab, query_count)
        searcher = store.searcher()
        parsed = [parse_query(q["q"], QUERY_FIELDS, QUERY_BOOSTS).query for q in queries]
        plain = [timed(lambda p=p: searcher.search(p, limit=10)) for p in parsed if p is not None]
        full = [
            timed(
                lambda q=q: service.search(
                    store,
                    service.SearchParams(q=q["q"], lang=q["lang"], per_page=10, **q["filters"]),
                )
            )
            for q in queries
        ]
        figures["plain_median"], figures["plain_p95"] = summary(plain)
        figures["full_median"], figures["full_p95"] = summary(full)

        fts = Fts5(work / "fts.sqlite")
        from hub.search.documents import all_documents

        fts.load(all_documents())
        fts_plain = [timed(lambda q=q: fts.plain(q)) for q in queries]
        fts_full = [timed(lambda q=q: fts.full(q)) for q in queries]
        figures["fts_plain_median"], figures["fts_plain_p95"] = summary(fts_plain)
        figures["fts_full_median"], figures["fts_full_p95"] = summary(fts_full)
        search.background_indexer(app).stop()
    return figures


def search_documents_count() -> int:
    from hub.search.documents import count_documents

    return count_documents()


def incremental(app, store) -> list[float]:
    """Commit a new title, then time until a search finds its new word."""
    samples = []
    ids = list(db.session.scalars(sa.select(CaseText.id).limit(INCREMENTAL_SAMPLES)))
    background = search.background_indexer(app)
    for number, text_id in enumerate(ids):
        marker = f"zqxmarker{number}"
        text = db.session.get(CaseText, text_id)
        text.title = f"{text.title} {marker}"
        query = parse_query(marker, QUERY_FIELDS).query
        started = time.perf_counter()
        db.session.commit()
        while not store.searcher().search(query, limit=1):
            background.wait_until_idle(timeout=0.01)
            if time.perf_counter() - started > 10:
                raise RuntimeError("a committed change did not reach the index in 10 s")
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def report(size: int, f: dict[str, float]) -> None:
    print(
        f"\n== {size:,} generated records ({f['records']:,.0f} documents with the real content) =="
    )
    print(f"full rebuild: {f['rebuild_rate']:,.0f} records/s, index {f['index_mb']:.1f} MB")
    print(f"commit to searchable: median {f['incr_median']:.0f} ms, p95 {f['incr_p95']:.0f} ms")
    print(f"segments when queried (after the idle merge): {f['segments']:.0f}")
    print(f"{'query':<28}{'whoosh med':>12}{'p95':>9}{'fts5 med':>11}{'p95':>9}{'ratio':>8}")
    for label, key in (("plain", "plain"), ("facets + highlights", "full")):
        ratio = f[f"{key}_median"] / f[f"fts_{key}_median"]
        print(
            f"{label:<28}{f[key + '_median']:>10.2f}ms{f[key + '_p95']:>7.1f}ms"
            f"{f['fts_' + key + '_median']:>9.2f}ms{f['fts_' + key + '_p95']:>7.1f}ms{ratio:>7.1f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 50_000])
    parser.add_argument("--queries", type=int, default=500)
    args = parser.parse_args()
    vocab = vocabularies()
    print(f"search benchmark: {args.queries} queries a size, seed {SEED}")
    for size in args.sizes:
        report(size, run(size, args.queries, vocab))


if __name__ == "__main__":
    main()
