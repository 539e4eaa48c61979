"""Relevance of the hub's search on judged queries, against SQLite FTS5 on the same documents.

    make eval-search
    .venv/bin/python -m tests.relevance.evaluate [--json]

Builds a fresh SQLite hub in a temporary folder with `content/` and `tests/relevance/corpus/`
loaded and indexed, runs every query of `tests/relevance/queries.yaml` through the hub's own
search (`hub.search.service.search`, as the page and the API run it) and through an FTS5 table
holding each record's titles and texts in every language (unicode61, diacritics removed, bm25
with the hub's field weights, all words required: a search box with no stemming), and prints per
language: MRR@10, recall@10 and nDCG@10, the share of queries with no hit, recall@10 of the
records that have no version in the query's language (cross-language), how many typos "Did you
mean" respells as judged, and the worst queries.

Relevant means graded 2 or 3 (MRR, recall); nDCG uses every grade, with gain 2^grade - 1.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
QUERIES = HERE / "queries.yaml"
CORPUS = HERE / "corpus"
FLOORS = HERE / "floors.json"
LANGS = ("ar", "en", "fr", "es")
CUTOFF = 10
RELEVANT = 2


@dataclass
class Query:
    q: str
    lang: str
    kind: str
    judged: dict[str, int]
    suggest: str | None = None


@dataclass
class Answer:
    ranked: list[str]
    total: int
    suggestion: str | None = None
    mode: str = "all"
    millis: float = 0.0


@dataclass
class Scores:
    mrr: float
    recall: float
    ndcg: float


@dataclass
class Report:
    engine: str
    per_query: list[tuple[Query, Answer, Scores]] = field(default_factory=list)
    cross_found: int = 0
    cross_total: int = 0


def load_queries(path: Path = QUERIES) -> list[Query]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Query(
            q=str(item["q"]),
            lang=item["lang"],
            kind=item["kind"],
            judged=dict(item["judged"]),
            suggest=item.get("suggest"),
        )
        for item in data["queries"]
    ]


# --- Metrics ---------------------------------------------------------------------------------


def score(query: Query, ranked: list[str]) -> Scores:
    top = ranked[:CUTOFF]
    relevant = {doc for doc, grade in query.judged.items() if grade >= RELEVANT}
    rank = next((i for i, doc in enumerate(top, 1) if doc in relevant), None)
    dcg = sum(
        (2 ** query.judged.get(doc, 0) - 1) / math.log2(i + 1) for i, doc in enumerate(top, 1)
    )
    ideal = sorted(query.judged.values(), reverse=True)[:CUTOFF]
    idcg = sum((2**grade - 1) / math.log2(i + 1) for i, grade in enumerate(ideal, 1))
    return Scores(
        mrr=1 / rank if rank else 0.0,
        recall=len(relevant & set(top)) / len(relevant) if relevant else 0.0,
        ndcg=dcg / idcg if idcg else 0.0,
    )


def _mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def summarize(report: Report, normalize: Callable[[str], str]) -> dict:
    """Figures per language and for all queries."""
    out: dict = {}
    for lang in (*LANGS, "all"):
        rows = [row for row in report.per_query if lang in ("all", row[0].lang)]
        typos = [(q, a) for q, a, _s in rows if q.suggest]
        out[lang] = {
            "queries": len(rows),
            "mrr": round(_mean(s.mrr for _q, _a, s in rows), 3),
            "recall": round(_mean(s.recall for _q, _a, s in rows), 3),
            "ndcg": round(_mean(s.ndcg for _q, _a, s in rows), 3),
            "no_hit": sum(1 for _q, a, _s in rows if a.total == 0),
            "typos_right": sum(
                1
                for q, a in typos
                if a.suggestion and normalize(a.suggestion) == normalize(q.suggest)
            ),
            "typos": len(typos),
        }
    out["all"]["cross_language_recall"] = (
        round(report.cross_found / report.cross_total, 3) if report.cross_total else 0.0
    )
    out["all"]["cross_language_records"] = report.cross_total
    out["all"]["median_ms"] = round(
        statistics.median(a.millis for _q, a, _s in report.per_query), 2
    )
    modes: dict[str, int] = {}
    for _q, answer, _s in report.per_query:
        modes[answer.mode] = modes.get(answer.mode, 0) + 1
    out["all"]["modes"] = modes
    return out


# --- The engines -----------------------------------------------------------------------------


def build_hub(work: Path):
    """A hub on SQLite in `work` with content/ and the fixture corpus loaded and indexed."""
    from hub import create_app, search
    from hub.content import files as content_files
    from hub.extensions import db
    from hub.search import indexer

    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{work / 'hub.sqlite'}",
            "SEARCH_INDEX_DIR": str(work / "search"),
            "SEARCH_SYNC": "external",
        }
    )
    with app.app_context():
        db.create_all()
        for folder in (ROOT / "content", CORPUS):
            report = content_files.load_directory(folder)
            if report.errors:
                raise SystemExit(f"{folder}: {report.errors}")
            db.session.commit()
        indexer.rebuild(search.store())
    return app


def record_languages(app) -> tuple[dict[str, set[str]], list[dict]]:
    """Each record's languages ("case:slug" -> {"en", ...}) and the index's documents."""
    from hub.search import documents

    with app.app_context():
        docs = list(documents.all_documents())
    languages = {
        f"{doc['kind']}:{doc['slug']}": set(filter(None, doc["language"].split(",")))
        for doc in docs
    }
    return languages, docs


def run_hub(app, queries: list[Query]) -> list[Answer]:
    from hub import search
    from hub.search import service
    from hub.search.params import SearchParams

    answers = []
    with app.test_request_context():
        store = search.store()
        for query in queries:
            params = SearchParams(q=query.q, lang=query.lang, per_page=CUTOFF)
            started = time.perf_counter()
            outcome = service.search(store, params)
            millis = (time.perf_counter() - started) * 1000
            answers.append(
                Answer(
                    ranked=[f"{r.kind}:{r.slug}" for r in outcome.results],
                    total=outcome.total,
                    suggestion=outcome.suggestion,
                    mode=getattr(outcome, "mode", "all"),
                    millis=millis,
                )
            )
    return answers


class Fts5:
    """The baseline: each record's titles and texts in every language, and its places."""

    def __init__(self, docs: list[dict]) -> None:
        self.columns = [f"{part}_{lang}" for lang in LANGS for part in ("name", "body")]
        self.columns.append("places")
        self.ids: dict[int, str] = {}
        self.db = sqlite3.connect(":memory:")
        self.db.execute(
            f"CREATE VIRTUAL TABLE docs USING fts5({', '.join(self.columns)},"
            " tokenize='unicode61 remove_diacritics 2')"
        )
        for number, doc in enumerate(docs, start=1):
            self.ids[number] = f"{doc['kind']}:{doc['slug']}"
            values = [doc.get(column, "") for column in self.columns]
            self.db.execute(
                f"INSERT INTO docs(rowid, {', '.join(self.columns)})"
                f" VALUES (?, {', '.join('?' * len(self.columns))})",
                [number, *values],
            )
        # The hub's weights: titles 3, texts 1, places 4.
        self.weights = ", ".join(["3", "1"] * len(LANGS) + ["4"])

    def search(self, text: str) -> Answer:
        words = re.findall(r"\w+", text)
        if not words:
            return Answer([], 0)
        match = " ".join(f'"{word}"' for word in words)
        started = time.perf_counter()
        rows = self.db.execute(
            f"SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, {self.weights})",
            (match,),
        ).fetchall()
        millis = (time.perf_counter() - started) * 1000
        return Answer([self.ids[row[0]] for row in rows[:CUTOFF]], len(rows), millis=millis)


def evaluate(engine: str, queries: list[Query], answers: list[Answer], languages) -> Report:
    report = Report(engine)
    for query, answer in zip(queries, answers, strict=True):
        report.per_query.append((query, answer, score(query, answer.ranked)))
        top = set(answer.ranked[:CUTOFF])
        for doc, grade in query.judged.items():
            if grade >= RELEVANT and query.lang not in languages.get(doc, set()):
                report.cross_total += 1
                report.cross_found += doc in top
    return report


def run(work: Path | None = None) -> dict:
    """Both engines on every query: {"hub": summary, "fts5": summary, "reports": ...}."""
    from hub.search.analysis import normalize_word

    def normalize(text: str) -> str:
        return " ".join(normalize_word(word) for word in text.split())

    queries = load_queries()
    with tempfile.TemporaryDirectory(prefix="hub-relevance-") as temporary:
        app = build_hub(Path(work or temporary))
        languages, docs = record_languages(app)
        unknown = {doc for q in queries for doc in q.judged if doc not in languages}
        if unknown:
            raise SystemExit(f"judged records that are not in the index: {sorted(unknown)}")
        hub = evaluate("hub", queries, run_hub(app, queries), languages)
        fts5_engine = Fts5(docs)
        fts5 = evaluate("fts5", queries, [fts5_engine.search(q.q) for q in queries], languages)
        from hub.extensions import db

        with app.app_context():
            db.engine.dispose()
    return {
        "hub": summarize(hub, normalize),
        "fts5": summarize(fts5, normalize),
        "reports": {"hub": hub, "fts5": fts5},
    }


# --- Printing --------------------------------------------------------------------------------


def print_report(figures: dict, worst: int = 12) -> None:
    hub, fts5 = figures["hub"], figures["fts5"]
    print(f"{'':4} {'n':>3} | {'hub MRR':>7} {'R@10':>5} {'nDCG':>5} {'no-hit':>6} "
          f"| {'FTS5 MRR':>8} {'R@10':>5} {'nDCG':>5} {'no-hit':>6} | typos right")  # fmt: skip
    for lang in (*LANGS, "all"):
        h, f = hub[lang], fts5[lang]
        print(
            f"{lang:4} {h['queries']:>3} | {h['mrr']:>7.3f} {h['recall']:>5.3f} {h['ndcg']:>5.3f}"
            f" {h['no_hit']:>6} | {f['mrr']:>8.3f} {f['recall']:>5.3f} {f['ndcg']:>5.3f}"
            f" {f['no_hit']:>6} | {h['typos_right']}/{h['typos']}"
        )
    all_hub, all_fts5 = hub["all"], fts5["all"]
    print(
        f"\nno hit: hub {all_hub['no_hit']}/{all_hub['queries']}"
        f" ({all_hub['no_hit'] / all_hub['queries']:.1%}),"
        f" FTS5 {all_fts5['no_hit']}/{all_fts5['queries']}"
    )
    print(
        f"cross-language recall@10 ({all_hub['cross_language_records']} judged records without a"
        f" version in the query's language): hub {all_hub['cross_language_recall']:.3f},"
        f" FTS5 {all_fts5['cross_language_recall']:.3f}"
    )
    print(f"typo suggestions right: {all_hub['typos_right']} of {all_hub['typos']}")
    print(f"answered by mode: {all_hub['modes']}")
    print(f"median query time: hub {all_hub['median_ms']} ms, FTS5 {all_fts5['median_ms']} ms")
    rows = sorted(figures["reports"]["hub"].per_query, key=lambda row: row[2].ndcg)[:worst]
    print(f"\nworst {worst} queries (hub nDCG@10):")
    for query, answer, scores in rows:
        first = ", ".join(answer.ranked[:3]) or "nothing"
        extra = f"; suggests {answer.suggestion!r}" if answer.suggestion else ""
        print(
            f"  {scores.ndcg:.2f} [{query.lang} {query.kind}] {query.q!r}: {answer.total} hits"
            f" ({answer.mode}), first {first}{extra}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--worst", type=int, default=12, help="how many worst queries to list")
    parser.add_argument(
        "--times", type=Path, help="write each query's hub time, hits and mode to this JSON file"
    )
    args = parser.parse_args()
    figures = run()
    if args.times:
        rows = [
            {"q": q.q, "lang": q.lang, "ms": a.millis, "total": a.total, "mode": a.mode}
            for q, a, _s in figures["reports"]["hub"].per_query
        ]
        args.times.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.json:
        print(json.dumps({"hub": figures["hub"], "fts5": figures["fts5"]}, indent=2))
    else:
        print_report(figures, args.worst)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
