"""The README's first hour of a real school, run from the README itself on an empty database:
migrate, the first office account, the office logs in, makes a unit through the API and that
unit's information officer on the accounts page, and the officer logs in to their unit.

The commands and the request body are read out of README.md, so the page and the test
cannot drift apart: change a command there and this test runs the new one.
"""

import io
import json
import shlex
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from fangkong.core.models import Unit, User
from fangkong.core.roles import Role

README = Path(settings.BASE_DIR) / "README.md"
PASSWORD = "first-office-password"


def readme_commands() -> list[list[str]]:
    """Each shell command of the README's code blocks, as words (continued lines joined)."""
    commands, in_block, pending = [], False, ""
    for line in README.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_block = line.strip() == "```sh"
            continue
        if not in_block:
            continue
        pending += line
        if pending.endswith("\\"):
            pending = pending[:-1]
            continue
        if pending.strip():
            commands.append(shlex.split(pending, comments=True))
        pending = ""
    return commands


def readme_command(*starts_with: str) -> list[str]:
    """The one README command whose words begin with `starts_with` (after any VAR=$( )."""
    found = []
    for words in readme_commands():
        for start in range(len(words)):
            tail = [word.removeprefix("$(").removesuffix(")") for word in words[start:]]
            tail = [word.split("=$(")[-1] for word in tail]
            if tail[: len(starts_with)] == list(starts_with):
                found.append(tail)
                break
    assert len(found) == 1, f"README.md should have one {' '.join(starts_with)!r} line: {found}"
    return found[0]


def manage_args(*starts_with: str) -> list[str]:
    """The arguments after `manage.py` of the README command that starts so."""
    words = readme_command(".venv/bin/python", "manage.py", *starts_with)
    return words[2:]


def log_in(client, username: str, password: str) -> None:
    response = client.post("/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:400]


@pytest.fixture
def typed_password(monkeypatch):
    """The password the office types at create_office_user's two prompts."""
    monkeypatch.setattr(
        "fangkong.core.management.commands.create_office_user.getpass.getpass",
        lambda prompt="": PASSWORD,
    )


def test_the_readme_walks_from_an_empty_database_to_an_officer_in_their_unit(
    db, client, typed_password
):
    assert not User.objects.exists() and not Unit.objects.exists()

    # 1. migrate (pytest-django has migrated the test database; this must find nothing to do).
    migrate = manage_args("migrate")
    call_command(*migrate, interactive=False, stdout=io.StringIO())

    # 2. The first office account, exactly as the README types it.
    create_office = manage_args("create_office_user")
    assert create_office[0] == "create_office_user"
    call_command(*create_office, stdout=io.StringIO())
    office = User.objects.get()
    assert office.roles == {Role.OFFICE}

    # 3. The office logs in.
    log_in(client, office.username, PASSWORD)
    assert client.get("/accounts/").status_code == 200

    # 4. A bearer token for the set-up script, and the unit it makes with the README's curl.
    token_out = io.StringIO()
    call_command(*manage_args("create_api_token"), stdout=token_out)
    token = token_out.getvalue().strip()
    curl = readme_command("curl")
    body = curl[curl.index("-d") + 1]
    path = "/" + curl[-1].split("://", 1)[1].split("/", 1)[1]
    assert path == "/api/v1/core/units"
    created = client.post(
        path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert created.status_code == 200, created.json()
    unit = Unit.objects.get(pk=created.json()["id"])
    assert (unit.code, unit.name) == (json.loads(body)["code"], json.loads(body)["name"])

    # 5. The office makes that unit's information officer on the accounts page.
    response = client.post(
        "/accounts/",
        {
            "username": "officer-arch",
            "full_name": "王老师",
            "password": "officer-password-1",
            "roles": [Role.OFFICER],
            "unit": unit.pk,
        },
    )
    assert response.status_code == 302
    client.post("/logout/")

    # 6. The officer logs in and sees their own unit, and only it.
    log_in(client, "officer-arch", "officer-password-1")
    home = client.get("/").content.decode()
    assert unit.display_name in home
    assert client.get("/api/v1/core/me").json() == {
        "username": "officer-arch",
        "roles": ["officer"],
        "unit_id": unit.pk,
        "person_id": None,
    }
    assert [row["id"] for row in client.get("/api/v1/core/units").json()] == [unit.pk]


def test_the_readme_no_longer_sends_the_office_to_the_admin_for_its_role():
    text = README.read_text(encoding="utf-8")
    assert "give it the `office` group in `/admin/`" not in text
    assert "create_office_user NAME --update" in text
