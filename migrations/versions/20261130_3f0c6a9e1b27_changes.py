"""The generation: one `changes` row per write transaction that changed what readers see

Caches built from the database (the matching network, counts, HTTP validators) are keyed by the
largest id here. One row is inserted now, so that a database upgraded from before starts at a
generation of its own.

Revision ID: 3f0c6a9e1b27
Revises: 48e5aa60f369
Create Date: 2026-11-30 15:45:00

"""

import sqlalchemy as sa
from alembic import op

revision = "3f0c6a9e1b27"
down_revision = "48e5aa60f369"
branch_labels = None
depends_on = None


def upgrade():
    changes = op.create_table(
        "changes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_changes")),
    )
    op.execute(changes.insert().values(created_at=sa.func.current_timestamp()))


def downgrade():
    op.drop_table("changes")
