"""Who sees which check-ins: one rule per role, each with a refusal."""

import pytest

from fangkong.core.roles import Role
from fangkong.reporting import scoping, selectors
from fangkong.testing.factories import HealthCheckinFactory, PersonFactory


@pytest.fixture
def both(person, stranger):
    return HealthCheckinFactory(person=person), HealthCheckinFactory(person=stranger)


@pytest.mark.parametrize("role", [Role.OFFICE, Role.LEADER, Role.MEDIC])
def test_school_wide_roles_see_every_units_check_ins(make_user, both, role):
    assert set(scoping.checkins_visible_to(make_user(role))) == set(both)


def test_officer_sees_only_their_units_check_ins(officer, both):
    assert list(scoping.checkins_visible_to(officer)) == [both[0]]


def test_member_sees_only_their_own(make_user, unit, both, person):
    HealthCheckinFactory(person=PersonFactory(unit=unit))
    assert list(scoping.checkins_visible_to(make_user(Role.MEMBER, person=person))) == [both[0]]


@pytest.mark.parametrize("role", [Role.GUARD, Role.STOREKEEPER, Role.DISINFECTOR])
def test_roles_without_health_work_see_none(make_user, both, role):
    assert not scoping.checkins_visible_to(make_user(role)).exists()


def test_officer_of_another_unit_gets_404_on_the_detail_page(login_as, other_unit, both):
    client = login_as(Role.OFFICER, other_unit)
    response = client.get(f"/reporting/checkin/{both[0].pk}/")
    assert response.status_code == 404
    assert both[0].person.name not in response.content.decode()


def test_people_without_check_in_are_those_of_the_unit_with_none_today(officer, unit, person):
    HealthCheckinFactory(person=person)
    absent = PersonFactory(unit=unit)
    PersonFactory(unit=unit, is_active=False)
    assert list(selectors.people_without_checkin(officer, person.checkins.get().date, unit.pk)) == [
        absent
    ]


def test_officer_cannot_list_another_units_missing_people(officer, other_unit, stranger, today):
    assert not selectors.people_without_checkin(officer, today, other_unit.pk).exists()
