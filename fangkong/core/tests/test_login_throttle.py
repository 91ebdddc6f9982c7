"""Log-in throttling: a user name and a client address are each locked on their own, so
one password tried across many accounts is stopped, and so is one account tried from many
addresses."""

import pytest

from fangkong.core.roles import Role
from fangkong.testing.factories import UserFactory

PASSWORD = "right-password-1"


@pytest.fixture
def limits(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_IP_FAILURE_LIMIT = 8
    return settings


@pytest.fixture
def member(db):
    user = UserFactory(roles=[Role.MEMBER], username="zhang.wei")
    user.set_password(PASSWORD)
    user.save()
    return user


def log_in(client, username, password, **headers):
    return client.post("/login/", {"username": username, "password": password}, **headers)


def statuses(responses) -> list[int]:
    return [response.status_code for response in responses]


def locked_at(limit: int) -> list[int]:
    """Wrong passwords are answered as such until the one that reaches the limit locks."""
    return [200] * (limit - 1) + [429]


def test_one_password_across_many_accounts_from_one_address_is_locked(client, limits, member):
    tries = [
        log_in(client, f"guess-{number}", "123456", REMOTE_ADDR="10.1.2.3")
        for number in range(limits.AXES_IP_FAILURE_LIMIT)
    ]
    assert statuses(tries) == locked_at(limits.AXES_IP_FAILURE_LIMIT)
    # Every account was tried once only, yet the address is locked: the right password of
    # a real account is refused from there too …
    assert log_in(client, member.username, PASSWORD, REMOTE_ADDR="10.1.2.3").status_code == 429
    # … while the account itself is not locked from elsewhere.
    assert log_in(client, member.username, PASSWORD, REMOTE_ADDR="10.9.9.9").status_code == 302


def test_one_user_name_from_many_addresses_is_locked(client, limits, member):
    tries = [
        log_in(client, member.username, "123456", REMOTE_ADDR=f"10.0.0.{number + 1}")
        for number in range(limits.AXES_FAILURE_LIMIT)
    ]
    assert statuses(tries) == locked_at(limits.AXES_FAILURE_LIMIT)
    response = log_in(client, member.username, PASSWORD, REMOTE_ADDR="10.0.0.200")
    assert response.status_code == 429
    assert "Too many failed log-ins" in response.content.decode()


def test_a_few_mistakes_below_the_limits_do_not_lock(client, limits, member):
    for _ in range(limits.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, member.username, "123456", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert log_in(client, member.username, PASSWORD, REMOTE_ADDR="10.1.2.3").status_code == 302


def test_behind_nginx_a_forged_forwarded_address_does_not_dodge_the_lock(client, limits, member):
    limits.BEHIND_PROXY = True
    # The client sends its own X-Forwarded-For; nginx appends the address it saw.
    tries = [
        log_in(
            client,
            f"guess-{number}",
            "123456",
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{number + 1}, 10.1.2.3",
        )
        for number in range(limits.AXES_IP_FAILURE_LIMIT)
    ]
    assert statuses(tries) == locked_at(limits.AXES_IP_FAILURE_LIMIT)
    response = log_in(
        client,
        member.username,
        PASSWORD,
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.7, 10.1.2.3",
    )
    assert response.status_code == 429
    other = log_in(
        client,
        member.username,
        PASSWORD,
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="10.7.7.7",
    )
    assert other.status_code == 302
