"""Cities of the network and the controlled list of themes."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.extensions import db
from hub.versions import Versioned
from hub.vocab import SizeBand, size_band

city_expertise = sa.Table(
    "city_expertise",
    db.metadata,
    sa.Column("city_id", sa.ForeignKey("cities.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("theme_id", sa.ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
)


class Theme(db.Model):
    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    # Order of the controlled list as the content files give it.
    position: Mapped[int] = mapped_column(default=0)
    names: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    descriptions: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    def __repr__(self) -> str:
        return f"<Theme {self.slug}>"


class City(Versioned, db.Model):
    __tablename__ = "cities"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    names: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    country: Mapped[str] = mapped_column(sa.String(2))
    region: Mapped[str] = mapped_column(sa.String(40), index=True)
    population: Mapped[int] = mapped_column(sa.BigInteger, index=True)
    population_source: Mapped[str] = mapped_column(sa.String(200), default="")
    latitude: Mapped[float]
    longitude: Mapped[float]
    timezone: Mapped[str] = mapped_column(sa.String(64), default="UTC")
    languages: Mapped[list] = mapped_column(sa.JSON, default=list)
    member_since: Mapped[int | None]
    mentor_capacity: Mapped[int] = mapped_column(default=0)
    summaries: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    expertise: Mapped[list[Theme]] = relationship(secondary=city_expertise, order_by=Theme.position)

    @property
    def size_band(self) -> SizeBand:
        return size_band(self.population)

    def display_name(self, lang: str) -> str:
        return self.names.get(lang) or self.name

    def __repr__(self) -> str:
        return f"<City {self.slug}>"
