"""Where a version of a record comes from, said to a reader who meets it outside its page."""

from __future__ import annotations

from hub.i18n import gettext as _
from hub.i18n import language_name


def provenance(record, text, lang: str) -> str:
    """One sentence: the original, a translation (by machine or reviewed), or a fallback to the
    original because no version exists in `lang`."""
    original = language_name(record.original_language)
    if text.language != lang:
        return _(
            "Not available in %(wanted)s yet: this is the original version, in %(shown)s.",
            wanted=language_name(lang),
            shown=language_name(text.language),
        )
    if text.language == record.original_language:
        return _("Original version, in %(language)s.", language=original)
    if text.machine_translated:
        return _("Translated by machine from %(language)s, not reviewed.", language=original)
    return _("Translated from %(language)s.", language=original)
