"""The request lifecycle: one transaction per request, committed below 400 and rolled back
otherwise; the hub's errors become one page or one API envelope; mail goes out only with a
commit."""

import pytest
import sqlalchemy as sa
from flask import redirect

from hub import mail, web
from hub.cities.models import Theme
from hub.errors import InvalidInput, NotAllowed, NotFound, StepRefused
from hub.extensions import db
from hub.mail.models import MailMessage
from hub.security.access import PUBLIC, allow


def _theme(slug: str) -> Theme:
    return Theme(slug=slug, position=1, names={"en": slug}, descriptions={})


@pytest.fixture
def lifecycle_app(form_app):
    """The app (CSRF off) with routes that change something, then answer in each way a view
    can."""
    app = form_app

    def change_then(answer):
        def view():
            db.session.add(_theme("written"))
            mail.send("someone@example.org", "Subject", "Body")
            db.session.flush()
            return answer()

        return view

    def raise_(error):
        def answer():
            raise error

        return answer

    answers = {
        "ok": lambda: ("done", 200),
        "created": lambda: ("done", 201),
        "bad": lambda: ("bad", 400),
        "invalid": raise_(InvalidInput({"slug": "Not a slug."})),
        "refused": raise_(StepRefused({"status": "Not now."})),
        "forbidden": raise_(NotAllowed()),
        "missing": raise_(NotFound()),
        "crash": raise_(RuntimeError("boom")),
        "flash": lambda: web.refused(StepRefused({"status": "Not now."}), "/en/"),
        "redirect": lambda: redirect("/en/", 303),
    }
    for name, answer in answers.items():
        for prefix in ("/<lang:lang>/test", "/api/v1/test"):
            app.add_url_rule(
                f"{prefix}/{name}",
                f"{prefix}-{name}",
                allow(PUBLIC)(change_then(answer)),
                methods=["POST"],
            )
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


def _stored(app) -> tuple[int, int]:
    with app.app_context():
        themes = db.session.scalar(sa.select(sa.func.count(Theme.id)))
        messages = db.session.scalar(sa.select(sa.func.count(MailMessage.id)))
        return themes, messages


@pytest.mark.parametrize("name", ["ok", "created", "redirect"])
def test_an_answer_below_400_commits_the_change_and_its_mail(lifecycle_app, name):
    lifecycle_app.test_client().post(f"/en/test/{name}")
    assert _stored(lifecycle_app) == (1, 1)


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("bad", 400),
        ("invalid", 400),
        ("forbidden", 403),
        ("missing", 404),
        ("refused", 409),
        ("crash", 500),
        ("flash", 303),
    ],
)
@pytest.mark.parametrize("prefix", ["/en/test", "/api/v1/test"])
def test_any_other_answer_keeps_nothing_and_sends_nothing(lifecycle_app, prefix, name, status):
    answer = lifecycle_app.test_client().post(f"{prefix}/{name}")
    assert answer.status_code == status
    assert _stored(lifecycle_app) == (0, 0)


@pytest.mark.parametrize(
    ("name", "status", "errors"),
    [
        ("invalid", 400, {"slug": "Not a slug."}),
        ("refused", 409, {"status": "Not now."}),
        ("missing", 404, None),
        ("crash", 500, None),
    ],
)
def test_the_api_answers_every_error_in_one_envelope(lifecycle_app, name, status, errors):
    answer = lifecycle_app.test_client().post(f"/api/v1/test/{name}?lang=fr")
    assert answer.status_code == status
    assert list(answer.json) == ["errors"]
    if errors:
        assert answer.json["errors"] == errors
    else:
        assert set(answer.json["errors"]) == {"_"}
        assert "boom" not in answer.get_data(as_text=True)


def test_a_page_shows_the_refusal_in_the_readers_language(lifecycle_app):
    answer = lifecycle_app.test_client().post("/fr/test/refused")
    assert answer.status_code == 409
    page = answer.get_data(as_text=True)
    assert "Not now." in page
    assert 'lang="fr"' in page
