"""Record versions: a version on every editable record, for ETags, If-Match and stale forms

Cases, webinars, their language versions, cities and exchange requests each get an INTEGER
`version` (1 for the rows already stored). Every UPDATE or DELETE of such a row names the version
it read, so a write made from an old copy changes nothing and is refused.

Revision ID: 5b1d7e93c2a4
Revises: 6725ef68c5e9
Create Date: 2026-11-30 12:45:00

"""

import sqlalchemy as sa
from alembic import op

revision = "5b1d7e93c2a4"
down_revision = "6725ef68c5e9"
branch_labels = None
depends_on = None

TABLES = ("cases", "case_texts", "webinars", "webinar_texts", "cities", "exchange_requests")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("version")
