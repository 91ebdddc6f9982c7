"""Fixtures shared by every app's tests."""

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import translation

from fangkong.core.roles import Role
from fangkong.core.transactions import nesting_allowed
from fangkong.testing.factories import PersonFactory, UnitFactory, UserFactory

pytest_plugins = ["fangkong.testing.browser"]


def pytest_configure(config):
    # A cheap hasher: Argon2 costs ~50 ms a password, too much for hundreds of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _english_between_tests():
    """A request in Chinese leaves Chinese active in the thread; each test starts in English."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def unit(db):
    return UnitFactory(code="arch", name="建筑学院", name_en="College of Architecture")


@pytest.fixture
def other_unit(db):
    return UnitFactory(code="civil", name="土木工程学院", name_en="School of Civil Engineering")


@pytest.fixture
def make_user(db):
    """make_user(role, unit=None, person=None, **fields) -> a user with that role."""

    def make(role: str, unit=None, person=None, **fields):
        return UserFactory(roles=[role], unit=unit, person=person, **fields)

    return make


@pytest.fixture
def login_as(client, make_user, unit):
    """login_as(role) -> the test client, logged in as a new user with that role.

    An officer belongs to the `unit` fixture unless another unit is given.
    """

    def login(role: str, unit_=None, **fields):
        if role == Role.OFFICER and unit_ is None:
            unit_ = unit
        user = make_user(role, unit=unit_, **fields)
        client.force_login(user)
        client.user = user
        return client

    return login


@pytest.fixture
def person(unit):
    return PersonFactory(unit=unit)


@pytest.fixture
def stranger(other_unit):
    """Someone of another unit, whom the `unit` officer must not see."""
    return PersonFactory(unit=other_unit)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo school (`seed_demo`) loaded once for a test module, inside a transaction
    rolled back at the end so that the other tests find the shared test database empty.
    Seeded once per test process; later modules get a copy of its rows (testing/demo.py)."""
    from fangkong.testing.demo import load_demo

    with django_db_blocker.unblock(), transaction.atomic():
        with nesting_allowed():  # the demo's own transactions join this one, rolled back
            load_demo()
        yield
        transaction.set_rollback(True)
