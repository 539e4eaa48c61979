"""Source addresses: cases and webinars may link the article their facts come from

Revision ID: 5a1b7c9d2e40
Revises: 5b1d7e93c2a4
Create Date: 2026-11-30 13:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "5a1b7c9d2e40"
down_revision = "5b1d7e93c2a4"
branch_labels = None
depends_on = None


def upgrade():
    for table in ("cases", "webinars"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("source_url", sa.String(length=500), nullable=True))


def downgrade():
    for table in ("webinars", "cases"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("source_url")
