"""Submitting a day's check-in: who may, what is stored, and each bad answer refused."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangkong.reporting import services
from fangkong.reporting.models import HealthCheckin, ReportingPolicy, Symptom
from fangkong.reporting.tests.conftest import checkin_count, good_answers
from fangkong.testing.factories import PersonFactory


def refusal(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def test_member_submits_their_own_check_in_for_today(member, person, today):
    checkin = services.submit_checkin(member, person, **good_answers())
    assert (checkin.person, checkin.date, checkin.temperature) == (person, today, Decimal("36.6"))
    assert checkin.channel == HealthCheckin.Channel.SELF
    assert checkin.entered_by == member
    assert checkin.is_current and not checkin.is_abnormal


def test_officer_enters_a_check_in_for_a_person_of_their_unit(officer, person, today):
    checkin = services.submit_checkin(officer, person, **good_answers())
    assert checkin.channel == HealthCheckin.Channel.OFFICER
    assert checkin.entered_by == officer


def test_office_enters_a_check_in_for_anyone(office, stranger):
    checkin = services.submit_checkin(office, stranger, **good_answers())
    assert checkin.person == stranger


def test_officer_may_enter_an_earlier_open_day(officer, person, today):
    day = today - datetime.timedelta(days=3)
    assert services.submit_checkin(officer, person, date=day, **good_answers()).date == day


def test_symptoms_are_stored_once_each_in_the_usual_order(member, person):
    checkin = services.submit_checkin(
        member, person, **good_answers(symptoms=["cough", "fever", "cough"])
    )
    checkin.refresh_from_db()
    assert checkin.symptoms == [Symptom.FEVER, Symptom.COUGH]


def test_officer_cannot_enter_a_check_in_for_another_unit(officer, stranger):
    with pytest.raises(PermissionDenied):
        services.submit_checkin(officer, stranger, **good_answers())
    assert checkin_count() == 0


def test_member_cannot_check_in_for_someone_else(member, unit):
    colleague = PersonFactory(unit=unit)
    with pytest.raises(PermissionDenied):
        services.submit_checkin(member, colleague, **good_answers())
    assert checkin_count() == 0


@pytest.mark.parametrize("role", ["leader", "medic"])
def test_reading_roles_cannot_enter_check_ins(make_user, person, role):
    with pytest.raises(PermissionDenied):
        services.submit_checkin(make_user(role), person, **good_answers())


def test_second_check_in_for_the_same_day_is_refused_pointing_to_correct(member, person):
    services.submit_checkin(member, person, **good_answers())
    errors = refusal(lambda: services.submit_checkin(member, person, **good_answers()))
    assert "Correct" in errors["date"][0]
    assert checkin_count() == 1


def test_deactivated_person_cannot_check_in(office, unit):
    gone = PersonFactory(unit=unit, is_active=False)
    assert (
        "deactivated"
        in refusal(lambda: services.submit_checkin(office, gone, **good_answers()))["person"][0]
    )


@pytest.mark.parametrize(
    ("temperature", "message"),
    [
        (Decimal("33.9"), "between 34.0 and 43.0"),
        (Decimal("43.1"), "between 34.0 and 43.0"),
        (Decimal("36.55"), "one decimal place"),
        ("hot", "must be a number"),
        (None, "Enter the temperature"),
        (Decimal("NaN"), "between 34.0 and 43.0"),
    ],
)
def test_bad_temperature_is_refused_naming_the_field(member, person, temperature, message):
    errors = refusal(
        lambda: services.submit_checkin(member, person, **good_answers(temperature=temperature))
    )
    assert message in errors["temperature"][0]
    assert checkin_count() == 0


@pytest.mark.parametrize("temperature", [Decimal("34.0"), Decimal("43.0"), Decimal("36.50")])
def test_temperatures_at_the_limits_are_accepted(member, person, temperature):
    checkin = services.submit_checkin(member, person, **good_answers(temperature=temperature))
    assert checkin.temperature == temperature


def test_date_in_the_future_is_refused(officer, person, today):
    tomorrow = today + datetime.timedelta(days=1)
    errors = refusal(
        lambda: services.submit_checkin(officer, person, date=tomorrow, **good_answers())
    )
    assert "in the future" in errors["date"][0]
    assert checkin_count() == 0


def test_date_of_a_closed_day_is_refused(officer, person, today):
    closed = today - datetime.timedelta(days=ReportingPolicy.current().days_open + 1)
    errors = refusal(
        lambda: services.submit_checkin(officer, person, date=closed, **good_answers())
    )
    assert "is closed" in errors["date"][0]
    assert checkin_count() == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"current_province": " "}, "current_province"),
        ({"current_city": ""}, "current_city"),
        ({"current_city": "城" * 61}, "current_city"),
        ({"on_campus": None}, "on_campus"),
        ({"contact_with_region_of_concern": "yes"}, "contact_with_region_of_concern"),
        ({"symptoms": ["sneezing"]}, "symptoms"),
        ({"symptoms": "fever"}, "symptoms"),
        ({"symptoms": [Symptom.OTHER]}, "note"),
        ({"note": "x" * 201}, "note"),
    ],
)
def test_bad_answer_is_refused_naming_its_field(member, person, changes, field):
    errors = refusal(lambda: services.submit_checkin(member, person, **good_answers(**changes)))
    assert field in errors
    assert checkin_count() == 0


def test_every_bad_answer_is_reported_at_once(officer, person, today):
    errors = refusal(
        lambda: services.submit_checkin(
            officer,
            person,
            date=today + datetime.timedelta(days=2),
            **good_answers(temperature=Decimal("50.0"), current_city=""),
        )
    )
    assert {"date", "temperature", "current_city"} <= set(errors)
