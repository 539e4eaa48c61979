"""Peer exchanges between cities."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.extensions import db
from hub.models.cities import City, Theme

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
    format: Mapped[str] = mapped_column(sa.String(20))
    started: Mapped[int]
    ended: Mapped[int | None]
    supported_by: Mapped[list] = mapped_column(sa.JSON, default=list)
    summaries: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    outcomes: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    source: Mapped[str] = mapped_column(sa.Text, default="")

    themes: Mapped[list[Theme]] = relationship(secondary=exchange_themes, order_by=Theme.position)
    participants: Mapped[list[ExchangeParticipant]] = relationship(
        back_populates="exchange",
        cascade="all, delete-orphan",
        order_by="ExchangeParticipant.position",
    )

    def side(self, side: str) -> list[ExchangeParticipant]:
        return [p for p in self.participants if p.side == side]

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
    side: Mapped[str] = mapped_column(sa.String(20))
    city_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("cities.id", ondelete="CASCADE"), index=True
    )
    country: Mapped[str | None] = mapped_column(sa.String(2))
    labels: Mapped[dict | None] = mapped_column(sa.JSON)

    exchange: Mapped[Exchange] = relationship(back_populates="participants")
    city: Mapped[City | None] = relationship()
