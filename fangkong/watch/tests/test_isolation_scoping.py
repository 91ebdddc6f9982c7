"""Who sees and writes isolation and incidents: the office and the hospital everything, the
leader reads, an officer reads their unit's, a member and the others nothing."""

import pytest
from django.core.exceptions import PermissionDenied

from fangkong.core.roles import Role
from fangkong.watch import scoping, services


@pytest.mark.parametrize("role", [Role.OFFICE, Role.MEDIC, Role.LEADER])
def test_school_wide_roles_see_every_case_and_incident(
    make_user, role, home_case, stranger_case, incident
):
    user = make_user(role)
    assert set(scoping.isolation_cases_visible_to(user)) == {home_case, stranger_case}
    assert list(scoping.incidents_visible_to(user)) == [incident]


def test_an_officer_sees_their_unit_s_cases_checks_and_incidents(
    officer, medic, home_case, stranger_case, incident
):
    services.record_isolation_check(medic, stranger_case, temperature="36.5")
    mine = services.record_isolation_check(medic, home_case, temperature="36.5")
    assert list(scoping.isolation_cases_visible_to(officer)) == [home_case]
    assert list(scoping.isolation_checks_visible_to(officer)) == [mine]
    assert list(scoping.incidents_visible_to(officer)) == [incident]


def test_an_officer_of_another_unit_sees_none_of_them(make_user, other_unit, home_case, incident):
    officer = make_user(Role.OFFICER, unit=other_unit)
    assert not scoping.isolation_cases_visible_to(officer).exists()
    assert not scoping.incidents_visible_to(officer).exists()


@pytest.mark.parametrize("role", [Role.MEMBER, Role.GUARD, Role.STOREKEEPER, Role.DISINFECTOR])
def test_other_roles_see_nothing(make_user, role, home_case, incident):
    user = make_user(role, person=home_case.person)
    assert not scoping.sees_isolation(user)
    assert not scoping.isolation_cases_visible_to(user).exists()
    assert not scoping.isolation_checks_visible_to(user).exists()
    assert not scoping.incidents_visible_to(user).exists()


@pytest.mark.parametrize("role", [Role.LEADER, Role.OFFICER, Role.MEMBER, Role.GUARD])
def test_only_the_office_and_the_hospital_write_isolation(
    make_user, unit, role, family_person, policy, home_case
):
    user = make_user(role, unit=unit)
    with pytest.raises(PermissionDenied):
        services.start_isolation(user, person=family_person, place_kind="home", reason="x")
    with pytest.raises(PermissionDenied):
        services.release_isolation(user, home_case, note="x")
    with pytest.raises(PermissionDenied):
        services.transfer_to_hospital(user, home_case, hospital="x", note="x")
    with pytest.raises(PermissionDenied):
        services.record_isolation_check(user, home_case, temperature="36.5")


def test_an_inactive_account_sees_nothing(make_user, home_case):
    user = make_user(Role.OFFICE)
    user.is_active = False
    user.save()
    user._roles_cache = None
    assert not scoping.isolation_cases_visible_to(user).exists()
