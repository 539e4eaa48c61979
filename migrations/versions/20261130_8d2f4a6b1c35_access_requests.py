"""Access requests from /join; a Reply-To for relayed mail; audit actions for both

`access_requests` holds what a city official sent from the join page until staff decide on it.
`mail_messages.reply_to` carries the address of a member whose message the hub relays to a city's
focal point. The audit log's action check gains the actions of both.

Revision ID: 8d2f4a6b1c35
Revises: 3f0c6a9e1b27
Create Date: 2026-11-30 16:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "8d2f4a6b1c35"
down_revision = "3f0c6a9e1b27"
branch_labels = None
depends_on = None

# The audit actions as revision 6725ef68c5e9 left them; this revision adds four.
AUDIT_ACTIONS = (
    "create", "edit", "delete", "publish", "unpublish", "archive", "add_translation",
    "resolve_report", "invited", "role_change", "account_disabled", "password_changed",
    "password_reset", "token_issued", "token_revoked", "permission_denied", "match_offered",
    "match_approved", "match_changed", "match_discarded", "match_accepted", "match_declined",
    "matching_round", "content_overwritten",
)  # fmt: skip
ADDED_ACTIONS = ("access_requested", "access_approved", "access_declined", "city_contacted")
AUDIT_CHECK = "ck_audit_events_audit_action"
ACCESS_STATUSES = ("pending", "approved", "declined")


def _audit_actions(values: tuple[str, ...]) -> None:
    with op.batch_alter_table("audit_events") as batch_op:
        batch_op.drop_constraint(op.f(AUDIT_CHECK), type_="check")
        batch_op.create_check_constraint(op.f(AUDIT_CHECK), sa.column("action").in_(values))


def upgrade():
    op.create_table(
        "access_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("city_id", sa.Integer(), nullable=True),
        sa.Column("city_name", sa.String(length=200), nullable=False),
        sa.Column("position", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            sa.column("status").in_(ACCESS_STATUSES), name=op.f("ck_access_requests_access_status")
        ),
        sa.ForeignKeyConstraint(
            ["city_id"],
            ["cities.id"],
            name=op.f("fk_access_requests_city_id_cities"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_access_requests_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_requests")),
    )
    op.create_index(op.f("ix_access_requests_email"), "access_requests", ["email"])
    op.create_index(op.f("ix_access_requests_status"), "access_requests", ["status"])
    with op.batch_alter_table("mail_messages") as batch_op:
        batch_op.add_column(sa.Column("reply_to", sa.String(length=254), nullable=True))
    _audit_actions(AUDIT_ACTIONS + ADDED_ACTIONS)


def downgrade():
    op.execute(
        sa.text("DELETE FROM audit_events WHERE action IN :added").bindparams(
            sa.bindparam("added", ADDED_ACTIONS, expanding=True)
        )
    )
    _audit_actions(AUDIT_ACTIONS)
    with op.batch_alter_table("mail_messages") as batch_op:
        batch_op.drop_column("reply_to")
    op.drop_index(op.f("ix_access_requests_status"), table_name="access_requests")
    op.drop_index(op.f("ix_access_requests_email"), table_name="access_requests")
    op.drop_table("access_requests")
