"""Each report reads the ledger in a fixed number of queries: the same for 2 moves as for
20 (GROUP BY aggregates and one joined read, never a query per row)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fangkong.supplies import selectors, services
from fangkong.supplies.tests.conftest import approved_requisition

pytestmark = pytest.mark.django_db

DAY = datetime.date(2020, 2, 10)
PERIOD = (datetime.date(2020, 2, 1), datetime.date(2020, 2, 29))


def grow(storekeeper, office, officer, catalogue, issues: int):
    services.post_receipt(
        storekeeper,
        received_on=DAY,
        source=catalogue["alumni"],
        supplier=catalogue["donor"],
        store=catalogue["main"],
        lines=[{"item": catalogue["masks"], "quantity": "100000"}],
    )
    for _ in range(issues):
        requisition = approved_requisition(officer, office, catalogue, quantity="10")
        services.issue_requisition(
            storekeeper,
            requisition,
            store=catalogue["main"],
            recipient="张三",
            issued_on=DAY,
            lines=[{"line": requisition.lines.get(), "quantity": "10"}],
        )


def counts(office, catalogue) -> dict:
    reads = {
        "stock": lambda: selectors.stock_on_hand(office),
        "receipts": lambda: selectors.receipts_report(office, *PERIOD),
        "issues": lambda: selectors.issues_report(office, *PERIOD),
        "register": lambda: selectors.requisition_register(office, *PERIOD),
        "donation": lambda: selectors.donation_trace(office, catalogue["donor"]),
        "days": lambda: selectors.days_of_supply(office, DAY),
        "below": lambda: selectors.below_minimum(office),
        "moves": lambda: list(selectors.moves_for(office).rows),
        "requisitions": lambda: list(selectors.requisitions_for(office).rows),
        "receipts_list": lambda: list(selectors.receipts_for(office).rows),
    }
    office.roles  # noqa: B018 (the roles are read once a request, before any report)
    found = {}
    for name, read in reads.items():
        with CaptureQueriesContext(connection) as queries:
            read()
        found[name] = len(queries)
    return found


def test_reports_take_the_same_queries_for_2_and_20_moves(storekeeper, office, officer, catalogue):
    grow(storekeeper, office, officer, catalogue, 1)
    few = counts(office, catalogue)
    grow(storekeeper, office, officer, catalogue, 19)
    assert counts(office, catalogue) == few
    assert few["register"] == 6  # the moves; the units, items, approvers; totals and items
    assert few["below"] == 1
    assert max(few.values()) <= 6
