"""Twice-daily temperature checks: the range, the fever flag, one current check per slot,
corrections that supersede, and the list of checks due."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from fangkong.reporting.models import ReportingPolicy
from fangkong.watch import selectors, services
from fangkong.watch.models import IsolationCheck, RecordIsFinal
from fangkong.watch.tests.conftest import TODAY, at


def check(medic, case, temperature="36.5", **values):
    return services.record_isolation_check(medic, case, temperature=temperature, **values)


def test_a_check_now_is_for_today_s_afternoon(medic, home_case):
    made = check(medic, home_case)
    assert (made.date, made.slot, made.temperature, made.is_fever) == (
        TODAY,
        "afternoon",
        Decimal("36.5"),
        False,
    )


def test_a_morning_check_by_its_time(medic, home_case):
    made = check(medic, home_case, at=at(TODAY, 8, 10))
    assert made.slot == "morning"


@pytest.mark.parametrize("temperature", ["33.9", "43.1", "abc", "36.55"])
def test_a_temperature_outside_34_to_43_or_not_one_decimal_is_refused(
    medic, home_case, temperature
):
    with pytest.raises(ValidationError) as caught:
        check(medic, home_case, temperature)
    assert "temperature" in caught.value.message_dict
    assert not IsolationCheck.objects.exists()


def test_the_database_refuses_a_temperature_outside_the_range(medic, home_case):
    made = check(medic, home_case)
    with pytest.raises(IntegrityError), transaction.atomic():
        IsolationCheck.objects.filter(pk=made.pk).update(temperature=Decimal("44.0"))


def test_a_fever_is_flagged_at_the_reporting_threshold(medic, home_case):
    assert ReportingPolicy.current().fever_threshold == Decimal("37.3")
    assert check(medic, home_case, "37.3", slot="morning").is_fever
    assert not check(medic, home_case, "37.2", slot="afternoon").is_fever


def test_the_threshold_is_the_reporting_policy_s(medic, home_case):
    ReportingPolicy.objects.filter(pk=1).update(fever_threshold=Decimal("37.0"))
    assert check(medic, home_case, "37.1").is_fever


def test_one_current_check_per_case_day_and_slot(medic, home_case):
    check(medic, home_case, slot="morning")
    with pytest.raises(ValidationError) as caught:
        check(medic, home_case, slot="morning")
    assert caught.value.message_dict["slot"] == [
        "This slot already has a check: correct it instead."
    ]


def test_the_database_holds_one_current_check_per_slot(medic, home_case):
    made = check(medic, home_case, slot="morning")
    twin = IsolationCheck.objects.get(pk=made.pk)
    twin.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        IsolationCheck.objects.bulk_create([twin])


def test_a_correction_supersedes_and_keeps_the_earlier_check(medic, office, home_case):
    wrong = check(medic, home_case, "38.6", slot="morning")
    right = services.correct_isolation_check(office, wrong, reason="录入错误", temperature="36.8")
    wrong.refresh_from_db()
    assert (wrong.temperature, wrong.superseded_by, wrong.is_current) == (
        Decimal("38.6"),
        office,
        False,
    )
    assert (right.supersedes, right.temperature, right.is_fever, right.slot) == (
        wrong,
        Decimal("36.8"),
        False,
        "morning",
    )
    current = selectors.isolation_checks_for(
        medic, {"case": home_case.pk, "current_only": True}
    ).rows
    assert list(current) == [right]


def test_a_correction_needs_a_reason_and_is_made_once(medic, home_case):
    made = check(medic, home_case)
    with pytest.raises(ValidationError):
        services.correct_isolation_check(medic, made, reason="", temperature="36.6")
    services.correct_isolation_check(medic, made, reason="x", temperature="36.6")
    with pytest.raises(ValidationError) as caught:
        services.correct_isolation_check(medic, made, reason="y", temperature="36.7")
    assert "already been corrected" in caught.value.messages[0]


def test_a_saved_check_never_changes(medic, home_case):
    made = check(medic, home_case)
    made.temperature = Decimal("36.0")
    with pytest.raises(RecordIsFinal):
        made.save()
    with pytest.raises(RecordIsFinal):
        made.delete()


def test_a_check_in_the_future_or_outside_the_case_is_refused(medic, home_case):
    with pytest.raises(ValidationError) as caught:
        check(medic, home_case, date=TODAY + datetime.timedelta(days=1), slot="morning")
    assert "date" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        check(medic, home_case, at=at(TODAY, 18))
    assert "at" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        check(medic, home_case, date=datetime.date(2020, 2, 4), slot="morning")
    assert caught.value.message_dict["date"] == ["The isolation had not started on that day."]


def test_the_leader_and_an_officer_do_not_record_checks(leader, officer, home_case):
    for user in (leader, officer):
        with pytest.raises(PermissionDenied):
            check(user, home_case)


def test_checks_due_lists_open_cases_missing_the_slot(medic, home_case, stranger_case):
    check(medic, home_case, slot="morning", at=at(TODAY, 8))
    due_morning = selectors.checks_due(medic, TODAY, "morning")
    assert [row.case for row in due_morning] == [stranger_case]
    due_afternoon = selectors.checks_due(medic, TODAY, "afternoon")
    assert {row.case for row in due_afternoon} == {home_case, stranger_case}
    check(medic, stranger_case, slot="afternoon")
    assert [row.case for row in selectors.checks_due(medic, TODAY, "afternoon")] == [home_case]


def test_released_cases_are_no_longer_due(medic, home_case):
    services.release_isolation(medic, home_case, note="期满")
    assert selectors.checks_due(medic, TODAY, "afternoon") == []


def test_the_sheet_of_a_day_shows_both_slots_and_the_fever(medic, home_case):
    check(medic, home_case, "36.4", slot="morning", at=at(TODAY, 8))
    check(medic, home_case, "37.9", slot="afternoon")
    (row,) = selectors.check_sheet(medic, TODAY)
    assert (row.morning.temperature, row.afternoon.temperature, row.fever) == (
        Decimal("36.4"),
        Decimal("37.9"),
        True,
    )
    assert row.missing == []
