"""Staff publishing in the browser, and readers' reports of translation problems.

Forms are plain HTML: "preview" re-renders the form with the rendered Markdown and saves
nothing; "save" validates with the content-file rules and saves.
"""

from __future__ import annotations

from datetime import date, time

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hub.catalog import queries as catalog
from hub.cities.models import City, Theme
from hub.errors import ContentError
from hub.extensions import db, limiter
from hub.i18n import LANGUAGES, current_language, localized
from hub.markdown import render_markdown
from hub.publishing import operations as publishing
from hub.publishing.operations import PublishingError
from hub.security.access import PUBLIC, STAFF, allow

bp = Blueprint(
    "publishing", __name__, url_prefix="/<lang:lang>/publishing", template_folder="templates"
)
reports_bp = Blueprint(
    "reports", __name__, url_prefix="/<lang:lang>/reports", template_folder="templates"
)

KIND = "<any(case, webinar):kind>"
CASE_FIELDS = (
    "title", "summary", "lead_city", "partner_cities", "themes", "start_year", "status",
    "evidence_level", "target_audience", "what_was_done", "results", "what_did_not_work",
    "cost_band", "staffing_band", "transferability", "contact", "published",
)  # fmt: skip
WEBINAR_FIELDS = (
    "series", "title", "summary", "date", "time", "timezone", "date_precision", "format",
    "place", "organizers", "recording_url", "themes", "speakers", "takeaways", "published",
)  # fmt: skip
TRANSLATION_FIELDS = {
    "case": ("title", "summary", "target_audience", "what_was_done", "results",
             "what_did_not_work", "transferability"),
    "webinar": ("series", "title", "summary", "place", "speakers", "takeaways"),
}  # fmt: skip
MULTIPLE = {"partner_cities", "themes"}
FORM_FIELDS = {"case": CASE_FIELDS, "webinar": WEBINAR_FIELDS}
# A reader's report is cut here before checking, so huge posts cost nothing.
REPORT_INPUT_LIMIT = 10_000


def _actor():
    return current_user._get_current_object()


# Between forms and content-file fields ---------------------------------------------------------


def _read_form(names: tuple[str, ...]) -> dict:
    """The submitted values as typed, to show again."""
    return {
        name: request.form.getlist(name) if name in MULTIPLE else request.form.get(name, "")
        for name in names
    }


def _split_lines(value: str, names: tuple[str, ...]) -> list[dict]:
    """`a | b | c` lines into mappings; empty parts are left out."""
    items = []
    for line in value.splitlines():
        if line.strip():
            parts = [part.strip() for part in line.split("|", len(names) - 1)]
            items.append({name: part for name, part in zip(names, parts, strict=False) if part})
    return items


def _to_fields(values: dict, speaker_parts: tuple[str, ...] = ("name", "role", "city")) -> dict:
    """Form values as content-file fields: numbers, lists and records parsed."""
    fields = dict(values)
    if fields.get("start_year", "").strip().isdigit():
        fields["start_year"] = int(fields["start_year"])
    if "organizers" in fields:
        fields["organizers"] = [line.strip() for line in values["organizers"].splitlines()]
        fields["organizers"] = [line for line in fields["organizers"] if line]
    if "speakers" in fields:
        fields["speakers"] = _split_lines(values["speakers"], speaker_parts)
    if "takeaways" in fields:
        fields["takeaways"] = _split_lines(values["takeaways"], ("title", "text"))
    return fields


def _to_values(front: dict, names: tuple[str, ...], speaker_city: bool = True) -> dict:
    """Content-file fields as form values."""
    values = {}
    for name in names:
        value = front.get(name)
        if name == "speakers":
            value = "\n".join(
                " | ".join(
                    filter(None, (s.get("name"), s.get("role"), speaker_city and s.get("city")))
                )
                for s in value or []
            )
        elif name == "takeaways":
            value = "\n".join(f"{t['title']} | {t['text']}" for t in value or [])
        elif name == "organizers":
            value = "\n".join(value or [])
        elif isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, time):
            value = value.strftime("%H:%M")
        elif name in MULTIPLE:
            value = list(value or [])
        values[name] = "" if value is None else value
    return values


def _choices() -> dict:
    """Options of the city and theme selects: (slug, name in the reader's language)."""
    cities = db.session.scalars(db.select(City).order_by(City.name))
    themes = db.session.scalars(db.select(Theme).order_by(Theme.position))
    return {
        "city_options": [(city.slug, city.display_name(current_language())) for city in cities],
        "theme_options": [(theme.slug, localized(theme.names)) for theme in themes],
    }


# Records ---------------------------------------------------------------------------------------


@bp.get("/")
@allow(STAFF)
def dashboard():
    records = {
        kind: list(db.session.scalars(db.select(model).order_by(model.slug)))
        for kind, model in publishing.MODELS.items()
    }
    return render_template("publishing/dashboard.html", records=records)


def _record_form(kind: str, record=None):
    """The new/edit form of a record: show, preview or save."""
    names = FORM_FIELDS[kind]
    template = f"publishing/{kind}_form.html"
    if request.method == "GET":
        if record is None:
            values = _to_values({"published": date.today()}, names)
            values.update(timezone="UTC", date_precision="day", format="online", status="ongoing")
            body = ""
        else:
            front, body = publishing.export(record)
            values = _to_values(front, names)
        return render_template(
            template, record=record, values=values, body=body, errors={}, **_choices()
        )
    values, body = _read_form(names), request.form.get("body", "")
    context = {"record": record, "values": values, "body": body, **_choices()}
    if request.form.get("action") == "preview":
        return render_template(template, errors={}, preview=render_markdown(body), **context)
    try:
        if record is None:
            record = publishing.create_record(kind, _to_fields(values), body, _actor())
        else:
            publishing.update_record(record, _to_fields(values), body, _actor())
    except (ContentError, PublishingError) as error:
        db.session.rollback()
        return render_template(template, errors=publishing.errors_of(error), **context), 400
    db.session.commit()
    flash(_("Saved."), "notice")
    return redirect(url_for(f"publishing.edit_{kind}", record_id=record.id))


@bp.route("/cases/new", methods=["GET", "POST"])
@allow(STAFF)
def new_case():
    return _record_form("case")


@bp.route("/cases/<int:record_id>", methods=["GET", "POST"])
@allow(STAFF)
def edit_case(record_id: int):
    return _record_form("case", publishing.record_by_id("case", record_id))


@bp.route("/webinars/new", methods=["GET", "POST"])
@allow(STAFF)
def new_webinar():
    return _record_form("webinar")


@bp.route("/webinars/<int:record_id>", methods=["GET", "POST"])
@allow(STAFF)
def edit_webinar(record_id: int):
    return _record_form("webinar", publishing.record_by_id("webinar", record_id))


STATE_OF_ACTION = {"publish": "published", "unpublish": "draft", "archive": "archived"}
DONE_MESSAGES = {
    "publish": lambda: _("Published: the public can see it now."),
    "unpublish": lambda: _("Unpublished: it is a draft again, hidden from the public."),
    "archive": lambda: _("Archived: hidden from the public."),
}


@bp.post(f"/{KIND}/<int:record_id>/state")
@allow(STAFF)
def set_state(kind: str, record_id: int):
    record = publishing.record_by_id(kind, record_id)
    action = request.form.get("action", "")
    if action not in STATE_OF_ACTION:
        flash(_("Choose publish, unpublish or archive."), "notice")
        return redirect(url_for("publishing.dashboard")), 303
    publishing.set_state(record, STATE_OF_ACTION[action], _actor())
    db.session.commit()
    flash(DONE_MESSAGES[action](), "notice")
    if request.form.get("back") == "edit":
        return redirect(url_for(f"publishing.edit_{kind}", record_id=record.id), 303)
    return redirect(url_for("publishing.dashboard"), 303)


# Translations ----------------------------------------------------------------------------------


def _translation_form(kind: str, record, text=None):
    names = TRANSLATION_FIELDS[kind]
    missing = publishing.missing_languages(record)
    context = {"kind": kind, "record": record, "text": text, "missing": missing}
    template = "publishing/translation_form.html"
    if request.method == "GET":
        if text is not None:
            front, body = publishing.TEXT_RECORDS[kind].export(text)
            values = _to_values(front, names)
            values["machine_translated"] = front["machine_translated"]
        else:
            # Speakers and takeaways must match the original's: start from them.
            values = _to_values(publishing.export(record)[0], names, speaker_city=False)
            values.update({name: "" for name in names if name not in ("speakers", "takeaways")})
            values["language"] = request.args.get("language", missing[0] if missing else "")
            values["machine_translated"] = False
            body = ""
        return render_template(template, values=values, body=body, errors={}, **context)
    values, body = _read_form(names), request.form.get("body", "")
    values["machine_translated"] = request.form.get("machine_translated") == "on"
    values["language"] = text.language if text else request.form.get("language", "")
    context.update(values=values, body=body)
    if request.form.get("action") == "preview":
        return render_template(template, errors={}, preview=render_markdown(body), **context)
    fields = _to_fields({name: values[name] for name in names}, ("name", "role"))
    machine = values["machine_translated"]
    try:
        if text is None:
            publishing.add_translation(record, values["language"], fields, body, machine, _actor())
        else:
            publishing.update_translation(text, fields, body, machine, _actor())
    except (ContentError, PublishingError) as error:
        db.session.rollback()
        return render_template(template, errors=publishing.errors_of(error), **context), 400
    db.session.commit()
    flash(_("Saved."), "notice")
    return redirect(
        url_for(
            "publishing.edit_translation", kind=kind, record_id=record.id, code=values["language"]
        )
    )


@bp.route(f"/{KIND}/<int:record_id>/translations/new", methods=["GET", "POST"])
@allow(STAFF)
def new_translation(kind: str, record_id: int):
    return _translation_form(kind, publishing.record_by_id(kind, record_id))


@bp.route(f"/{KIND}/<int:record_id>/translations/<code>", methods=["GET", "POST"])
@allow(STAFF)
def edit_translation(kind: str, record_id: int, code: str):
    record = publishing.record_by_id(kind, record_id)
    if code not in LANGUAGES or code == record.original_language:
        return redirect(url_for(f"publishing.edit_{kind}", record_id=record.id))
    return _translation_form(kind, record, publishing.text_in(record, code))


@bp.get("/translations/missing")
@allow(STAFF)
def missing_translations():
    return render_template(
        "publishing/missing.html", entries=publishing.missing_translations(), languages=LANGUAGES
    )


# Readers' reports ------------------------------------------------------------------------------


@bp.get("/reports")
@allow(STAFF)
def reports():
    return render_template("publishing/reports.html", entries=publishing.report_queue())


@bp.post("/reports/<int:report_id>/resolve")
@allow(STAFF)
def resolve_report(report_id: int):
    publishing.resolve_report(report_id, _actor())
    db.session.commit()
    flash(_("The report is marked resolved."), "notice")
    return redirect(url_for("publishing.reports"))


def _detail_page(kind: str, record, **report):
    if kind == "case":
        related = catalog.related_cases(record)
        return render_template("cases/detail.html", case=record, related=related, **report)
    return render_template("webinars/detail.html", webinar=record, **report)


@reports_bp.post(f"/{KIND}/<int:record_id>")
@allow(PUBLIC)
@limiter.limit("10 per hour", methods=["POST"])
def submit(kind: str, record_id: int):
    values = {
        name: request.form.get(name, "")[:REPORT_INPUT_LIMIT]
        for name in ("language", "problem", "location")
    }
    try:
        publishing.report_problem(kind, record_id, **values)
    except PublishingError as error:
        db.session.rollback()
        record = publishing.published_record(kind, record_id)
        errors = publishing.errors_of(error)
        return _detail_page(kind, record, report_errors=errors, report_values=values), 400
    db.session.commit()
    flash(_("Thank you: your report has reached the network's staff."), "notice")
    record = publishing.published_record(kind, record_id)
    endpoint = "cases.detail" if kind == "case" else "webinars.detail"
    return redirect(url_for(endpoint, slug=record.slug) + "#report", 303)
