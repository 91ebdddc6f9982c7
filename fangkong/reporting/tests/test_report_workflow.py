"""The unit daily report's life: draft, submitted (on time or late), returned with a
comment, corrected and submitted again, approved; a nil report in one click; every figure
kept with who gave it."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from fangkong.reporting import selectors, services
from fangkong.reporting.models import ReportEvent, ReportValue, UnitReport
from fangkong.reporting.tests.conftest import at
from fangkong.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


def figures(natives=10, in_region=3, people=None, flagged=0, **extra):
    values = {"natives": natives, "in_region": in_region, "flagged": flagged}
    if people is not None:
        values["people"] = people
    values.update(extra)
    return values


@pytest.fixture
def staffed_unit(unit):
    PersonFactory.create_batch(12, unit=unit)
    return unit


def test_officer_saves_a_draft_then_submits_on_time(
    report_definition, officer, staffed_unit, today
):
    report = services.create_report(
        officer, staffed_unit, today, values={"natives": 10}, now=at(today, 8)
    )
    assert report.status == UnitReport.Status.DRAFT
    assert report.first_submitted_at is None

    report = services.update_report(
        officer, report, values=figures(people=12), submit=True, now=at(today, 9, 59)
    )
    assert report.status == UnitReport.Status.SUBMITTED
    assert report.on_time is True
    assert report.submitted_by == officer
    assert [event.action for event in report.events.all()] == ["saved", "submitted"]


def test_a_report_after_the_deadline_is_late(report_definition, officer, staffed_unit, today):
    report = services.create_report(
        officer, staffed_unit, today, values=figures(people=12), submit=True, now=at(today, 10, 1)
    )
    assert report.on_time is False


def test_a_report_submitted_the_next_day_is_late(report_definition, officer, staffed_unit, today):
    yesterday = today - datetime.timedelta(days=1)
    report = services.create_report(
        officer,
        staffed_unit,
        yesterday,
        values=figures(people=12),
        submit=True,
        now=at(today, 7),
    )
    assert report.on_time is False


def test_computed_figures_are_confirmed_or_overridden_with_a_reason(
    report_definition, officer, staffed_unit, today
):
    with pytest.raises(ValidationError) as error:
        services.create_report(officer, staffed_unit, today, values=figures(people=11), submit=True)
    assert "records give 12" in error.value.message_dict["people"][0]
    assert not UnitReport.objects.exists()

    report = services.create_report(
        officer,
        staffed_unit,
        today,
        values=figures(people=11),
        reasons={"people": "one retired yesterday"},
        submit=True,
    )
    value = report.values.get(field__code="people")
    assert (value.value, value.computed, value.reason) == (11, 12, "one retired yesterday")
    assert value.differs_from_computed


def test_return_correct_and_approve_keeps_every_figure(
    report_definition, officer, office, staffed_unit, today
):
    report = services.create_report(
        officer, staffed_unit, today, values=figures(people=12), submit=True
    )
    services.return_report(office, report, "in_region looks too low: check the list")
    report.refresh_from_db()
    assert report.status == UnitReport.Status.RETURNED

    report = services.update_report(
        officer, report, values=figures(in_region=5, people=12), submit=True
    )
    assert report.status == UnitReport.Status.SUBMITTED

    services.correct_report_value(
        office, report, report_definition["natives"], 11, "one more found in the roster"
    )
    report = services.approve_report(office, report)
    assert report.status == UnitReport.Status.APPROVED
    assert report.approved_by == office

    in_region = ReportValue.objects.filter(report=report, field__code="in_region")
    assert [(v.value, v.superseded_at is None) for v in in_region.order_by("pk")] == [
        (3, False),
        (5, True),
    ]
    natives = ReportValue.objects.filter(report=report, field__code="natives").order_by("pk")
    assert [(v.value, v.kind, v.given_by) for v in natives] == [
        (10, "officer", officer),
        (11, "office", office),
    ]
    actions = list(report.events.values_list("action", flat=True))
    assert actions == ["submitted", "returned", "submitted", "corrected", "approved"]
    returned = report.events.get(action=ReportEvent.Action.RETURNED)
    assert returned.comment == "in_region looks too low: check the list"
    assert returned.by == office


def test_resubmission_keeps_the_first_submission_time(
    report_definition, officer, office, staffed_unit, today
):
    report = services.create_report(
        officer, staffed_unit, today, values=figures(people=12), submit=True, now=at(today, 9)
    )
    services.return_report(office, report, "check", now=at(today, 11))
    report = services.update_report(
        officer, report, values=figures(people=12), submit=True, now=at(today, 12)
    )
    assert report.first_submitted_at == at(today, 9)
    assert report.submitted_at == at(today, 12)
    assert report.on_time is True


def test_nil_report_in_one_call(report_definition, officer, staffed_unit, today):
    report = services.submit_nil_report(officer, staffed_unit, today)
    assert report.status == UnitReport.Status.SUBMITTED
    assert report.is_nil
    given = {v.field.code: v.value for v in report.values.select_related("field")}
    assert given == {"natives": 0, "in_region": 0, "people": 12, "flagged": 0}
    assert report.events.get().action == ReportEvent.Action.NIL


def test_an_approved_report_cannot_be_changed(
    report_definition, officer, office, staffed_unit, today
):
    report = services.create_report(
        officer, staffed_unit, today, values=figures(people=12), submit=True
    )
    services.approve_report(office, report)
    with pytest.raises(ValidationError, match="only a draft or a returned report"):
        services.update_report(officer, report, values=figures(natives=20, people=12))
    with pytest.raises(ValidationError, match="Only a submitted report"):
        services.return_report(office, report, "too late")
    assert report.values.filter(superseded_at__isnull=True, field__code="natives").get().value == 10


def test_a_draft_cannot_be_approved(report_definition, officer, office, staffed_unit, today):
    report = services.create_report(officer, staffed_unit, today, values={"natives": 1})
    with pytest.raises(ValidationError, match="Only a submitted report"):
        services.approve_report(office, report)


def test_medium_rule_is_a_warning_not_a_stop(report_definition, officer, unit, today):
    # No people in the unit: natives (10) > people (0) fails the medium rule only.
    report = services.create_report(officer, unit, today, values=figures(people=0), submit=True)
    assert report.status == UnitReport.Status.SUBMITTED
    failing = [r for r in selectors.report_rule_results(report) if r.fails]
    assert [r.rule for r in failing] == [report_definition["medium_rule"]]


def test_an_unchanged_figure_is_not_written_twice(report_definition, officer, staffed_unit, today):
    report = services.create_report(officer, staffed_unit, today, values={"natives": 4})
    services.update_report(officer, report, values={"natives": 4, "in_region": 1})
    assert ReportValue.objects.filter(report=report, field__code="natives").count() == 1


def test_a_long_correction_is_kept_whole_on_the_figure(
    report_definition, officer, office, staffed_unit, today
):
    natives = services.update_report_field(
        office, report_definition["natives"], label_en="N" * 80, reason="longer label"
    )
    report = services.create_report(
        officer, staffed_unit, today, values=figures(natives=9_999_999, people=12), submit=True
    )
    reason = "r" * 200
    value = services.correct_report_value(office, report, natives, 9_999_998, reason)
    assert value.reason == reason
    event = report.events.get(action=ReportEvent.Action.CORRECTED)
    assert len(event.comment) == 300


def test_a_note_left_out_is_kept(report_definition, officer, staffed_unit, today):
    report = services.create_report(
        officer, staffed_unit, today, values={"natives": 1}, note="waiting for two dorms"
    )
    report = services.update_report(officer, report, values={"in_region": 0})
    assert report.note == "waiting for two dorms"
    report = services.update_report(officer, report, note="")
    assert report.note == ""
