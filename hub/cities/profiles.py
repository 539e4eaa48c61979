"""A city's profile as its focal point keeps it: summaries, working languages, mentoring."""

from __future__ import annotations

from hub import audit
from hub.audit import AuditAction
from hub.cities.models import City, Theme
<<<<<<< HEAD


def update_profile(
    city: City,
    *,
    summaries: dict[str, str],
    languages: list[str],
    mentor_capacity: int,
    expertise: list[Theme],
    actor=None,
) -> None:
    """Change the city's profile and record the change in the audit log."""
=======
from hub.errors import HubError
from hub.extensions import db
from hub.i18n import LANGUAGES
from hub.types import language_codes

MAX_SUMMARY = 2000
MAX_CAPACITY = 50


class ProfileError(HubError):
    def __init__(self, errors: dict[str, object]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors


def update_profile(city: City, form: Mapping[str, str], actor) -> None:
    """Apply a profile form; every problem is named per field and nothing changes."""
    errors: dict[str, object] = {}
    summaries = dict(city.summaries)
    for lang in LANGUAGES:
        text = (form.get(f"summary_{lang}") or "").strip()
        if len(text) > MAX_SUMMARY:
            errors[f"summary_{lang}"] = _l("Use at most %(count)s characters.", count=MAX_SUMMARY)
        elif "\x00" in text:
            errors[f"summary_{lang}"] = _l("This text contains characters that cannot be saved.")
        elif text:
            summaries[lang] = text
        else:
            summaries.pop(lang, None)
    if not summaries.get("en"):
        errors["summary_en"] = _l("The English summary is required.")
    languages = [code.strip().lower() for code in (form.get("languages") or "").split(",")]
    languages = [code for code in dict.fromkeys(languages) if code]
    if not languages or not all(code in language_codes() for code in languages):
        errors["languages"] = _l("List language codes such as en, ar, sw, separated by commas.")
    capacity = (form.get("mentor_capacity") or "0").strip()
    if not capacity.isdigit() or int(capacity) > MAX_CAPACITY:
        errors["mentor_capacity"] = _l("A whole number from 0 to %(max)s.", max=MAX_CAPACITY)
    wanted = [slug for slug in form.getlist("expertise")] if hasattr(form, "getlist") else []
    themes = (
        list(db.session.scalars(db.select(Theme).where(Theme.slug.in_(wanted)))) if wanted else []
    )
    if len(themes) != len(set(wanted)):
        errors["expertise"] = _l("Unknown theme.")
    if errors:
        raise ProfileError(errors)
>>>>>>> content
    before = {"languages": city.languages, "mentor_capacity": city.mentor_capacity}
    city.summaries = summaries
    city.languages = languages
    city.mentor_capacity = mentor_capacity
    city.expertise = expertise
    after = {"languages": languages, "mentor_capacity": mentor_capacity}
    audit.record(AuditAction.edit, f"city:{city.id}", before, after, actor=actor)
