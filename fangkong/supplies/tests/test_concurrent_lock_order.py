"""Two storekeepers whose writes touch the same rows from opposite ends, at the same moment,
on real concurrent connections: a transfer A→B against one B→A, a reversal of an issue
against the next issue of the same requisition. Neither waits for the other in a circle
(PostgreSQL would kill one with "deadlock detected", a 500): both succeed, and the ledger
is sound afterwards.

PostgreSQL only: SQLite's IMMEDIATE transactions take the whole database's write lock at
the start, which serialises the two by construction."""

import threading
from decimal import Decimal

from django.db import connection

from fangkong.core.roles import Role
from fangkong.supplies import services
from fangkong.supplies.models import Balance, Requisition, StockMove
from fangkong.supplies.selectors import ledger_differences
from fangkong.supplies.tests.conftest import approved_requisition, receive
from fangkong.testing.locks import POSTGRES_RACE

ROUNDS = 40

pytestmark = POSTGRES_RACE


def _together(*writes) -> list:
    """Run each write on its own thread and connection, released at once; each outcome
    ("ok" or the exception)."""
    barrier = threading.Barrier(len(writes))
    outcomes: list = [None] * len(writes)

    def run(index, write):
        try:
            barrier.wait(timeout=10)
            write()
            outcomes[index] = "ok"
        except Exception as exc:  # reported by the test below, not lost in the thread
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(index, write)) for index, write in enumerate(writes)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def _failed_rounds(rounds: list) -> list:
    return [
        (number, repr(outcome))
        for number, outcomes in enumerate(rounds)
        for outcome in outcomes
        if outcome != "ok"
    ]


def test_opposite_transfers_of_one_lot_at_once_both_go_through(make_user, catalogue, today):
    first, second = make_user(Role.STOREKEEPER), make_user(Role.STOREKEEPER)
    main, east = catalogue["main"], catalogue["east"]
    lot = receive(first, catalogue, quantity="1000")
    services.transfer_stock(
        first, lot=lot, from_store=main, to_store=east, quantity="500", moved_on=today
    )

    def transfer(storekeeper, from_store, to_store):
        return lambda: services.transfer_stock(
            storekeeper,
            lot=lot,
            from_store=from_store,
            to_store=to_store,
            quantity="1",
            moved_on=today,
            reason="调拨",
        )

    rounds = [
        _together(transfer(first, main, east), transfer(second, east, main)) for _n in range(ROUNDS)
    ]

    failed = _failed_rounds(rounds)
    assert failed == [], f"{len(failed)} of {2 * ROUNDS} transfers failed: {failed[:3]}"
    assert StockMove.objects.filter(kind="transfer_out").count() == 1 + 2 * ROUNDS
    assert Balance.objects.get(store=main, lot=lot).quantity == Decimal(500)
    assert Balance.objects.get(store=east, lot=lot).quantity == Decimal(500)
    assert ledger_differences() == []
    assert not Balance.objects.filter(quantity__lt=0).exists()


def test_a_reversal_and_the_next_issue_of_one_requisition_at_once_both_go_through(
    make_user, officer, office, catalogue, today
):
    first, second = make_user(Role.STOREKEEPER), make_user(Role.STOREKEEPER)
    main = catalogue["main"]
    lot = receive(first, catalogue, quantity="1000")
    requisition = approved_requisition(officer, office, catalogue, quantity=str(ROUNDS + 1))
    line = requisition.lines.get()

    def issue(storekeeper):
        return services.issue_requisition(
            storekeeper,
            requisition,
            store=main,
            lines=[{"line": line, "quantity": "1"}],
            recipient="领用人",
        )

    rounds = []
    for _n in range(ROUNDS):
        # Issued one, found wrong, reversed while the next one is being issued.
        (wrong,) = issue(first)
        rounds.append(
            _together(
                lambda wrong=wrong: services.reverse_move(first, wrong, "发错了"),
                lambda: issue(second),
            )
        )

    failed = _failed_rounds(rounds)
    assert failed == [], f"{len(failed)} of {2 * ROUNDS} writes failed: {failed[:3]}"
    assert StockMove.objects.filter(kind="issue").count() == 2 * ROUNDS
    assert StockMove.objects.filter(kind="reversal").count() == ROUNDS
    line.refresh_from_db()
    assert line.issued == Decimal(ROUNDS)
    assert Requisition.objects.get(pk=requisition.pk).status == Requisition.Status.PARTLY_ISSUED
    assert Balance.objects.get(store=main, lot=lot).quantity == Decimal(1000 - ROUNDS)
    assert ledger_differences() == []
    assert not Balance.objects.filter(quantity__lt=0).exists()
