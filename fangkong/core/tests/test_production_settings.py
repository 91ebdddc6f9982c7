"""Production settings: HTTPS behind nginx from the environment, a clean `check --deploy`,
and a server that will not start without collectstatic's manifest."""

import json
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from fangkong import env

ROOT = Path(__file__).resolve().parents[3]

PRODUCTION = {
    "DEBUG": "false",
    "ALLOWED_HOSTS": "fangkong.example.edu",
    "CSRF_TRUSTED_ORIGINS": "https://fangkong.example.edu",
    "SECURE_COOKIES": "true",
    "BEHIND_PROXY": "true",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
}


def run(args, tmp_path, **variables):
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "FANGKONG_VAR_DIR": str(tmp_path),
            "SECRET_KEY": secrets.token_urlsafe(50),
            **variables,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_production_variables(tmp_path):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], tmp_path, **PRODUCTION
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_warns_without_them(tmp_path):
    result = run(["manage.py", "check", "--deploy"], tmp_path, DEBUG="false")
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr


def test_behind_proxy_trusts_x_forwarded_proto(tmp_path):
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SECURE_PROXY_SSL_HEADER, settings.SECURE_SSL_REDIRECT, "
        "settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "settings.SECURE_HSTS_PRELOAD)"
    )
    variables = {**PRODUCTION, "DJANGO_SETTINGS_MODULE": "fangkong.settings"}
    result = run(["-c", script], tmp_path, **variables)
    assert result.stdout.strip() == "('HTTP_X_FORWARDED_PROTO', 'https') True 31536000 True True"


@pytest.mark.parametrize(
    ("name", "value", "reader"),
    [
        ("SECURE_HSTS_SECONDS", "1y", lambda: env.env_int("SECURE_HSTS_SECONDS", 0, minimum=0)),
        ("SECURE_HSTS_SECONDS", "-5", lambda: env.env_int("SECURE_HSTS_SECONDS", 0, minimum=0)),
        ("SECURE_SSL_REDIRECT", "sure", lambda: env.env_bool("SECURE_SSL_REDIRECT")),
        ("BEHIND_PROXY", "nginx", lambda: env.env_bool("BEHIND_PROXY")),
    ],
)
def test_a_malformed_https_variable_is_named(monkeypatch, name, value, reader):
    monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=name):
        reader()


def test_a_production_start_without_collectstatic_says_what_to_run(tmp_path):
    empty = tmp_path / "static"
    empty.mkdir()
    result = run(["-c", "import fangkong.wsgi"], tmp_path, DEBUG="false", STATIC_ROOT=str(empty))
    assert result.returncode != 0
    assert "The static files are not collected" in result.stderr
    assert "manage.py collectstatic --noinput" in result.stderr


def test_a_production_start_with_the_manifest_starts(tmp_path):
    collected = tmp_path / "static"
    collected.mkdir()
    (collected / "staticfiles.json").write_text(json.dumps({"version": "1.1", "paths": {}}))
    result = run(
        ["-c", "import fangkong.wsgi; print('started')"],
        tmp_path,
        DEBUG="false",
        STATIC_ROOT=str(collected),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "started"
