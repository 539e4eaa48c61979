"""Static files under names that carry their content's hash, kept by browsers for a year.

`url_for('static', filename='hub.css')` gives `/static/hub.<hash>.css`: a changed file gets a new
address, so its old one may be cached for good (`immutable`). The plain name still answers, with
a short lifetime, for addresses written by hand or kept from before.
"""

from __future__ import annotations

import hashlib
import os
import re

from flask import Flask, current_app, send_from_directory
from werkzeug.security import safe_join

HASH_LENGTH = 12
HASHED = re.compile(rf"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{{{HASH_LENGTH}}})(?P<suffix>\.[^./]+)$")
# A year: what browsers and proxies allow; the name changes when the content does.
HASHED_MAX_AGE = 365 * 24 * 60 * 60
# Plain names and old hashes may meet a newer file at any deploy.
PLAIN_MAX_AGE = 5 * 60

# (folder, name) -> (mtime_ns, size, hash): a file is read again only when it changes.
_hashes: dict[tuple[str, str], tuple[int, int, str]] = {}


def init_app(app: Flask) -> None:
    app.url_defaults(_hashed_name)
    app.view_functions["static"] = serve


def content_hash(folder: str, name: str) -> str | None:
    """The file's content hash, or None when there is no such file."""
    path = safe_join(folder, name)
    if path is None:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    known = _hashes.get((folder, name))
    if known and known[:2] == (stat.st_mtime_ns, stat.st_size):
        return known[2]
    with open(path, "rb") as file:
        digest = hashlib.sha256(file.read()).hexdigest()[:HASH_LENGTH]
    _hashes[(folder, name)] = (stat.st_mtime_ns, stat.st_size, digest)
    return digest


def _hashed_name(endpoint: str, values: dict) -> None:
    if endpoint != "static" or "filename" not in values:
        return
    name = values["filename"]
    stem, dot, suffix = name.rpartition(".")
    digest = content_hash(current_app.static_folder or "", name) if dot else None
    if digest is not None:
        values["filename"] = f"{stem}.{digest}.{suffix}"


def serve(filename: str):
    """A static file by its hashed name (kept a year) or its plain name (kept a few minutes)."""
    folder = current_app.static_folder or ""
    name, max_age, immutable = filename, PLAIN_MAX_AGE, False
    match = HASHED.match(filename)
    if match and content_hash(folder, filename) is None:
        name = match["stem"] + match["suffix"]
        immutable = content_hash(folder, name) == match["hash"]
        if immutable:
            max_age = HASHED_MAX_AGE
    response = send_from_directory(folder, name, max_age=max_age)
    response.cache_control.public = True
    if immutable:
        response.cache_control.immutable = True
    return response
