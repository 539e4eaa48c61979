"""Peer exchanges in the browser: a city asks, staff run a round and approve, both cities accept
and report; the public board hides private text; other cities get a 404 and change nothing."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from hub.accounts.models import User
from hub.catalog import queries as catalog
from hub.cities.models import City
from hub.exchanges.models import ExchangeReport, ExchangeRequest, MatchProposal
from hub.extensions import db
from hub.mail.models import MailMessage
from tests.checkboxes import labels, ticked
from tests.conftest import PASSWORD, _dispose, app_with_people
from tests.conftest import request_state as state

CHALLENGE = "Our action plan stalls between the county and the wards."
FORM = {
    "themes": ["local-action-plans"],
    "challenge": CHALLENGE,
    "languages": ["en", "sw"],
    "format": "mentoring",
    "timeframe": "first half of 2027",
    "action": "submit",
}


@pytest.fixture
def site(database):
    app = app_with_people(database, WTF_CSRF_ENABLED=False)
    yield app
    _dispose(app)


def person(app, name, lang="en"):
    client = app.test_client()
    answer = client.post(
        f"/{lang}/login", data={"email": f"{name}@example.org", "password": PASSWORD}
    )
    assert answer.status_code in (302, 303), answer.get_data(as_text=True)
    return client


class Text(HTMLParser):
    """The text a reader sees, without markup."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def text(answer) -> str:
    parser = Text()
    parser.feed(answer.get_data(as_text=True))
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def ask(app, client=None, **fields):
    client = client or person(app, "zanzibar")
    answer = client.post("/en/exchanges/new", data={**FORM, **fields})
    assert answer.status_code == 303, text(answer)
    return int(answer.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def mentor_id(app, slug) -> int:
    return db.session.scalar(sa.select(User.id).filter_by(email=f"{slug}@example.org"))


def proposal_of(app, request_id) -> tuple[int, str]:
    with app.app_context():
        found = db.session.get(ExchangeRequest, request_id)
        live = found.live_proposal
        return live.id, live.mentor_city.slug


def test_a_city_asks_staff_match_and_approve_both_cities_accept_and_report(site):
    zanzibar = person(site, "zanzibar")
    request_id = ask(site, zanzibar)

    page = zanzibar.get(f"/en/exchanges/{request_id}")
    seen = text(page)
    assert page.status_code == 200
    assert "Submitted" in seen and CHALLENGE in seen
    assert "Suggested peer cities" in seen
    assert re.search(r"Mombasa has .* on local action plans", seen), seen
    # The breakdown: one row per factor, value, weight and contribution.
    assert "Thematic fit" in seen and "Contribution" in seen and "Current load" in seen

    staff = person(site, "staff")
    ran = staff.post("/en/exchanges/rounds", data={"dry_run": "0"})
    assert ran.status_code == 303
    board = staff.get("/en/exchanges/staff")
    assert "The round proposed 1 mentor" in text(board)
    proposal_id, mentor = proposal_of(site, request_id)
    assert state(site, request_id)[0] == "proposed"

    # Before staff approve, the mentor city neither sees the request nor can decide.
    mentor_client = person(site, mentor)
    assert mentor_client.get(f"/en/exchanges/{request_id}").status_code == 404
    with site.app_context():
        db.session.get(User, mentor_id(site, mentor)).preferred_language = "ar"
        db.session.commit()
    approved = staff.post(f"/en/exchanges/{request_id}/proposals/{proposal_id}/approve")
    assert approved.status_code == 303
    with site.app_context():
        sent = {m.recipient: m for m in db.session.scalars(sa.select(MailMessage))}
        assert set(sent) == {"zanzibar@example.org", f"{mentor}@example.org"}
        assert f"/en/exchanges/{request_id}" in sent["zanzibar@example.org"].body
        assert "Mombasa" in sent["zanzibar@example.org"].body
        assert (
            "is in your region, and has worked with your city before"
            in sent["zanzibar@example.org"].body
        )
        arabic = sent[f"{mentor}@example.org"]  # the mentor's focal point reads Arabic
        assert f"/ar/exchanges/{request_id}" in arabic.body and "مومباسا" in arabic.body
        assert "لدى مومباسا" in arabic.body and "في منطقة زنجبار نفسها" in arabic.body

    mine = mentor_client.get("/en/exchanges/mine")
    assert "Requests we are asked to mentor" in text(mine)
    assert f"/en/exchanges/{request_id}" in mine.get_data(as_text=True)
    seen = text(mentor_client.get(f"/en/exchanges/{request_id}"))
    assert CHALLENGE in seen and "Awaiting both cities" in seen
    assert "Suggested peer cities" not in seen  # other candidates are not the mentor's business

    assert (
        mentor_client.post(f"/en/exchanges/{request_id}/proposals/{proposal_id}/accept").status_code
        == 303
    )
    assert state(site, request_id)[0] == "proposed"
    zanzibar.post(f"/en/exchanges/{request_id}/proposals/{proposal_id}/accept")
    assert state(site, request_id)[0] == "in_progress"
    with site.app_context():
        found = db.session.get(ExchangeRequest, request_id)
        assert [(c.from_status, c.to_status) for c in found.history][-3:] == [
            ("submitted", "proposed"),
            ("proposed", "accepted"),
            ("accepted", "in_progress"),
        ]

    page = zanzibar.get(f"/en/exchanges/{request_id}")
    assert "Report on the exchange" in text(page)
    zanzibar.post(
        f"/en/exchanges/{request_id}/report",
        data={
            "outcomes": "A ward forum now meets monthly.",
            "feedback": "Generous.",
            "rating": "5",
        },
    )
    assert state(site, request_id)[0] == "in_progress"
    mentor_client.post(
        f"/en/exchanges/{request_id}/report",
        data={"outcomes": "We learned how wards work with the county.", "rating": "4"},
    )
    assert state(site, request_id)[0] == "completed"
    seen = text(zanzibar.get(f"/en/exchanges/{request_id}"))
    assert "A ward forum now meets monthly." in seen and "Excellent" in seen
    assert "Completed" in seen

    board = text(staff.get("/en/exchanges/staff"))
    assert "100%" in board and "1 of 1 decided proposal was accepted by both cities" in board


def test_another_city_gets_404_on_every_page_and_step_and_nothing_changes(site):
    request_id = ask(site)
    staff = person(site, "staff")
    staff.post("/en/exchanges/rounds", data={"dry_run": "0"})
    proposal_id, _mentor = proposal_of(site, request_id)
    before = state(site, request_id)
    saida = person(site, "saida")
    base = f"/en/exchanges/{request_id}"
    for path in (base, f"{base}/edit"):
        assert saida.get(path).status_code == 404, path
    for path in (
        f"{base}/edit",
        f"{base}/submit",
        f"{base}/withdraw",
        f"{base}/report",
        f"{base}/proposals/{proposal_id}/accept",
        f"{base}/proposals/{proposal_id}/decline",
    ):
        answer = saida.post(path, data={**FORM, "outcomes": "x", "rating": "5"})
        assert answer.status_code == 404, path
    # Staff steps refuse a focal point outright.
    for step in ("approve", "discard", "change"):
        answer = saida.post(f"{base}/proposals/{proposal_id}/{step}", data={"city": "saida"})
        assert answer.status_code in (403, 404), step
    assert state(site, request_id) == before
    # A practitioner and an anonymous reader do not reach a request either.
    practitioner = person(site, "practitioner")
    assert practitioner.get(base).status_code in (403, 404)
    anonymous = site.test_client().get(base)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_the_public_board_shows_no_private_text_and_an_experienced_city_offers_help(site):
    request_id = ask(site)
    board = site.test_client().get("/en/exchanges")
    seen = text(board)
    assert board.status_code == 200
    assert "1 open request" in seen
    assert "Local action plans" in seen and "Africa" in seen and "Mentoring over months" in seen
    assert CHALLENGE not in seen and "first half of 2027" not in seen
    assert "Zanzibar" not in seen.replace("Zanzibar City", "")  # no city name anywhere
    assert "Offer to help" not in seen  # not to anonymous readers

    saida = person(site, "saida")
    assert "Offer to help" not in text(saida.get("/en/exchanges"))  # not experienced on it
    mombasa = person(site, "mombasa")
    assert "Offer to help as a mentor" in text(mombasa.get("/en/exchanges"))
    offered = mombasa.post(f"/en/exchanges/{request_id}/offer")
    assert offered.status_code == 303
    status, *_rest = state(site, request_id)
    assert status == "proposed"
    with site.app_context():
        proposal = db.session.scalar(sa.select(MatchProposal))
        assert (proposal.mentor_city.slug, proposal.staff_decision, proposal.mentor_decision) == (
            "mombasa",
            None,
            "accepted",
        )
    mine = text(mombasa.get("/en/exchanges/mine"))
    assert "Our offers awaiting staff review" in mine and CHALLENGE not in mine
    # An offer the city cannot make is refused with a reason and changes nothing.
    before = state(site, request_id)
    refused = saida.post(f"/en/exchanges/{request_id}/offer", follow_redirects=True)
    assert "Only a submitted request takes offers." in text(refused)
    assert state(site, request_id) == before


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("theme=no-such-theme", "Unknown theme."),
        ("region=atlantis", "Unknown region."),
        ("size=huge", "Unknown city size."),
        ("format=carrier-pigeon", "Unknown format."),
        ("page=0", "The page number must be a whole number from 1."),
    ],
)
def test_bad_board_filters_are_named(site, query, message):
    answer = site.test_client().get(f"/en/exchanges?{query}")
    assert answer.status_code == 400 and message in text(answer)


def test_board_filters_narrow_the_list(site):
    ask(site)
    client = site.test_client()
    assert "1 open request" in text(client.get("/en/exchanges?theme=local-action-plans"))
    assert "0 open requests" in text(client.get("/en/exchanges?format=study-visit"))
    assert "0 open requests" in text(client.get("/en/exchanges?region=europe"))
    assert "1 open request" in text(client.get("/en/exchanges?size=large&region=africa"))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"themes": []}, "Choose one or more themes."),
        ({"themes": ["no-such-theme"]}, "Unknown themes: no-such-theme"),
        ({"challenge": "   "}, "Describe the challenge."),
        ({"challenge": "x" * 5001}, "At most 5000 characters."),
        ({"languages": ["en", "english"]}, "Unknown languages: english"),
        ({"format": "carrier-pigeon"}, "Choose a format: virtual, study-visit or mentoring."),
        ({"timeframe": "y" * 201}, "At most 200 characters."),
        ({"challenge": "Stalled\x00plan"}, "This text contains characters that cannot be saved."),
        ({"themes": ["local-action-plans\x00"]}, "Unknown themes"),
    ],
)
def test_a_bad_request_form_is_explained_keeps_the_input_and_stores_nothing(site, fields, message):
    client = person(site, "zanzibar")
    answer = client.post("/en/exchanges/new", data={**FORM, **fields})
    assert answer.status_code == 400
    assert message in text(answer)
    if "challenge" not in fields:
        assert CHALLENGE in answer.get_data(as_text=True)  # what was typed is not lost
    with site.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ExchangeRequest)) == 0


def test_the_request_form_offers_languages_by_name_with_the_citys_own_ticked(site):
    client = person(site, "zanzibar")
    english = client.get("/en/exchanges/new").get_data(as_text=True)
    assert {"English", "French", "Swahili"} <= set(labels(english, "languages"))
    assert ticked(english, "languages") == {"sw", "en"}  # Zanzibar's working languages
    french = client.get("/fr/exchanges/new").get_data(as_text=True)
    assert {"anglais", "français", "swahili"} <= set(labels(french, "languages"))


def test_an_unknown_language_is_named_in_the_languages_group_and_nothing_is_stored(site):
    client = person(site, "zanzibar")
    answer = client.post("/en/exchanges/new", data={**FORM, "languages": ["sw", "xx"]})
    assert answer.status_code == 400
    body = answer.get_data(as_text=True)
    start = body.index("<legend>Languages you can work in</legend>")
    assert "Unknown languages: xx" in body[start : body.index("</fieldset>", start)]
    assert ticked(body, "languages") == {"sw"}  # what was ticked is kept
    with site.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ExchangeRequest)) == 0


def test_ticked_languages_are_stored_and_one_outside_the_list_survives_an_edit(site):
    client = person(site, "zanzibar")
    request_id = ask(site, client, languages=["fr", "am"], action="draft")
    page = client.get(f"/en/exchanges/{request_id}/edit").get_data(as_text=True)
    assert "Amharic" in labels(page, "languages")
    assert ticked(page, "languages") == {"fr", "am"}
    edited = client.post(
        f"/en/exchanges/{request_id}/edit",
        data={**FORM, "languages": sorted(ticked(page, "languages")), "timeframe": "late 2027"},
    )
    assert edited.status_code == 303
    with site.app_context():
        assert sorted(db.session.get(ExchangeRequest, request_id).languages) == ["am", "fr"]


def test_a_draft_is_edited_submitted_and_withdrawn(site):
    client = person(site, "zanzibar")
    request_id = ask(site, client, action="draft")
    assert state(site, request_id)[0] == "draft"
    edited = client.post(
        f"/en/exchanges/{request_id}/edit", data={**FORM, "timeframe": "late 2027"}
    )
    assert edited.status_code == 303
    assert "late 2027" in text(client.get(f"/en/exchanges/{request_id}"))
    client.post(f"/en/exchanges/{request_id}/submit")
    assert state(site, request_id)[0] == "submitted"
    refused = client.post(f"/en/exchanges/{request_id}/submit", follow_redirects=True)
    assert "This step is not possible while the request is “Submitted”." in text(refused)
    client.post(f"/en/exchanges/{request_id}/withdraw")
    assert state(site, request_id)[0] == "withdrawn"
    page = text(client.get(f"/en/exchanges/{request_id}"))
    assert "Withdrawn" in page and "Edit the request" not in page
    assert client.get(f"/en/exchanges/{request_id}/edit").status_code == 200
    refused = client.post(f"/en/exchanges/{request_id}/edit", data=FORM)
    assert refused.status_code == 400
    assert "Only a draft or submitted request can change." in text(refused)
    mine = text(client.get("/en/exchanges/mine"))
    assert "Our requests" in mine and "Withdrawn" in mine


def approved_exchange(site):
    """A request of Zanzibar with Mombasa proposed by a round and approved by staff."""
    request_id = ask(site)
    staff = person(site, "staff")
    staff.post("/en/exchanges/rounds", data={"dry_run": "0"})
    proposal_id, mentor = proposal_of(site, request_id)
    staff.post(f"/en/exchanges/{request_id}/proposals/{proposal_id}/approve")
    return request_id, proposal_id, mentor


def test_the_requesting_city_declining_ends_the_request_and_the_mentor_declining_frees_it(site):
    request_id, proposal_id, mentor = approved_exchange(site)
    person(site, mentor).post(f"/en/exchanges/{request_id}/proposals/{proposal_id}/decline")
    assert state(site, request_id)[0] == "submitted"

    staff = person(site, "staff")
    staff.post("/en/exchanges/rounds", data={"dry_run": "0"})
    second, _mentor = proposal_of(site, request_id)
    staff.post(f"/en/exchanges/{request_id}/proposals/{second}/approve")
    zanzibar = person(site, "zanzibar")
    zanzibar.post(f"/en/exchanges/{request_id}/proposals/{second}/decline")
    assert state(site, request_id)[0] == "declined"
    again = zanzibar.post(
        f"/en/exchanges/{request_id}/proposals/{second}/accept", follow_redirects=True
    )
    assert "This proposal has already been decided." in text(again)
    assert state(site, request_id)[0] == "declined"


def test_staff_change_the_mentor_or_discard_a_proposal(site):
    with site.app_context():
        # Saida declares it can mentor monitoring and evaluation, on which Zanzibar shows nothing.
        saida = db.session.scalar(sa.select(City).filter_by(slug="saida"))
        saida.expertise = [t for t in catalog.all_themes() if t.slug == "monitoring-evaluation"]
        saida.mentor_capacity = 1
        db.session.commit()
    request_id = ask(site, themes=["monitoring-evaluation"])
    # Before the round, the city sees both, ranked, and why the second is not higher.
    seen = text(person(site, "zanzibar").get(f"/en/exchanges/{request_id}"))
    assert seen.index("Mombasa has") < seen.index(
        "Saida declares expertise in monitoring and evaluation."
    )
    assert "Why not higher: lower thematic fit" in seen
    assert "would need interpretation" not in seen
    staff = person(site, "staff")
    staff.post("/en/exchanges/rounds", data={"dry_run": "0"})
    proposal_id, mentor = proposal_of(site, request_id)
    assert mentor == "mombasa"
    page = staff.get(f"/en/exchanges/{request_id}")
    assert "Staff review" in text(page)
    assert '<option value="saida">' in page.get_data(as_text=True)

    before = state(site, request_id)
    refused = staff.post(
        f"/en/exchanges/{request_id}/proposals/{proposal_id}/change",
        data={"city": "zanzibar"},
        follow_redirects=True,
    )
    assert "This city cannot mentor this request now" in text(refused)
    assert state(site, request_id) == before

    changed = staff.post(
        f"/en/exchanges/{request_id}/proposals/{proposal_id}/change", data={"city": "saida"}
    )
    assert changed.status_code == 303
    new_id, now = proposal_of(site, request_id)
    assert (now, state(site, request_id)[6]) == (
        "saida",
        [
            ("mombasa", "withdrawn", "replaced", None, None),
            ("saida", "proposed", "approved", None, None),
        ],
    )
    # The new mentor sees it at once: staff chose it.
    assert person(site, "saida").get(f"/en/exchanges/{request_id}").status_code == 200
    staff.post(f"/en/exchanges/{request_id}/proposals/{new_id}/discard")
    assert state(site, request_id)[0] == "submitted"
    assert person(site, "saida").get(f"/en/exchanges/{request_id}").status_code == 404


def test_a_bad_report_is_explained_and_stores_nothing(site):
    request_id, proposal_id, mentor = approved_exchange(site)
    zanzibar = person(site, "zanzibar")
    person(site, mentor).post(f"/en/exchanges/{request_id}/proposals/{proposal_id}/accept")
    zanzibar.post(f"/en/exchanges/{request_id}/proposals/{proposal_id}/accept")
    assert state(site, request_id)[0] == "in_progress"
    for data, message in (
        ({"outcomes": "", "rating": "4"}, "Say what came out of the exchange."),
        ({"outcomes": "Fine.", "rating": "9"}, "Choose a rating from 1 to 5."),
        ({"outcomes": "Fine.", "rating": "abc"}, "Choose a rating from 1 to 5."),
        ({"outcomes": "z" * 5001, "rating": "3"}, "At most 5000 characters."),
        (
            {"outcomes": "A\x00B", "rating": "3"},
            "This text contains characters that cannot be saved.",
        ),
        ({"outcomes": "Fine.", "rating": "²"}, "Choose a rating from 1 to 5."),
    ):
        answer = zanzibar.post(f"/en/exchanges/{request_id}/report", data=data)
        assert answer.status_code == 400 and message in text(answer), data
    with site.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ExchangeReport)) == 0
    zanzibar.post(f"/en/exchanges/{request_id}/report", data={"outcomes": "Fine.", "rating": "3"})
    twice = zanzibar.post(
        f"/en/exchanges/{request_id}/report", data={"outcomes": "Again", "rating": "3"}
    )
    assert twice.status_code == 409
    assert "This city has already reported on the exchange." in text(twice)
    assert "Send the report" not in text(twice)  # no form to fill in a second time


def test_a_dry_run_previews_and_stores_nothing(site):
    request_id = ask(site)
    before = state(site, request_id)
    preview = person(site, "staff").post("/en/exchanges/rounds", data={"dry_run": "1"})
    seen = text(preview)
    assert preview.status_code == 200 and "Nothing has been stored." in seen
    assert "Zanzibar" in seen and "Mombasa" in seen
    assert state(site, request_id) == before


def test_the_staff_board_shows_statuses_uncovered_themes_and_load(site):
    ask(site)
    ask(site, action="draft")
    seen = text(person(site, "staff").get("/en/exchanges/staff"))
    assert "Requests by status" in seen
    assert "Themes no city can mentor" in seen
    assert "Load per mentor city" in seen and "Mombasa" in seen
    assert "No proposal put to the cities has been decided yet." in seen
    assert "1 submitted request waits for a mentor." in seen


@pytest.mark.parametrize("lang", ["ar", "fr", "es"])
def test_exchange_pages_work_in_every_language(site, lang):
    request_id = ask(site)
    client = person(site, "zanzibar", lang)
    for path in ("exchanges", "exchanges/mine", f"exchanges/{request_id}", "exchanges/new"):
        answer = client.get(f"/{lang}/{path}")
        assert answer.status_code == 200, path
        body = answer.get_data(as_text=True)
        assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in body
    staff = person(site, "staff", lang)
    assert staff.get(f"/{lang}/exchanges/staff").status_code == 200
