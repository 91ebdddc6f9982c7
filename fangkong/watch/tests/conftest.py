"""Fixtures of the watch tests: the office, an officer, a ledger on the article's dates."""

import datetime
import zoneinfo

import pytest
import time_machine

from fangkong.core.roles import Role
from fangkong.testing.factories import KeyPersonFactory, RegionOfConcernFactory

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2020, 2, 10)


def at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def frozen_time():
    """Every watch test runs on 10 February 2020, 15:00 in Xi'an."""
    with time_machine.travel(at(TODAY, 15), tick=False):
        yield


@pytest.fixture
def office(make_user):
    return make_user(Role.OFFICE, username="office1")


@pytest.fixture
def office2(make_user):
    return make_user(Role.OFFICE, username="office2")


@pytest.fixture
def officer(make_user, unit):
    return make_user(Role.OFFICER, unit=unit, username="officer1")


@pytest.fixture
def region(db):
    return RegionOfConcernFactory(name="甲省", from_date=datetime.date(2020, 1, 23))


@pytest.fixture
def entry(person, office):
    """An open entry of `person` (of `unit`), listed by the office on 1 February."""
    return KeyPersonFactory(person=person, listed_by=office, responsible=office)


@pytest.fixture
def stranger_entry(stranger, office):
    return KeyPersonFactory(person=stranger, listed_by=office, responsible=office)
