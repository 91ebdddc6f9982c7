"""Who sees which people, households and units: one rule per role, each with a refusal."""

import pytest

from fangkong.core import scoping
from fangkong.core.roles import Role
from fangkong.testing.factories import HouseholdFactory, PersonFactory


@pytest.mark.parametrize("role", [Role.OFFICE, Role.LEADER, Role.MEDIC])
def test_school_wide_roles_see_every_unit_s_people(make_user, person, stranger, role):
    visible = set(scoping.people_visible_to(make_user(role)))
    assert {person, stranger} <= visible


def test_officer_sees_only_their_own_unit(make_user, unit, person, stranger):
    visible = set(scoping.people_visible_to(make_user(Role.OFFICER, unit=unit)))
    assert person in visible
    assert stranger not in visible


def test_officer_without_a_unit_sees_nobody(make_user, person):
    assert not scoping.people_visible_to(make_user(Role.OFFICER)).exists()


@pytest.mark.parametrize("role", [Role.GUARD, Role.STOREKEEPER, Role.DISINFECTOR])
def test_roles_without_people_work_see_nobody(make_user, person, role):
    assert not scoping.people_visible_to(make_user(role)).exists()


def test_member_sees_only_themselves(make_user, person, stranger):
    member = make_user(Role.MEMBER, person=person)
    assert list(scoping.people_visible_to(member)) == [person]


def test_anonymous_sees_nobody(person):
    from django.contrib.auth.models import AnonymousUser

    assert not scoping.people_visible_to(AnonymousUser()).exists()


def test_deactivated_account_sees_nobody(make_user, person):
    office = make_user(Role.OFFICE, is_active=False)
    assert not scoping.people_visible_to(office).exists()


def test_officer_sees_households_with_a_member_of_their_unit(make_user, unit, other_unit):
    mine, theirs = HouseholdFactory(), HouseholdFactory()
    PersonFactory(unit=unit, residence="household", household=mine)
    PersonFactory(unit=other_unit, residence="household", household=theirs)
    visible = list(scoping.households_visible_to(make_user(Role.OFFICER, unit=unit)))
    assert visible == [mine]


def test_member_sees_only_their_own_household(make_user, unit):
    home, elsewhere = HouseholdFactory(), HouseholdFactory()
    me = PersonFactory(unit=unit, residence="household", household=home)
    PersonFactory(unit=unit, residence="household", household=elsewhere)
    assert list(scoping.households_visible_to(make_user(Role.MEMBER, person=me))) == [home]


def test_officer_sees_only_their_unit_in_the_unit_list(make_user, unit, other_unit):
    assert list(scoping.units_visible_to(make_user(Role.OFFICER, unit=unit))) == [unit]


@pytest.mark.parametrize("role", [Role.OFFICE, Role.LEADER, Role.MEDIC, Role.STOREKEEPER])
def test_school_wide_roles_see_every_unit(make_user, unit, other_unit, role):
    assert set(scoping.units_visible_to(make_user(role))) == {unit, other_unit}


def test_reveal_is_for_office_medic_and_the_person_s_own_officer(make_user, unit, person, stranger):
    officer = make_user(Role.OFFICER, unit=unit)
    assert scoping.can_reveal(make_user(Role.OFFICE), stranger)
    assert scoping.can_reveal(make_user(Role.MEDIC), stranger)
    assert scoping.can_reveal(officer, person)
    assert not scoping.can_reveal(officer, stranger)
    assert not scoping.can_reveal(make_user(Role.LEADER), person)
    assert not scoping.can_reveal(make_user(Role.MEMBER, person=person), person)
