"""People who sign in, and their personal API tokens."""

from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.cities.models import City
from hub.database import utcnow
from hub.extensions import db
from hub.i18n import lazy_gettext as _l
from hub.types import LabelledEnum, enum_column


class Role(LabelledEnum):
    """What a person does in the network; `hub.security.access` says what each may use."""

    practitioner = "practitioner", _l("Practitioner")
    focal_point = "focal_point", _l("Focal point")
    staff = "staff", _l("Staff")
    admin = "admin", _l("Administrator")


def new_session_key() -> str:
    return secrets.token_urlsafe(24)


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(sa.String(300))
    role: Mapped[Role] = mapped_column(
        enum_column(Role, name="user_role", length=20), default=Role.practitioner
    )
    city_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("cities.id", ondelete="SET NULL"), index=True
    )
    preferred_language: Mapped[str] = mapped_column(sa.String(2), default="en")
    active: Mapped[bool] = mapped_column(default=True)
    # Part of every session cookie: changing it (password change, disabling) ends the sessions.
    session_key: Mapped[str] = mapped_column(sa.String(64), default=new_session_key)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    city: Mapped[City | None] = relationship()

    # Flask-Login
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_key}"

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.staff, Role.admin)

    @property
    def is_focal_point(self) -> bool:
        return self.role == Role.focal_point

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class ApiToken(db.Model):
    """A personal API token: shown once, stored as a SHA-256 digest."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class AccessStatus(LabelledEnum):
    """Where a request for access is: waiting for staff, or decided."""

    pending = "pending", _l("Waiting for a decision")
    approved = "approved", _l("Approved")
    declined = "declined", _l("Declined")


class AccessRequest(db.Model):
    """A city official's request for an account, made at /<lang>/join; staff decide on it."""

    __tablename__ = "access_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    # A member city when the person chose one, else the city they typed.
    city_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cities.id", ondelete="SET NULL"))
    city_name: Mapped[str] = mapped_column(sa.String(200), default="")
    position: Mapped[str] = mapped_column(sa.String(200))  # their role in the city, in their words
    reason: Mapped[str] = mapped_column(sa.Text)
    language: Mapped[str] = mapped_column(sa.String(2), default="en")
    status: Mapped[AccessStatus] = mapped_column(
        enum_column(AccessStatus, name="access_status", length=10),
        default=AccessStatus.pending,
        index=True,
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    city: Mapped[City | None] = relationship()
    decided_by: Mapped[User | None] = relationship()

    def city_label(self, lang: str) -> str:
        return self.city.display_name(lang) if self.city else self.city_name
