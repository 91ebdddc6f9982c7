"""Writes to people and households: permission, validation, history, never a delete."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangkong.core import services
from fangkong.core.models import Household, Person, PersonalDataReveal
from fangkong.core.roles import Role
from fangkong.testing.factories import AreaFactory, BuildingFactory, HouseholdFactory

GOOD = {
    "person_number": "N0001",
    "name": "王芳",
    "sex": "F",
    "category": "staff",
    "national_id": "11010519491231002x",
    "phone": "138 1234 5678",
}


def test_office_creates_a_person_normalised_with_history(make_user, unit):
    office = make_user(Role.OFFICE)
    person = services.create_person(office, unit=unit, **GOOD)
    assert person.national_id == "11010519491231002X"
    assert person.phone == "13812345678"
    record = person.history.get()
    assert record.history_user == office and record.history_type == "+"


def test_officer_creates_a_person_only_in_their_unit(make_user, unit, other_unit):
    officer = make_user(Role.OFFICER, unit=unit)
    assert services.create_person(officer, unit=unit, **GOOD).unit == unit
    with pytest.raises(PermissionDenied):
        services.create_person(officer, unit=other_unit, **{**GOOD, "person_number": "N2"})
    assert Person.objects.count() == 1


def test_member_cannot_create_people(make_user, unit):
    with pytest.raises(PermissionDenied):
        services.create_person(make_user(Role.MEMBER), unit=unit, **GOOD)
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"national_id": "110105194912310021"}, "national_id"),
        ({"name": ""}, "name"),
        ({"phone": "12"}, "phone"),
        ({"category": "visitor"}, "category"),
        ({"residence": "dormitory"}, "__all__"),
    ],
)
def test_bad_values_are_refused_naming_the_field_and_nothing_is_written(
    make_user, unit, change, field
):
    with pytest.raises(ValidationError) as caught:
        services.create_person(make_user(Role.OFFICE), unit=unit, **{**GOOD, **change})
    assert field in caught.value.message_dict
    assert not Person.objects.exists()


def test_duplicate_person_number_is_refused(make_user, unit, person):
    with pytest.raises(ValidationError) as caught:
        services.create_person(
            make_user(Role.OFFICE), unit=unit, **{**GOOD, "person_number": person.person_number}
        )
    assert "person_number" in caught.value.message_dict


def test_duplicate_national_id_is_refused(make_user, unit, person):
    with pytest.raises(ValidationError) as caught:
        services.create_person(
            make_user(Role.OFFICE), unit=unit, **{**GOOD, "national_id": person.national_id}
        )
    assert "Another person has this ID number." in str(caught.value)


def test_edit_keeps_who_when_why_and_the_old_value(make_user, unit, person):
    officer = make_user(Role.OFFICER, unit=unit)
    services.update_person(officer, person, reason="moved to Xi'an", current_city="咸阳市")
    latest, previous = person.history.order_by("-history_id")[:2]
    assert latest.history_user == officer
    assert latest.history_change_reason == "moved to Xi'an"
    assert (previous.current_city, latest.current_city) == ("西安市", "咸阳市")


def test_officer_cannot_edit_another_unit_s_person(make_user, unit, stranger):
    with pytest.raises(PermissionDenied):
        services.update_person(make_user(Role.OFFICER, unit=unit), stranger, name="x")
    stranger.refresh_from_db()
    assert stranger.name != "x"


def test_officer_cannot_move_a_person_out_of_their_unit(make_user, unit, other_unit, person):
    with pytest.raises(PermissionDenied):
        services.update_person(make_user(Role.OFFICER, unit=unit), person, unit=other_unit)
    person.refresh_from_db()
    assert person.unit == unit


def test_choosing_a_household_clears_the_dormitory(make_user, unit):
    dorm = BuildingFactory(area=AreaFactory(kind="dormitory"))
    office = make_user(Role.OFFICE)
    person = services.create_person(
        office, unit=unit, residence="dormitory", dormitory=dorm, dormitory_room="301", **GOOD
    )
    household = HouseholdFactory()
    person = services.update_person(office, person, residence="household", household=household)
    assert (person.dormitory, person.dormitory_room, person.household) == (None, "", household)


def test_deactivation_needs_a_reason_and_never_deletes(make_user, unit, person):
    office = make_user(Role.OFFICE)
    with pytest.raises(ValidationError):
        services.deactivate_person(office, person, "  ")
    services.deactivate_person(office, person, "graduated")
    person.refresh_from_db()
    assert (person.is_active, person.deactivation_reason) == (False, "graduated")
    assert Person.objects.filter(pk=person.pk).exists()
    services.reactivate_person(office, person, "came back")
    person.refresh_from_db()
    assert person.is_active and person.history.count() == 3


def test_reveal_returns_the_full_value_and_records_it(make_user, unit, person):
    officer = make_user(Role.OFFICER, unit=unit)
    assert services.reveal_personal_data(officer, person, "national_id") == person.national_id
    reveal = PersonalDataReveal.objects.get()
    assert (reveal.user, reveal.person, reveal.field) == (officer, person, "national_id")


def test_reveal_is_refused_and_not_recorded_for_other_units(make_user, unit, stranger):
    with pytest.raises(PermissionDenied):
        services.reveal_personal_data(make_user(Role.OFFICER, unit=unit), stranger, "phone")
    assert not PersonalDataReveal.objects.exists()


def test_reveal_of_another_field_is_refused(make_user, person):
    with pytest.raises(ValidationError):
        services.reveal_personal_data(make_user(Role.OFFICE), person, "name")


def test_household_only_in_a_family_area(make_user):
    office = make_user(Role.OFFICE)
    with pytest.raises(ValidationError) as caught:
        services.create_household(office, area=AreaFactory(kind="teaching"), address="1-101")
    assert "area" in caught.value.message_dict
    assert not Household.objects.exists()


def test_household_edit_keeps_history(make_user):
    office = make_user(Role.OFFICE)
    household = services.create_household(office, area=AreaFactory(), address="3-502")
    services.update_household(office, household, reason="tenants found", is_rented=True)
    latest = household.history.order_by("-history_id").first()
    assert latest.is_rented and latest.history_change_reason == "tenants found"
    assert latest.history_user == office


def test_only_the_office_changes_households(make_user, unit):
    with pytest.raises(PermissionDenied):
        services.create_household(
            make_user(Role.OFFICER, unit=unit), area=AreaFactory(), address="1-1"
        )


def test_accounts_get_their_roles_from_groups(make_user, unit):
    user = services.create_account(
        make_user(Role.OFFICE),
        username="zhang",
        password="x" * 12,
        roles=[Role.OFFICER, Role.MEMBER],
        unit=unit,
    )
    assert user.roles == {"officer", "member"}


def test_an_officer_account_needs_a_unit(make_user):
    with pytest.raises(ValidationError) as caught:
        services.create_account(
            make_user(Role.OFFICE), username="li", password="x" * 12, roles=[Role.OFFICER]
        )
    assert "unit" in caught.value.message_dict
