"""Fixtures of the check-in tests: the roles, and a set of good answers to vary."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from fangkong.core.roles import Role
from fangkong.reporting.models import HealthCheckin


@pytest.fixture(autouse=True)
def english():
    """Messages in English, whatever language an earlier test's request left active."""
    with translation.override("en"):
        yield


@pytest.fixture
def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def office(make_user):
    return make_user(Role.OFFICE)


@pytest.fixture
def officer(make_user, unit):
    return make_user(Role.OFFICER, unit=unit)


@pytest.fixture
def member(make_user, person):
    """The login of `person` (of the `unit` fixture)."""
    return make_user(Role.MEMBER, person=person)


def good_answers(**changes) -> dict:
    answers = {
        "temperature": Decimal("36.6"),
        "symptoms": [],
        "current_province": "陕西省",
        "current_city": "西安市",
        "on_campus": True,
        "contact_with_region_of_concern": False,
        "note": "",
    }
    answers.update(changes)
    return answers


def form_data(**changes) -> dict:
    """good_answers as a browser posts them."""
    data = {
        "temperature": "36.6",
        "current_province": "陕西省",
        "current_city": "西安市",
        "on_campus": "1",
        "contact_with_region_of_concern": "0",
        "note": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def checkin_count() -> int:
    return HealthCheckin.objects.count()
