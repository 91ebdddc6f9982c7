"""manage.py create_office_user: the first office login of a new installation."""

import io

import pytest
from django.core.management import CommandError, call_command

from fangkong.core.models import User
from fangkong.core.roles import Role

GOOD = "a-long-office-password"


def run(*args, **options):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_office_user", *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def log_in(client, username, password):
    """Through the log-in page, as a person does (django-axes watches it)."""
    response = client.post("/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]


@pytest.fixture
def answers(monkeypatch):
    """answers(*typed) -> what getpass returns, one value per prompt, in order."""

    def set_answers(*typed):
        queue = list(typed)
        monkeypatch.setattr(
            "fangkong.core.management.commands.create_office_user.getpass.getpass",
            lambda prompt="": queue.pop(0),
        )
        return queue

    return set_answers


def test_it_makes_an_office_account_with_the_password_from_the_environment(db, client, monkeypatch):
    monkeypatch.setenv("OFFICE_PASSWORD", GOOD)

    out, _err = run("fkb", "--email", "fkb@example.edu", "--password-from-env", "OFFICE_PASSWORD")

    assert out.strip() == "Office account fkb created."
    user = User.objects.get(username="fkb")
    assert user.roles == {Role.OFFICE}
    assert (user.email, user.is_active, user.is_superuser) == ("fkb@example.edu", True, False)
    log_in(client, "fkb", GOOD)
    assert client.get("/accounts/").status_code == 200
    assert client.get("/api/v1/core/me").json()["roles"] == ["office"]


def test_it_asks_twice_until_the_two_passwords_agree(db, answers):
    remaining = answers(GOOD, "a-typo", GOOD, GOOD)

    _out, err = run("fkb")

    assert "Error: the two passwords differ." in err
    assert remaining == []
    assert User.objects.get(username="fkb").check_password(GOOD)


def test_a_password_the_validators_refuse_is_asked_again(db, answers):
    answers("123", "123", GOOD, GOOD)

    _out, err = run("fkb")

    assert "This password is too short." in err
    assert User.objects.get(username="fkb").check_password(GOOD)


def test_a_weak_password_from_the_environment_is_refused_saying_why(db, monkeypatch):
    monkeypatch.setenv("OFFICE_PASSWORD", "password")

    with pytest.raises(CommandError, match="This password is too common."):
        run("fkb", "--password-from-env", "OFFICE_PASSWORD", "--noinput")

    assert not User.objects.filter(username="fkb").exists()


def test_an_unset_variable_is_named(db, monkeypatch):
    monkeypatch.delenv("NO_SUCH_PASSWORD", raising=False)

    with pytest.raises(CommandError, match="NO_SUCH_PASSWORD is not set or is empty"):
        run("fkb", "--password-from-env", "NO_SUCH_PASSWORD")

    assert not User.objects.exists()


def test_noinput_without_a_password_is_refused(db):
    with pytest.raises(CommandError, match="give --password-from-env VAR"):
        run("fkb", "--noinput")

    assert not User.objects.exists()


def test_a_bad_user_name_is_refused_naming_the_field(db, monkeypatch):
    monkeypatch.setenv("OFFICE_PASSWORD", GOOD)

    with pytest.raises(CommandError, match="^username: Enter a valid username"):
        run("fk b!", "--password-from-env", "OFFICE_PASSWORD")

    assert not User.objects.exists()


def test_an_existing_account_is_left_alone_without_update(make_user, monkeypatch):
    guard = make_user(Role.GUARD, username="zhang")
    monkeypatch.setenv("OFFICE_PASSWORD", GOOD)

    with pytest.raises(CommandError, match="already exists.*run the command again with --update"):
        run("zhang", "--password-from-env", "OFFICE_PASSWORD")

    guard.refresh_from_db()
    assert User.objects.get(pk=guard.pk).roles == {Role.GUARD}
    assert guard.check_password("pw")


def test_update_adds_the_office_role_keeps_the_others_and_switches_the_account_on(make_user):
    guard = make_user(Role.GUARD, username="zhang", is_active=False)

    out, _err = run("zhang", "--update", "--noinput")

    assert out.strip() == "zhang now has the office role."
    account = User.objects.get(pk=guard.pk)
    assert account.is_active
    assert account.roles == {Role.GUARD, Role.OFFICE}
    assert account.check_password("pw")


def test_update_sets_a_new_password_when_one_is_given(make_user, monkeypatch):
    make_user(Role.MEMBER, username="zhang")
    monkeypatch.setenv("OFFICE_PASSWORD", GOOD)

    run("zhang", "--update", "--password-from-env", "OFFICE_PASSWORD")

    assert User.objects.get(username="zhang").check_password(GOOD)


def test_createsuperuser_then_update_makes_an_office_login_that_opens_the_admin(
    db, client, monkeypatch
):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", GOOD)
    call_command(
        "createsuperuser",
        "--username=root",
        "--email=root@example.edu",
        "--noinput",
        stdout=io.StringIO(),
    )
    log_in(client, "root", GOOD)
    assert client.get("/accounts/").status_code == 403

    run("root", "--update")

    assert client.get("/accounts/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_update_of_a_missing_account_makes_it(db, monkeypatch):
    monkeypatch.setenv("OFFICE_PASSWORD", GOOD)

    out, _err = run("fkb", "--update", "--noinput", "--password-from-env", "OFFICE_PASSWORD")

    assert out.strip() == "Office account fkb created."
    assert User.objects.get(username="fkb").roles == {Role.OFFICE}
