"""The Procfile and the systemd units in deploy/ run commands that exist, and agree, so neither
can rot unnoticed; the example settings make a working production app."""

from __future__ import annotations

import configparser
import os
import shlex
import subprocess
import sys

import pytest
from werkzeug.middleware.proxy_fix import ProxyFix

from hub import create_app
from tests.conftest import ROOT

PROCESSES = {"web", "search", "mail"}
# Where the units expect the checkout's virtualenv (deploy/README.md).
VENV_BIN = "/srv/hub/.venv/bin/"


def procfile() -> dict[str, str]:
    processes = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, command = line.split(":", 1)
            processes[name.strip()] = command.strip()
    return processes


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # systemd's keys are case-sensitive
    assert parser.read(ROOT / "deploy" / name), f"deploy/{name} is missing"
    return parser


def test_the_procfile_names_the_web_server_and_both_followers():
    assert set(procfile()) == PROCESSES


@pytest.mark.parametrize("name", sorted(PROCESSES - {"web"}))
def test_each_follower_in_the_procfile_is_a_command_the_hub_has(app, name):
    words = shlex.split(procfile()[name])
    assert words[:3] == ["flask", "--app", "hub"]
    arguments = [word for word in words[3:] if not word.startswith("--")]
    result = app.test_cli_runner().invoke(args=[*arguments, "--help"])
    assert result.exit_code == 0, result.output
    usage = result.output.splitlines()[0]
    assert usage.endswith(f" {' '.join(arguments)} [OPTIONS]"), usage
    for option in (word for word in words[3:] if word.startswith("--")):
        assert f"  {option} " in result.output  # an option the command declares


def test_gunicorn_loads_the_app_the_procfile_names(tmp_path):
    words = shlex.split(procfile()["web"])
    assert words[0] == "gunicorn"
    env = {
        **os.environ,
        "HUB_SECRET_KEY": "test",
        "HUB_SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'hub.sqlite'}",
        "HUB_SEARCH_INDEX_DIR": str(tmp_path / "search"),
    }
    checked = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--check-config", *words[1:]],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize("name", sorted(PROCESSES))
def test_each_systemd_unit_runs_its_procfile_command_and_restarts(name):
    service = unit(f"hub-{name}.service")["Service"]
    assert service["ExecStart"] == VENV_BIN + procfile()[name]
    assert service["EnvironmentFile"] == "/etc/hub/hub.env"
    assert service["Restart"] == "always"
    assert service["User"] == "hub"
    assert unit(f"hub-{name}.service")["Install"]["WantedBy"] == "hub.target"


def test_the_target_starts_all_three():
    wanted = unit("hub.target")["Unit"]["Wants"].split()
    assert sorted(wanted) == sorted(f"hub-{name}.service" for name in PROCESSES)


def test_the_example_settings_make_a_production_app(monkeypatch, tmp_path):
    from honcho.environ import parse  # the same file serves honcho as .env

    settings = parse((ROOT / "deploy" / "hub.env.example").read_text())
    assert all(key.startswith("HUB_") for key in settings)
    for key, value in settings.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("HUB_SQLALCHEMY_DATABASE_URI", f"sqlite:///{tmp_path / 'hub.sqlite'}")
    monkeypatch.setenv("HUB_SEARCH_INDEX_DIR", str(tmp_path / "search"))
    monkeypatch.setenv("HUB_RATELIMIT_STORAGE_URI", "memory://")
    app = create_app()
    assert app.config["TRUSTED_HOSTS"] == ["hub.example.org"]
    assert app.config["SEARCH_SYNC"] == "external"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["MAIL_PORT"] == 587 and app.config["MAIL_USE_TLS"] is True
    assert isinstance(app.wsgi_app, ProxyFix)
    answer = app.test_client().get("/en/", headers={"Host": "evil.example"})
    assert answer.status_code == 400
