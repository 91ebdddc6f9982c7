"""The office's accounts page: logins with roles, a unit and a person; never deleted."""

from fangkong.core.models import User
from fangkong.core.roles import Role


def test_office_creates_an_officer_account_linked_to_a_person(login_as, unit, person):
    client = login_as(Role.OFFICE)
    response = client.post(
        "/accounts/",
        {
            "username": "zhang",
            "full_name": "张老师",
            "password": "long-enough-1",
            "roles": [Role.OFFICER, Role.MEMBER],
            "unit": unit.pk,
            "person_number": person.person_number,
        },
    )
    assert response.status_code == 302
    account = User.objects.get(username="zhang")
    assert account.roles == {"officer", "member"}
    assert (account.unit, account.person) == (unit, person)
    assert account.check_password("long-enough-1")
    assert "张老师" in client.get("/accounts/").content.decode()


def test_officer_account_without_a_unit_is_refused(login_as):
    client = login_as(Role.OFFICE)
    response = client.post(
        "/accounts/", {"username": "li", "password": "long-enough-1", "roles": [Role.OFFICER]}
    )
    assert response.status_code == 400
    assert "An information officer needs a unit." in response.content.decode()
    assert not User.objects.filter(username="li").exists()


def test_unknown_person_number_is_named(login_as):
    response = login_as(Role.OFFICE).post(
        "/accounts/",
        {
            "username": "li",
            "password": "long-enough-1",
            "roles": [Role.MEMBER],
            "person_number": "NOPE",
        },
    )
    assert "No person has this number." in response.content.decode()
    assert not User.objects.filter(username="li").exists()


def test_switching_an_account_off_keeps_it(login_as, make_user):
    other = make_user(Role.GUARD)
    client = login_as(Role.OFFICE)
    client.post(f"/accounts/{other.pk}/toggle/")
    other.refresh_from_db()
    assert not other.is_active and User.objects.filter(pk=other.pk).exists()


def test_only_the_office_sees_accounts(login_as):
    assert login_as(Role.LEADER).get("/accounts/").status_code == 403
