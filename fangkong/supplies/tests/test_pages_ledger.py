"""The stock ledger's pages: the moves, reversing one with a reason, transfers between
stores, stocktakes and closing periods; each refusal on its field."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from fangkong.core.roles import Role
from fangkong.supplies import services
from fangkong.supplies.models import Balance, ClosedPeriod, StockMove
from fangkong.supplies.tests.conftest import receive
from fangkong.testing.pages import field_error
from fangkong.testing.pages import html_text as text

pytestmark = pytest.mark.django_db


@pytest.fixture
def keeper_client(client, storekeeper):
    client.force_login(storekeeper)
    return client


@pytest.fixture
def lot(office, catalogue):
    return receive(office, catalogue, "masks", "100", lot_number="M-1")


def on_hand(catalogue, store, lot) -> Decimal:
    return Balance.objects.get(store=catalogue[store], lot=lot).quantity


def test_the_moves_list_shows_each_move_with_its_document(keeper_client, catalogue, lot):
    page = text(keeper_client.get(reverse("supplies:moves")))
    receipt = lot.receipt_line.receipt
    assert re.search(
        rf'data-kind="receipt">.*?Receipt.*?Masks.*?100 piece.*?Main store.*?{receipt.number}', page
    )
    assert ">Reverse<" in page


def test_the_moves_list_filters_and_answers_htmx_with_rows(
    keeper_client, office, catalogue, lot, django_assert_max_num_queries
):
    receive(office, catalogue, "thermometers", "5", store="east")
    response = keeper_client.get(
        reverse("supplies:moves") + f"?store={catalogue['east'].pk}", headers={"HX-Request": "true"}
    )
    page = text(response)
    assert "Thermometers" in page and "M-1" not in page and "<html" not in page
    for _ in range(5):
        receive(office, catalogue, "masks", "1")
    with django_assert_max_num_queries(8):
        keeper_client.get(reverse("supplies:moves"))


def test_a_leader_reads_the_moves_without_actions(client, make_user, catalogue, lot):
    client.force_login(make_user(Role.LEADER))
    page = text(client.get(reverse("supplies:moves")))
    assert "Masks" in page and ">Reverse<" not in page
    assert f'href="{reverse("supplies:transfer")}"' not in page


def test_an_officer_has_no_ledger(client, officer, catalogue, lot):
    client.force_login(officer)
    assert client.get(reverse("supplies:moves")).status_code == 403
    move = StockMove.objects.get()
    assert client.get(reverse("supplies:move-reverse", args=[move.pk])).status_code == 403
    assert client.get(reverse("supplies:transfer")).status_code == 403
    assert client.get(reverse("supplies:stocktake")).status_code == 403
    assert client.get(reverse("supplies:close-period")).status_code == 403


def test_reversing_a_move_needs_a_reason_then_is_done_once(keeper_client, catalogue, lot):
    move = StockMove.objects.get()
    url = reverse("supplies:move-reverse", args=[move.pk])
    response = keeper_client.post(
        url, {"reason": "", "moved_on": datetime.date.today().isoformat()}
    )
    assert response.status_code == 400
    assert "Say why the move is reversed." in field_error(response, "reason")
    response = keeper_client.post(
        url, {"reason": "entered twice", "moved_on": datetime.date.today().isoformat()}, follow=True
    )
    page = text(response)
    assert "Move reversed." in page and "entered twice" in page and "reversed" in page
    assert on_hand(catalogue, "main", lot) == 0
    page = text(keeper_client.get(url))
    assert "Reversed on" in page and 'id="reverse-form"' not in page
    response = keeper_client.post(
        url, {"reason": "again", "moved_on": datetime.date.today().isoformat()}
    )
    assert "This move has already been reversed." in text(response)


def test_reversing_a_receipt_already_issued_says_not_enough_stock(
    keeper_client, officer, office, storekeeper, catalogue, lot
):
    requisition = services.request_supplies(
        officer,
        unit=officer.unit,
        purpose="general",
        lines=[{"item": catalogue["masks"], "quantity": "60"}],
    )
    services.decide_requisition(office, requisition, approve=True)
    services.issue_requisition(
        storekeeper,
        requisition,
        store=catalogue["main"],
        lines=[{"line": requisition.lines.get(), "quantity": "60"}],
        recipient="Li",
    )
    receipt_move = StockMove.objects.get(kind=StockMove.Kind.RECEIPT)
    response = keeper_client.post(
        reverse("supplies:move-reverse", args=[receipt_move.pk]),
        {"reason": "wrong", "moved_on": datetime.date.today().isoformat()},
    )
    assert response.status_code == 400
    assert "Not enough Masks in Main store (lot M-1): 40 on hand, 100 wanted." in text(response)


def test_transfer_between_stores(keeper_client, catalogue, lot, today):
    balance = Balance.objects.get()
    url = reverse("supplies:transfer")
    page = text(keeper_client.get(url))
    assert "Main store · Masks · M-1 · 100 piece" in page
    data = {
        "balance": balance.pk,
        "to_store": catalogue["main"].pk,
        "quantity": "150",
        "moved_on": today.isoformat(),
    }
    response = keeper_client.post(url, data)
    assert response.status_code == 400
    assert "Choose another store" in field_error(response, "to_store")
    response = keeper_client.post(url, {**data, "to_store": catalogue["east"].pk})
    assert response.status_code == 400
    assert "Not enough Masks in Main store" in text(response)
    response = keeper_client.post(
        url, {**data, "to_store": catalogue["east"].pk, "quantity": "1.5"}
    )
    assert "counted in whole piece" in field_error(response, "quantity")
    response = keeper_client.post(url, {**data, "to_store": catalogue["east"].pk, "quantity": "30"})
    assert response.status_code == 302
    assert (on_hand(catalogue, "main", lot), on_hand(catalogue, "east", lot)) == (70, 30)


def test_a_stocktake_adjusts_the_counted_lots(keeper_client, office, catalogue, lot, today):
    other = receive(office, catalogue, "thermometers", "8", lot_number="T-1")
    url = reverse("supplies:stocktake") + f"?store={catalogue['main'].pk}"
    page = text(keeper_client.get(url))
    assert 'data-lot="M-1"' in page and 'data-lot="T-1"' in page
    data = {"counted_on": today.isoformat(), "reason": "monthly count", f"count_{lot.pk}": "97"}
    response = keeper_client.post(url, {**data, "reason": ""})
    assert response.status_code == 400
    assert "Say why the stock is counted" in field_error(response, "reason")
    response = keeper_client.post(url, {**data, f"count_{other.pk}": "x"})
    assert "is not a number" in field_error(response, f"count_{other.pk}")
    assert not StockMove.objects.filter(kind=StockMove.Kind.STOCKTAKE).exists()
    response = keeper_client.post(url, data)
    assert response.status_code == 302
    adjustment = StockMove.objects.get(kind=StockMove.Kind.STOCKTAKE)
    assert (adjustment.lot, adjustment.quantity, adjustment.reason) == (lot, -3, "monthly count")
    assert on_hand(catalogue, "main", other) == 8  # not counted, not touched


def test_the_office_closes_a_period_and_a_backdated_move_is_refused(
    client, office, catalogue, lot, today
):
    client.force_login(office)
    url = reverse("supplies:close-period")
    response = client.post(url, {"closed_through": today.isoformat()})
    assert response.status_code == 400
    assert "Close a day before today." in field_error(response, "closed_through")
    yesterday = today - datetime.timedelta(days=1)
    response = client.post(
        url, {"closed_through": yesterday.isoformat(), "note": "January"}, follow=True
    )
    page = text(response)
    assert f"The ledger is closed through {yesterday.isoformat()}" in page and "January" in page
    assert ClosedPeriod.objects.count() == 1
    move = StockMove.objects.get()
    response = client.post(
        reverse("supplies:move-reverse", args=[move.pk]),
        {"reason": "x", "moved_on": yesterday.isoformat()},
    )
    assert "The ledger is closed through" in field_error(response, "moved_on")


def test_only_the_office_closes_periods(keeper_client):
    assert keeper_client.get(reverse("supplies:close-period")).status_code == 403
