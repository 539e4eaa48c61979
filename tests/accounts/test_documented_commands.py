"""Every command the README and the user guide show works as written after `make run`, against
an instance folder of its own, with no HUB_SECRET_KEY exported: the hub reads the secret key
`make` wrote into the instance folder."""

from __future__ import annotations

import os
import re
import shlex
import stat
import subprocess

import pytest

from tests.conftest import ROOT

PASSWORD = "the first admin's passphrase"
# The virtualenv is installed already (by `make test`); these keep make from installing it again.
NO_INSTALL = ["-o", ".venv/.installed", "-o", "translations"]


def shown_commands(document: str, heading: str) -> list[str]:
    """The lines of the first `sh` block after `heading` in `document`, comments dropped."""
    text = (ROOT / document).read_text()
    block = re.search(re.escape(heading) + r".*?```sh\n(.*?)```", text, re.S)[1]
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]


@pytest.fixture
def checkout(tmp_path):
    """The environment of a newcomer's terminal, with the instance folder in `tmp_path`."""
    env = {
        name: value for name, value in os.environ.items() if not name.startswith(("HUB_", "FLASK_"))
    }
    env["INSTANCE"] = str(tmp_path)  # for make
    env["HUB_INSTANCE_PATH"] = str(tmp_path)  # for .venv/bin/flask: the folder make used

    def run(command: str, stdin: str = "") -> subprocess.CompletedProcess:
        words = shlex.split(command)
        if words[0] == "make":
            words[1:1] = NO_INSTALL
        return subprocess.run(
            words, cwd=ROOT, env=env, input=stdin, capture_output=True, text=True, timeout=300
        )

    return run, tmp_path


def test_the_first_ten_minutes_work_as_written(checkout):
    run, instance = checkout
    admin, token, help_ = shown_commands("README.md", "## Your first ten minutes")
    assert admin == "make admin EMAIL=you@example.org"
    done = run(admin, stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    assert "created you@example.org (admin)" in done.stdout
    key = instance / "secret_key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    done = run(token)
    assert done.returncode == 0, done.stderr
    assert re.search(r"^[\w-]{40,}$", done.stdout, re.M)
    done = run(help_)
    assert done.returncode == 0 and "create" in done.stdout and "Traceback" not in done.stderr


def test_the_user_guide_account_commands_work_as_written(checkout):
    run, _instance = checkout
    # The cities a focal point belongs to (`make run` loads all of content/).
    for step in ("db upgrade", "content load content/themes", "content load content/cities"):
        done = run(f"make flask ARGS='{step}'")
        assert done.returncode == 0, done.stderr
    create, invite, token, revoke = shown_commands("docs/user-guide.md", "## Accounts, roles")
    done = run(create, stdin="ana's long passphrase\n")
    assert done.returncode == 0, done.stderr
    assert "created ana@example.org (focal_point)" in done.stdout
    done = run(invite)
    assert done.returncode == 0, done.stderr
    assert re.search(r"http://127\.0\.0\.1:5000/en/password-reset/\S+", done.stdout)
    done = run(token)
    assert done.returncode == 0 and done.stdout.strip()
    done = run(revoke)
    assert done.returncode == 0 and "1 token(s) revoked" in done.stdout
    done = run(".venv/bin/flask --app hub accounts prune")
    assert done.returncode == 0 and "deleted 0 message(s)" in done.stdout


def test_make_admin_without_an_address_says_how(checkout):
    run, _instance = checkout
    done = run("make admin")
    assert done.returncode != 0
    assert "usage: make admin EMAIL=you@example.org" in done.stdout
