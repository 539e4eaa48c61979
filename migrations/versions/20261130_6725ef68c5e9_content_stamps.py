"""Content stamps: what `content load` last wrote from each file; an audit action for --force

`content_stamps` holds, per content file, the digest of what its record held after the last load,
so a later load tells a change made in the hub and keeps it. The audit log's action check gains
`content_overwritten`, which `content load --force` records.

Revision ID: 6725ef68c5e9
Revises: 5b1d2e7f9a30
Create Date: 2026-11-30 12:33:50

"""

import sqlalchemy as sa
from alembic import op

revision = "6725ef68c5e9"
down_revision = "5b1d2e7f9a30"
branch_labels = None
depends_on = None

# The audit actions as revision 7c3e1f20a9d4 left them; this revision adds one.
AUDIT_ACTIONS = (
    "create", "edit", "delete", "publish", "unpublish", "archive", "add_translation",
    "resolve_report", "invited", "role_change", "account_disabled", "password_changed",
    "password_reset", "token_issued", "token_revoked", "permission_denied", "match_offered",
    "match_approved", "match_changed", "match_discarded", "match_accepted", "match_declined",
    "matching_round",
)  # fmt: skip
ADDED_ACTIONS = ("content_overwritten",)
AUDIT_CHECK = "ck_audit_events_audit_action"


def _audit_actions(values: tuple[str, ...]) -> None:
    with op.batch_alter_table("audit_events") as batch_op:
        batch_op.drop_constraint(op.f(AUDIT_CHECK), type_="check")
        batch_op.create_check_constraint(op.f(AUDIT_CHECK), sa.column("action").in_(values))


def upgrade():
    op.create_table(
        "content_stamps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document", sa.String(length=300), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("loaded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_stamps")),
        sa.UniqueConstraint("document", name=op.f("uq_content_stamps_document")),
    )
    _audit_actions(AUDIT_ACTIONS + ADDED_ACTIONS)


def downgrade():
    op.execute(
        sa.text("DELETE FROM audit_events WHERE action IN :added").bindparams(
            sa.bindparam("added", ADDED_ACTIONS, expanding=True)
        )
    )
    _audit_actions(AUDIT_ACTIONS)
    op.drop_table("content_stamps")
