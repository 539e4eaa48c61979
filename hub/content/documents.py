"""Content files as documents: front matter and body, parsed, validated and rendered back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from hub.content.schemas import BODY, SCHEMAS, FileSchema
from hub.errors import GENERAL, ContentError
from hub.i18n import lazy_gettext as _l
from hub.types import normalize_newlines, problems

SKIPPED_FILES = frozenset({"FORMAT.md", "README.md"})
# The hub's own pages (About, Contact, Privacy; `hub.pages`) live beside the records: no record.
PAGES_FOLDER = "pages"
MAX_FILE_BYTES = 1_000_000
# Records that others refer to load first; translations after their originals.
LOAD_ORDER = ("theme", "city", "case", "webinar", "exchange")
FOLDERS = {
    "theme": "themes",
    "city": "cities",
    "case": "cases",
    "webinar": "webinars",
    "exchange": "exchanges",
}
_BODY = TypeAdapter(BODY)


@dataclass
class Document:
    """A content file read and validated: its front matter as a schema, and its body."""

    path: str
    data: FileSchema
    body: str = ""

    @property
    def kind(self) -> str:
        return self.data.kind  # type: ignore[attr-defined]

    @property
    def fields(self) -> dict[str, Any]:
        return self.data.model_dump()

    @property
    def is_translation(self) -> bool:
        return "translation_of" in type(self.data).model_fields

    @property
    def order(self) -> tuple[int, bool, str]:
        return (LOAD_ORDER.index(self.kind), self.is_translation, self.path)

    @property
    def slug(self) -> str:
        """The slug of the record this file describes, or of the one it translates."""
        return getattr(self.data, "translation_of", None) or self.data.slug  # type: ignore[attr-defined]

    @property
    def language(self) -> str | None:
        """The language of a case or webinar version; None for a kind with one file a record."""
        return getattr(self.data, "language", None)

    @property
    def name(self) -> str:
        """The file's name in a content folder, whatever the path it was read from."""
        return document_name(self.kind, self.slug, self.language)

    @property
    def record(self) -> str:
        """The record this file describes, as a report names it: `case <slug> (fr)`."""
        return record_name(self.kind, self.slug, self.language)


def document_name(kind: str, slug: str, language: str | None = None) -> str:
    """Where export writes a record: `cities/mombasa.md`, `cases/<slug>.<language>.md`."""
    folder = FOLDERS[kind]
    return f"{folder}/{slug}.{language}.md" if language else f"{folder}/{slug}.md"


def record_name(kind: str, slug: str, language: str | None = None) -> str:
    return f"{kind} {slug} ({language})" if language else f"{kind} {slug}"


def content_files(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    return sorted(
        p
        for p in root.rglob("*.md")
        if p.name not in SKIPPED_FILES
        and p.is_file()
        and p.relative_to(root).parts[0] != PAGES_FOLDER
    )


def split_front_matter(raw: str, path: str) -> tuple[dict, str]:
    raw = normalize_newlines(raw.lstrip("\ufeff"))
    if not raw.startswith("---\n"):
        raise ContentError(path, _l("It does not start with a '---' front matter line."))
    end = raw.find("\n---\n", 3)
    if end == -1:
        if not raw.rstrip().endswith("\n---"):
            raise ContentError(path, _l("It has no closing '---' after its front matter."))
        end = len(raw.rstrip()) - 4
    front = _front_matter(raw[4:end], path)
    if not isinstance(front, dict):
        raise ContentError(path, _l("Its front matter must be a YAML mapping."))
    return front, raw[end + 5 :].strip()


def _front_matter(text: str, path: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark else "?"
        raise ContentError(
            path, _l("Its front matter is not valid YAML (line %(line)s).", line=line)
        ) from None
    except ValueError as error:  # a date such as 2022-02-30
        raise ContentError(
            path, _l("Its front matter has an impossible value: %(error)s.", error=error)
        ) from None
    except RecursionError:
        raise ContentError(path, _l("Its front matter is nested too deeply.")) from None


def read_document(path: Path) -> Document:
    label = str(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ContentError(
                label, _l("It is larger than %(limit)s bytes.", limit=MAX_FILE_BYTES)
            )
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ContentError(label, _l("It is not UTF-8 text.")) from None
    except OSError as error:
        raise ContentError(
            label, _l("It cannot be read (%(reason)s).", reason=error.strerror)
        ) from None
    front, body = split_front_matter(raw, label)
    return parse_document(front, body, label)


def parse_document(front: dict, body: Any, path: str) -> Document:
    """`front` and `body` checked against their kind's schema; every problem at once."""
    kind = front.get("kind")
    if kind not in LOAD_ORDER:
        raise ContentError(
            path, {"kind": _l("Use one of: %(kinds)s.", kinds=", ".join(LOAD_ORDER))}
        )
    schema = SCHEMAS[kind, "translation_of" in front]
    if schema is None:
        raise ContentError(
            path, {"translation_of": _l("A %(kind)s has no translation files.", kind=kind)}
        )
    found: dict[str, Any] = {}
    try:
        data = schema.model_validate(front)
    except ValidationError as error:
        found.update(problems(error))
    except RecursionError:
        found[GENERAL] = _l("Its front matter is nested too deeply.")
    try:
        body = _BODY.validate_python(body)
    except ValidationError as error:
        found["body"] = next(iter(problems(error).values()))
    if found:
        raise ContentError(path, found)
    return Document(path=path, data=data, body=body)


FOLD_AFTER = 80  # characters


class _Dumper(yaml.SafeDumper):
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    # Paragraphs read best as blocks: literal when they have line breaks, folded when long.
    value = normalize_newlines(value)
    style = "|" if "\n" in value else (">" if len(value) > FOLD_AFTER else None)
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_list(dumper: yaml.SafeDumper, value: list) -> yaml.Node:
    # Short lists of names or slugs stay on one line: `themes: [youth, social-cohesion]`.
    short = all(isinstance(item, str) for item in value) and len(", ".join(value)) <= FOLD_AFTER
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=short)


def _represent_time(dumper: yaml.SafeDumper, value: time) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value.strftime("%H:%M"), style='"')


_Dumper.add_representer(str, _represent_str)
# States and controlled values (StrEnum members) are written as their plain values.
_Dumper.add_multi_representer(StrEnum, lambda dumper, value: _represent_str(dumper, value.value))
_Dumper.add_representer(time, _represent_time)
_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(date, yaml.SafeDumper.represent_date)


def render_document(front: dict, body: str) -> str:
    """The text of a content file: front matter in its schema's field order, then the body."""
    schema = SCHEMAS.get((front.get("kind"), "translation_of" in front))
    order = {name: n for n, name in enumerate(schema.model_fields if schema else ())}
    front = dict(sorted(front.items(), key=lambda item: order.get(item[0], len(order))))
    dumped = yaml.dump(front, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
    return f"---\n{dumped}---\n" + (f"\n{body}\n" if body else "")
