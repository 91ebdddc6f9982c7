"""/api/v1/core/accounts: the office's logins over HTTP, through the accounts page's service
and selector — and who is refused."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fangkong.core import services
from fangkong.core.models import User
from fangkong.core.roles import Role
from fangkong.testing.factories import UnitFactory

API = "/api/v1/core/accounts"


@pytest.fixture
def api(client, make_user, unit):
    """api(role) -> the test client sending a bearer token of a new user with that role."""

    def as_role(role: str, unit_=None, **fields):
        if role == Role.OFFICER and unit_ is None:
            unit_ = unit
        user = make_user(role, unit=unit_, **fields)
        _token, raw = services.create_api_token(user, "test")
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
        client.user = user
        return client

    return as_role


def post(client, path, data):
    return client.post(path, data, content_type="application/json")


def patch(client, path, data):
    return client.patch(path, data, content_type="application/json")


def errors(response) -> dict[str, str]:
    return {error["field"]: error["message"] for error in response.json()["errors"]}


def test_the_office_creates_an_officer_account_for_a_unit(api, unit, person):
    client = api(Role.OFFICE)

    response = post(
        client,
        API,
        {
            "username": "zhang",
            "password": "long-enough-1",
            "roles": ["officer", "member"],
            "unit_id": unit.pk,
            "person_id": person.pk,
            "first_name": "晓",
            "last_name": "张",
        },
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["username"], body["full_name"], body["roles"]) == (
        "zhang",
        "张晓",
        ["member", "officer"],
    )
    assert (body["unit_id"], body["person_id"], body["is_active"]) == (unit.pk, person.pk, True)
    account = User.objects.get(username="zhang")
    assert account.check_password("long-enough-1")
    assert account.roles == {Role.OFFICER, Role.MEMBER}


def test_an_officer_without_a_unit_is_422_naming_unit_id(api):
    response = post(
        api(Role.OFFICE), API, {"username": "li", "password": "long-enough-1", "roles": ["officer"]}
    )

    assert response.status_code == 422
    assert errors(response) == {"unit_id": "An information officer needs a unit."}
    assert not User.objects.filter(username="li").exists()


def test_a_taken_user_name_and_a_short_password_are_named(api, make_user):
    make_user(Role.GUARD, username="li")
    client = api(Role.OFFICE)

    taken = post(client, API, {"username": "li", "password": "long-enough-1", "roles": ["guard"]})
    short = post(client, API, {"username": "wang", "password": "short", "roles": ["guard"]})
    unknown = post(client, API, {"username": "wang", "password": "long-enough-1", "roles": ["x"]})

    assert (taken.status_code, set(errors(taken))) == (422, {"username"})
    assert (short.status_code, set(errors(short))) == (422, {"password"})
    assert (unknown.status_code, set(errors(unknown))) == (422, {"roles.0"})
    assert not User.objects.filter(username="wang").exists()


def test_a_person_linked_to_another_login_is_named(api, make_user, person):
    make_user(Role.MEMBER, person=person)

    response = post(
        api(Role.OFFICE),
        API,
        {
            "username": "wang",
            "password": "long-enough-1",
            "roles": ["member"],
            "person_id": person.pk,
        },
    )

    assert response.status_code == 422
    assert set(errors(response)) == {"person_id"}


@pytest.mark.parametrize("role", [Role.OFFICER, Role.LEADER, Role.MEMBER])
def test_only_the_office_sees_or_changes_accounts(api, make_user, role):
    other = make_user(Role.GUARD, username="guard1")
    client = api(role)

    listed = client.get(API)
    shown = client.get(f"{API}/{other.pk}")
    made = post(client, API, {"username": "x1", "password": "long-enough-1", "roles": ["office"]})
    changed = patch(client, f"{API}/{other.pk}", {"roles": ["office"]})

    assert [r.status_code for r in (listed, shown, made, changed)] == [403, 403, 403, 403]
    assert not User.objects.filter(username="x1").exists()
    assert User.objects.get(pk=other.pk).roles == {Role.GUARD}


def test_the_list_is_the_accounts_pages_list_filtered_in_few_queries(api, make_user, unit):
    office = api(Role.OFFICE)
    for number in range(30):
        make_user(Role.OFFICER, unit=unit, username=f"officer{number:02d}")
    make_user(Role.GUARD, username="guard1", is_active=False)

    with CaptureQueriesContext(connection) as queries:
        response = office.get(API, {"limit": 100})
    officers = office.get(API, {"role": "officer", "unit": unit.pk}).json()
    switched_off = office.get(API, {"active": False}).json()

    assert response.status_code == 200
    items = response.json()["items"]
    assert len(items) == 32
    # Switched-on accounts first, by user name; the switched-off guard last, its role kept.
    assert items[-1]["username"] == "guard1"
    assert (items[-1]["is_active"], items[-1]["roles"]) == (False, ["guard"])
    assert officers["count"] == 30
    assert [row["username"] for row in switched_off["items"]] == ["guard1"]
    # Token, its user, its roles; the count, the page and the groups: no query per account.
    assert len(queries) <= 8


def test_the_office_changes_roles_and_unit_and_switches_an_account_off(api, make_user):
    other = make_user(Role.MEMBER, username="zhao")
    new_unit = UnitFactory(code="civil")
    client = api(Role.OFFICE)

    response = patch(
        client,
        f"{API}/{other.pk}",
        {"roles": ["officer"], "unit_id": new_unit.pk, "email": "zhao@example.edu"},
    )
    off = patch(client, f"{API}/{other.pk}", {"is_active": False})

    assert response.status_code == 200, response.json()
    assert (response.json()["roles"], response.json()["unit_id"]) == (["officer"], new_unit.pk)
    assert (off.status_code, off.json()["is_active"], off.json()["roles"]) == (
        200,
        False,
        ["officer"],
    )
    account = User.objects.get(pk=other.pk)
    assert (account.email, account.unit, account.is_active) == (
        "zhao@example.edu",
        new_unit,
        False,
    )


def test_taking_the_unit_from_an_officer_is_refused_naming_unit_id(api, make_user, unit):
    officer = make_user(Role.OFFICER, unit=unit)

    response = patch(api(Role.OFFICE), f"{API}/{officer.pk}", {"unit_id": None})

    assert response.status_code == 422
    assert errors(response) == {"unit_id": "An information officer needs a unit."}
    assert User.objects.get(pk=officer.pk).unit == unit


def test_the_office_cannot_lock_itself_out(api):
    client = api(Role.OFFICE)
    me = client.user

    off = patch(client, f"{API}/{me.pk}", {"is_active": False})
    demoted = patch(client, f"{API}/{me.pk}", {"roles": ["member"]})

    assert (off.status_code, set(errors(off))) == (422, {"is_active"})
    assert (demoted.status_code, set(errors(demoted))) == (422, {"roles"})
    assert User.objects.get(pk=me.pk).roles == {Role.OFFICE}


def test_a_null_role_list_is_refused_naming_roles(api, make_user):
    other = make_user(Role.MEMBER)

    response = patch(api(Role.OFFICE), f"{API}/{other.pk}", {"roles": None})

    assert response.status_code == 422
    assert set(errors(response)) == {"roles"}
    assert User.objects.get(pk=other.pk).roles == {Role.MEMBER}


def test_the_office_sets_a_new_password(api, make_user):
    other = make_user(Role.MEMBER, username="zhao")

    response = patch(api(Role.OFFICE), f"{API}/{other.pk}", {"password": "a-new-password-9"})

    assert response.status_code == 200
    assert User.objects.get(pk=other.pk).check_password("a-new-password-9")


def test_an_unknown_account_is_404(api):
    assert api(Role.OFFICE).get(f"{API}/999999").status_code == 404


def test_the_accounts_page_lists_what_the_api_lists(api, client, make_user, unit):
    make_user(Role.OFFICER, unit=unit, username="officer-arch")
    client = api(Role.OFFICE)
    names = [row["username"] for row in client.get(API).json()["items"]]
    client.force_login(client.user)

    page = client.get("/accounts/").content.decode()

    positions = [page.index(f"<td>{name}") for name in names]
    assert positions == sorted(positions)
    assert "officer-arch" in names


def test_person_and_unit_that_do_not_exist_are_named(api):
    response = post(
        api(Role.OFFICE),
        API,
        {
            "username": "wang",
            "password": "long-enough-1",
            "roles": ["officer"],
            "unit_id": 999999,
        },
    )

    assert response.status_code == 422
    assert errors(response) == {"unit_id": "No such record: 999999."}
    assert not User.objects.filter(username="wang").exists()
