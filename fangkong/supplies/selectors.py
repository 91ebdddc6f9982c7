"""Reads of the stock ledger, shared by the pages, the API, the reports and the checks."""

from decimal import Decimal

from django.db.models import Sum

from fangkong.supplies.models import Balance, StockMove


def ledger_differences() -> list[dict]:
    """Every (store, lot) whose balance is not the sum of its moves, or is negative: empty
    when the ledger is sound. Two aggregate queries, whatever the ledger's size."""
    sums = {
        (row["store_id"], row["lot_id"]): row["total"]
        for row in StockMove.objects.order_by()
        .values("store_id", "lot_id")
        .annotate(total=Sum("quantity"))
    }
    differences = []
    balances = {
        (store_id, lot_id): (quantity, item_id, source_id, lot_item, lot_source)
        for store_id, lot_id, quantity, item_id, source_id, lot_item, lot_source in (
            Balance.objects.values_list(
                "store_id",
                "lot_id",
                "quantity",
                "item_id",
                "source_id",
                "lot__item_id",
                "lot__source_id",
            )
        )
    }
    for key in sorted(set(sums) | set(balances)):
        expected = sums.get(key, Decimal(0))
        quantity, item_id, source_id, lot_item, lot_source = balances.get(
            key, (Decimal(0), None, None, None, None)
        )
        problems = []
        if quantity != expected:
            problems.append("balance differs from its moves")
        if quantity < 0:
            problems.append("negative balance")
        if key in balances and (item_id != lot_item or source_id != lot_source):
            problems.append("item or source differs from the lot's")
        if problems:
            differences.append(
                {
                    "store_id": key[0],
                    "lot_id": key[1],
                    "balance": quantity,
                    "moves": expected,
                    "problems": problems,
                }
            )
    return differences
