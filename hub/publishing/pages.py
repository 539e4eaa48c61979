"""Staff publishing in the browser, and readers' reports of translation problems.

"Preview" re-renders a form with its rendered Markdown fields and saves nothing (with
JavaScript, hub/static/desk.js shows each one beside its field as staff type, from `preview`);
"Save" checks the form, then saves with the content-file rules. A refused save shows every
problem at once, by label, next to its field, with what was typed kept; the request lifecycle
rolls it back. A save made after someone else's (the form's version is old) is not kept either:
the form comes back with what was typed, the fields changed meanwhile and their current values,
and the current version (`hub.versions`). Publish, unpublish and archive are asked about first
(`confirm_state`), then taken.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy.orm.exc import StaleDataError

from hub import web
from hub.catalog import queries as catalog
from hub.catalog.schemas import PageArgs
from hub.cities.models import City, Theme
from hub.errors import InvalidInput, StepRefused
from hub.extensions import db, limiter
from hub.forms import options
from hub.i18n import LANGUAGE_NAMES, LANGUAGES, current_language, localized
from hub.i18n import gettext as _
from hub.markdown import render_markdown
from hub.publishing import operations as publishing
from hub.publishing import reports
from hub.publishing.forms import (
    CONFIRMED,
    RECORD_FORMS,
    TRANSLATION_FORMS,
    PreviewForm,
    ReportForm,
    ResolveForm,
    StepForm,
)
from hub.publishing.states import QUESTIONS, Step, allowed_steps
from hub.security.access import PUBLIC, STAFF, allow

bp = Blueprint(
    "publishing", __name__, url_prefix="/<lang:lang>/publishing", template_folder="templates"
)
reports_bp = Blueprint(
    "reports", __name__, url_prefix="/<lang:lang>/reports", template_folder="templates"
)

KIND = "<any(case, webinar):kind>"
PUBLIC_PAGES = {"case": "cases.detail", "webinar": "webinars.detail"}


@bp.app_context_processor
def _publishing_globals() -> dict:
    return {
        "allowed_steps": allowed_steps,
        "new_report_form": ReportForm,
    }


def _actor():
    return current_user._get_current_object()


def _choices() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Options of the city and theme selects: (slug, name in the reader's language)."""
    lang = current_language()
    cities = db.session.scalars(db.select(City).order_by(City.name))
    themes = db.session.scalars(db.select(Theme).order_by(Theme.position))
    return (
        [(city.slug, city.display_name(lang)) for city in cities],
        [(theme.slug, localized(theme.names)) for theme in themes],
    )


# Records ---------------------------------------------------------------------------------------


@bp.get("/")
@allow(STAFF)
def dashboard():
    page = web.parse_args(PageArgs).page
    records = {kind: publishing.records_page(kind, page) for kind in publishing.MODELS}
    return render_template(
        "publishing/dashboard.html", records=records, step_form=StepForm(), public=PUBLIC_PAGES
    )


def _record_form(kind: str, record=None):
    """The new/edit form of a record: show, preview or save."""
    form_class = RECORD_FORMS[kind]
    if record is None:
        values = {"published": date.today(), **form_class.NEW}
    else:
        values = form_class.values_of(*publishing.export(record))
    form = form_class(data=values)
    form.offer(*_choices())
    context = {"kind": kind, "record": record, "step_form": StepForm()}
    current = None
    if record is None:
        context["editing"] = form.language.data
    else:
        del form.language  # fixed: the record's original language
        context["editing"] = record.original_language
        if not form.is_submitted():
            form.start_from(record.version, values)

        def current() -> tuple[int, dict]:
            return record.version, form_class.values_of(*publishing.export(record))

    def save() -> str:
        saved = record
        if saved is None:
            saved = publishing.create_record(kind, form.fields(), form.body.data, _actor())
        else:
            publishing.update_record(saved, form.fields(), form.body.data, _actor())
        return url_for(f"publishing.edit_{kind}", record_id=saved.id)

    return _content_form(form, f"publishing/{kind}_form.html", context, save, current)


Current = Callable[[], tuple[int, dict]]


def _content_form(
    form, template: str, context: dict, save: Callable[[], str], current: Current | None = None
):
    """Show, preview or save a content form; `save` saves and says where to go next, `current`
    gives the version and values of what the form edits, to compare with the form's."""
    context = {**context, "form": form}
    if not form.is_submitted():
        return render_template(template, **context)
    if form.previewing():
        return render_template(template, previews=form.previews(), **context)
    if form.validate():
        if current is not None and form.changed_meanwhile(*current()):
            return render_template(template, **context), 409
        try:
            to = save()
        except InvalidInput as error:
            form.refused(error.errors)
        except StaleDataError:
            # Saved by someone else between this request's read and its write.
            web.start_over()
            if current is not None:
                form.changed_meanwhile(*current())
            form.stale = True
            return render_template(template, **context), 409
        else:
            flash(_("Saved."), "success")
            return redirect(to)
    return render_template(template, **context), 400


@bp.route("/cases/new", methods=["GET", "POST"])
@allow(STAFF)
def new_case():
    return _record_form("case")


@bp.route("/cases/<id:record_id>", methods=["GET", "POST"])
@allow(STAFF)
def edit_case(record_id: int):
    return _record_form("case", publishing.record_by_id("case", record_id))


@bp.route("/webinars/new", methods=["GET", "POST"])
@allow(STAFF)
def new_webinar():
    return _record_form("webinar")


@bp.route("/webinars/<id:record_id>", methods=["GET", "POST"])
@allow(STAFF)
def edit_webinar(record_id: int):
    return _record_form("webinar", publishing.record_by_id("webinar", record_id))


@bp.post("/preview")
@allow(STAFF)
def preview():
    """A Markdown text rendered as its public page renders it (sanitized), for desk.js."""
    form = PreviewForm()
    if not form.validate():
        problem = " ".join(form.problems().values())
        return Markup('<p class="preview-problem">%s</p>') % problem, 400
    return render_markdown(form.text.data)


def _back_to(kind: str, record, back: str | None) -> str:
    if back == "edit":
        return url_for(f"publishing.edit_{kind}", record_id=record.id)
    return url_for("publishing.dashboard")


@bp.get(f"/{KIND}/<id:record_id>/state")
@allow(STAFF)
def confirm_state(kind: str, record_id: int):
    """Asks before a step is taken: the state buttons lead here, and this page posts the step."""
    record = publishing.record_by_id(kind, record_id)
    back = request.args.get("back", "")
    step = Step.__members__.get(request.args.get("action", ""))
    if step is None:
        error = InvalidInput(_("Choose publish, unpublish or archive."))
        return web.refused(error, _back_to(kind, record, back))
    if step not in allowed_steps(record):
        done = StepRefused(
            {"state": _("The record is %(state)s already.", state=record.state.label)}
        )
        return web.refused(done, _back_to(kind, record, back))
    form = StepForm(data={"action": step.value, "back": back, "confirmed": CONFIRMED})
    question, consequence = QUESTIONS[step]
    title = record.original.title if record.original else record.slug
    return render_template(
        "publishing/confirm_step.html",
        kind=kind,
        record=record,
        step=step,
        question=escape(str(question)) % {"title": Markup("<bdi>%s</bdi>") % title},
        consequence=consequence,
        form=form,
        cancel=_back_to(kind, record, back),
    )


@bp.post(f"/{KIND}/<id:record_id>/state")
@allow(STAFF)
def set_state(kind: str, record_id: int):
    record = publishing.record_by_id(kind, record_id)
    form = StepForm()
    back = _back_to(kind, record, form.back.data)
    if not form.validate():
        return web.refused(InvalidInput(_("Choose publish, unpublish or archive.")), back)
    if not form.is_confirmed():
        args = {"action": form.action.data, "back": form.back.data or None}
        return redirect(url_for(".confirm_state", kind=kind, record_id=record.id, **args), 303)
    try:
        transition = publishing.take_step(record, form.step(), _actor())
    except StepRefused as error:
        return web.refused(error, back)
    flash(str(transition.done), "success")
    return redirect(back, 303)


# Translations ----------------------------------------------------------------------------------


def _translation_form(kind: str, record, text=None):
    form_class = TRANSLATION_FORMS[kind]
    missing = publishing.missing_languages(record)
    if text is not None:
        values = form_class.values_of(*publishing.TEXT_RECORDS[kind].export(text))
    else:
        # Speakers and takeaways must match the original's: start from them.
        front = publishing.export(record)[0]
        values = form_class.values_of(
            {name: front.get(name) for name in ("speakers", "takeaways")}, ""
        )
        values["language"] = _wanted_language(missing)
    form = form_class(data=values)
    current = None
    if text is None:
        form.language.choices = options((code, LANGUAGE_NAMES[code]) for code in missing)
        editing = form.language.data
    else:
        editing = text.language
        del form.language
        if not form.is_submitted():
            form.start_from(text.version, values)

        def current() -> tuple[int, dict]:
            return text.version, form_class.values_of(*publishing.TEXT_RECORDS[kind].export(text))

    context = {"kind": kind, "record": record, "text": text, "editing": editing}

    def save() -> str:
        saved, machine = text, form.machine_translated.data
        if saved is None:
            saved = publishing.add_translation(
                record, form.language.data, form.fields(), form.body.data, machine, _actor()
            )
        else:
            publishing.update_translation(saved, form.fields(), form.body.data, machine, _actor())
        return url_for(
            "publishing.edit_translation", kind=kind, record_id=record.id, code=saved.language
        )

    return _content_form(form, "publishing/translation_form.html", context, save, current)


def _wanted_language(missing: list[str]) -> str:
    """The language a "new translation" link asks for, when the record lacks it."""
    wanted = request.args.get("language", "")
    return wanted if wanted in missing else (missing[0] if missing else "")


@bp.route(f"/{KIND}/<id:record_id>/translations/new", methods=["GET", "POST"])
@allow(STAFF)
def new_translation(kind: str, record_id: int):
    return _translation_form(kind, publishing.record_by_id(kind, record_id))


@bp.route(f"/{KIND}/<id:record_id>/translations/<code>", methods=["GET", "POST"])
@allow(STAFF)
def edit_translation(kind: str, record_id: int, code: str):
    record = publishing.record_by_id(kind, record_id)
    if code not in LANGUAGES or code == record.original_language:
        return redirect(url_for(f"publishing.edit_{kind}", record_id=record.id))
    return _translation_form(kind, record, publishing.text_in(record, code))


@bp.get("/translations/missing")
@allow(STAFF)
def missing_translations():
    found = publishing.missing_translations(web.parse_args(PageArgs).page)
    return render_template(
        "publishing/missing.html",
        entries=found.entries,
        pagination=found.pagination,
        languages=LANGUAGES,
    )


# Readers' reports ------------------------------------------------------------------------------


@bp.get("/reports", endpoint="reports")
@allow(STAFF)
def reports_queue():
    return render_template(
        "publishing/reports.html", entries=reports.report_queue(), resolve_form=ResolveForm()
    )


@bp.post("/reports/<id:report_id>/resolve")
@allow(STAFF)
def resolve_report(report_id: int):
    ResolveForm().validate()  # the token is checked for every form by CSRFProtect
    reports.resolve_report(report_id, _actor())
    flash(_("The report is marked resolved."), "success")
    return redirect(url_for("publishing.reports"))


def _detail_page(kind: str, record, form: ReportForm):
    if kind == "case":
        found = catalog.case_page(record.slug)
        return render_template(
            "cases/detail.html", case=found.case, related=found.related, report_form=form
        )
    webinar = catalog.webinar_page(record.slug)
    return render_template("webinars/detail.html", webinar=webinar, report_form=form)


@reports_bp.post(f"/{KIND}/<id:record_id>")
@allow(PUBLIC)
@limiter.limit("10 per hour", methods=["POST"])
def submit(kind: str, record_id: int):
    record = publishing.published_record(kind, record_id)
    form = ReportForm()
    if not form.validate():
        return _detail_page(kind, record, form), 400
    try:
        reports.report_problem(
            kind, record.id, form.language.data, form.problem.data, form.location.data
        )
    except InvalidInput as error:
        form.language.errors = [str(message) for message in error.errors.values()]
        return _detail_page(kind, record, form), 400
    flash(_("Thank you: your report has reached the network's staff."), "success")
    return redirect(url_for(PUBLIC_PAGES[kind], slug=record.slug) + "#report", 303)
