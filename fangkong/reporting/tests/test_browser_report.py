"""A unit's daily report walked in a real browser: the officer (on a phone) submits, the
office returns it with a comment, the officer corrects and resubmits, the office approves."""

import re

import pytest
from playwright.sync_api import expect

from fangkong.core.roles import Role
from fangkong.reporting.models import ReportValue, UnitReport
from fangkong.testing.browser import browser_login
from fangkong.testing.factories import PersonFactory

pytestmark = pytest.mark.browser


def test_officer_submits_office_returns_officer_corrects_office_approves(
    new_page, live_server, make_user, unit, report_definition, today
):
    PersonFactory.create_batch(3, unit=unit)
    officer = make_user(Role.OFFICER, unit=unit)
    office = make_user(Role.OFFICE)
    report_url = f"/reporting/reports/{unit.pk}/{today.isoformat()}/"

    # The officer fills the report in on a phone.
    phone = new_page(phone=True)
    browser_login(phone, live_server, officer.username)
    phone.goto("/reporting/reports/")
    phone.locator("tr[data-unit=arch]").get_by_role("button", name="Fill in").click()
    expect(phone).to_have_url(re.compile(re.escape(report_url) + "$"))
    form = phone.locator("#report-form")
    expect(form.locator("input[name=f_people]")).to_have_value("3")  # from the records
    form.locator("input[name=f_natives]").fill("6")
    form.locator("input[name=f_in_region]").fill("2")
    form.locator("input[name=f_flagged]").fill("0")
    form.locator("#submit-report").click()
    expect(phone.locator("#report-status")).to_contain_text("Submitted")
    scroll_width = phone.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= phone.evaluate("window.innerWidth")

    # The office returns it.
    desk = new_page()
    browser_login(desk, live_server, office.username)
    desk.goto("/reporting/reports/")
    desk.locator("tr[data-unit=arch]").get_by_role("link", name="Review").click()
    expect(desk.locator("#figures tr[data-field=natives]")).to_contain_text("6")
    desk.locator("#review textarea[name=comment]").fill("Natives: the roster lists 7")
    desk.locator("#return").click()
    expect(desk.locator("#report-status")).to_contain_text("Returned")

    # The officer sees why, corrects and resubmits.
    phone.goto(report_url)
    expect(phone.locator("#returned")).to_contain_text("Natives: the roster lists 7")
    expect(phone.locator("input[name=f_natives]")).to_have_value("6")
    phone.locator("input[name=f_natives]").fill("7")
    phone.locator("#submit-report").click()
    expect(phone.locator("#report-status")).to_contain_text("Submitted")

    # The office approves.
    desk.goto(report_url)
    expect(desk.locator("#figures tr[data-field=natives]")).to_contain_text("7")
    desk.locator("#approve").click()
    expect(desk.locator("#report-status")).to_contain_text("Approved")
    expect(desk.locator("#events")).to_contain_text("Returned")

    report = UnitReport.objects.get(unit=unit, date=today)
    assert report.status == UnitReport.Status.APPROVED
    assert report.approved_by == office
    natives = ReportValue.objects.filter(report=report, field__code="natives").order_by("pk")
    assert [(value.value, value.superseded_at is None) for value in natives] == [
        (6, False),
        (7, True),
    ]
