import pytest

from hub import create_app
from hub.database import normalize_url


def test_missing_secret_key_stops_start_up_outside_debug_and_testing(monkeypatch, tmp_path):
    monkeypatch.delenv("HUB_SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    monkeypatch.setenv("HUB_INSTANCE_PATH", str(tmp_path))  # no secret_key file there
    with pytest.raises(RuntimeError, match="HUB_SECRET_KEY is not set"):
        create_app()
    assert not (tmp_path / "secret_key").exists()  # none is made up


def test_the_instance_folder_secret_key_is_read_when_none_is_set(monkeypatch, tmp_path):
    monkeypatch.delenv("HUB_SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    monkeypatch.setenv("HUB_INSTANCE_PATH", str(tmp_path))
    key = tmp_path / "secret_key"
    key.write_text("the key make run wrote\n")
    key.chmod(0o600)
    assert create_app().config["SECRET_KEY"] == "the key make run wrote"
    monkeypatch.setenv("HUB_SECRET_KEY", "from-the-environment")
    assert create_app().config["SECRET_KEY"] == "from-the-environment"  # the variable wins
    monkeypatch.delenv("HUB_SECRET_KEY")
    key.chmod(0o644)
    with pytest.raises(RuntimeError, match="chmod 600"):
        create_app()


def test_settings_come_from_hub_environment_variables(monkeypatch, tmp_path):
    monkeypatch.setenv("HUB_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("HUB_PER_PAGE", "3")
    monkeypatch.setenv("HUB_SQLALCHEMY_DATABASE_URI", "postgresql://postgres@db.example/hub")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["PER_PAGE"] == 3
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://postgres@db.example/hub"


def test_request_bodies_are_limited():
    app = create_app({"TESTING": True})
    assert app.config["MAX_CONTENT_LENGTH"]


def test_plain_postgresql_urls_use_the_installed_driver():
    assert normalize_url("postgres://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalize_url("sqlite:///x.db") == "sqlite:///x.db"
