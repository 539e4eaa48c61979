"""Per-factor breakdowns, the facts behind a one-sentence explanation, and 'why not' codes.

Nothing here is worded for a reader: the pages render the facts and codes through gettext.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from hub.matching.model import Alternative, Breakdown, Proposal, Request
from hub.matching.scoring import (
    DEFAULT_WEIGHTS,
    FACTORS,
    Batch,
    Network,
    Weights,
    distance_km,
    factor_values,
    hard_rules,
    total,
)

# A factor that scores lower on this factor than the better candidate, by the code a page explains.
WHY_NOT = {
    "thematic_fit": "lower_thematic_fit",
    "experience": "less_experienced",
    "language": "no_shared_language",
    "context": "less_similar_context",
    "relation": "no_earlier_relation",
    "size": "smaller_city",
    "load": "busier_mentor",
}
# Contribution gaps below this are ties, not reasons: a hundredth of a point moves no ranking.
TIE_TOLERANCE = 0.01
# How many alternatives a proposal page shows, and how far below the proposal they may score.
ALTERNATIVES_LIMIT = 3
CLOSE_MARGIN = 2.0  # a fifth of a perfect score: beyond it an alternative is not "close"


def breakdown(values: dict[str, float], weights: Weights) -> tuple[Breakdown, float]:
    """Value, weight and contribution per factor; the score is their sum in FACTORS order."""
    w = weights.as_dict()
    parts: Breakdown = {}
    score = 0.0
    for name in FACTORS:
        contribution = w[name] * values[name]
        parts[name] = {"value": values[name], "weight": w[name], "contribution": contribution}
        score = score + contribution
    return parts, score


def why_not(better: Breakdown, worse: Breakdown) -> tuple[str, ...]:
    """The factors on which `worse` falls behind `better`, largest gap first."""
    gaps = [
        (better[name]["contribution"] - worse[name]["contribution"], k, name)
        for k, name in enumerate(FACTORS)
    ]
    gaps.sort(key=lambda g: (-g[0], g[1]))
    return tuple(WHY_NOT[name] for gap, _, name in gaps if gap > TIE_TOLERANCE)


def facts(batch: Batch, network: Network, row: int, m: int) -> dict[str, Any]:
    """Facts for one sentence: what the mentor shows on the themes, and what the two share."""
    request = batch.requests[row]
    own = int(batch.rows[row])
    themes = [t for t in dict.fromkeys(request.themes)]
    cols = [network.theme_index[t] for t in themes if t in network.theme_index]
    counts = {key: network.counts[key][m, cols] for key in network.counts}
    covered = [
        t for t in themes if t in network.theme_index and network.offers[m, network.theme_index[t]]
    ]
    own_langs = network.cities[own].languages if own >= 0 else ()
    mentor = network.cities[m]
    shared = [x for x in (request.languages or own_langs) if x in mentor.languages]
    requester = network.cities[own] if own >= 0 else None
    return {
        "themes_covered": covered,
        "themes_missing": [t for t in themes if t not in covered],
        "evaluated_cases_on_themes": int(counts["evaluated"].sum()),
        "monitored_cases_on_themes": int(counts["monitored"].sum()),
        "other_cases_on_themes": int(counts["unevaluated"].sum()),
        "exchanges_on_themes": int(counts["exchanges"].sum()),
        "declared_expertise_on_themes": [
            t
            for t, n in zip(
                [t for t in themes if t in network.theme_index], counts["expertise"], strict=True
            )
            if n
        ],
        "shared_languages": shared,
        "interpretation_needed": not shared,
        "same_region": requester is not None and requester.region == mentor.region,
        "same_country": requester is not None and requester.country == mentor.country,
        "distance_km": round(distance_km(network, own, m)) if own >= 0 else None,
        "mentor_population": mentor.population,
        "requester_population": requester.population if requester else None,
        "mentor_larger": requester is not None and mentor.population > requester.population,
        "earlier_relation": mentor.id in request.relations,
        "mentor_current_load": int(network.capacity_used[m]),
    }


def proposal(
    batch: Batch,
    network: Network,
    weights: Weights,
    row: int,
    m: int,
    values: dict[str, float],
    rank: int,
    best: dict[str, float] | None = None,
    best_taken: bool = False,
) -> Proposal:
    """A proposal for batch row `row` and city index `m`; `best`: the row's top candidate."""
    parts, score = breakdown(values, weights)
    codes: tuple[str, ...] = ()
    if best is not None:
        codes = (("best_candidate_taken_in_round",) if best_taken else ()) + why_not(
            breakdown(best, weights)[0], parts
        )
    return Proposal(
        request_id=batch.requests[row].id,
        mentor_id=network.cities[m].id,
        score=score,
        rank=rank,
        breakdown=parts,
        facts=facts(batch, network, row, m),
        interpretation_needed=values["language"] == 0.0,
        why_not_higher=codes,
    )


def alternatives(
    request: Request,
    network: Network,
    chosen: Proposal,
    taken: Iterable[int] = (),
    limit: int = ALTERNATIVES_LIMIT,
    weights: Weights = DEFAULT_WEIGHTS,
) -> list[Alternative]:
    """Cities showing a requested theme that fit close to `chosen`, and why each was not chosen.

    Closeness and order go by fit, the score before the load term: a busy or full city that
    fits as well is the alternative a reader asks about, and its load is one of the reasons.
    `taken` lists mentors whose slots a round used up (RoundResult.full_mentors).
    """
    batch = Batch([request], network)
    rules = hard_rules(batch, network)
    cols = np.nonzero(rules.offers[0])[0]
    cols = cols[network.ids[cols] != chosen.mentor_id]
    values = factor_values(batch, network, np.zeros(len(cols), dtype=np.int64), cols, None)
    fit = total(values, weights) - weights.load * values["load"]
    chosen_fit = chosen.score - chosen.breakdown["load"]["contribution"]
    close = fit >= chosen_fit - CLOSE_MARGIN
    cols, fit = cols[close], fit[close]
    order = np.lexsort((network.ids[cols], -fit))[:limit]
    taken_ids = set(taken)
    result = []
    for k in order.tolist():
        m = int(cols[k])
        parts, score = breakdown({n: float(v[close][k]) for n, v in values.items()}, weights)
        hard: list[str] = []
        if not rules.more_experienced[0, m]:
            hard.append("not_more_experienced")
        if network.capacity_free[m] <= 0:
            hard.append("no_capacity")
        elif network.ids[m] in taken_ids:
            hard.append("no_capacity_left_in_round")
        soft = why_not(chosen.breakdown, parts)
        if not hard and not soft:
            soft = ("higher_score",) if score > chosen.score else ("tied_score",)
        result.append(Alternative(network.cities[m].id, score, not hard, tuple(hard) + soft))
    return result
