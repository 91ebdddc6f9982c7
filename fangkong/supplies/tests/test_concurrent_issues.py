"""Many storekeepers issuing the last boxes at the same moment, on real concurrent
connections: every issue either succeeds or gets "not enough stock", the stock never goes
below zero, and no move is lost (the balance is the sum of the moves)."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from fangkong.core.roles import Role
from fangkong.supplies import services
from fangkong.supplies.models import Balance, Purpose, StockMove
from fangkong.supplies.selectors import ledger_differences
from fangkong.testing.factories import CampusFactory

ISSUERS, STOCK, EACH = 8, 5, 1


@pytest.mark.django_db(transaction=True)
def test_many_issuers_against_a_small_stock(make_user, unit):
    office, second_office = make_user(Role.OFFICE), make_user(Role.OFFICE)
    storekeepers = [make_user(Role.STOREKEEPER) for _n in range(ISSUERS)]
    officer = make_user(Role.OFFICER, unit=unit)
    store = services.create_store(office, code="main", name="总库", campus=CampusFactory())
    source = services.create_source(office, code="bought", name="学校采购")
    masks = services.create_item(
        office, code="masks", name="口罩", category="protective", unit="box"
    )
    services.post_receipt(
        office,
        received_on=timezone.localdate(),
        source=source,
        store=store,
        lines=[{"item": masks, "quantity": STOCK}],
    )
    requisitions = []
    for _n in range(ISSUERS):
        requisition = services.request_supplies(
            officer, unit=unit, purpose=Purpose.GENERAL, lines=[{"item": masks, "quantity": EACH}]
        )
        requisitions.append(services.decide_requisition(second_office, requisition, approve=True))
    barrier = threading.Barrier(ISSUERS)
    outcomes = []

    def issue(storekeeper, requisition):
        try:
            barrier.wait(timeout=10)
            services.issue_requisition(
                storekeeper,
                requisition,
                store=store,
                lines=[{"line": requisition.lines.get(), "quantity": EACH}],
                recipient="领用人",
            )
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(" ".join(exc.messages))
        except Exception as exc:  # anything else is a failure of the test, reported below
            outcomes.append(f"error: {exc!r}")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=issue, args=pair)
        for pair in zip(storekeepers, requisitions, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(outcomes) == ISSUERS
    assert outcomes.count("ok") == STOCK, outcomes
    refused = [outcome for outcome in outcomes if outcome != "ok"]
    assert all("Not enough" in outcome for outcome in refused), refused
    assert Balance.objects.get().quantity == 0
    assert StockMove.objects.filter(kind="issue").count() == STOCK
    assert ledger_differences() == []
    assert not Balance.objects.filter(quantity__lt=Decimal(0)).exists()
