"""Plain data the matching routine reads and returns; no database, no request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

EvidenceKind = Literal["case", "exchange", "expertise"]
EvidenceLevel = Literal["none", "monitored", "independently-evaluated"]

EVIDENCE_KINDS: tuple[str, ...] = ("case", "exchange", "expertise")
EVIDENCE_LEVELS: tuple[str, ...] = ("none", "monitored", "independently-evaluated")


@dataclass(frozen=True)
class City:
    id: int
    slug: str
    population: int
    region: str
    country: str
    languages: tuple[str, ...]
    capacity_free: int
    capacity_total: int
    lat: float
    lon: float


@dataclass(frozen=True)
class Evidence:
    """One thing a city can show on a theme: a published case, a completed exchange, or a claim."""

    city_id: int
    theme: str
    kind: EvidenceKind
    level: EvidenceLevel = "none"
    feedback: float | None = None  # mean rating received, 0 (poor) to 1 (excellent)

    def __post_init__(self) -> None:
        if self.kind not in EVIDENCE_KINDS:
            raise ValueError(f"unknown evidence kind {self.kind!r}")
        if self.level not in EVIDENCE_LEVELS:
            raise ValueError(f"unknown evidence level {self.level!r}")
        if self.feedback is not None and not 0.0 <= self.feedback <= 1.0:
            raise ValueError("feedback is a rating between 0 and 1")


@dataclass(frozen=True)
class Request:
    """A city asking for a peer exchange on some themes."""

    id: int
    city_id: int
    themes: tuple[str, ...]
    languages: tuple[str, ...] = ()  # working languages; empty means the city's own
    format: str = "virtual"
    relations: frozenset[int] = frozenset()  # cities it has worked with before

    def __post_init__(self) -> None:
        if not self.themes:
            raise ValueError("a request names at least one theme")


Breakdown = dict[str, dict[str, float]]


@dataclass(frozen=True)
class Proposal:
    """A mentor proposed for a request, with the score broken down factor by factor.

    `score` is the sum of the breakdown's contributions, in the order of `scoring.FACTORS`.
    `facts` holds what a one-sentence explanation needs; `why_not_higher` says, for a proposal
    that is not the request's best-scoring candidate, why it is not.
    """

    request_id: int
    mentor_id: int
    score: float
    rank: int  # 1 is the request's best-scoring eligible mentor
    breakdown: Breakdown
    facts: dict[str, Any]
    interpretation_needed: bool
    why_not_higher: tuple[str, ...] = ()


@dataclass(frozen=True)
class Alternative:
    """A city that came close but was not proposed, and the reasons, most important first."""

    mentor_id: int
    score: float
    eligible: bool
    why_not: tuple[str, ...]


@dataclass(frozen=True)
class Unmatched:
    request_id: int
    reason: str  # one of assignment.UNMATCHED_REASONS


@dataclass(frozen=True)
class RoundResult:
    assignments: tuple[Proposal, ...]  # ordered by request id
    unmatched: tuple[Unmatched, ...]  # ordered by request id
    total_score: float
    full_mentors: tuple[int, ...] = ()  # mentors whose free slots this round used up
