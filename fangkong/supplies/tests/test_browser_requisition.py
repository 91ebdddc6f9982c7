"""A requisition walked in a real browser: an officer on a phone asks for masks, the office
approves, the storekeeper issues them from the suggested lot, then downloads the
requisition register and finds the issue on it."""

import datetime
import re
from decimal import Decimal

import openpyxl
import pytest
from playwright.sync_api import expect

from fangkong.core.roles import Role
from fangkong.supplies.models import Requisition, StockMove
from fangkong.supplies.tests.conftest import receive
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
