"""Password hashing work: argon2-cffi's defaults in production, the cheapest in the tests."""

from __future__ import annotations

from argon2 import PasswordHasher, Type, extract_parameters

from hub import create_app
from hub.security.passwords import HASHERS, hash_password, verify_password


def parameters(app) -> tuple[int, int, int]:
    with app.app_context():
        found = extract_parameters(hash_password("a long passphrase 2026"))
    assert found.type is Type.ID
    return found.time_cost, found.memory_cost, found.parallelism


def test_production_hashes_with_argon2_cffi_defaults(monkeypatch, tmp_path):
    monkeypatch.delenv("HUB_PASSWORD_HASHING", raising=False)
    app = create_app(
        {"SECRET_KEY": "set", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'hub.sqlite'}"}
    )
    assert not app.testing
    defaults = PasswordHasher()
    assert parameters(app) == (defaults.time_cost, defaults.memory_cost, defaults.parallelism)


def test_the_tests_hash_cheaply(app):
    assert app.config["PASSWORD_HASHING"] == "fast"
    time_cost, memory_cost, _parallelism = parameters(app)
    defaults = PasswordHasher()
    assert time_cost <= defaults.time_cost and memory_cost < defaults.memory_cost / 100


def test_a_cheap_hash_is_upgraded_to_the_production_work(monkeypatch, tmp_path):
    cheap = HASHERS["fast"].hash("a long passphrase 2026")
    monkeypatch.delenv("HUB_PASSWORD_HASHING", raising=False)
    production = create_app(
        {"SECRET_KEY": "set", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'prod.sqlite'}"}
    )
    with production.app_context():
        matches, upgraded = verify_password(cheap, "a long passphrase 2026")
    assert matches and upgraded is not None
    assert extract_parameters(upgraded).memory_cost == PasswordHasher().memory_cost
