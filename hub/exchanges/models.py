"""Requests for a peer exchange, their history, and the mentor cities proposed for them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.accounts.models import User
from hub.cities.models import City, Theme
from hub.database import utcnow
from hub.exchanges.states import (
    Decision,
    ExchangeFormat,
    ParticipantSide,
    ProposalState,
    ProposalStatus,
    RequestStatus,
    Side,
    StaffDecision,
)
from hub.extensions import db
from hub.types import enum_column
from hub.versions import Versioned

exchange_request_themes = sa.Table(
    "exchange_request_themes",
    db.metadata,
    sa.Column(
        "request_id", sa.ForeignKey("exchange_requests.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("theme_id", sa.ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
)


class ExchangeRequest(Versioned, db.Model):
    __tablename__ = "exchange_requests"
    # A new version when what its city asks for changes; steps are guarded by their states.
    VERSIONED_ATTRIBUTES = ("themes", "challenge", "languages", "format", "timeframe")

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(sa.ForeignKey("cities.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    challenge: Mapped[str] = mapped_column(sa.Text, default="")
    languages: Mapped[list] = mapped_column(sa.JSON, default=list)
    format: Mapped[ExchangeFormat] = mapped_column(
        enum_column(ExchangeFormat, name="request_format", length=20)
    )
    timeframe: Mapped[str] = mapped_column(sa.String(200), default="")
    status: Mapped[RequestStatus] = mapped_column(
        enum_column(RequestStatus, name="request_status", length=20),
        default=RequestStatus.draft,
        index=True,
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    city: Mapped[City] = relationship()
    requested_by: Mapped[User | None] = relationship()
    themes: Mapped[list[Theme]] = relationship(
        secondary=exchange_request_themes, order_by=Theme.position
    )
    history: Mapped[list[ExchangeRequestChange]] = relationship(
        back_populates="request",
        cascade="all, delete-orphan",
        order_by="ExchangeRequestChange.id",
    )
    proposals: Mapped[list[MatchProposal]] = relationship(
        back_populates="request",
        cascade="all, delete-orphan",
        order_by="MatchProposal.id",
    )
    reports: Mapped[list[ExchangeReport]] = relationship(
        back_populates="request",
        cascade="all, delete-orphan",
        order_by="ExchangeReport.id",
    )

    @property
    def pending_proposal(self) -> MatchProposal | None:
        return next((p for p in self.proposals if p.status == ProposalStatus.proposed), None)

    @property
    def accepted_proposal(self) -> MatchProposal | None:
        return next((p for p in self.proposals if p.status == ProposalStatus.accepted), None)

    @property
    def live_proposal(self) -> MatchProposal | None:
        """The proposal the request is about now: pending, or accepted by both cities."""
        return self.pending_proposal or self.accepted_proposal

    def report_of(self, side: Side) -> ExchangeReport | None:
        return next((r for r in self.reports if r.side == side), None)

    def __repr__(self) -> str:
        return f"<ExchangeRequest {self.id} {self.status}>"


class ExchangeRequestChange(db.Model):
    """One change of a request's status, by whom and when."""

    __tablename__ = "exchange_request_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("exchange_requests.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[RequestStatus | None] = mapped_column(
        enum_column(RequestStatus, name="history_from_status", length=20)
    )
    to_status: Mapped[RequestStatus] = mapped_column(
        enum_column(RequestStatus, name="history_to_status", length=20)
    )
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    request: Mapped[ExchangeRequest] = relationship(back_populates="history")
    actor: Mapped[User | None] = relationship()


class MatchProposal(db.Model):
    """A mentor city proposed for a request, with its score broken down factor by factor."""

    __tablename__ = "match_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("exchange_requests.id", ondelete="CASCADE"), index=True
    )
    mentor_city_id: Mapped[int] = mapped_column(
        sa.ForeignKey("cities.id", ondelete="CASCADE"), index=True
    )
    score: Mapped[float]
    rank: Mapped[int]
    breakdown: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    facts: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    proposed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    # Each side's decision is kept on its own; none stored means it is still to come.
    status: Mapped[ProposalStatus] = mapped_column(
        enum_column(ProposalStatus, name="proposal_status", length=20),
        default=ProposalStatus.proposed,
        index=True,
    )
    requester_decision: Mapped[Decision | None] = mapped_column(
        enum_column(Decision, name="requester_decision", length=20)
    )
    mentor_decision: Mapped[Decision | None] = mapped_column(
        enum_column(Decision, name="mentor_decision", length=20)
    )
    staff_decision: Mapped[StaffDecision | None] = mapped_column(
        enum_column(StaffDecision, name="staff_decision", length=20)
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]

    request: Mapped[ExchangeRequest] = relationship(back_populates="proposals")
    mentor_city: Mapped[City] = relationship()
    proposed_by: Mapped[User | None] = relationship()

    @hybrid_property
    def put_to_mentor(self) -> bool:
        """Staff have put this proposal to its mentor city (or both cities accepted it)."""
        return (
            self.staff_decision == StaffDecision.approved or self.status == ProposalStatus.accepted
        )

    @put_to_mentor.inplace.expression
    @classmethod
    def _put_to_mentor_expression(cls) -> sa.ColumnElement[bool]:
        return sa.or_(
            cls.staff_decision == StaffDecision.approved, cls.status == ProposalStatus.accepted
        )

    @property
    def state(self) -> ProposalState:
        """review, cities (approved, waiting for the cities), or how it was settled."""
        if self.status != ProposalStatus.proposed:
            return ProposalState(self.status.value)
        if self.staff_decision == StaffDecision.approved:
            return ProposalState.cities
        return ProposalState.review

    def decision_of(self, side: Side) -> Decision:
        found = self.requester_decision if side == Side.requester else self.mentor_decision
        return Decision(found) if found else Decision.pending

    def decide(self, side: Side, decision: Decision) -> None:
        if side == Side.requester:
            self.requester_decision = decision
        else:
            self.mentor_decision = decision


class ExchangeReport(db.Model):
    """What one side of an exchange reports when it ends: outcomes, feedback and a rating."""

    __tablename__ = "exchange_reports"
    __table_args__ = (sa.UniqueConstraint("request_id", "side"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("exchange_requests.id", ondelete="CASCADE"), index=True
    )
    side: Mapped[Side] = mapped_column(enum_column(Side, name="report_side", length=20))
    city_id: Mapped[int] = mapped_column(sa.ForeignKey("cities.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    outcomes: Mapped[str] = mapped_column(sa.Text)
    feedback: Mapped[str] = mapped_column(sa.Text, default="")
    rating: Mapped[int]  # 1 (poor) to 5 (excellent): how the exchange went for this side
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    request: Mapped[ExchangeRequest] = relationship(back_populates="reports")
    city: Mapped[City] = relationship()
    author: Mapped[User | None] = relationship()


exchange_themes = sa.Table(
    "exchange_themes",
    db.metadata,
    sa.Column("exchange_id", sa.ForeignKey("exchanges.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("theme_id", sa.ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
)


class Exchange(db.Model):
    __tablename__ = "exchanges"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    titles: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    format: Mapped[ExchangeFormat] = mapped_column(
        enum_column(ExchangeFormat, name="exchange_format", length=20)
    )
    started: Mapped[int]
    ended: Mapped[int | None]
    supported_by: Mapped[list] = mapped_column(sa.JSON, default=list)
    summaries: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    outcomes: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    source: Mapped[str] = mapped_column(sa.Text, default="")
    # The request completed in the hub that made this record; none for a content file's.
    request_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("exchange_requests.id", ondelete="SET NULL"), unique=True
    )

    themes: Mapped[list[Theme]] = relationship(secondary=exchange_themes, order_by=Theme.position)
    participants: Mapped[list[ExchangeParticipant]] = relationship(
        back_populates="exchange",
        cascade="all, delete-orphan",
        order_by="ExchangeParticipant.position",
    )

    def side(self, side: ParticipantSide | str) -> list[ExchangeParticipant]:
        return [p for p in self.participants if p.side == side]

    def sides(self) -> list[tuple[ParticipantSide, list[ExchangeParticipant]]]:
        """Each side, mentors first, with its parties."""
        return [(side, self.side(side)) for side in ParticipantSide]

    @property
    def format_label(self) -> str:
        return ExchangeFormat(self.format).label

    def __repr__(self) -> str:
        return f"<Exchange {self.slug}>"


class ExchangeParticipant(db.Model):
    """One party to an exchange: a city of the hub, or a group named by a label and country."""

    __tablename__ = "exchange_participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    exchange_id: Mapped[int] = mapped_column(
        sa.ForeignKey("exchanges.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    side: Mapped[ParticipantSide] = mapped_column(
        enum_column(ParticipantSide, name="participant_side", length=20)
    )
    city_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("cities.id", ondelete="CASCADE"), index=True
    )
    country: Mapped[str | None] = mapped_column(sa.String(2))
    labels: Mapped[dict | None] = mapped_column(sa.JSON)

    exchange: Mapped[Exchange] = relationship(back_populates="participants")
    city: Mapped[City | None] = relationship()
