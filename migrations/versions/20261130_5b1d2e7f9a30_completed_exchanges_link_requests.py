"""One completed exchange: an exchange record links to the request completed in the hub

`exchanges.request_id` (nullable, unique) names the request an exchange record was made from.
Requests completed before this revision get their record now, as the hub makes it when the
second city reports (hub.exchanges.completion), so city pages, theme pages, the home page's
figures, the export and matching count them once, from that one table.

Revision ID: 5b1d2e7f9a30
Revises: 7c3e1f20a9d4
Create Date: 2026-11-30 12:50:00

"""

from collections import defaultdict
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "5b1d2e7f9a30"
down_revision = "7c3e1f20a9d4"
branch_labels = None
depends_on = None

# The tables as this revision reads and writes them: a migration does not follow later changes
# to the models in hub/.
meta = sa.MetaData()
requests = sa.Table(
    "exchange_requests",
    meta,
    sa.Column("id", sa.Integer),
    sa.Column("city_id", sa.Integer),
    sa.Column("format", sa.String),
    sa.Column("status", sa.String),
)
history = sa.Table(
    "exchange_request_history",
    meta,
    sa.Column("request_id", sa.Integer),
    sa.Column("to_status", sa.String),
    sa.Column("created_at", sa.DateTime),
)
proposals = sa.Table(
    "match_proposals",
    meta,
    sa.Column("request_id", sa.Integer),
    sa.Column("mentor_city_id", sa.Integer),
    sa.Column("status", sa.String),
)
request_themes = sa.Table(
    "exchange_request_themes",
    meta,
    sa.Column("request_id", sa.Integer),
    sa.Column("theme_id", sa.Integer),
)
cities = sa.Table(
    "cities",
    meta,
    sa.Column("id", sa.Integer),
    sa.Column("slug", sa.String),
    sa.Column("name", sa.String),
    sa.Column("names", sa.JSON),
)
themes = sa.Table(
    "themes",
    meta,
    sa.Column("id", sa.Integer),
    sa.Column("names", sa.JSON),
    sa.Column("position", sa.Integer),
)
exchanges = sa.Table(
    "exchanges",
    meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("slug", sa.String),
    sa.Column("titles", sa.JSON),
    sa.Column("format", sa.String),
    sa.Column("started", sa.Integer),
    sa.Column("ended", sa.Integer),
    sa.Column("supported_by", sa.JSON),
    sa.Column("summaries", sa.JSON),
    sa.Column("outcomes", sa.JSON),
    sa.Column("source", sa.Text),
    sa.Column("request_id", sa.Integer),
)
exchange_themes = sa.Table(
    "exchange_themes",
    meta,
    sa.Column("exchange_id", sa.Integer),
    sa.Column("theme_id", sa.Integer),
)
participants = sa.Table(
    "exchange_participants",
    meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("exchange_id", sa.Integer),
    sa.Column("position", sa.Integer),
    sa.Column("side", sa.String),
    sa.Column("city_id", sa.Integer),
)


def upgrade():
    with op.batch_alter_table("exchanges", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_id", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_exchanges_request_id"), ["request_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_exchanges_request_id_exchange_requests"),
            "exchange_requests",
            ["request_id"],
            ["id"],
            ondelete="SET NULL",
        )
    if not op.get_context().as_sql:  # an offline (--sql) script cannot read the requests
        record_completed(op.get_bind())


def downgrade():
    # Without the link a record made from a request could not be told apart, and the next
    # upgrade would make it again: they go, and that upgrade makes them anew.
    made = sa.select(exchanges.c.id).where(exchanges.c.request_id.is_not(None))
    for table in (participants, exchange_themes):
        op.execute(table.delete().where(table.c.exchange_id.in_(made)))
    op.execute(exchanges.delete().where(exchanges.c.request_id.is_not(None)))
    with op.batch_alter_table("exchanges", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_exchanges_request_id_exchange_requests"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("uq_exchanges_request_id"), type_="unique")
        batch_op.drop_column("request_id")


def record_completed(connection) -> None:
    """A public exchange record for each completed request that has none, as the hub makes it."""
    from hub.exchanges.completion import free_slug, public_texts, source_note

    done = connection.execute(
        sa.select(requests.c.id, requests.c.city_id, requests.c.format, proposals.c.mentor_city_id)
        .join(proposals, proposals.c.request_id == requests.c.id)
        .where(requests.c.status == "completed", proposals.c.status == "accepted")
        .where(~sa.exists().where(exchanges.c.request_id == requests.c.id))
        .order_by(requests.c.id)
    ).all()
    if not done:
        return
    ids = [row.id for row in done]
    city = {row.id: row for row in connection.execute(sa.select(cities))}
    theme_names = {
        row.id: (row.position, row.names or {}) for row in connection.execute(sa.select(themes))
    }
    themes_of = defaultdict(list)
    for request_id, theme_id in connection.execute(
        sa.select(request_themes).where(request_themes.c.request_id.in_(ids))
    ):
        themes_of[request_id].append(theme_id)
    years = defaultdict(dict)  # request -> status -> year it was reached
    for request_id, status, at in connection.execute(
        sa.select(history.c.request_id, history.c.to_status, history.c.created_at)
        .where(history.c.request_id.in_(ids))
        .order_by(history.c.created_at)
    ):
        years[request_id].setdefault(status, at.year)
    taken = set(connection.scalars(sa.select(exchanges.c.slug)))
    for row in done:
        learner, mentor = city[row.city_id], city[row.mentor_city_id]
        theme_ids = sorted(themes_of[row.id], key=lambda t: theme_names[t][0])
        titles, summaries = public_texts(
            (learner.name, learner.names),
            (mentor.name, mentor.names),
            [theme_names[t][1] for t in theme_ids],
        )
        reached = years[row.id]
        ended = reached.get("completed") or reached.get("in_progress") or datetime.now(UTC).year
        started = min(reached.get("in_progress", ended), ended)
        slug = free_slug(learner.slug, mentor.slug, ended, row.id, taken)
        taken.add(slug)
        exchange_id = connection.execute(
            exchanges.insert().values(
                slug=slug,
                titles=titles,
                format=row.format,
                started=started,
                ended=ended,
                supported_by=[],
                summaries=summaries,
                outcomes={},
                source=source_note(row.id),
                request_id=row.id,
            )
        ).inserted_primary_key[0]
        if theme_ids:
            connection.execute(
                exchange_themes.insert(),
                [{"exchange_id": exchange_id, "theme_id": t} for t in theme_ids],
            )
        connection.execute(
            participants.insert(),
            [
                {"exchange_id": exchange_id, "position": 0, "side": "mentor", "city_id": mentor.id},
                {
                    "exchange_id": exchange_id,
                    "position": 1,
                    "side": "learner",
                    "city_id": learner.id,
                },
            ],
        )
