"""Hard rules and the weighted score, vectorized over request x mentor pairs.

Every factor's value lies in [0, 1] except `load`, which counts the exchanges a mentor already
carries: half a point for each one running, a point for each given to it earlier in the same round.
A proposal's score is the sum of weight x value over FACTORS, in that order, so each factor's
contribution is exact and the explanation adds up to the score.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields

import numpy as np

from hub.matching.model import City, Evidence, Request

# Weights: a perfect candidate scores 10 before the load term.
# The request's themes come first in every programme studied (needs analysis before pairing).
THEMATIC_FIT_WEIGHT = 4.0
# Proven track record is what URBACT and CityLinks select mentors on, after thematic fit.
EXPERIENCE_WEIGHT = 2.0
# A shared working language spares interpretation; 40% of twin pairs share one against 22% random.
LANGUAGE_WEIGHT = 1.5
# Same region and context help (65% of twin pairs on one continent) but cross-region pairs work.
CONTEXT_WEIGHT = 1.0
# An earlier MoU or exchange means trust and contacts already exist.
RELATION_WEIGHT = 1.0
# Size is soft: the flagship mentor, Kristiansand, is a tenth of Mombasa's size.
SIZE_WEIGHT = 0.5
# Per load point, to stop a few famous cities taking every request. Its target, "load Gini among
# used mentors <= 0.10", is read on the raw count of matches per mentor given one in a round
# (bench/matching.py says why). The penalty is convex: a mentor's k-th extra exchange in a round
# costs 2.5 x k, so it gets a second request only if it fits 2.5 points (a quarter of a perfect
# score, beyond explain.CLOSE_MARGIN) better than an idle mentor. On the bench (5,000 cities,
# 1,000 requests), against the former -0.2 per exchange: raw Gini 0.288 -> 0.083 with ample slots,
# 0.330 -> 0.271 with tight ones (capacities alone forbid less than 0.231 there), for a fit (score
# without this term) of 92.0% and 97.2% of a round without it, against 99.3% and 99.5%.
LOAD_WEIGHT = -2.5
# A running exchange counts half a new one: on average it is half-way through, so half its work is
# still ahead. Counted whole, the round would give an idle mentor a second request as readily as a
# busy one its first, and the raw Gini would stop at 0.124 however large the weight.
RUNNING_EXCHANGE_LOAD = 0.5

FACTORS: tuple[str, ...] = (
    "thematic_fit",
    "experience",
    "language",
    "context",
    "relation",
    "size",
    "load",
)

# How strongly one piece of evidence shows a city can teach a theme.
EVIDENCE_STRENGTH = {
    ("case", "independently-evaluated"): 1.0,  # results checked by someone else
    ("case", "monitored"): 0.8,  # results tracked by the city itself
    ("case", "none"): 0.6,  # published, but results unknown
    ("exchange", "independently-evaluated"): 0.6,  # an exchange shows the city can teach,
    ("exchange", "monitored"): 0.6,  # whatever its level, not that the practice works
    ("exchange", "none"): 0.6,
    ("expertise", "independently-evaluated"): 0.3,  # a claim with nothing published behind it
    ("expertise", "monitored"): 0.3,
    ("expertise", "none"): 0.3,
}
# Each further piece on the same theme adds a little depth, up to a full 1.0.
DEPTH_BONUS = 0.05
# Experience points per piece; also decide the hard rule "more experienced than the requester".
EXPERIENCE_POINTS = {"independently-evaluated": 3.0, "monitored": 2.0, "none": 1.0}
EXCHANGE_POINTS = 2.0  # a completed exchange is worth a monitored case
EXPERTISE_POINTS = 0.5  # a declared expertise counts, but less than anything shown
# Points at which the experience factor reaches 63% (1 - 1/e): about three evaluated cases.
EXPERIENCE_SCALE = 10.0
# Share of the experience factor that comes from feedback received, when there is any.
FEEDBACK_SHARE = 0.2
NEUTRAL_FEEDBACK = 0.5  # no feedback yet is neither good nor bad
# Context: region matters most, then country (same laws), then distance (travel, time zones).
SAME_REGION_SHARE = 0.6
SAME_COUNTRY_SHARE = 0.2
DISTANCE_SHARE = 0.2
DISTANCE_SCALE_KM = 2000.0  # about a short-haul flight
EARTH_RADIUS_KM = 6371.0
# A mentor ten times smaller keeps half the size value, a hundred times smaller none of it.
SIZE_DECADES_TO_ZERO = 2.0


@dataclass(frozen=True)
class Weights:
    thematic_fit: float = THEMATIC_FIT_WEIGHT
    experience: float = EXPERIENCE_WEIGHT
    language: float = LANGUAGE_WEIGHT
    context: float = CONTEXT_WEIGHT
    relation: float = RELATION_WEIGHT
    size: float = SIZE_WEIGHT
    load: float = LOAD_WEIGHT

    def as_dict(self) -> dict[str, float]:
        # Read once per explained proposal: plain attribute reads, not dataclasses.asdict's copy.
        return {f.name: getattr(self, f.name) for f in fields(self)}


DEFAULT_WEIGHTS = Weights()


class Network:
    """Cities and their evidence as arrays, built once and shared by every request."""

    def __init__(self, cities: Iterable[City], evidence: Iterable[Evidence]) -> None:
        self.cities: tuple[City, ...] = tuple(sorted(cities, key=lambda c: c.id))
        self.ids = np.array([c.id for c in self.cities], dtype=np.int64)
        self.index: dict[int, int] = {c.id: i for i, c in enumerate(self.cities)}
        if len(self.index) != len(self.cities):
            raise ValueError("city ids must be unique")
        evidence = list(evidence)
        # Pieces alike but for their feedback count together; feedback adds up in a fixed order.
        groups = Counter((e.city_id, e.theme, e.kind, e.level) for e in evidence)
        rated = sorted(
            (e for e in evidence if e.feedback is not None),
            key=lambda e: (e.city_id, e.theme, e.kind, e.level),
        )
        self.themes: tuple[str, ...] = tuple(sorted({theme for _, theme, _, _ in groups}))
        self.theme_index = {t: j for j, t in enumerate(self.themes)}
        self.languages: tuple[str, ...] = tuple(
            sorted({x for c in self.cities for x in c.languages})
        )
        self.language_index = {x: j for j, x in enumerate(self.languages)}
        m, t = len(self.cities), len(self.themes)

        self.city_languages = np.zeros((m, len(self.languages)), dtype=bool)
        for i, city in enumerate(self.cities):
            self.city_languages[i, [self.language_index[x] for x in city.languages]] = True
        self.population = np.array([max(c.population, 1) for c in self.cities], dtype=np.float64)
        self.region = _codes([c.region for c in self.cities])
        self.country = _codes([c.country for c in self.cities])
        self.lat = np.radians([c.lat for c in self.cities]).astype(np.float64)
        self.lon = np.radians([c.lon for c in self.cities]).astype(np.float64)
        self.capacity_free = np.array([max(c.capacity_free, 0) for c in self.cities], np.int64)
        used = [max(c.capacity_total - c.capacity_free, 0) for c in self.cities]
        self.capacity_used = np.array(used, dtype=np.int64)

        # Per city and theme: counts for the explanation, strength and points for the score.
        self.counts = {
            key: np.zeros((m, t), dtype=np.int32)
            for key in ("evaluated", "monitored", "unevaluated", "exchanges", "expertise")
        }
        best = np.zeros((m, t))
        pieces = np.zeros((m, t))
        self.points = np.zeros((m, t))
        feedback_sum = np.zeros(m)
        feedback_n = np.zeros(m)
        for (city_id, theme, kind, level), n in groups.items():
            if city_id not in self.index:
                raise ValueError(f"evidence for unknown city {city_id}")
            i, j = self.index[city_id], self.theme_index[theme]
            self.counts[_count_key(kind, level)][i, j] += n
            best[i, j] = max(best[i, j], EVIDENCE_STRENGTH[(kind, level)])
            pieces[i, j] += n
            self.points[i, j] += n * _points(kind, level)  # halves and wholes: exact in any order
        for e in rated:
            feedback_sum[self.index[e.city_id]] += e.feedback
            feedback_n[self.index[e.city_id]] += 1
        self.strength = np.minimum(best + DEPTH_BONUS * np.maximum(pieces - 1, 0), 1.0)
        self.offers = pieces > 0
        feedback = np.where(
            feedback_n > 0, feedback_sum / np.maximum(feedback_n, 1), NEUTRAL_FEEDBACK
        )
        track_record = 1.0 - np.exp(-self.points.sum(axis=1) / EXPERIENCE_SCALE)
        self.experience = (1.0 - FEEDBACK_SHARE) * track_record + FEEDBACK_SHARE * feedback


def _codes(values: Sequence[str]) -> np.ndarray:
    order = {v: k for k, v in enumerate(sorted(set(values)))}
    return np.array([order[v] for v in values], dtype=np.int64)


def _count_key(kind: str, level: str) -> str:
    if kind == "case":
        return {"independently-evaluated": "evaluated", "monitored": "monitored"}.get(
            level, "unevaluated"
        )
    return "exchanges" if kind == "exchange" else "expertise"


def _points(kind: str, level: str) -> float:
    if kind == "case":
        return EXPERIENCE_POINTS[level]
    return EXCHANGE_POINTS if kind == "exchange" else EXPERTISE_POINTS


class Batch:
    """Requests encoded against a network, sorted by id so input order never matters."""

    def __init__(self, requests: Iterable[Request], network: Network) -> None:
        self.requests: tuple[Request, ...] = tuple(sorted(requests, key=lambda r: r.id))
        if len({r.id for r in self.requests}) != len(self.requests):
            raise ValueError("request ids must be unique")
        n, net = len(self.requests), network
        self.rows = np.array([net.index.get(r.city_id, -1) for r in self.requests], np.int64)
        self.themes = np.zeros((n, len(net.themes)))
        self.n_themes = np.array([len(set(r.themes)) for r in self.requests], dtype=np.float64)
        self.languages = np.zeros((n, len(net.languages)), dtype=bool)
        relation_codes: list[int] = []
        for k, req in enumerate(self.requests):
            cols = [net.theme_index[t] for t in set(req.themes) if t in net.theme_index]
            self.themes[k, cols] = 1.0
            own = net.cities[self.rows[k]].languages if self.rows[k] >= 0 else ()
            langs = [x for x in (req.languages or own) if x in net.language_index]
            self.languages[k, [net.language_index[x] for x in langs]] = True
            relation_codes.extend(
                k * len(net.cities) + net.index[c] for c in req.relations if c in net.index
            )
        self.relation_codes = np.array(sorted(relation_codes), dtype=np.int64)


@dataclass(frozen=True)
class Rules:
    """Dense request x city masks for the hard rules (float sums here are small exact numbers)."""

    offers: np.ndarray  # the city shows at least one requested theme, and is not the requester
    more_experienced: np.ndarray  # ... with more points on the requested themes
    eligible: np.ndarray  # ... and has a free slot


def hard_rules(batch: Batch, network: Network) -> Rules:
    n = len(batch.requests)
    themed = batch.themes @ network.points.T
    offers = (batch.themes @ network.offers.T.astype(np.float64)) > 0
    known = batch.rows >= 0
    own = np.zeros(n)
    own[known] = themed[np.nonzero(known)[0], batch.rows[known]]
    offers[~known, :] = False
    offers[np.nonzero(known)[0], batch.rows[known]] = False  # never the requesting city
    more = offers & (themed > own[:, None])
    return Rules(offers, more, more & (network.capacity_free > 0)[None, :])


def factor_values(
    batch: Batch, network: Network, r: np.ndarray, m: np.ndarray, extra_load: np.ndarray | None
) -> dict[str, np.ndarray]:
    """Each factor's value for the pairs (batch row r[k], city m[k]); one pair or millions."""
    req_city = batch.rows[r]
    # Summed over requests x cities, theme by theme: a fixed summation order keeps scores
    # reproducible, and whole rows cost less than gathering each pair's values per theme.
    dense = np.zeros((len(batch.requests), len(network.cities)))
    for j in range(len(network.themes)):
        dense += batch.themes[:, j, None] * network.strength[None, :, j]
    fit = dense[r, m] / batch.n_themes[r]
    shared = (batch.languages[r] & network.city_languages[m]).any(axis=1)
    lat1, lat2 = network.lat[req_city], network.lat[m]
    dlon = network.lon[m] - network.lon[req_city]
    cos_angle = np.sin(lat1) * np.sin(lat2) + np.cos(lat1) * np.cos(lat2) * np.cos(dlon)
    distance = EARTH_RADIUS_KM * np.arccos(np.clip(cos_angle, -1.0, 1.0))
    context = (
        SAME_REGION_SHARE * (network.region[m] == network.region[req_city])
        + SAME_COUNTRY_SHARE * (network.country[m] == network.country[req_city])
        + DISTANCE_SHARE * np.exp(-distance / DISTANCE_SCALE_KM)
    )
    ratio = network.population[m] / network.population[req_city]
    size = np.clip(1.0 + np.log10(ratio) / SIZE_DECADES_TO_ZERO, 0.0, 1.0)
    relation = np.isin(r * len(network.cities) + m, batch.relation_codes).astype(np.float64)
    load = RUNNING_EXCHANGE_LOAD * network.capacity_used[m].astype(np.float64)
    if extra_load is not None:
        load = load + extra_load
    return {
        "thematic_fit": fit,
        "experience": network.experience[m],
        "language": shared.astype(np.float64),
        "context": context,
        "relation": relation,
        "size": size,
        "load": load,
    }


def total(values: dict[str, np.ndarray], weights: Weights) -> np.ndarray:
    """The weighted sum, factor by factor in FACTORS order (the order the breakdown adds up in)."""
    w = weights.as_dict()
    score = np.zeros_like(values[FACTORS[0]])
    for name in FACTORS:
        score = score + w[name] * values[name]
    return score


def distance_km(network: Network, a: int, b: int) -> float:
    la, lb = network.lat[a], network.lat[b]
    cos_angle = np.sin(la) * np.sin(lb) + np.cos(la) * np.cos(lb) * np.cos(
        network.lon[b] - network.lon[a]
    )
    return float(EARTH_RADIUS_KM * np.arccos(np.clip(cos_angle, -1.0, 1.0)))
