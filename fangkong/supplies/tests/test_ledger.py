"""The stock ledger: moves are appended and never changed, corrections reverse with a
reason, transfers and stocktakes move stock between balances, and `check_ledger` proves
every balance is the sum of its moves."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from fangkong.supplies import services
from fangkong.supplies.models import Balance, StockMove
from fangkong.supplies.tests.conftest import approved_requisition, receive

pytestmark = pytest.mark.django_db


def test_a_posted_move_cannot_be_edited_or_deleted(storekeeper, catalogue):
    receive(storekeeper, catalogue)
    move = StockMove.objects.get()
    move.quantity = Decimal(1)
    with pytest.raises(ValidationError, match="reverse it instead"):
        move.save()
    with pytest.raises(ValidationError, match="reverse it instead"):
        move.delete()
    assert StockMove.objects.get().quantity == Decimal(100)


def test_a_reversal_undoes_a_receipt_with_its_reason(storekeeper, catalogue):
    lot = receive(storekeeper, catalogue, quantity="100")
    move = StockMove.objects.get()
    reversal = services.reverse_move(storekeeper, move, "entered twice")
    assert (reversal.kind, reversal.quantity, reversal.reverses) == ("reversal", -100, move)
    assert Balance.objects.get(lot=lot).quantity == 0
    with pytest.raises(ValidationError, match="already been reversed"):
        services.reverse_move(storekeeper, move, "again")
    with pytest.raises(ValidationError, match="not reversed"):
        services.reverse_move(storekeeper, reversal, "undo the undo")


def test_a_reversal_needs_a_reason(storekeeper, catalogue):
    receive(storekeeper, catalogue)
    with pytest.raises(ValidationError) as error:
        services.reverse_move(storekeeper, StockMove.objects.get(), " ")
    assert "reason" in error.value.message_dict
    assert StockMove.objects.count() == 1


def test_a_receipt_already_issued_cannot_be_reversed(officer, office, storekeeper, catalogue):
    receive(storekeeper, catalogue, quantity="100")
    requisition = approved_requisition(officer, office, catalogue, quantity="60")
    services.issue_requisition(
        storekeeper,
        requisition,
        store=catalogue["main"],
        lines=[{"line": requisition.lines.get(), "quantity": "60"}],
        recipient="李",
    )
    receipt_move = StockMove.objects.get(kind="receipt")
    with pytest.raises(services.InsufficientStock):
        services.reverse_move(storekeeper, receipt_move, "wrong item")
    assert not StockMove.objects.filter(kind="reversal").exists()


def test_reversing_an_issue_puts_the_stock_back_and_reopens_the_line(
    officer, office, storekeeper, catalogue
):
    lot = receive(storekeeper, catalogue, quantity="100")
    requisition = approved_requisition(officer, office, catalogue, quantity="60")
    (move,) = services.issue_requisition(
        storekeeper,
        requisition,
        store=catalogue["main"],
        lines=[{"line": requisition.lines.get(), "quantity": "60"}],
        recipient="李",
    )
    services.reverse_move(storekeeper, move, "recipient returned them unopened")
    requisition.refresh_from_db()
    assert requisition.status == "approved"
    assert requisition.lines.get().issued == 0
    assert Balance.objects.get(lot=lot).quantity == Decimal(100)


def test_a_transfer_moves_stock_between_stores(storekeeper, catalogue, today):
    lot = receive(storekeeper, catalogue, quantity="100")
    services.transfer_stock(
        storekeeper,
        lot=lot,
        from_store=catalogue["main"],
        to_store=catalogue["east"],
        quantity="30",
        moved_on=today,
    )
    on_hand = {b.store.code: b.quantity for b in Balance.objects.select_related("store")}
    assert on_hand == {"main": Decimal(70), "east": Decimal(30)}
    with pytest.raises(services.InsufficientStock):
        services.transfer_stock(
            storekeeper,
            lot=lot,
            from_store=catalogue["east"],
            to_store=catalogue["main"],
            quantity="31",
            moved_on=today,
        )


def test_a_stocktake_adjusts_the_difference_with_a_reason(storekeeper, catalogue, today):
    lot = receive(storekeeper, catalogue, quantity="100")
    with pytest.raises(ValidationError) as error:
        services.record_stocktake(
            storekeeper, store=catalogue["main"], counts={lot: "97"}, reason="", counted_on=today
        )
    assert "reason" in error.value.message_dict
    (move,) = services.record_stocktake(
        storekeeper,
        store=catalogue["main"],
        counts={lot: "97"},
        reason="月末盘点：破损3只",
        counted_on=today,
    )
    assert (move.kind, move.quantity) == ("stocktake", Decimal(-3))
    assert Balance.objects.get(lot=lot).quantity == Decimal(97)


def test_closing_a_period_is_the_offices_and_only_forwards(office, storekeeper, today):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.close_period(storekeeper, today - datetime.timedelta(days=5))
    services.close_period(office, today - datetime.timedelta(days=5))
    with pytest.raises(ValidationError, match="already closed"):
        services.close_period(office, today - datetime.timedelta(days=6))
    with pytest.raises(ValidationError, match="before today"):
        services.close_period(office, today)


def test_check_ledger_passes_on_a_sound_ledger_and_fails_on_a_tampered_one(storekeeper, catalogue):
    lot = receive(storekeeper, catalogue, quantity="100")
    out = io.StringIO()
    call_command("check_ledger", stdout=out)
    assert "sound" in out.getvalue()

    Balance.objects.filter(lot=lot).update(quantity=Decimal(99))  # behind the services' back
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 balance"):
        call_command("check_ledger", stdout=out)
    assert "balance 99, moves add up to 100" in out.getvalue()


def test_the_database_refuses_a_negative_balance(storekeeper, catalogue):
    from django.db import IntegrityError, transaction

    lot = receive(storekeeper, catalogue, quantity="10")
    with pytest.raises(IntegrityError), transaction.atomic():
        Balance.objects.filter(lot=lot).update(quantity=Decimal(-1))
