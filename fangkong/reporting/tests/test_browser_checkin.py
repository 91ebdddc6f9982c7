"""A member's daily check-in on a phone, in Chinese, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from fangkong.core.roles import Role
from fangkong.reporting.models import HealthCheckin
from fangkong.testing.browser import PHONE_VIEWPORT, browser_login

pytestmark = pytest.mark.browser


def test_member_on_a_phone_checks_in_with_a_fever_and_sees_it_flagged(
    new_page, live_server, make_user, person
):
    member = make_user(Role.MEMBER, person=person)
    page = new_page(locale="zh-CN", phone=True)
    browser_login(page, live_server, member.username)

    page.goto("/reporting/checkin/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    form = page.locator("form.checkin-form")
    expect(form.locator("input[name=temperature]")).to_have_value("")
    form.locator("input[name=temperature]").fill("38.2")
    form.locator("input[name=symptoms][value=fever]").check()
    form.locator("input[name=symptoms][value=cough]").check()
    form.locator("input[name=current_province]").fill("陕西省")
    form.locator("input[name=current_city]").fill("西安市")
    form.locator("input[name=on_campus][value='1']").check()
    form.locator("input[name=contact_with_region_of_concern][value='0']").check()
    form.locator("button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/reporting/checkin/$"))
    recorded = page.locator("#todays-checkin")
    expect(recorded.locator("#answer-temperature")).to_have_text("38.2 °C")
    expect(page.locator("#flagged-notice")).to_be_visible()
    checkin = HealthCheckin.objects.get(person=person)
    assert checkin.is_abnormal and checkin.symptoms == ["fever", "cough"]
    # The "correct" link (styled as a button) leads to today's check-in's correction.
    expect(recorded.locator(f"a[href='/reporting/checkin/{checkin.pk}/correct/']")).to_be_visible()

    width = page.evaluate("window.innerWidth")
    assert width == PHONE_VIEWPORT["width"]
    scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= width, f"the page is {scroll_width}px wide on a {width}px screen"
