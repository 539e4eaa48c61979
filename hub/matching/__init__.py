"""Pairing requests for a peer exchange with experienced mentor cities, on plain data.

network = Network(cities, evidence)       # once; arrays over all cities
suggest(request, network, limit=10)       # best mentors for one request
proposals_of(requests, network, mentor)   # one mentor's place in each request's suggestions
run_round(requests, network)              # an optimal assignment within capacity
"""

from hub.matching.assignment import (
    UNMATCHED_REASONS,
    first_come,
    greedy,
    optimal,
    proposals_of,
    run_round,
    suggest,
)
from hub.matching.explain import alternatives, why_not
from hub.matching.model import (
    Alternative,
    City,
    Evidence,
    Proposal,
    Request,
    RoundResult,
    Unmatched,
)
from hub.matching.scoring import DEFAULT_WEIGHTS, FACTORS, Network, Weights

__all__ = [
    "DEFAULT_WEIGHTS",
    "FACTORS",
    "UNMATCHED_REASONS",
    "Alternative",
    "City",
    "Evidence",
    "Network",
    "Proposal",
    "Request",
    "RoundResult",
    "Unmatched",
    "Weights",
    "alternatives",
    "first_come",
    "greedy",
    "optimal",
    "proposals_of",
    "run_round",
    "suggest",
    "why_not",
]
