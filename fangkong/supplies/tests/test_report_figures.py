"""The supplies reports' figures agree with what the services wrote: receipts by source,
issues by unit, the register (a reversed issue kept and marked), stock on hand, where a
donation went, days of supply and items below their minimum; each scoped to its reader."""

import datetime
from decimal import Decimal

import pytest

from fangkong.core.roles import Role
from fangkong.supplies import selectors, services
from fangkong.supplies.tests import scenario

pytestmark = pytest.mark.django_db

FEB = (datetime.date(2020, 2, 1), datetime.date(2020, 2, 29))


@pytest.fixture
def other_officer(make_user, other_unit):
    return make_user(Role.OFFICER, unit=other_unit)


@pytest.fixture
def ledger(storekeeper, office, officer, other_officer, catalogue):
    return scenario.build(storekeeper, office, officer, other_officer, catalogue)


def by_code(rows):
    return {row.item.code: row.quantity for row in rows}


def test_receipts_report_totals_by_source_and_item_with_tonnes(office, ledger):
    report = selectors.receipts_report(office, *FEB)
    sources = {group.source.code: by_code(group.rows) for group in report.by_source}
    assert sources == {"alumni": {"alcohol": Decimal("1605")}, "bought": {"masks": 15000}}
    assert by_code(report.by_item) == {"masks": 15000, "alcohol": Decimal("1605")}
    alcohol = next(row for row in report.by_item if row.item.code == "alcohol")
    assert alcohol.tonnes == Decimal("1.605")
    assert report.disinfectant_tonnes == Decimal("1.605")


def test_receipts_report_leaves_out_receipts_outside_the_period(office, ledger):
    report = selectors.receipts_report(office, datetime.date(2020, 2, 2), FEB[1])
    assert by_code(report.by_item) == {"alcohol": Decimal("1605")}


def test_issues_report_is_by_unit_net_of_reversals(office, ledger, unit, other_unit):
    report = selectors.issues_report(office, *FEB)
    units = {group.unit.code: by_code(group.rows) for group in report.by_unit}
    assert units == {
        unit.code: {"masks": Decimal("2000"), "alcohol": Decimal("400")},
        other_unit.code: {"masks": Decimal("500")},
    }
    assert by_code(report.by_item) == {"masks": Decimal("2500"), "alcohol": Decimal("400")}
    assert report.disinfectant_tonnes == Decimal("0.4")


def test_officer_sees_only_their_unit_s_issues(officer, ledger, unit):
    report = selectors.issues_report(officer, *FEB)
    assert [group.unit.code for group in report.by_unit] == [unit.code]
    register = selectors.requisition_register(officer, *FEB)
    assert {row.unit.code for row in register.rows} == {unit.code}


def test_member_sees_no_issues_and_no_stock(make_user, ledger):
    member = make_user(Role.MEMBER)
    assert selectors.issues_report(member, *FEB).by_unit == []
    assert selectors.requisition_register(member, *FEB).rows == []
    assert selectors.stock_on_hand(member).rows == []
    assert selectors.receipts_report(member, *FEB).by_item == []
    assert not selectors.requisitions_for(member).rows.exists()


def test_register_numbers_each_issue_and_keeps_the_reversed_one(office, ledger, unit):
    register = selectors.requisition_register(office, *FEB)
    assert [row.number for row in register.rows] == [1, 2, 3, 4]
    first = register.rows[0]
    assert (first.unit.code, first.recipient, first.day) == (unit.code, "张三", scenario.FEB_5)
    assert first.approver == selectors.person_name(ledger.ours.decided_by)
    reversed_rows = [row for row in register.rows if row.is_reversed]
    assert [(row.quantity, row.recipient, row.reversal_reason) for row in reversed_rows] == [
        (Decimal("1000"), "李四", "写错了数量")
    ]
    assert by_code(register.totals) == {"masks": Decimal("2500"), "alcohol": Decimal("400")}


def test_stock_on_hand_by_item_store_and_source(office, ledger, catalogue):
    report = selectors.stock_on_hand(office)
    rows = {(r.item.code, r.store.code, r.source.code): r.quantity for r in report.rows}
    assert rows == {
        ("masks", "main", "bought"): Decimal("12500"),
        ("alcohol", "main", "alumni"): Decimal("1205"),
    }
    only_alumni = selectors.stock_on_hand(office, source=catalogue["alumni"])
    assert by_code(only_alumni.totals) == {"alcohol": Decimal("1205")}


def test_donation_trace_follows_the_donor_s_lot_to_the_unit(office, ledger, unit):
    trace = selectors.donation_trace(office, ledger.alcohol_receipt.supplier)
    (lot,) = trace.lots
    assert lot.received == Decimal("1605")
    assert lot.receipt_number == ledger.alcohol_receipt.number
    assert [(entry.unit.code, entry.quantity) for entry in lot.issued] == [
        (unit.code, Decimal("400"))
    ]
    assert [(store.code, quantity) for store, quantity in lot.on_hand] == [
        ("main", Decimal("1205"))
    ]
    assert lot.other == 0
    assert trace.totals[0]["issued"] == Decimal("400")


def test_days_of_supply_divide_on_hand_by_the_week_s_daily_issue(office, ledger):
    rows = {row.item.code: row for row in selectors.days_of_supply(office, scenario.FEB_6)}
    # masks: 2000 + 1000 - 1000 + 500 issued in the week to 6 Feb = 2500 / 7 a day.
    assert rows["masks"].on_hand == Decimal("12500")
    assert rows["masks"].days == (Decimal("12500") / (Decimal("2500") / 7)).quantize(Decimal("0.1"))
    assert rows["thermo"].days is None
    # As of 4 February nothing had been issued yet.
    before = {row.item.code: row for row in selectors.days_of_supply(office, scenario.FEB_3)}
    assert before["masks"].on_hand == Decimal("15000")
    assert before["masks"].days is None


def test_items_below_their_minimum(office, storekeeper, catalogue):
    from fangkong.supplies.tests.conftest import receive

    receive(storekeeper, catalogue, "masks", "999")
    assert [(item.code, item.on_hand) for item in selectors.below_minimum(office)] == [
        ("masks", Decimal("999"))
    ]
    receive(storekeeper, catalogue, "masks", "1")
    assert selectors.below_minimum(office) == []


def test_the_register_page_is_paged_and_numbered_across_pages(
    storekeeper, office, officer, catalogue, client, monkeypatch
):
    """The page shows a page of rows at a time; the numbers carry on from page to page."""
    from django.urls import reverse

    from fangkong.supplies import report_views
    from fangkong.supplies.tests.conftest import approved_requisition, receive

    monkeypatch.setattr(report_views, "REGISTER_PAGE", 2)
    receive(storekeeper, catalogue, quantity="100")
    for _n in range(3):
        requisition = approved_requisition(officer, office, catalogue, quantity="5")
        services.issue_requisition(
            storekeeper,
            requisition,
            store=catalogue["main"],
            lines=[{"line": requisition.lines.get(), "quantity": "5"}],
            recipient="李",
        )
    client.force_login(office)
    page_two = client.get(reverse("supplies:register"), {"page": 2}).content.decode()
    assert "Page 2 of 2" in page_two
    assert page_two.count("<tr data-move=") == 1
    assert "<td>3</td>" in page_two
    totals = page_two[page_two.index("<tfoot>") : page_two.index("</tfoot>")]
    # The total covers the whole period (three issues of 5), not only this page's row.
    assert totals.count("<tr>") == 1
    assert "<th>Masks</th><th>15 piece</th>" in totals


def test_the_stock_page_shows_each_row_and_escapes_names(office, ledger, catalogue, client):
    from django.urls import reverse

    from fangkong.supplies.models import Store

    Store.objects.filter(pk=catalogue["main"].pk).update(name_en="Main <store>")
    client.force_login(office)
    page = client.get(reverse("supplies:report-stock")).content.decode()
    assert (
        '<tr data-item="masks" data-store="main" data-source="bought"><td>Masks</td>'
        "<td>Main &lt;store&gt;</td><td>School purchase</td><td>12500 piece</td></tr>"
    ) in page
    assert page.count("<tr data-item=") == 2
    empty = client.get(reverse("supplies:report-stock"), {"item": catalogue["thermometers"].pk})
    assert "Nothing on hand." in empty.content.decode()
