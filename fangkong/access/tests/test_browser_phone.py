"""Gate access on a 390 px phone in Chinese, walked as people do: a member applies (makes a
mistake, changes the first day: the areas they chose stay), finds their passes and today's
check-in on the home page; the office's menu is one button; the printed card fits the
screen; the gate page opens at the guard's gate, 进 and 出 in equal halves."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from fangkong.access import services
from fangkong.access.models import Pass
from fangkong.core.roles import Role
from fangkong.testing.browser import PHONE_VIEWPORT, browser_login
from fangkong.testing.school import gated_school, issued_pass

pytestmark = pytest.mark.browser

WIDTH = PHONE_VIEWPORT["width"]


@pytest.fixture
def school(transactional_db):
    return gated_school()


def test_a_member_applies_on_a_phone_and_the_chosen_areas_survive_a_mistake(
    new_page, live_server, school, make_user
):
    member = make_user(Role.MEMBER, person=school.outsider)
    page = new_page(locale="zh-CN", phone=True)
    browser_login(page, live_server, member.username)

    # Home: today's check-in not done, with the way to do it; no pass yet.
    expect(page.locator("#my-checkin-state")).to_have_attribute("data-done", "no")
    expect(page.locator("#my-checkin-block").get_by_role("button", name="立即打卡")).to_be_visible()
    expect(page.locator("#my-passes-block")).to_contain_text("您还没有通行证")

    page.goto("/access/passes/apply/")
    form = page.locator("#application")
    form.locator("select[name=pass_type]").select_option(str(school.duty.pk))
    teaching = form.locator(f"input[name=areas][value='{school.teaching.pk}']")
    family = form.locator(f"input[name=areas][value='{school.family.pk}']")
    expect(teaching).to_be_checked()  # the type's default
    family.check()  # and the dormitory / family area the person needs
    form.locator("#send").click()  # no reason: sent back
    expect(page.locator("#id_reason-error")).to_be_visible()
    help_colour = page.locator("#application small.muted").first.evaluate(
        "el => getComputedStyle(el).color"
    )
    error_colour = page.locator("#id_reason-error").evaluate("el => getComputedStyle(el).color")
    assert help_colour != error_colour, "the help text reads as a second error"

    later = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    page.locator("input[name=valid_from]").fill(later)
    page.locator("input[name=valid_from]").dispatch_event("change")
    expect(teaching).to_be_checked()
    expect(family).to_be_checked()
    page.locator("input[name=reason]").fill("值班")
    page.locator("#send").click()
    expect(page.locator("#pass-status")).to_contain_text("待审批")
    gate_pass = Pass.objects.get()
    assert set(gate_pass.areas.values_list("pk", flat=True)) == {
        school.teaching.pk,
        school.family.pk,
    }

    # The office approves; the member's home lists the pass with the way to its code.
    services.decide_pass(school.office, gate_pass, approve=True)
    page.goto("/")
    row = page.locator(f"#my-passes-block li[data-number='{gate_pass.number}']")
    expect(row.locator(".badge")).to_have_text("已批准")
    row.get_by_role("link", name="出示二维码").click()
    expect(page).to_have_url(f"{live_server.url}/access/passes/{gate_pass.pk}/qr/")


def test_the_office_menu_is_one_button_and_the_card_fits_the_phone(new_page, live_server, school):
    gate_pass = issued_pass(school)
    page = new_page(locale="zh-CN", phone=True)
    browser_login(page, live_server, school.office.username)
    page.goto("/access/passes/")
    header = page.locator("body > header").bounding_box()
    assert header["height"] < 0.15 * PHONE_VIEWPORT["height"], f"the header is {header}"
    units = page.locator("header nav .menu").get_by_role("link", name="单位", exact=True)
    expect(units).to_be_hidden()
    page.locator("#menu-button").click()
    expect(units).to_be_visible()
    box = units.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH

    page.goto(f"/access/passes/{gate_pass.pk}/card/")
    card = page.locator("#pass-card").bounding_box()
    assert card["x"] >= 0 and card["x"] + card["width"] <= WIDTH, f"the card is {card}"
    assert page.evaluate("document.scrollingElement.scrollWidth") <= WIDTH


def test_the_gate_page_on_a_phone_opens_ready_at_the_guards_gate(new_page, live_server, school):
    services.decide_at_gate(
        school.guard,
        gate=school.family_gate_2,
        direction="in",
        presented="",
        person_number=school.resident.person_number,
    )
    page = new_page(locale="zh-CN", phone=True)
    browser_login(page, live_server, school.guard.username)
    page.goto("/access/gate/")
    expect(page.locator("select[name=gate]")).to_have_value(str(school.family_gate_2.pk))
    halves = [page.locator("label.gate-toggle").nth(n).bounding_box()["width"] for n in (0, 1)]
    assert abs(halves[0] - halves[1]) <= 1 and halves[0] > WIDTH * 0.4, halves
    check = page.locator("#gate-check")
    height = check.evaluate(
        "el => el.getBoundingClientRect().height - parseFloat(getComputedStyle(el).paddingTop)"
        " - parseFloat(getComputedStyle(el).paddingBottom)"
    )
    line = check.evaluate("el => parseFloat(getComputedStyle(el).lineHeight)")
    assert height < line * 1.5, "the check button wraps"
    year = timezone.localdate().year
    expect(page.locator("input[name=code]")).to_have_attribute(
        "placeholder", f"例如 TX-{year}-0001"
    )
