"""The unit daily report's pages: what each role sees and can do there."""

import datetime
import re

import pytest
from django.urls import reverse

from fangkong.core.roles import Role
from fangkong.reporting import services
from fangkong.reporting.models import ReportField, ReportValue, UnitReport, ValidationRule
from fangkong.testing.factories import PersonFactory
from fangkong.testing.pages import html_text as text

pytestmark = pytest.mark.django_db

GOOD = {"natives": 4, "in_region": 1, "people": 2, "flagged": 0}


def report_url(unit, day) -> str:
    return reverse("reporting:report", args=[unit.pk, day.isoformat()])


@pytest.fixture
def staffed(unit):
    PersonFactory.create_batch(2, unit=unit)
    return unit


def form_post(**values) -> dict:
    data = {f"f_{code}": value for code, value in values.items()}
    return data


def test_officer_sees_their_unit_with_a_fill_in_button(
    report_definition, login_as, unit, other_unit
):
    client = login_as(Role.OFFICER)
    page = text(client.get(reverse("reporting:reports")))
    assert "College of Architecture" in page
    assert "School of Civil Engineering" not in page
    assert "Fill in" in page


def test_office_sees_every_unit_and_who_has_not_reported(
    report_definition, login_as, office, unit, other_unit, today
):
    services.create_report(office, unit, today, values=dict(GOOD, people=0), submit=True)
    client = login_as(Role.OFFICE)
    page = text(client.get(reverse("reporting:reports")))
    assert "Units not reported yet: 1 of 2: School of Civil Engineering" in page
    assert 'data-unit="arch"' in page and 'data-unit="civil"' in page


def test_a_member_has_no_reports_page(login_as):
    client = login_as(Role.MEMBER)
    assert client.get(reverse("reporting:reports")).status_code == 403


def test_the_form_shows_each_figure_and_the_computed_one(
    report_definition, login_as, staffed, today
):
    client = login_as(Role.OFFICER)
    page = text(client.get(report_url(staffed, today)))
    assert "Natives of a region" in page
    assert "In a region now" in page
    assert "Fangkong's records give 2." in page
    # The computed figure starts at what the records say; entered ones start empty.
    assert re.search(r'name="f_people" value="2"', page)
    assert not re.search(r'name="f_natives" value=', page)
    assert "Nothing to report" in page


def test_officer_saves_a_draft_then_submits(report_definition, login_as, staffed, today):
    client = login_as(Role.OFFICER)
    url = report_url(staffed, today)
    response = client.post(url, {**form_post(natives=4), "save": ""})
    assert response.status_code == 302
    report = UnitReport.objects.get()
    assert report.status == UnitReport.Status.DRAFT

    response = client.post(url, {**form_post(**GOOD), "submit": ""}, follow=True)
    page = text(response)
    assert "Report submitted to the office." in page
    report.refresh_from_db()
    assert report.status == UnitReport.Status.SUBMITTED
    assert 'id="figures"' in page


def test_a_rule_failure_is_shown_on_the_field_and_nothing_is_written(
    report_definition, login_as, staffed, today
):
    client = login_as(Role.OFFICER)
    response = client.post(
        report_url(staffed, today), {**form_post(**dict(GOOD, in_region=9)), "submit": ""}
    )
    assert response.status_code == 400
    page = text(response)
    assert "In a region now ≤ natives of a region does not hold (9 against 4)" in page
    assert not UnitReport.objects.exists()


def test_overriding_a_computed_figure_asks_for_a_reason(
    report_definition, login_as, staffed, today
):
    client = login_as(Role.OFFICER)
    url = report_url(staffed, today)
    response = client.post(url, {**form_post(**dict(GOOD, people=3)), "submit": ""})
    assert response.status_code == 400
    assert "Fangkong's records give 2: say why the figure differs." in text(response)
    response = client.post(
        url, {**form_post(**dict(GOOD, people=3)), "r_people": "a new hire today", "submit": ""}
    )
    assert response.status_code == 302
    value = ReportValue.objects.get(field__code="people")
    assert (value.value, value.reason) == (3, "a new hire today")


def test_nil_report_in_one_click(report_definition, login_as, staffed, today):
    client = login_as(Role.OFFICER)
    url = reverse("reporting:report-nil", args=[staffed.pk, today.isoformat()])
    page = text(client.post(url, follow=True))
    assert "Nil report submitted" in page
    assert "nothing to report" in page
    assert UnitReport.objects.get().is_nil


def test_officer_cannot_open_another_units_report(report_definition, login_as, other_unit, today):
    client = login_as(Role.OFFICER)
    assert client.get(report_url(other_unit, today)).status_code == 404
    nil = reverse("reporting:report-nil", args=[other_unit.pk, today.isoformat()])
    assert client.post(nil).status_code == 404
    assert not UnitReport.objects.exists()


def test_a_closed_day_shows_why_and_no_form(report_definition, login_as, unit, today):
    client = login_as(Role.OFFICER)
    page = text(client.get(report_url(unit, today - datetime.timedelta(days=10))))
    assert "is closed" in page
    assert 'id="report-form"' not in page


def test_a_malformed_day_is_not_found(report_definition, login_as, unit):
    client = login_as(Role.OFFICER)
    url = reverse("reporting:report", args=[unit.pk, "2020-02-30"])
    assert client.get(url).status_code == 404


def test_office_reviews_beside_the_records(report_definition, login_as, officer, staffed, today):
    report = services.create_report(
        officer,
        staffed,
        today,
        values=dict(GOOD, people=3),
        reasons={"people": "a new hire"},
        submit=True,
    )
    client = login_as(Role.OFFICE)
    page = text(client.get(report_url(staffed, today)))
    row = re.search(r'<tr data-field="people" class="abnormal">(.*?)</tr>', page).group(1)
    assert "<strong>3</strong>" in row and "<td>2</td>" in row and "+1" in row
    assert "reason: a new hire" in row
    assert 'id="approve"' in page and 'id="return"' in page

    client.post(
        reverse("reporting:report-return", args=[report.pk]), {"comment": "the roster says 2"}
    )
    report.refresh_from_db()
    assert report.status == UnitReport.Status.RETURNED


def test_the_officer_sees_why_it_was_returned(
    report_definition, client, officer, office, staffed, today
):
    report = services.create_report(officer, staffed, today, values=GOOD, submit=True)
    services.return_report(office, report, "natives: recount please")
    client.force_login(officer)
    page = text(client.get(report_url(staffed, today)))
    assert "Returned by the office:" in page and "natives: recount please" in page
    assert 'id="report-form"' in page
    assert re.search(r'name="f_natives" value="4"', page)


def test_office_corrects_and_approves(report_definition, login_as, officer, staffed, today):
    report = services.create_report(officer, staffed, today, values=GOOD, submit=True)
    client = login_as(Role.OFFICE)
    natives = report_definition["natives"]
    page = text(
        client.post(
            reverse("reporting:report-correct", args=[report.pk]),
            {"field": natives.pk, "value": "5", "reason": "one more on the roster"},
            follow=True,
        )
    )
    assert "Figure corrected" in page
    assert "Office's correction" in page
    page = text(client.post(reverse("reporting:report-approve", args=[report.pk]), follow=True))
    assert "Report approved." in page
    report.refresh_from_db()
    assert report.status == UnitReport.Status.APPROVED
    assert 'id="approve"' not in page


def test_an_officer_cannot_approve(report_definition, client, officer, staffed, today):
    report = services.create_report(officer, staffed, today, values=GOOD, submit=True)
    client.force_login(officer)
    assert client.post(reverse("reporting:report-approve", args=[report.pk])).status_code == 403
    report.refresh_from_db()
    assert report.status == UnitReport.Status.SUBMITTED


def test_completeness_page_shows_the_rates(report_definition, login_as, office, unit, today):
    yesterday = today - datetime.timedelta(days=1)
    services.create_report(office, unit, yesterday, values=dict(GOOD, people=0), submit=True)
    client = login_as(Role.OFFICE)
    page = text(
        client.get(
            reverse("reporting:completeness"),
            {"start": yesterday.isoformat(), "end": today.isoformat()},
        )
    )
    assert "50.0%" in page  # one of two days reported
    assert 'data-unit="arch"' in page


def test_completeness_page_refuses_a_reversed_period(login_as, today):
    client = login_as(Role.OFFICE)
    response = client.get(
        reverse("reporting:completeness"),
        {"start": today.isoformat(), "end": (today - datetime.timedelta(days=3)).isoformat()},
    )
    assert response.status_code == 400
    assert "The period ends before it starts." in text(response)


def test_consolidated_page_numbers_the_units_and_marks_problems(
    report_definition, login_as, office, unit, other_unit, today
):
    services.create_report(office, unit, today, values=dict(GOOD, people=0), submit=True)
    client = login_as(Role.OFFICE)
    page = text(client.get(reverse("reporting:consolidated"), {"date": today.isoformat()}))
    civil = re.search(r'<tr data-unit="civil" class="abnormal">(.*?)</tr>', page).group(1)
    assert "<td>2</td>" in civil and "not reported" in civil


def test_office_adds_a_figure_and_a_rule(login_as):
    client = login_as(Role.OFFICE)
    url = reverse("reporting:report-fields")
    response = client.post(
        url,
        {
            "add_field": "",
            "code": "isolated",
            "label": "隔离人数",
            "label_en": "In isolation",
            "order": "5",
            "source": ReportField.Source.ISOLATION,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    field = ReportField.objects.get(code="isolated")
    response = client.post(
        url,
        {
            "add_rule": "",
            "left": field.pk,
            "operator": "le",
            "right_constant": "50",
            "priority": "medium",
        },
    )
    assert response.status_code == 302
    rule = ValidationRule.objects.get()
    page = text(client.get(url))
    assert "In isolation ≤ 50" in page
    client.post(reverse("reporting:rule-toggle", args=[rule.pk]))
    rule.refresh_from_db()
    assert not rule.is_active


def test_a_bad_figure_definition_is_shown_on_the_form(login_as):
    client = login_as(Role.OFFICE)
    response = client.post(
        reverse("reporting:report-fields"),
        {
            "add_field": "",
            "code": "x y",
            "label": "",
            "label_en": "",
            "order": "1",
            "source": "manual",
        },
    )
    assert response.status_code == 400
    assert not ReportField.objects.exists()


def test_an_officer_cannot_define_the_report(login_as):
    client = login_as(Role.OFFICER)
    assert client.get(reverse("reporting:report-fields")).status_code == 403


def test_home_block_tells_the_officer_todays_report(report_definition, login_as, unit):
    client = login_as(Role.OFFICER)
    page = re.sub(r"<[^>]+>", "", text(client.get(reverse("reporting:reports-block"))))
    assert "College of Architecture: Not started" in page
    assert "Fill in today's report" in page


def test_home_block_tells_the_office_who_has_not_reported(
    report_definition, login_as, office, unit, other_unit, today
):
    services.submit_nil_report(office, unit, today)
    client = login_as(Role.OFFICE)
    page = text(client.get(reverse("reporting:reports-block")))
    assert 'id="reports-count">1 / 2<' in page
    assert "Not reported yet: School of Civil Engineering" in page


def test_home_block_is_empty_for_a_member(login_as):
    client = login_as(Role.MEMBER)
    assert client.get(reverse("reporting:reports-block")).status_code == 204
