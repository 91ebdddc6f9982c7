"""The people pages in a real browser: Chinese UI, htmx search, scoping, phone width."""

import re

import pytest
from playwright.sync_api import expect

from fangkong.core.roles import Role
from fangkong.testing.browser import PHONE_VIEWPORT, browser_login
from fangkong.testing.factories import PersonFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def officer(make_user, unit):
    return make_user(Role.OFFICER, unit=unit)


def test_officer_finds_own_units_person_by_name_in_chinese_ui(
    new_page, live_server, officer, unit, person
):
    colleague = PersonFactory(unit=unit, name="司马光")
    page = new_page(locale="zh-CN")

    browser_login(page, live_server, officer.username)
    page.get_by_role("link", name="人员", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", level=1)).to_have_text("人员")
    rows = page.locator("#people tbody")
    expect(rows).to_contain_text(person.name)
    expect(rows).to_contain_text(colleague.name)

    search = page.get_by_placeholder("姓名、人员编号或手机号尾号")
    with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true") as htmx:
        search.fill(person.name)
    assert htmx.value.ok
    expect(rows).not_to_contain_text(colleague.name)
    expect(rows.get_by_role("link", name=person.name, exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/people/\?.*q="))

    rows.get_by_role("link", name=person.name, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/people/{person.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(person.name)
    expect(page.locator("#national-id")).to_have_text(person.national_id_masked)
    expect(page.locator("main")).to_contain_text("身份证号")
    assert person.national_id not in page.content()


def test_officer_typing_another_units_person_url_gets_404_without_their_data(
    new_page, live_server, officer, stranger
):
    page = new_page(locale="zh-CN")
    browser_login(page, live_server, officer.username)

    response = page.goto(f"/people/{stranger.pk}/")

    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("未找到")
    html = page.content()
    assert stranger.name not in html
    assert stranger.national_id_masked not in html
    assert stranger.person_number not in html


def test_footer_language_switcher_turns_chinese_ui_english_and_it_sticks(
    new_page, live_server, officer, person
):
    page = new_page(locale="zh-CN")  # the browser keeps asking for Chinese throughout
    browser_login(page, live_server, officer.username)
    page.goto("/people/")
    expect(page.get_by_role("heading", level=1)).to_have_text("人员")

    page.locator("footer").get_by_role("button", name="English").click()

    expect(page).to_have_url(re.compile(r"/people/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("People")
    page.get_by_role("link", name="Households", exact=True).click()
    expect(page).to_have_url(re.compile(r"/households/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Households")
    expect(page.get_by_role("link", name="People", exact=True)).to_be_visible()


def test_people_list_at_phone_width_has_no_horizontal_overflow_and_reachable_menu(
    new_page, live_server, officer, unit
):
    for n in range(12):
        PersonFactory(unit=unit, name=f"欧阳{n}号长名字测试人员")
    page = new_page(locale="zh-CN", phone=True)
    browser_login(page, live_server, officer.username)

    page.goto("/people/")
    expect(page.locator("#people tbody tr")).to_have_count(12)
    width = page.evaluate("window.innerWidth")
    assert width == PHONE_VIEWPORT["width"]
    scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= width, f"the page is {scroll_width}px wide on a {width}px screen"

    # The menu is collapsed on a phone: its button opens it.
    menu = page.locator("header nav .menu")
    expect(menu.get_by_role("link", name="住户", exact=True)).to_be_hidden()
    page.locator("#menu-button").click()
    for name in ["首页", "单位", "人员", "住户"]:
        link = menu.get_by_role("link", name=name, exact=True)
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"{name} is off-screen: {box}"
    menu.get_by_role("link", name="住户", exact=True).click()
    expect(page).to_have_url(re.compile(r"/households/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("住户")
