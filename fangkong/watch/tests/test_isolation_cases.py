"""Starting, releasing and transferring isolation cases, and the rules the database holds."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from fangkong.testing.factories import HouseholdFactory, PersonFactory
from fangkong.watch import services
from fangkong.watch.models import IsolationCase
from fangkong.watch.tests.conftest import TODAY


def test_home_isolation_is_in_the_person_s_household(home_case, family_person, medic):
    assert home_case.place_kind == "home"
    assert home_case.household == family_person.household
    assert (home_case.status, home_case.opened_by) == ("in_isolation", medic)
    assert home_case.history.get().history_user == medic


def test_home_isolation_outside_the_family_area_is_refused(medic, person, policy):
    elsewhere = HouseholdFactory(area__kind="dormitory")
    with pytest.raises(ValidationError) as caught:
        services.start_isolation(
            medic, person=person, place_kind="home", household=elsewhere, reason="x"
        )
    assert "family area" in caught.value.message_dict["household"][0]


def test_home_isolation_of_someone_without_a_household_names_the_field(medic, person, policy):
    with pytest.raises(ValidationError) as caught:
        services.start_isolation(medic, person=person, place_kind="home", reason="x")
    assert "household" in caught.value.message_dict


def test_a_second_open_case_for_a_person_is_refused(medic, home_case, family_person):
    with pytest.raises(ValidationError) as caught:
        services.start_isolation(
            medic, person=family_person, place_kind="hospital", hospital="医院", reason="again"
        )
    assert caught.value.message_dict["person"] == ["This person is already in isolation."]
    assert IsolationCase.objects.count() == 1


def test_the_database_refuses_a_second_open_case(home_case):
    twin = IsolationCase.objects.get(pk=home_case.pk)
    twin.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        IsolationCase.objects.bulk_create([twin])


def test_a_cdc_order_needs_its_reference(medic, family_person, policy):
    with pytest.raises(ValidationError) as caught:
        services.start_isolation(
            medic, person=family_person, place_kind="home", reason="x", ordered_by="cdc"
        )
    assert "cdc_reference" in caught.value.message_dict
    case = services.start_isolation(
        medic,
        person=family_person,
        place_kind="home",
        reason="x",
        ordered_by="cdc",
        cdc_reference="雁塔疾控〔2020〕12号",
    )
    assert case.cdc_reference == "雁塔疾控〔2020〕12号"


def test_the_database_refuses_a_cdc_order_without_reference(home_case):
    with pytest.raises(IntegrityError), transaction.atomic():
        IsolationCase.objects.filter(pk=home_case.pk).update(ordered_by="cdc")


def test_a_start_in_the_future_is_refused(medic, family_person, policy):
    with pytest.raises(ValidationError) as caught:
        services.start_isolation(
            medic,
            person=family_person,
            place_kind="home",
            reason="x",
            start_date=TODAY + datetime.timedelta(days=1),
        )
    assert caught.value.message_dict["start_date"] == ["This date is in the future."]


def test_hospital_isolation_names_the_hospital(medic, person, policy):
    with pytest.raises(ValidationError) as caught:
        services.start_isolation(medic, person=person, place_kind="hospital", reason="x")
    assert "hospital" in caught.value.message_dict


def test_an_unknown_place_is_refused(medic, person, policy):
    with pytest.raises(ValidationError) as caught:
        services.start_isolation(medic, person=person, place_kind="hotel", reason="x")
    assert "place_kind" in caught.value.message_dict


def test_the_database_keeps_place_fields_consistent(home_case):
    with pytest.raises(IntegrityError), transaction.atomic():
        IsolationCase.objects.filter(pk=home_case.pk).update(hospital="某医院")
    with pytest.raises(IntegrityError), transaction.atomic():
        IsolationCase.objects.filter(pk=home_case.pk).update(place_kind="hospital")


def test_release_records_who_when_and_why(medic, home_case):
    case = services.release_isolation(
        medic, home_case, note="隔离期满，体温正常", end_date=datetime.date(2020, 2, 10)
    )
    assert (case.status, case.end_date, case.ended_by) == ("released", TODAY, medic)
    assert case.ended_at is not None and case.end_note == "隔离期满，体温正常"
    assert case.history.count() == 2


def test_release_needs_a_reason(medic, home_case):
    with pytest.raises(ValidationError) as caught:
        services.release_isolation(medic, home_case, note=" ")
    assert "note" in caught.value.message_dict


def test_an_end_before_the_start_is_refused(medic, home_case):
    with pytest.raises(ValidationError) as caught:
        services.release_isolation(medic, home_case, note="x", end_date=datetime.date(2020, 2, 4))
    assert caught.value.message_dict["end_date"] == ["An isolation cannot end before it starts."]
    home_case.refresh_from_db()
    assert home_case.is_open


def test_the_database_refuses_an_end_before_the_start(medic, home_case):
    services.release_isolation(medic, home_case, note="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        IsolationCase.objects.filter(pk=home_case.pk).update(end_date=datetime.date(2020, 2, 1))


def test_an_end_in_the_future_is_refused(medic, home_case):
    with pytest.raises(ValidationError) as caught:
        services.release_isolation(
            medic, home_case, note="x", end_date=TODAY + datetime.timedelta(days=1)
        )
    assert "end_date" in caught.value.message_dict


def test_transfer_to_hospital_ends_the_case(medic, home_case):
    case = services.transfer_to_hospital(
        medic, home_case, hospital="西安市胸科医院", note="发热38.5℃，转院排查"
    )
    assert (case.status, case.transferred_to, case.end_date) == (
        "transferred",
        "西安市胸科医院",
        TODAY,
    )
    with pytest.raises(ValidationError) as caught:
        services.release_isolation(medic, case, note="again")
    assert "status" in caught.value.message_dict


def test_transfer_needs_the_hospital(medic, home_case):
    with pytest.raises(ValidationError) as caught:
        services.transfer_to_hospital(medic, home_case, hospital="", note="x")
    assert "hospital" in caught.value.message_dict


def test_released_people_may_be_isolated_again_but_not_over_the_old_case(
    medic, home_case, family_person
):
    services.release_isolation(medic, home_case, note="x", end_date=datetime.date(2020, 2, 9))
    with pytest.raises(ValidationError) as caught:
        services.start_isolation(
            medic,
            person=family_person,
            place_kind="home",
            reason="again",
            start_date=datetime.date(2020, 2, 7),
        )
    assert "start_date" in caught.value.message_dict
    again = services.start_isolation(medic, person=family_person, place_kind="home", reason="again")
    assert IsolationCase.objects.filter(person=family_person).count() == 2
    assert again.is_open


def test_cases_are_never_deleted(home_case):
    with pytest.raises(ProtectedError):
        home_case.person.delete()
    assert IsolationCase.objects.filter(pk=home_case.pk).exists()


def test_another_unit_s_person_can_be_isolated_by_the_hospital(medic, policy, other_unit):
    person = PersonFactory(unit=other_unit)
    case = services.start_isolation(
        medic, person=person, place_kind="hospital", hospital="医院", reason="x"
    )
    assert case.person.unit == other_unit
