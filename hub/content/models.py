"""What `content load` last wrote from each content file, to tell a change made in the hub since."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from hub.database import utcnow
from hub.extensions import db


class ContentStamp(db.Model):
    """One content file's record as the last load left it: the digest of what it held then.

    A table of its own, named by the file's place in a content folder, so a stamp outlives the
    record it describes: a record deleted in the hub is not loaded again unnoticed.
    """

    __tablename__ = "content_stamps"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The file's name in an exported folder: "cities/mombasa.md", "cases/<slug>.<language>.md".
    document: Mapped[str] = mapped_column(sa.String(300), unique=True)
    digest: Mapped[str] = mapped_column(sa.String(64))
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)
