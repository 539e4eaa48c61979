"""Accessibility in the real browser: axe-core finds no WCAG 2 A/AA or best-practice violation,
and no page overflows a 390-pixel phone, on every kind of page in English and Arabic, signed out
and signed in as a focal point, staff and an admin.

axe-core comes from npm, pinned in tests/a11y/package-lock.json (`make axe` installs it). With
HUB_SCREENSHOTS=<folder> these tests also save the screenshots of docs/screenshots/.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from hub.accounts import joining
from hub.accounts import operations as accounts
from hub.extensions import db
from hub.publishing.models import CaseStudy, Webinar
from tests import browsing
from tests.conftest import PASSWORD
from tests.walk import EXCHANGE_REQUEST, Site, ask_and_match

AXE = Path(__file__).parent / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
LANGUAGES = ["en", "ar"]
# A query with results, and one with none, in each language.
FOUND = {"en": "mombasa", "ar": "مومباسا"}
NOTHING = "qwxzzyqv"

# The pages each person reads; None is a reader who is not signed in. The {names} are filled by
# the `hub` fixture.
PAGES = {
    None: [
        "/{lang}/",
        "/{lang}/cases",
        "/{lang}/cases/{case_slug}",
        "/{lang}/webinars",
        "/{lang}/webinars/{webinar_slug}",
        "/{lang}/cities",
        "/{lang}/cities/mombasa",
        "/{lang}/themes",
        "/{lang}/themes/youth",
        "/{lang}/network",
        "/{lang}/search?q={found}",
        "/{lang}/search?q=" + NOTHING,
        "/{lang}/about",
        "/{lang}/contact",
        "/{lang}/privacy",
        "/{lang}/join",
        "/{lang}/login",
        "/{lang}/password-reset",
        "/{lang}/exchanges",
        "/{lang}/api",
    ],
    "zanzibar": [
        "/{lang}/",
        "/{lang}/exchanges",
        "/{lang}/exchanges/mine",
        "/{lang}/exchanges/{request_id}",
        "/{lang}/exchanges/new",
        "/{lang}/exchanges/{draft_id}/edit",
        "/{lang}/cities/zanzibar",
        "/{lang}/cities/zanzibar/edit",
        "/{lang}/cities/mombasa/contact",
        "/{lang}/cases/{case_slug}",
        "/{lang}/account/password",
    ],
    "staff": [
        "/{lang}/exchanges/staff",
        "/{lang}/exchanges/{request_id}",
        "/{lang}/publishing/",
        "/{lang}/publishing/cases/new",
        "/{lang}/publishing/cases/{case_id}",
        "/{lang}/publishing/webinars/new",
        "/{lang}/publishing/webinars/{webinar_id}",
        "/{lang}/publishing/case/{case_id}/translations/new",
        "/{lang}/publishing/translations/missing",
        "/{lang}/publishing/reports",
        "/{lang}/admin/access-requests",
    ],
    "admin": [
        "/{lang}/admin/users",
        "/{lang}/admin/audit",
        "/{lang}/admin/mail",
    ],
}
READERS = list(PAGES)
# Forms each person sends back empty, to see their error messages: the page, and its button.
SUBMIT = "main form button[type=submit]"
SENT_EMPTY = {
    None: [("/{lang}/join", SUBMIT), ("/{lang}/login", SUBMIT)],
    "zanzibar": [
        ("/{lang}/exchanges/new", "main form button[value=submit]"),
        ("/{lang}/cities/mombasa/contact", SUBMIT),
    ],
    "staff": [("/{lang}/publishing/cases/new", "main form button[value=save]")],
    "admin": [],
}
# The pages of docs/screenshots/, by who reads them.
SCREENSHOTS = {
    (None, "/{lang}/"): "home",
    (None, "/{lang}/network"): "network",
    (None, "/{lang}/cases/{case_slug}"): "case",
    (None, "/{lang}/search?q={found}"): "search",
    ("staff", "/{lang}/publishing/cases/new"): "publishing",
    ("zanzibar", "/{lang}/exchanges/{request_id}"): "exchange",
}

RUN_AXE = """
const [tags, done] = arguments;
axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})
  .then(result => done(result.violations.map(v => ({
    id: v.id, help: v.help, nodes: v.nodes.map(n => n.target.join(" "))}))))
  .catch(error => done([{id: "axe-error", help: String(error), nodes: []}]));
"""
# The page's width against the layout viewport's: on a phone, window.innerWidth grows with a page
# too wide for it (the phone zooms out), so it cannot tell.
OVERFLOW = "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"


@pytest.fixture
def hub(served):
    """The served hub with an admin, a request for access waiting, and Zanzibar's exchange
    requests: a draft, and one a matching round proposed a mentor for."""
    site = Site(served)
    with served.app_context():
        accounts.create_user("admin@example.org", "admin", PASSWORD)
        db.session.flush()
        site.tokens = {
            name: accounts.issue_token(accounts.find_user(f"{name}@example.org"))
            for name in ("zanzibar", "staff")
        }
        joining.ask_for_access(
            joining.Application(
                name="Amina Odhiambo",
                email="amina@kisumu.example.org",
                city="Kisumu",
                position="Prevention officer",
                reason="Our county is writing its action plan.",
                language="en",
            )
        )
        case = db.session.scalar(sa.select(CaseStudy).order_by(CaseStudy.id))
        webinar = db.session.scalar(sa.select(Webinar).order_by(Webinar.id))
        served.config["test_values"] = {
            "case_id": case.id,
            "case_slug": case.slug,
            "webinar_id": webinar.id,
            "webinar_slug": webinar.slug,
        }
        db.session.commit()
    draft = site.api("zanzibar", "POST", "/api/v1/exchange-requests", json=EXCHANGE_REQUEST)
    assert draft.status_code == 201, draft.get_data(as_text=True)
    request_id, _proposal = ask_and_match(site, "zanzibar")
    served.config["test_values"] |= {"draft_id": draft.json["id"], "request_id": request_id}
    return served


NO_CHECKS = "document.querySelector(arguments[0]).form.noValidate = true"


def open_pages(hub, driver, who: str | None, lang: str):
    """Sign `who` in once, then open each of their pages in `lang`, and send their forms back
    empty: yields the page's address and its name in docs/screenshots/, if it is one there."""
    base = hub.config["test_base"]
    values = {**hub.config["test_values"], "lang": lang, "found": FOUND[lang]}
    if who is not None:
        browsing.sign_in(driver, base, who)
    for pattern in PAGES[who]:
        address = pattern.format(**values)
        driver.get(base + address)
        status = browsing.status_of_page(driver)
        assert status == 200, f"{address} answered {status}"
        yield address, SCREENSHOTS.get((who, pattern))
    for pattern, button in SENT_EMPTY[who]:
        address = pattern.format(**values)
        driver.get(base + address)
        # As from a browser that does not check `required` fields: the hub must.
        driver.execute_script(NO_CHECKS, button)
        browsing.follow(driver, button)
        status = browsing.status_of_page(driver)
        assert status == 400, f"{address} sent empty answered {status}"
        yield f"{address} (sent empty)", None


def test_the_pinned_axe_core_is_installed():
    assert AXE.exists(), "axe-core is missing: `make axe` installs it (npm ci in tests/a11y)"


def test_every_kind_of_page_is_offered_to_axe():
    distinct = {pattern.split("?")[0] for pages in PAGES.values() for pattern in pages}
    assert len(distinct) >= 25


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("who", READERS)
def test_axe_finds_no_violation(hub, browser, who, lang):
    axe = AXE.read_text(encoding="utf-8")
    browser.set_script_timeout(120)
    browsing.viewport(browser, browsing.DESKTOP)
    found = {}
    for address, name in open_pages(hub, browser, who, lang):
        browser.execute_script(axe)
        if violations := browser.execute_async_script(RUN_AXE, TAGS):
            found[address] = violations
        if name:
            browsing.screenshot(browser, f"{name}-{lang}-desktop")
    assert not found, f"axe-core, as {who or 'a reader not signed in'}:\n" + report(found)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("who", READERS)
def test_no_page_overflows_a_phone(hub, browser, who, lang):
    browsing.viewport(browser, browsing.PHONE, phone=True)
    overflowing = {}
    for address, name in open_pages(hub, browser, who, lang):
        width, viewport = browser.execute_script(OVERFLOW)
        if width > viewport:
            overflowing[address] = f"{width} px wide in a {viewport}-pixel viewport: " + ", ".join(
                browser.execute_script(WIDEST)
            )
        if name:
            browsing.screenshot(browser, f"{name}-{lang}-phone")
    assert not overflowing, "\n".join(f"{a}: {why}" for a, why in overflowing.items())


# The elements that stick out of the page's body, innermost first, for the failure message (the
# body's box is the reference in both directions: a right-to-left page overflows to the left).
# Those wholly outside it, such as the skip link until it has the focus, are hidden on purpose.
WIDEST = """
const body = document.body.getBoundingClientRect();
const out = [...document.body.querySelectorAll("*")].filter(e => {
  const box = e.getBoundingClientRect();
  const outside = box.right <= body.left || box.left >= body.right;
  return box.width > 0 && !outside && (box.right > body.right + 1 || box.left < body.left - 1);
});
const innermost = out.filter(e => !out.some(o => o !== e && e.contains(o)));
return innermost.slice(0, 4).map(e => {
  const box = e.getBoundingClientRect();
  const classes = typeof e.className === "string" && e.className ? "." + e.className.split(" ").join(".") : "";
  const name = e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + classes;
  return `${name} (${Math.round(box.width)} px)`;
});
"""


def report(found: dict[str, list[dict]]) -> str:
    lines = []
    for address, violations in found.items():
        for violation in violations:
            lines.append(f"{address}: {violation['id']} ({violation['help']})")
            lines.extend(f"    {target}" for target in violation["nodes"][:10])
    return "\n".join(lines)
