import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PROBE = (
    "from django.test import Client; r = Client().get('/health'); "
    "print(r.status_code, r.json()['status'])"
)


@pytest.mark.django_db
def test_health_is_200_when_the_database_answers(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize(
    "database_url",
    [
        "sqlite:////nonexistent-dir/fangkong.sqlite3",
        "postgres://postgres@127.0.0.1:1/unreachable",
    ],
)
def test_health_is_503_when_the_database_does_not_answer(tmp_path, database_url):
    # A real server process with a database it cannot reach.
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PROBE],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "FANGKONG_VAR_DIR": str(tmp_path),
            "DATABASE_URL": database_url,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip().splitlines()[-1] == "503 unavailable", result.stderr
