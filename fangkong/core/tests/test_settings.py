"""Settings from the environment: malformed values stop start-up naming the variable."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from fangkong import env

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("name", "value", "reader"),
    [
        ("DEBUG", "maybe", lambda: env.env_bool("DEBUG")),
        ("SQLITE_BUSY_TIMEOUT", "ten", lambda: env.env_int("SQLITE_BUSY_TIMEOUT", 20)),
        ("TIME_ZONE", "Asia/Nowhere", lambda: env.env_time_zone("TIME_ZONE", "Asia/Shanghai")),
        ("ALLOWED_HOSTS", "a.example,,b", lambda: env.env_list("ALLOWED_HOSTS", [])),
        ("DATABASE_URL", "mysql://x/y", lambda: env.env_database("DATABASE_URL", Path("x"))),
        ("SECRET_KEY", "short", lambda: env.env_secret_key("SECRET_KEY", Path("/nonexistent"))),
    ],
)
def test_malformed_value_names_the_variable(monkeypatch, name, value, reader):
    monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=name):
        reader()


def test_startup_stops_with_the_variable_named(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "FANGKONG_VAR_DIR": str(tmp_path), "DEBUG": "perhaps"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "DEBUG='perhaps' is not a boolean" in result.stderr


def test_secret_key_is_generated_once_into_var(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    key_file = tmp_path / "secret_key"
    first = env.env_secret_key("SECRET_KEY", key_file)
    assert len(first) >= 50 and key_file.read_text() == first
    assert env.env_secret_key("SECRET_KEY", key_file) == first


def test_database_url_defaults_to_sqlite_under_var(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = env.env_database("DATABASE_URL", tmp_path / "db.sqlite3")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(tmp_path / "db.sqlite3")


def test_postgres_url_is_parsed(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://fk:pw@db.internal:5433/fangkong")
    config = env.env_database("DATABASE_URL", tmp_path / "unused")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.internal", 5433, "fangkong")


@pytest.mark.django_db
def test_sqlite_runs_in_wal_with_busy_timeout_and_immediate_transactions():
    if connection.vendor != "sqlite":
        pytest.skip("this run is on PostgreSQL; the SQLite run checks the PRAGMAs")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == 20_000
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1
    assert connection.transaction_mode == "IMMEDIATE"


@pytest.mark.django_db
def test_sqlite_transaction_takes_the_write_lock_when_it_begins():
    """IMMEDIATE: a transaction that has written nothing yet already holds the write lock,
    so a second writer waits at BEGIN instead of failing half-way with "database is locked"."""
    if connection.vendor != "sqlite":
        pytest.skip("this run is on PostgreSQL")
    import sqlite3

    from django.db import transaction

    with transaction.atomic():
        connection.cursor().execute("SELECT 1")  # nothing written
        other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()
