"""Content files as documents: front matter and body, parsed, validated and rendered back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from pathlib import Path

import yaml
from flask_babel import lazy_gettext as _l

from hub.content import schemas as schema
from hub.content.schemas import FieldError, Invalid
from hub.errors import ContentError

SKIPPED_FILES = frozenset({"FORMAT.md", "README.md"})
MAX_FILE_BYTES = 1_000_000
# Records that others refer to load first; translations after their originals.
LOAD_ORDER = ("theme", "city", "case", "webinar", "exchange")


@dataclass
class Document:
    path: str
    kind: str
    fields: dict
    body: str = ""

    @property
    def is_translation(self) -> bool:
        return "translation_of" in self.fields

    @property
    def order(self) -> tuple[int, bool, str]:
        return (LOAD_ORDER.index(self.kind), self.is_translation, self.path)


def content_files(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    return sorted(p for p in root.rglob("*.md") if p.name not in SKIPPED_FILES and p.is_file())


def split_front_matter(raw: str, path: str) -> tuple[dict, str]:
    raw = raw.lstrip("\ufeff").replace("\r\n", "\n")
    if not raw.startswith("---\n"):
        raise ContentError(path, None, "does not start with a '---' front matter line")
    end = raw.find("\n---\n", 3)
    if end == -1:
        if raw.rstrip().endswith("\n---"):
            end = len(raw.rstrip()) - 4
        else:
            raise ContentError(path, None, "has no closing '---' after its front matter")
    try:
        front = yaml.safe_load(raw[4:end])
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark else ""
        raise ContentError(path, None, f"front matter is not valid YAML{where}") from None
    if not isinstance(front, dict):
        raise ContentError(path, None, "front matter must be a YAML mapping")
    return front, raw[end + 5 :].strip()


def read_document(path: Path, root: Path | None = None) -> Document:
    label = str(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ContentError(label, None, f"is larger than {MAX_FILE_BYTES} bytes")
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ContentError(label, None, "is not UTF-8 text") from None
    except OSError as error:
        raise ContentError(label, None, f"cannot be read ({error.strerror})") from None
    front, body = split_front_matter(raw, label)
    return parse_document(front, body, label)


def parse_document(front: dict, body: str, path: str) -> Document:
    kind = front.get("kind")
    if kind not in LOAD_ORDER:
        raise ContentError(path, "kind", f"must be one of: {', '.join(LOAD_ORDER)}")
    translation = "translation_of" in front
    rules = _SCHEMAS[kind, translation]
    if rules is None:
        raise ContentError(path, "translation_of", f"a {kind} has no translation files")
    try:
        fields = schema.validate_fields(front, rules)
        if kind == "webinar" and not translation:
            fields["date"] = schema.webinar_date(fields["date"], fields["date_precision"])
            if fields["date_precision"] == "minute" and "time" not in fields:
                raise FieldError("time", str(_l("is required when date_precision is minute")))
            if fields["date_precision"] != "minute" and "time" in fields:
                raise FieldError("time", str(_l("is only allowed when date_precision is minute")))
        if kind == "exchange":
            for number, participant in enumerate(fields["participants"], start=1):
                if ("city" in participant) == ("label" in participant):
                    raise FieldError(
                        "participants",
                        str(_l("item %(number)s needs a city or a label", number=number)),
                    )
        schema.text(body)
    except FieldError as error:
        raise ContentError(path, error.field, error.reason) from None
    except Invalid as error:
        field_name = "date" if kind == "webinar" else "body"
        raise ContentError(path, field_name, str(error)) from None
    return Document(path=path, kind=kind, fields=fields, body=body)


_SCHEMAS = {
    ("theme", False): schema.THEME,
    ("theme", True): None,
    ("city", False): schema.CITY,
    ("city", True): None,
    ("case", False): schema.CASE,
    ("case", True): schema.CASE_TEXT,
    ("webinar", False): schema.WEBINAR,
    ("webinar", True): schema.WEBINAR_TEXT,
    ("exchange", False): schema.EXCHANGE,
    ("exchange", True): None,
}


FOLD_AFTER = 80  # characters


class _Dumper(yaml.SafeDumper):
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    # Paragraphs read best as blocks: literal when they have line breaks, folded when long.
    style = "|" if "\n" in value else (">" if len(value) > FOLD_AFTER else None)
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_list(dumper: yaml.SafeDumper, value: list) -> yaml.Node:
    # Short lists of names or slugs stay on one line: `themes: [youth, social-cohesion]`.
    short = all(isinstance(item, str) for item in value) and len(", ".join(value)) <= FOLD_AFTER
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=short)


def _represent_time(dumper: yaml.SafeDumper, value: time) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value.strftime("%H:%M"), style='"')


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(time, _represent_time)
_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(date, yaml.SafeDumper.represent_date)


def render_document(front: dict, body: str) -> str:
    rules = _SCHEMAS.get((front.get("kind"), "translation_of" in front)) or {}
    order = {name: n for n, name in enumerate(rules)}
    front = dict(sorted(front.items(), key=lambda item: order.get(item[0], len(order))))
    dumped = yaml.dump(front, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
    return f"---\n{dumped}---\n" + (f"\n{body}\n" if body else "")
