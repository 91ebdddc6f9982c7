"""Each bad input to a unit daily report gets an error naming the field, and nothing is
written."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangkong.core.roles import Role
from fangkong.reporting import services
from fangkong.reporting.models import ReportEvent, ReportValue, UnitReport

pytestmark = pytest.mark.django_db

GOOD = {"natives": 5, "in_region": 2, "people": 0, "flagged": 0}


def nothing_written():
    return (
        not UnitReport.objects.exists()
        and not ReportValue.objects.exists()
        and not ReportEvent.objects.exists()
    )


def errors_of(call) -> dict:
    with pytest.raises(ValidationError) as error:
        call()
    return error.value.message_dict


def test_a_future_day_is_refused(report_definition, officer, unit, today):
    tomorrow = today + datetime.timedelta(days=1)
    errors = errors_of(lambda: services.create_report(officer, unit, tomorrow, values=GOOD))
    assert "in the future" in errors["date"][0]
    assert nothing_written()


def test_a_closed_day_is_refused(report_definition, officer, unit, today):
    old = today - datetime.timedelta(days=4)  # the policy keeps 3 days open
    errors = errors_of(lambda: services.create_report(officer, unit, old, values=GOOD))
    assert "is closed" in errors["date"][0]
    assert nothing_written()


def test_a_second_report_for_the_same_unit_and_day_is_refused(
    report_definition, officer, unit, today
):
    services.create_report(officer, unit, today, values=GOOD)
    errors = errors_of(lambda: services.create_report(officer, unit, today, values=GOOD))
    assert "already has a report" in errors["date"][0]
    assert UnitReport.objects.count() == 1


def test_an_officer_cannot_write_another_units_report(
    report_definition, officer, other_unit, today
):
    with pytest.raises(PermissionDenied):
        services.create_report(officer, other_unit, today, values=GOOD)
    with pytest.raises(PermissionDenied):
        services.submit_nil_report(officer, other_unit, today)
    assert nothing_written()


def test_an_officer_cannot_review(report_definition, officer, unit, today):
    report = services.create_report(officer, unit, today, values=GOOD, submit=True)
    with pytest.raises(PermissionDenied):
        services.approve_report(officer, report)
    with pytest.raises(PermissionDenied):
        services.return_report(officer, report, "no")
    with pytest.raises(PermissionDenied):
        services.correct_report_value(officer, report, report_definition["natives"], 1, "x")


def test_a_member_cannot_fill_a_report(report_definition, make_user, unit, today):
    member = make_user(Role.MEMBER, unit=unit)
    with pytest.raises(PermissionDenied):
        services.create_report(member, unit, today, values=GOOD)


def test_a_high_rule_failure_stops_the_submission(report_definition, officer, unit, today):
    bad = dict(GOOD, in_region=9)  # more in the region now than natives
    errors = errors_of(
        lambda: services.create_report(officer, unit, today, values=bad, submit=True)
    )
    assert "In a region now ≤ natives of a region" in errors["in_region"][0]
    assert nothing_written()


def test_a_high_rule_failure_may_stay_in_a_draft(report_definition, officer, unit, today):
    bad = dict(GOOD, in_region=9)
    report = services.create_report(officer, unit, today, values=bad)
    assert report.status == UnitReport.Status.DRAFT
    errors = errors_of(lambda: services.update_report(officer, report, submit=True))
    assert "in_region" in errors
    report.refresh_from_db()
    assert report.status == UnitReport.Status.DRAFT


@pytest.mark.parametrize("value", ["-1", "2.5", "abc", "１２", -3, True])
def test_a_figure_must_be_a_whole_number(report_definition, officer, unit, today, value):
    errors = errors_of(
        lambda: services.create_report(officer, unit, today, values=dict(GOOD, natives=value))
    )
    assert errors["natives"] == ["Enter a whole number, 0 or more."]
    assert nothing_written()


def test_an_unknown_figure_is_named(report_definition, officer, unit, today):
    errors = errors_of(
        lambda: services.create_report(officer, unit, today, values=dict(GOOD, beds=3))
    )
    assert "no figure “beds”" in errors["beds"][0]
    assert nothing_written()


def test_submitting_needs_every_figure(report_definition, officer, unit, today):
    errors = errors_of(
        lambda: services.create_report(
            officer, unit, today, values={"natives": 1, "people": 0}, submit=True
        )
    )
    assert set(errors) == {"in_region", "flagged"}
    assert nothing_written()


def test_a_return_needs_a_comment(report_definition, officer, office, unit, today):
    report = services.create_report(officer, unit, today, values=GOOD, submit=True)
    errors = errors_of(lambda: services.return_report(office, report, "  "))
    assert errors["comment"] == ["Say why the report is returned."]
    report.refresh_from_db()
    assert report.status == UnitReport.Status.SUBMITTED


def test_an_office_correction_needs_a_reason_and_a_number(
    report_definition, officer, office, unit, today
):
    report = services.create_report(officer, unit, today, values=GOOD, submit=True)
    natives = report_definition["natives"]
    errors = errors_of(lambda: services.correct_report_value(office, report, natives, "x", ""))
    assert set(errors) == {"value", "reason"}
    assert ReportValue.objects.filter(kind="office").count() == 0


def test_an_office_correction_that_breaks_a_high_rule_is_refused(
    report_definition, officer, office, unit, today
):
    report = services.create_report(officer, unit, today, values=GOOD, submit=True)
    natives = report_definition["natives"]
    errors = errors_of(
        lambda: services.correct_report_value(office, report, natives, 1, "roster says 1")
    )
    assert "In a region now ≤ natives of a region" in errors["value"][0]
    assert ReportValue.objects.filter(kind="office").count() == 0


def test_a_nil_report_that_breaks_a_high_rule_says_so(office, make_user, unit, today):
    from fangkong.reporting.models import ReportField, ValidationRule

    people = services.create_report_field(
        office, code="people", label="人数", label_en="People", source=ReportField.Source.HEADCOUNT
    )
    services.create_validation_rule(
        office, left=people, operator=ValidationRule.Operator.GE, right_constant=1
    )
    officer = make_user(Role.OFFICER, unit=unit)
    with pytest.raises(ValidationError, match="do not allow a nil report"):
        services.submit_nil_report(officer, unit, today)
    assert nothing_written()
