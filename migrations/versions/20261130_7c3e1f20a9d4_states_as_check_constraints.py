"""States as enums: a CHECK constraint on every state and controlled-value column

The columns stay VARCHAR of the same length; each now accepts only its enum's values, so a bad
value cannot be stored by any client, and SQLite and PostgreSQL enforce the same lists.

Revision ID: 7c3e1f20a9d4
Revises: e4a84ba49217
Create Date: 2026-11-30 10:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "7c3e1f20a9d4"
down_revision = "e4a84ba49217"
branch_labels = None
depends_on = None

# The values as they were when this revision was written: a migration does not follow later
# changes to the enums in hub/.
AUDIT_ACTIONS = (
    "create", "edit", "delete", "publish", "unpublish", "archive", "add_translation",
    "resolve_report", "invited", "role_change", "account_disabled", "password_changed",
    "password_reset", "token_issued", "token_revoked", "permission_denied", "match_offered",
    "match_approved", "match_changed", "match_discarded", "match_accepted", "match_declined",
    "matching_round",
)  # fmt: skip
ROLES = ("practitioner", "focal_point", "staff", "admin")
PUBLICATION_STATES = ("draft", "published", "archived")
REQUEST_STATUSES = (
    "draft", "submitted", "proposed", "accepted", "in_progress", "completed", "withdrawn",
    "declined",
)  # fmt: skip
PROPOSAL_STATUSES = ("proposed", "accepted", "declined", "withdrawn")
DECISIONS = ("pending", "accepted", "declined")
STAFF_DECISIONS = ("approved", "replaced", "discarded")
SIDES = ("requester", "mentor")
PARTICIPANT_SIDES = ("mentor", "learner")
FORMATS = ("virtual", "study-visit", "mentoring")

# table -> [(constraint name as the models' naming convention makes it, column, values)]
CHECKS = {
    "audit_events": [("ck_audit_events_audit_action", "action", AUDIT_ACTIONS)],
    "users": [("ck_users_user_role", "role", ROLES)],
    "cases": [("ck_cases_publication_state", "state", PUBLICATION_STATES)],
    "webinars": [("ck_webinars_publication_state", "state", PUBLICATION_STATES)],
    "exchange_requests": [
        ("ck_exchange_requests_request_format", "format", FORMATS),
        ("ck_exchange_requests_request_status", "status", REQUEST_STATUSES),
    ],
    "exchange_request_history": [
        ("ck_exchange_request_history_history_from_status", "from_status", REQUEST_STATUSES),
        ("ck_exchange_request_history_history_to_status", "to_status", REQUEST_STATUSES),
    ],
    "match_proposals": [
        ("ck_match_proposals_proposal_status", "status", PROPOSAL_STATUSES),
        ("ck_match_proposals_requester_decision", "requester_decision", DECISIONS),
        ("ck_match_proposals_mentor_decision", "mentor_decision", DECISIONS),
        ("ck_match_proposals_staff_decision", "staff_decision", STAFF_DECISIONS),
    ],
    "exchange_reports": [("ck_exchange_reports_report_side", "side", SIDES)],
    "exchanges": [("ck_exchanges_exchange_format", "format", FORMATS)],
    "exchange_participants": [
        ("ck_exchange_participants_participant_side", "side", PARTICIPANT_SIDES)
    ],
}


def upgrade():
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table) as batch_op:
            for name, column, values in checks:
                batch_op.create_check_constraint(op.f(name), sa.column(column).in_(values))


def downgrade():
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table) as batch_op:
            for name, _column, _values in checks:
                batch_op.drop_constraint(op.f(name), type_="check")
