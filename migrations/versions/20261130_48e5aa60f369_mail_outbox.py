"""The mail outbox: each message's state, attempts, next attempt, last error and time sent

Mail is no longer sent by the request that queues it but by `flask --app hub mail follow`, with
retries. Messages SMTP accepted before this revision become `sent` (at the time they were
queued); the others were refused or had no server to go to, and become `failed`, so that the
follower does not send old password-reset links out of the blue.

Revision ID: 48e5aa60f369
Revises: 5a1b7c9d2e40
Create Date: 2026-11-30 12:32:07

"""

import sqlalchemy as sa
from alembic import op

revision = "48e5aa60f369"
down_revision = "5a1b7c9d2e40"
branch_labels = None
depends_on = None

STATUSES = ("pending", "sent", "failed")
messages = sa.table(
    "mail_messages",
    sa.column("sent", sa.Boolean),
    sa.column("status", sa.String),
    sa.column("created_at", sa.DateTime),
    sa.column("sent_at", sa.DateTime),
    sa.column("last_error", sa.Text),
)


def upgrade():
    with op.batch_alter_table("mail_messages") as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=10), server_default="pending", nullable=False)
        )
        batch_op.add_column(sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("next_attempt_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("last_error", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("sent_at", sa.DateTime(), nullable=True))
    op.execute(
        messages.update()
        .where(messages.c.sent == sa.true())
        .values(status="sent", sent_at=messages.c.created_at)
    )
    op.execute(
        messages.update()
        .where(messages.c.sent == sa.false())
        .values(status="failed", last_error="not sent before the mail follower existed")
    )
    with op.batch_alter_table("mail_messages") as batch_op:
        batch_op.drop_column("sent")
        batch_op.create_check_constraint(
            op.f("ck_mail_messages_mail_status"), sa.column("status").in_(STATUSES)
        )
        batch_op.create_index("ix_mail_messages_due", ["status", "next_attempt_at"], unique=False)


def downgrade():
    with op.batch_alter_table("mail_messages") as batch_op:
        batch_op.add_column(
            sa.Column("sent", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.execute(messages.update().where(messages.c.status == "sent").values(sent=True))
    with op.batch_alter_table("mail_messages") as batch_op:
        batch_op.drop_index("ix_mail_messages_due")
        batch_op.drop_constraint(op.f("ck_mail_messages_mail_status"), type_="check")
        batch_op.drop_column("sent_at")
        batch_op.drop_column("last_error")
        batch_op.drop_column("next_attempt_at")
        batch_op.drop_column("attempts")
        batch_op.drop_column("status")
