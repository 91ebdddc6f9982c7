"""Receipts (入库单): numbered per year, a lot and a receipt move per line, the balance kept
per item, store, source and lot; each bad input named, and nothing written."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangkong.supplies import services
from fangkong.supplies.models import Balance, Pack, Receipt, StockMove
from fangkong.supplies.tests.conftest import receive

pytestmark = pytest.mark.django_db


def nothing_written():
    return not (Receipt.objects.exists() or StockMove.objects.exists() or Balance.objects.exists())


def test_receipts_are_numbered_per_year(storekeeper, catalogue, today):
    first = services.post_receipt(
        storekeeper,
        received_on=datetime.date(2020, 1, 27),
        source=catalogue["bought"],
        store=catalogue["main"],
        lines=[{"item": catalogue["masks"], "quantity": "240"}],
    )
    second = services.post_receipt(
        storekeeper,
        received_on=datetime.date(2020, 2, 3),
        source=catalogue["alumni"],
        store=catalogue["main"],
        lines=[{"item": catalogue["alcohol"], "quantity": "150", "expires_on": today}],
    )
    this_year = services.post_receipt(
        storekeeper,
        received_on=today,
        source=catalogue["bought"],
        store=catalogue["main"],
        lines=[{"item": catalogue["masks"], "quantity": "1"}],
    )
    assert (first.number, second.number) == ("RK-2020-0001", "RK-2020-0002")
    assert this_year.number == f"RK-{today.year}-0001"


def test_a_receipt_makes_a_lot_a_move_and_a_balance_per_line(storekeeper, catalogue, today):
    receipt = services.post_receipt(
        storekeeper,
        received_on=today,
        source=catalogue["alumni"],
        supplier=catalogue["donor"],
        store=catalogue["main"],
        lines=[
            {"item": catalogue["masks"], "quantity": "15000", "lot_number": "HQ-1"},
            {"item": catalogue["alcohol"], "quantity": "75.5", "expires_on": today},
        ],
    )
    lots = [line.lot for line in receipt.lines.order_by("pk")]
    assert [lot.lot_number for lot in lots] == ["HQ-1", receipt.number]
    assert all(lot.supplier == catalogue["donor"] for lot in lots)
    balances = {b.lot_id: b.quantity for b in Balance.objects.all()}
    assert balances == {lots[0].pk: Decimal("15000"), lots[1].pk: Decimal("75.5")}
    moves = StockMove.objects.order_by("pk")
    assert [(m.kind, m.quantity, m.source) for m in moves] == [
        ("receipt", Decimal("15000"), catalogue["alumni"]),
        ("receipt", Decimal("75.5"), catalogue["alumni"]),
    ]


def test_a_quantity_in_packs_is_counted_in_the_items_unit(storekeeper, office, catalogue, today):
    box = services.create_pack(office, item=catalogue["masks"], name="盒", quantity=Decimal(50))
    lot = receive(storekeeper, catalogue, quantity="3", pack=box)
    assert Balance.objects.get(lot=lot).quantity == Decimal(150)
    assert isinstance(box, Pack)


@pytest.mark.parametrize(
    ("item", "quantity", "message"),
    [
        ("masks", "0", "greater than 0"),
        ("masks", "-5", "greater than 0"),
        ("masks", "abc", "is not a number"),
        ("masks", "2.5", "counted in whole"),
        ("alcohol", "1.2345", "At most 3 decimal places"),
        ("masks", "", "Enter a quantity"),
    ],
)
def test_a_bad_quantity_is_named_and_nothing_written(
    storekeeper, catalogue, today, item, quantity, message
):
    with pytest.raises(ValidationError) as error:
        services.post_receipt(
            storekeeper,
            received_on=today,
            source=catalogue["bought"],
            store=catalogue["main"],
            lines=[
                {"item": catalogue["thermometers"], "quantity": "10"},
                {"item": catalogue[item], "quantity": quantity, "expires_on": today},
            ],
        )
    assert message in error.value.message_dict["lines.2.quantity"][0]
    assert "Line 2" in error.value.message_dict["lines.2.quantity"][0]
    assert nothing_written()


def test_an_unknown_item_is_named(storekeeper, catalogue, today):
    with pytest.raises(ValidationError) as error:
        services.post_receipt(
            storekeeper,
            received_on=today,
            source=catalogue["bought"],
            store=catalogue["main"],
            lines=[{"item": None, "quantity": "10"}],
        )
    assert "lines.1.item" in error.value.message_dict
    assert nothing_written()


def test_an_item_with_expiry_needs_its_date(storekeeper, catalogue, today):
    with pytest.raises(ValidationError) as error:
        receive(storekeeper, catalogue, item="alcohol", quantity="5")
    assert "expiry" in error.value.message_dict["lines.1.expires_on"][0]
    assert nothing_written()


def test_a_future_date_is_refused(storekeeper, catalogue, today):
    with pytest.raises(ValidationError) as error:
        receive(storekeeper, catalogue, on=today + datetime.timedelta(days=1))
    assert "in the future" in error.value.message_dict["received_on"][0]
    assert nothing_written()


def test_a_date_in_a_closed_period_is_refused(storekeeper, office, catalogue, today):
    services.close_period(office, today - datetime.timedelta(days=10))
    with pytest.raises(ValidationError) as error:
        receive(storekeeper, catalogue, on=today - datetime.timedelta(days=10))
    assert "closed through" in error.value.message_dict["received_on"][0]
    receive(storekeeper, catalogue, on=today - datetime.timedelta(days=9))  # open: fine
    assert Receipt.objects.count() == 1


def test_an_officer_cannot_receive(officer, catalogue):
    with pytest.raises(PermissionDenied):
        receive(officer, catalogue)
    assert nothing_written()
