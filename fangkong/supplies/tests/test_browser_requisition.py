"""A requisition walked in a real browser: an officer on a phone asks for masks, the office
approves, the storekeeper issues them from the suggested lot, then downloads the
requisition register and finds the issue on it."""

import datetime
import re
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from fangkong.core.roles import Role
from fangkong.supplies.models import Requisition, StockMove
from fangkong.supplies.tests.conftest import approved_requisition, receive
from fangkong.testing.browser import browser_login

pytestmark = pytest.mark.browser


def test_officer_asks_office_approves_storekeeper_issues_and_downloads_the_register(
    new_page, live_server, make_user, unit, catalogue, office, tmp_path
):
    officer = make_user(Role.OFFICER, unit=unit, first_name="Zhang")
    storekeeper = make_user(Role.STOREKEEPER)
    today = datetime.date.today()
    receive(
        office,
        catalogue,
        "masks",
        "500",
        lot_number="LATE",
        expires_on=today.replace(year=today.year + 2),
    )
    receive(
        office,
        catalogue,
        "masks",
        "300",
        lot_number="SOON",
        expires_on=today.replace(year=today.year + 1),
    )

    # The officer asks for 200 masks on a phone.
    phone = new_page(phone=True)
    browser_login(phone, live_server, officer.username)
    phone.goto("/supplies/")
    phone.get_by_role("button", name="Ask for supplies").click()
    form = phone.locator("#requisition-form")
    form.locator("select[name=purpose]").select_option("gate")
    form.locator("input[name=note]").fill("East gate, night shifts")
    form.locator("select[name=item_1]").select_option(label="Masks (piece)")
    form.locator("input[name=quantity_1]").fill("200")
    form.locator("#send-requisition").click()
    expect(phone.locator("#requisition-status")).to_contain_text("Waiting for approval")
    scroll_width = phone.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= phone.evaluate("window.innerWidth")
    requisition = Requisition.objects.get()

    # The office approves it as asked.
    desk = new_page()
    browser_login(desk, live_server, office.username)
    desk.goto("/supplies/requisitions/?status=pending")
    desk.get_by_role("link", name=requisition.number).click()
    expect(desk.locator("#decision tr[data-item=masks] input")).to_have_value("200")
    desk.locator("#approve").click()
    expect(desk.locator("#requisition-status")).to_contain_text("Approved")

    # The storekeeper issues them, from the lot that expires first.
    store = new_page(phone=True)
    browser_login(store, live_server, storekeeper.username)
    store.goto("/supplies/requisitions/?status=open")
    store.get_by_role("link", name=requisition.number).click()
    store.locator("#issue").click()
    line = store.locator("fieldset.issue-line[data-item=masks]")
    expect(line.locator("tr[data-lot=SOON] .suggestion")).to_have_text("200")
    expect(line.locator("tr[data-lot=LATE] .suggestion")).to_have_text("—")
    store.locator("input[name=recipient]").fill("Zhang Wei")
    store.locator("#issue-now").click()
    expect(store.locator("#requisition-status")).to_contain_text("Issued")
    expect(store.locator("#moves tr[data-lot=SOON]")).to_contain_text("Zhang Wei")
    scroll_width = store.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= store.evaluate("window.innerWidth")

    move = StockMove.objects.get(kind=StockMove.Kind.ISSUE)
    assert (move.lot.lot_number, move.quantity, move.recipient) == (
        "SOON",
        Decimal("-200"),
        "Zhang Wei",
    )

    # ... and downloads the requisition register, which lists the issue.
    store.goto("/supplies/requisitions/")
    store.get_by_role("button", name="Requisition register").click()
    with store.expect_download() as download:
        store.get_by_role("link", name=re.compile(r"\.xlsx")).click()
    saved = tmp_path / "register.xlsx"
    download.value.save_as(saved)
    sheet = openpyxl.load_workbook(saved).active
    rows = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    issued = [row for row in rows if requisition.number in row]
    assert len(issued) == 1
    row = issued[0]
    assert "College of Architecture" in row and "Masks" in row and "Zhang Wei" in row
    assert 200 in row


def one_line(locator) -> bool:
    """The element's text sits on one line: its height is one line of its own font."""
    return locator.evaluate(
        """el => {
            const style = getComputedStyle(el);
            const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.5;
            const inner = el.getBoundingClientRect().height
                - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
            return inner < line * 1.5;
        }"""
    )


def test_on_a_chinese_phone_the_storekeeper_issues_without_touching_the_date(
    new_page, live_server, make_user, unit, catalogue, office
):
    """The storekeeper's first issue: the date is already today, the requisition waiting for
    them is on their home page, the list keeps unit names and badges on one line."""
    officer = make_user(Role.OFFICER, unit=unit)
    storekeeper = make_user(Role.STOREKEEPER)
    unit.name = "建筑设备科学与工程学院"
    unit.save()
    receive(office, catalogue, "masks", "500", lot_number="L1")
    requisition = approved_requisition(officer, office, catalogue, quantity="30")

    page = new_page(locale="zh-CN", phone=True)
    browser_login(page, live_server, storekeeper.username)
    block = page.locator("#to-issue-block")
    expect(block.locator(f"li[data-number='{requisition.number}']")).to_be_visible()

    page.goto("/supplies/requisitions/")
    row = page.locator(f"#requisitions tr:has-text('{requisition.number}')")
    assert one_line(row.locator("td").nth(1)), "the unit's name wraps"
    assert one_line(row.locator(".badge")), "the status badge wraps"
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390

    page.goto("/")
    page.locator("#to-issue-block").get_by_role("link", name=requisition.number).click()
    expect(page.locator("input[name=issued_on]")).to_have_value(timezone.localdate().isoformat())
    page.locator("input[name=recipient]").fill("张伟")
    page.locator("#issue-now").click()
    expect(page.locator("#requisition-status")).to_contain_text("已发放")
    assert StockMove.objects.get(kind=StockMove.Kind.ISSUE).moved_on == timezone.localdate()
