"""Random sequences of receipts, requisitions, issues, transfers, stocktakes and reversals:
after every step each balance is the sum of its moves and none is negative. Refused steps
(not enough stock, a second reversal…) are part of the game: they must leave no trace."""

import contextlib
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fangkong.core.transactions import nesting_allowed
from fangkong.supplies import services
from fangkong.supplies.models import Balance, Lot, Purpose, Requisition, StockMove
from fangkong.supplies.selectors import ledger_differences

pytestmark = pytest.mark.django_db

STORES = ["main", "east"]
quantity = st.integers(min_value=1, max_value=60)
step = st.one_of(
    st.tuples(st.just("receive"), st.sampled_from(STORES), quantity),
    st.tuples(st.just("request"), st.sampled_from(STORES), quantity),
    st.tuples(st.just("issue"), st.sampled_from(STORES), quantity),
    st.tuples(st.just("transfer"), st.sampled_from(STORES), quantity),
    st.tuples(st.just("stocktake"), st.sampled_from(STORES), st.integers(0, 80)),
    st.tuples(st.just("reverse"), st.sampled_from(STORES), st.integers(0, 1000)),
)


def run(step_, actors, catalogue, today):
    kind, store_code, amount = step_
    store = catalogue[store_code]
    other = catalogue["east" if store_code == "main" else "main"]
    masks = catalogue["masks"]
    officer, office, storekeeper = actors
    if kind == "receive":
        services.post_receipt(
            storekeeper,
            received_on=today,
            source=catalogue["bought"],
            store=store,
            lines=[{"item": masks, "quantity": amount}],
        )
    elif kind == "request":
        requisition = services.request_supplies(
            officer,
            unit=officer.unit,
            purpose=Purpose.GENERAL,
            lines=[{"item": masks, "quantity": amount}],
        )
        services.decide_requisition(office, requisition, approve=True)
    elif kind == "issue":
        requisition = (
            Requisition.objects.filter(status__in=["approved", "partly_issued"])
            .order_by("pk")
            .first()
        )
        if requisition is not None:
            line = requisition.lines.get()
            services.issue_requisition(
                storekeeper,
                requisition,
                store=store,
                lines=[{"line": line, "quantity": min(amount, line.outstanding) or 1}],
                recipient="王",
            )
    elif kind == "transfer":
        lot = Lot.objects.order_by("pk").first()
        if lot is not None:
            services.transfer_stock(
                storekeeper,
                lot=lot,
                from_store=store,
                to_store=other,
                quantity=amount,
                moved_on=today,
            )
    elif kind == "stocktake":
        lot = Lot.objects.order_by("-pk").first()
        if lot is not None:
            services.record_stocktake(
                storekeeper, store=store, counts={lot: amount}, reason="盘点", counted_on=today
            )
    elif kind == "reverse":
        moves = list(StockMove.objects.order_by("pk"))
        if moves:
            services.reverse_move(storekeeper, moves[amount % len(moves)], "更正")


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=25))
def test_every_balance_is_the_sum_of_its_moves_after_every_step(
    steps, officer, office, storekeeper, catalogue
):
    today = timezone.localdate()
    with transaction.atomic(), nesting_allowed():
        for step_ in steps:
            # A refused step is fine: the checks below show it left nothing behind.
            with contextlib.suppress(ValidationError):
                run(step_, (officer, office, storekeeper), catalogue, today)
            assert ledger_differences() == []
            assert not Balance.objects.filter(quantity__lt=Decimal(0)).exists()
        transaction.set_rollback(True)  # the next example starts from an empty ledger
