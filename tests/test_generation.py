"""The generation grows with each change a reader may see, once per transaction, and not with
bookkeeping alone."""

import sqlalchemy as sa

from hub import generation
from hub.audit import AuditAction, AuditEvent
from hub.cities.models import City
from hub.extensions import db
from tests.conftest import app_with_content


def test_a_change_readers_see_makes_one_new_generation(database):
    app = app_with_content(database)
    with app.app_context():
        before, rows = generation.current(), changes()
        city = db.session.scalars(db.select(City).order_by(City.id)).first()
        city.population += 1
        db.session.flush()
        city.population += 1
        db.session.flush()
        db.session.commit()
        assert generation.current() > before
        assert changes() == rows + 1


def test_a_rolled_back_change_leaves_the_generation(database):
    app = app_with_content(database)
    with app.app_context():
        before = generation.current()
        city = db.session.scalars(db.select(City).order_by(City.id)).first()
        city.population += 1
        db.session.flush()
        db.session.rollback()
        assert generation.current() == before
        city = db.session.scalars(db.select(City).order_by(City.id)).first()
        city.population += 1
        db.session.commit()
        assert generation.current() > before


def test_bookkeeping_alone_is_not_a_new_generation(database):
    app = app_with_content(database)
    with app.app_context():
        before = generation.current()
        db.session.add(AuditEvent(action=AuditAction.edit))
        db.session.commit()
        assert generation.current() == before


def changes() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(generation.Change))
