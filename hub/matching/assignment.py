"""Rounds and single suggestions: the optimal assignment and two baselines, on the same scores."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from hub.matching import explain
from hub.matching.model import Proposal, Request, RoundResult, Unmatched
from hub.matching.scoring import (
    DEFAULT_WEIGHTS,
    Batch,
    Network,
    Rules,
    Weights,
    factor_values,
    hard_rules,
    total,
)

# Added to every eligible pair: far above any score (about 10, less the load term), so the optimum
# first serves as many requests as possible and only then maximises the total score.
MATCH_PRIORITY = 1000.0

UNMATCHED_REASONS = (
    "unknown_city",  # the requesting city is not in the network
    "no_mentor_for_themes",  # no other city shows any requested theme
    "no_more_experienced_mentor",  # some do, none with more experience on them than the requester
    "no_free_capacity",  # the eligible mentors have no free slot
    "lost_to_higher_scoring_requests",  # eligible mentors' slots went to better-fitting requests
)


@dataclass(frozen=True)
class Pairs:
    """Eligible pairs in row-major order, with their score for the mentor's next free slot."""

    batch: Batch
    rules: Rules
    r: np.ndarray
    m: np.ndarray
    values: dict[str, np.ndarray]
    score: np.ndarray
    slots: np.ndarray  # per city: slots usable this round
    load_weight: float


@dataclass(frozen=True)
class Matching:
    r: np.ndarray  # index into Pairs arrays' batch rows
    pair: np.ndarray  # index into the Pairs arrays
    slot: np.ndarray  # 0 for the mentor's first new exchange this round, 1 for the second...


def eligible_pairs(batch: Batch, network: Network, weights: Weights) -> Pairs:
    rules = hard_rules(batch, network)
    r, m = np.nonzero(rules.eligible)
    values = factor_values(batch, network, r, m, extra_load=None)
    demand = np.bincount(m, minlength=len(network.cities))
    slots = np.minimum(network.capacity_free, demand)
    return Pairs(batch, rules, r, m, values, total(values, weights), slots, weights.load)


def optimal(p: Pairs) -> Matching:
    """linear_sum_assignment over requests x usable mentor slots, one column per slot.

    Slot k of a mentor costs load weight x k more than its first, so each further exchange costs
    more than the one before (a convex load penalty). An eligible pair costs -(MATCH_PRIORITY +
    score); every other cell costs 0, as leaving the request unmatched does. So a request given an
    ineligible slot is simply unmatched, and no "unmatched" column per request is needed: with
    fewer slots than requests the solver assigns every slot instead of every request, and the
    optimum is the same. Dropping those columns, and the huge cost the former layout put on
    ineligible cells, cut a round on the bench's tight scenario from about 2.4 s to 0.5 s.
    """
    n = len(p.batch.requests)
    start = np.concatenate(([0], np.cumsum(p.slots)))
    n_slots = int(start[-1])
    if not n or not n_slots:
        return _matching(p, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    cost = np.zeros((n, n_slots))
    for k in range(int(p.slots.max(initial=0))):
        sel = p.slots[p.m] > k
        cost[p.r[sel], start[p.m[sel]] + k] = -(MATCH_PRIORITY + p.score[sel] + p.load_weight * k)
    rows, cols = linear_sum_assignment(cost)
    keep = cost[rows, cols] < 0
    rows, cols = rows[keep].astype(np.int64), cols[keep]
    mentor = np.searchsorted(start, cols, side="right") - 1
    return _matching(p, rows, mentor)


def greedy(p: Pairs) -> Matching:
    """Best pairs first (a stable matching when both sides rank by the same score)."""
    order = np.lexsort((p.m, p.r, -p.score))
    left = p.slots.copy()
    taken = np.zeros(len(p.batch.requests), dtype=bool)
    rows, mentors = [], []
    for k in order.tolist():
        row, mentor = int(p.r[k]), int(p.m[k])
        if not taken[row] and left[mentor] > 0:
            taken[row] = True
            left[mentor] -= 1
            rows.append(row)
            mentors.append(mentor)
    return _matching(p, np.array(rows, dtype=np.int64), np.array(mentors, dtype=np.int64))


def first_come(p: Pairs) -> Matching:
    """Requests in id order (arrival), each taking its best mentor with a slot left."""
    left = p.slots.copy()
    bounds = np.searchsorted(p.r, np.arange(len(p.batch.requests) + 1))
    rows, mentors = [], []
    for row in range(len(p.batch.requests)):
        lo, hi = bounds[row], bounds[row + 1]
        ms = p.m[lo:hi]
        score = p.score[lo:hi] + p.load_weight * (p.slots[ms] - left[ms])
        score = np.where(left[ms] > 0, score, -np.inf)
        if hi > lo and np.isfinite(score.max()):
            best = ms[np.lexsort((ms, -score))[0]]
            left[best] -= 1
            rows.append(row)
            mentors.append(int(best))
    return _matching(p, np.array(rows, dtype=np.int64), np.array(mentors, dtype=np.int64))


def _matching(p: Pairs, rows: np.ndarray, mentor: np.ndarray) -> Matching:
    """Locate each (row, mentor) pair; number each mentor's slots 0, 1, ... best score first."""
    n_cities = p.rules.eligible.shape[1]
    # Pairs come from np.nonzero, so their row-major codes are sorted.
    pair = np.searchsorted(p.r * n_cities + p.m, rows * n_cities + mentor)
    order = np.lexsort((rows, -p.score[pair], mentor))
    slot = np.zeros(len(pair), dtype=np.int64)
    previous, k = -1, 0
    for i in order.tolist():
        k = k + 1 if mentor[i] == previous else 0
        previous = int(mentor[i])
        slot[i] = k
    by_row = np.argsort(rows, kind="stable")
    return Matching(rows[by_row], pair[by_row], slot[by_row])


Method = Callable[[Pairs], Matching]


def run_round(
    requests: Iterable[Request],
    network: Network,
    weights: Weights = DEFAULT_WEIGHTS,
    method: Method = optimal,
) -> RoundResult:
    """Assign mentors to a round of requests, respecting free capacity."""
    batch = Batch(requests, network)
    p = eligible_pairs(batch, network, weights)
    matching = method(p)
    bounds = np.searchsorted(p.r, np.arange(len(batch.requests) + 1))
    assignments = []
    for row, k, slot in zip(
        matching.r.tolist(), matching.pair.tolist(), matching.slot.tolist(), strict=True
    ):
        lo, hi = bounds[row], bounds[row + 1]
        ranking = lo + np.lexsort((network.ids[p.m[lo:hi]], -p.score[lo:hi]))
        rank = int(np.nonzero(ranking == k)[0][0]) + 1
        best = int(ranking[0])
        assignments.append(
            explain.proposal(
                batch,
                network,
                weights,
                row,
                int(p.m[k]),
                _row_values(p, k, slot),
                rank,
                best=None if best == k else _row_values(p, best, 0),
                best_taken=best != k,
            )
        )
    matched = set(matching.r.tolist())
    unmatched = tuple(
        Unmatched(req.id, unmatched_reason(p, row))
        for row, req in enumerate(batch.requests)
        if row not in matched
    )
    used = np.bincount(p.m[matching.pair], minlength=len(network.cities))
    full = np.nonzero((used > 0) & (used >= network.capacity_free))[0]
    return RoundResult(
        assignments=tuple(assignments),
        unmatched=unmatched,
        total_score=sum(a.score for a in assignments),
        full_mentors=tuple(int(x) for x in network.ids[full]),
    )


def _row_values(p: Pairs, k: int, slot: int) -> dict[str, float]:
    values = {name: float(v[k]) for name, v in p.values.items()}
    values["load"] += slot
    return values


def unmatched_reason(p: Pairs, row: int) -> str:
    if p.batch.rows[row] < 0:
        return "unknown_city"
    if not p.rules.offers[row].any():
        return "no_mentor_for_themes"
    if not p.rules.more_experienced[row].any():
        return "no_more_experienced_mentor"
    if not p.rules.eligible[row].any():
        return "no_free_capacity"
    return "lost_to_higher_scoring_requests"


def suggest(
    request: Request, network: Network, limit: int = 10, weights: Weights = DEFAULT_WEIGHTS
) -> list[Proposal]:
    """The best eligible mentors for one request, best first; the round's scores on one row."""
    batch = Batch([request], network)
    p = eligible_pairs(batch, network, weights)
    order = np.lexsort((network.ids[p.m], -p.score))[:limit]
    if not len(order):
        return []
    top = _row_values(p, int(order[0]), 0)
    return [
        explain.proposal(
            batch,
            network,
            weights,
            0,
            int(p.m[k]),
            _row_values(p, int(k), 0),
            i + 1,
            best=None if i == 0 else top,
        )
        for i, k in enumerate(order.tolist())
    ]


def proposals_of(
    requests: Iterable[Request],
    network: Network,
    mentor_id: int,
    weights: Weights = DEFAULT_WEIGHTS,
) -> dict[int, Proposal]:
    """Per request `mentor_id` may mentor: its proposal as `suggest` with no limit gives it (the
    same rank and reasons), explained for that one mentor only."""
    if mentor_id not in network.index:
        return {}
    batch = Batch(requests, network)
    p = eligible_pairs(batch, network, weights)
    mentor = network.index[mentor_id]
    bounds = np.searchsorted(p.r, np.arange(len(batch.requests) + 1))
    found = {}
    for row in np.unique(p.r[p.m == mentor]).tolist():
        lo, hi = bounds[row], bounds[row + 1]
        order = lo + np.lexsort((network.ids[p.m[lo:hi]], -p.score[lo:hi]))
        i = int(np.nonzero(p.m[order] == mentor)[0][0])
        top = _row_values(p, int(order[0]), 0)
        found[batch.requests[row].id] = explain.proposal(
            batch,
            network,
            weights,
            row,
            mentor,
            _row_values(p, int(order[i]), 0),
            i + 1,
            best=None if i == 0 else top,
        )
    return found
