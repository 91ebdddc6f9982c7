"""The API's two ways in: a bearer token (devices, integrations) and the browser's session."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from fangkong.core import services
from fangkong.core.models import ApiToken, Person
from fangkong.core.roles import Role

ME = "/api/v1/core/me"
PEOPLE = "/api/v1/core/people"


def bearer(raw: str) -> dict:
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def office(make_user):
    return make_user(Role.OFFICE, username="office")


@pytest.fixture
def office_token(office):
    return services.create_api_token(office, "east gate")


def assert_refused_as_unauthenticated(response):
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert body["detail"]
    assert body["errors"] == []


def test_valid_bearer_token_is_accepted(client, office_token):
    _token, raw = office_token

    response = client.get(ME, headers=bearer(raw))

    assert response.status_code == 200
    assert response.json() == {
        "username": "office",
        "roles": ["office"],
        "unit_id": None,
        "person_id": None,
    }


def test_bearer_token_use_is_recorded_on_the_token(client, office_token):
    token, raw = office_token

    client.get(ME, headers=bearer(raw))

    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoked_token_is_refused(client, office, office_token):
    token, raw = office_token
    services.revoke_api_token(office, token)

    assert_refused_as_unauthenticated(client.get(ME, headers=bearer(raw)))


def test_wrong_token_is_refused(client, office_token):
    _token, raw = office_token

    assert_refused_as_unauthenticated(client.get(ME, headers=bearer(raw + "x")))


def test_no_token_is_refused(client, office_token):
    assert_refused_as_unauthenticated(client.get(ME))


def test_token_of_a_deactivated_user_is_refused(client, office, office_token):
    _token, raw = office_token
    office.is_active = False
    office.save()

    assert_refused_as_unauthenticated(client.get(ME, headers=bearer(raw)))


def test_write_without_a_token_is_refused_and_writes_nothing(client, unit):
    before = Person.objects.count()

    response = client.post(
        PEOPLE,
        {
            "person_number": "X1",
            "name": "无名",
            "sex": "F",
            "category": "staff",
            "unit_id": unit.pk,
        },
        content_type="application/json",
    )

    assert_refused_as_unauthenticated(response)
    assert Person.objects.count() == before


def test_create_api_token_command_prints_a_token_that_works(client, office):
    out = io.StringIO()

    call_command("create_api_token", "office", "--name", "east gate", stdout=out)

    raw = out.getvalue().strip()
    assert raw.startswith("fk_")
    assert ApiToken.objects.get(user=office).name == "east gate"
    response = client.get(ME, headers=bearer(raw))
    assert response.status_code == 200
    assert response.json()["username"] == "office"


def test_create_api_token_command_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="nobody"):
        call_command("create_api_token", "nobody", stdout=io.StringIO())
    assert not ApiToken.objects.exists()


def test_session_works_for_get(office):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(office)

    response = browser.get(ME)

    assert response.status_code == 200
    assert response.json()["username"] == "office"


def test_session_post_without_csrf_token_is_refused(office, unit):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(office)
    before = Person.objects.count()

    response = browser.post(
        PEOPLE,
        {
            "person_number": "X1",
            "name": "无名",
            "sex": "F",
            "category": "staff",
            "unit_id": unit.pk,
        },
        content_type="application/json",
    )

    assert response.status_code == 403
    body = response.json()
    assert "CSRF" in body["detail"]
    assert body["errors"] == []
    assert Person.objects.count() == before


def test_session_post_with_csrf_token_is_accepted(office, unit):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(office)
    secret = "a" * 32
    browser.cookies["csrftoken"] = secret

    response = browser.post(
        PEOPLE,
        {
            "person_number": "X1",
            "name": "无名",
            "sex": "F",
            "category": "staff",
            "unit_id": unit.pk,
        },
        content_type="application/json",
        headers={"X-CSRFToken": secret},
    )

    assert response.status_code == 200, response.json()
    assert Person.objects.filter(person_number="X1", unit=unit).exists()


def test_bearer_token_write_needs_no_csrf_token(office_token, unit):
    _token, raw = office_token
    device = Client(enforce_csrf_checks=True)

    response = device.post(
        PEOPLE,
        {
            "person_number": "X1",
            "name": "无名",
            "sex": "F",
            "category": "staff",
            "unit_id": unit.pk,
        },
        content_type="application/json",
        headers=bearer(raw),
    )

    assert response.status_code == 200, response.json()
    assert response.json()["person_number"] == "X1"
