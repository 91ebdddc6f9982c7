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


# ---- medical isolation and incidents ------------------------------------------------------


@pytest.fixture
def medic(make_user):
    return make_user(Role.MEDIC, username="medic1")


@pytest.fixture
def leader(make_user):
    return make_user(Role.LEADER, username="leader1")


@pytest.fixture
def policy(office):
    """The office's 14-day policy from 23 January 2020."""
    from fangkong.watch import services

    return services.create_isolation_policy(
        office, effective_from=datetime.date(2020, 1, 23), days=14, note="14天"
    )


@pytest.fixture
def family_person(unit):
    """A person of `unit` living in a family-area household."""
    from fangkong.testing.factories import HouseholdFactory, PersonFactory

    return PersonFactory(unit=unit, residence="household", household=HouseholdFactory())


@pytest.fixture
def room(medic):
    from fangkong.testing.factories import AreaFactory, BuildingFactory
    from fangkong.watch import services

    building = BuildingFactory(
        area=AreaFactory(kind="isolation"), name="隔离观察楼", name_en="Isolation building"
    )
    return services.create_isolation_room(medic, name="101", capacity=1, building=building)


@pytest.fixture
def home_case(medic, family_person, policy):
    """`family_person` isolated at home since 5 February (school's order)."""
    from fangkong.watch import services

    return services.start_isolation(
        medic,
        person=family_person,
        place_kind="home",
        reason="自湖北返回",
        start_date=datetime.date(2020, 2, 5),
    )


@pytest.fixture
def stranger_case(medic, stranger, policy):
    """`stranger` (another unit) in hospital isolation since 8 February."""
    from fangkong.watch import services

    return services.start_isolation(
        medic,
        person=stranger,
        place_kind="hospital",
        hospital="西安市第八医院",
        reason="发热",
        start_date=datetime.date(2020, 2, 8),
    )


@pytest.fixture
def incident(medic, family_person):
    """An open fever incident of this morning, involving `family_person`."""
    from fangkong.watch import services

    return services.open_incident(
        medic,
        occurred_at=at(TODAY, 8, 30),
        kind="fever",
        severity="medium",
        description="家属区门岗测温37.8℃",
        place="家属区东门",
        people=[family_person],
    )
