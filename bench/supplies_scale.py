"""Supplies reports at scale: the stock-on-hand page and the requisition register over a
ledger of 100,000 moves, against the single SQL each needs.

The issue's target (issue 4): "Stock-on-hand and the register for 100,000 moves: a fixed
number of queries, within 3x the single SQL aggregate they need."

The data (built in a child process, not measured)
    A migrated database with the office, a storekeeper, 27 units each with an officer, 2
    campuses with 8 stores, 5 source categories, 10 donors and suppliers, 20 items (pieces,
    pairs, boxes, kg, L), and MOVES stock moves over DAYS days, written day by day as
    a storekeeper would have posted them: each day's receipts (numbered, a lot per line),
    transfers of part of a lot to another store, requisitions of the units (1-3 lines,
    asked by the unit's officer, approved by the office) issued first-expiry-first-out
    from the lots on hand in a store (a tenth of the lines in two moves), about 1% of the
    issues reversed with a reason the same or the next day, and a few stocktake
    adjustments. Every quantity is taken only from what the lot has in that store, so the
    balances (one per store and lot, bulk-inserted at the end) are the sums of the moves;
    `ledger_differences()` proves it before anything is measured. Rows are written with
    bulk_create in one transaction (ids given, PostgreSQL's sequences reset after), then
    ANALYZE (PostgreSQL: VACUUM ANALYZE).

What is measured (Django set up on fangkong.settings in a child process per database)
    stock     the page `supplies:report-stock` (every item, store and source) against its
              aggregate: one raw SELECT of the positive balances, summed by item, store and
              source, fetched whole.
    register  the page `supplies:register` for the whole period (the first of its pages of
              500 numbered rows, and the period's totals per item) against the SQL it
              needs: the page's issue moves with their item, requisition, unit, approver
              and any reversal, in the register's order (LIMIT 500), and the one aggregate
              of the period's unreversed issues by item.
    Each page is a GET through django.test.Client, logged in as the office (force_login):
    session, user, roles, the view's queries, the rows built in Python, the template. The
    page and its SQL alternate (A B B A ...), REPS times each after a warm-up; the figures
    are the medians. Query counts (CaptureQueriesContext, outside the timed runs): both
    pages before the ledger has a single move and with all of them (and the register for
    one day). When a target is not met, a breakdown follows: the selector (its SQL and the
    rows built in Python), the template rendered with the selector's result, and the rest
    of the request.

The SQLite database is a file in a temporary directory, built in every run; PostgreSQL a
database made for the run on BENCH_POSTGRES_URL and dropped after it (skipped, with a
notice, when the server does not answer).

`python -m bench supplies_scale` runs this one alone. Knobs (environment):
BENCH_SUPPLIES_MOVES (100000), BENCH_SUPPLIES_REPS (5; the register page is run
REGISTER_REPS), BENCH_SUPPLIES_DATABASES=sqlite (or postgresql),
BENCH_SUPPLIES_BREAKDOWN=1 (the breakdown even when a target is met).
"""

import datetime
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

from bench.common import (
    child_command,
    child_env,
    plain_static_files,
    postgres_database,
    query_count,
    run_child,
    run_directory,
    setup_django,
    time_in_turn,
)

MOVES = int(os.environ.get("BENCH_SUPPLIES_MOVES", "100000"))
REPS = int(os.environ.get("BENCH_SUPPLIES_REPS", "5"))
REGISTER_REPS = 2  # the register page of every issue takes seconds: fewer runs of it
DATABASES = os.environ.get("BENCH_SUPPLIES_DATABASES", "sqlite,postgresql").split(",")
DAYS = 300
START = datetime.date(2020, 1, 27)
END = START + datetime.timedelta(days=DAYS - 1)
ONE_DAY = START + datetime.timedelta(days=DAYS // 2)
TARGET_RATIO = 3.0
POSTGRES_DB = f"fk_bench_supscale_{os.getpid()}"
UNITS, STORES, SOURCES, SUPPLIERS, ITEMS = 27, 8, 5, 10, 20
RECEIPT_LINES_A_DAY = 21  # 7 receipts of 3 lines: a lot each
TRANSFERS_A_DAY = 10
STOCKTAKES_A_DAY = 3
SEED = 20200127

STOCK_SQL = """
SELECT item_id, store_id, source_id, SUM(quantity)
FROM supplies_balance WHERE quantity > 0
GROUP BY item_id, store_id, source_id
"""

# Everything a register row shows, in the register's order: one SELECT.
REGISTER_SQL = """
SELECT m.id, m.moved_on, m.quantity, m.recipient, i.code, i.name, i.name_en, i.unit,
       i.category, r.number, u.code, u.name, u.name_en, d.username, d.first_name,
       d.last_name, v.moved_on, v.reason
FROM supplies_stockmove m
JOIN supplies_item i ON i.id = m.item_id
JOIN supplies_requisitionline l ON l.id = m.requisition_line_id
JOIN supplies_requisition r ON r.id = l.requisition_id
JOIN core_unit u ON u.id = r.unit_id
LEFT JOIN core_user d ON d.id = r.decided_by_id
LEFT JOIN supplies_stockmove v ON v.reverses_id = m.id
WHERE m.kind = 'issue' AND m.moved_on BETWEEN %s AND %s
ORDER BY m.moved_on, m.posted_at, m.id
"""


# The register page: its first page of rows, and the period's totals per item.
REGISTER_PAGE_ROWS = 500
REGISTER_PAGE_SQL = REGISTER_SQL + f" LIMIT {REGISTER_PAGE_ROWS}"
REGISTER_TOTALS_SQL = """
SELECT m.item_id, SUM(m.quantity)
FROM supplies_stockmove m
LEFT JOIN supplies_stockmove v ON v.reverses_id = m.id
WHERE m.kind = 'issue' AND m.moved_on BETWEEN %s AND %s AND v.id IS NULL
GROUP BY m.item_id
"""


# ---- the parent -----------------------------------------------------------------------


def main() -> None:
    print(
        f"Supplies reports at scale: {MOVES:,} stock moves over {DAYS} days; the stock-on-hand "
        "page and the requisition register (the whole period) against the SQL each needs"
    )
    with run_directory("fangkong-bench-supscale-") as workdir:
        if "sqlite" in DATABASES:
            print("SQLite (a file built for this run)")
            run_database(f"sqlite:///{workdir / 'scale.sqlite3'}", workdir)
        if "postgresql" in DATABASES:
            with postgres_database(POSTGRES_DB) as url:
                if url is not None:
                    print(f"PostgreSQL (database {POSTGRES_DB}, made for this run)")
                    run_database(url, workdir)


def run_database(url: str, workdir: Path) -> None:
    env = child_env(workdir / "var", url, LOG_LEVEL="WARNING")
    clock = time.perf_counter()
    built = run_child("bench.supplies_scale", ["build"], env)
    counts = built["counts"]
    print(
        f"  build: {time.perf_counter() - clock:.0f} s (migrate {built['migrate']:.0f} s, "
        f"rows {built['rows']:.0f} s, {built['analyze']}); not measured"
    )
    print(
        f"    {counts['moves']:,} moves ({counts['receipt']:,} receipts, {counts['issue']:,} "
        f"issues, {counts['reversal']:,} reversals, {counts['transfer']:,} transfer moves, "
        f"{counts['stocktake']:,} stocktakes), {counts['lots']:,} lots, {counts['balances']:,} "
        f"balances, {counts['requisitions']:,} requisitions; ledger_differences(): "
        f"{built['differences']} ({built['check']:.1f} s)"
    )
    results = run_child("bench.supplies_scale", ["measure"], env)
    results["empty_queries"] = built["empty_queries"]
    report(results)


def report(results: dict) -> None:
    def ms(values):
        return statistics.median(values) * 1000

    def spread(values):
        return f"{min(values) * 1000:,.1f}-{max(values) * 1000:,.1f}"

    print("  Times (medians, interleaved; every run's range in brackets)")
    for name in ("stock", "register"):
        figures = results[name]
        print(
            f"    {name:<9} {figures['what']:<34} SQL {ms(figures['baseline']):>8,.1f} ms "
            f"[{spread(figures['baseline'])}]   page {ms(figures['page']):>8,.1f} ms "
            f"[{spread(figures['page'])}]  ({len(figures['page'])} runs)"
        )
    print("  Ratios (page / SQL)")
    for name in ("stock", "register"):
        figures = results[name]
        ratio = ms(figures["page"]) / ms(figures["baseline"])
        verdict = "met" if ratio <= TARGET_RATIO else "NOT MET"
        print(f"    {name:<9} {ratio:7.2f}   target at most {TARGET_RATIO:g}: {verdict}")
    print("  Queries per page (the whole request: session, user, roles and the view's)")
    empty, full = results["empty_queries"], results["queries"]
    # A page asks nothing of the catalogue when it has no row to name (the units, items and
    # approvers of its rows): its fixed count is judged on a small part of the ledger (5
    # balances; one day's issues) against all of it.
    for name, what in [("stock", "every item"), ("register", f"{DAYS} days")]:
        few = full["stock_few"] if name == "stock" else full["register_day"]
        many = full[name]
        verdict = "fixed: met" if few == many else "NOT fixed: NOT MET"
        small = "5 balances" if name == "stock" else "one day's issues"
        print(
            f"    {name:<9} ({what}) with {small}: {few:>3}   with {MOVES:,} moves: "
            f"{many:>3}   {verdict}"
        )
    print(
        f"    (on an empty ledger: the stock page {empty['stock']}, the register "
        f"{empty['register']})"
    )
    for name, parts in results["breakdowns"].items():
        print(f"  Where the {name} page's time goes (ms)")
        for label, seconds in parts:
            print(f"    {label:<66}{seconds * 1000:>10,.1f}")


# ---- the build -------------------------------------------------------------------------


def child_build() -> dict:
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    clock = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrate = time.perf_counter() - clock
    clock = time.perf_counter()
    counts, empty = build_rows()
    rows = time.perf_counter() - clock
    clock = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
            analyze = "VACUUM ANALYZE"
        else:
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            analyze = "ANALYZE"
    analyze = f"{analyze} {time.perf_counter() - clock:.0f} s"
    from fangkong.supplies.selectors import ledger_differences

    clock = time.perf_counter()
    differences = ledger_differences()
    check = time.perf_counter() - clock
    if differences:
        raise SystemExit(f"the ledger built is not sound: {differences[:5]}")
    connection.close()
    return {
        "migrate": migrate,
        "rows": rows,
        "analyze": analyze,
        "counts": counts,
        "empty_queries": empty,
        "differences": "empty, sound" if not differences else len(differences),
        "check": check,
    }


def build_rows() -> dict:
    """The catalogue and people through the services; the ledger and its documents by
    bulk_create, quantities taken only from what a lot has in a store."""
    import secrets

    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.utils import timezone

    from fangkong.core import services as core
    from fangkong.core.models import Unit
    from fangkong.core.roles import Role
    from fangkong.supplies import services
    from fangkong.supplies.models import (
        Balance,
        Item,
        Lot,
        MeasureUnit,
        Purpose,
        Receipt,
        ReceiptLine,
        Requisition,
        RequisitionLine,
        StockMove,
        Supplier,
    )

    rng = random.Random(SEED)

    def account(actor, username, roles, unit=None, first="", last=""):
        return core.create_account(
            actor,
            username=username,
            password=secrets.token_urlsafe(16),
            roles=roles,
            unit=unit,
            first_name=first,
            last_name=last,
        )

    office = account(None, "bench-office", [Role.OFFICE], first="科长", last="周")
    keeper = account(office, "bench-keeper", [Role.STOREKEEPER])
    campuses = [
        core.create_campus(office, code=f"c{n}", name=f"校区{n}", name_en=f"Campus {n}")
        for n in range(2)
    ]
    stores = [
        services.create_store(
            office, code=f"s{n}", name=f"物资库{n}", name_en=f"Store {n}", campus=campuses[n % 2]
        )
        for n in range(STORES)
    ]
    sources = [
        services.create_source(office, code=f"src{n}", name=f"来源{n}", name_en=f"Source {n}")
        for n in range(SOURCES)
    ]
    suppliers = [
        services.create_supplier(
            office, name=f"捐赠方{n}", name_en=f"Donor {n}", kind=Supplier.Kind.DONOR
        )
        for n in range(SUPPLIERS)
    ]
    kinds = [
        MeasureUnit.PIECE,
        MeasureUnit.PAIR,
        MeasureUnit.BOX,
        MeasureUnit.KG,
        MeasureUnit.LITRE,
    ]
    categories = list(Item.Category.values)
    items = [
        services.create_item(
            office,
            code=f"item{n:02d}",
            name=f"物资{n}",
            name_en=f"Item {n}",
            category=categories[n % len(categories)],
            unit=kinds[n % len(kinds)],
            has_expiry=n % 3 == 0,
        )
        for n in range(ITEMS)
    ]
    units, officers = [], []
    for n in range(UNITS):
        unit = core.create_unit(
            office, code=f"u{n:02d}", name=f"第{n + 1}学院", kind=Unit.Kind.ACADEMIC
        )
        units.append(unit)
        officers.append(account(office, f"officer{n:02d}", [Role.OFFICER], unit))

    empty = count_page_queries(office)  # the same pages before the ledger has a move
    receipts, receipt_lines, lots, moves, requisitions, req_lines = [], [], [], [], [], []
    on_hand: dict[tuple[int, int], Decimal] = {}  # (store index, lot index) -> quantity
    by_store_item: dict[tuple[int, int], list[int]] = {}  # FEFO order: lot indexes
    counts = {k: 0 for k in ("receipt", "issue", "reversal", "transfer", "stocktake")}
    fixed_a_day = RECEIPT_LINES_A_DAY + 2 * TRANSFERS_A_DAY + STOCKTAKES_A_DAY

    def stamp(day, minute):
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(8))) + (
            datetime.timedelta(minutes=minute)
        )

    def move(kind, store, lot, quantity, day, minute, **fields):
        moves.append(
            StockMove(
                pk=len(moves) + 1,
                kind=kind,
                item_id=lots[lot].item_id,
                store_id=stores[store].pk,
                source_id=lots[lot].source_id,
                lot_id=lots[lot].pk,
                quantity=quantity,
                moved_on=day,
                posted_at=stamp(day, minute),
                posted_by_id=keeper.pk,
                **fields,
            )
        )
        on_hand[store, lot] = on_hand.get((store, lot), Decimal(0)) + quantity
        return moves[-1]

    def whole(item_index, value):
        decimals = items[item_index].decimals
        return Decimal(value).quantize(Decimal(1).scaleb(-decimals))

    for offset in range(DAYS):
        day = START + datetime.timedelta(days=offset)
        left_days = DAYS - offset
        # receipts: 7 a day, 3 lines (lots) each
        for n in range(RECEIPT_LINES_A_DAY // 3):
            store, source = rng.randrange(STORES), rng.randrange(SOURCES)
            receipt = Receipt(
                pk=len(receipts) + 1,
                number=f"RK-{day.year}-{len(receipts) + 1:05d}",
                received_on=day,
                source_id=sources[source].pk,
                supplier_id=suppliers[rng.randrange(SUPPLIERS)].pk if source else None,
                store_id=stores[store].pk,
                created_by_id=keeper.pk,
                created_at=stamp(day, n),
            )
            receipts.append(receipt)
            for item_index in rng.sample(range(ITEMS), 3):
                quantity = whole(item_index, rng.randrange(200, 2000))
                expires = day + datetime.timedelta(days=rng.randrange(200, 700))
                line = ReceiptLine(
                    pk=len(receipt_lines) + 1,
                    receipt_id=receipt.pk,
                    item_id=items[item_index].pk,
                    quantity=quantity,
                    lot_number=f"L{len(lots) + 1}",
                    expires_on=expires if items[item_index].has_expiry else None,
                )
                receipt_lines.append(line)
                lots.append(
                    Lot(
                        pk=len(lots) + 1,
                        item_id=line.item_id,
                        receipt_line_id=line.pk,
                        source_id=receipt.source_id,
                        supplier_id=receipt.supplier_id,
                        lot_number=line.lot_number,
                        expires_on=line.expires_on,
                        received_on=day,
                    )
                )
                lot = len(lots) - 1
                move("receipt", store, lot, quantity, day, n, receipt_line_id=line.pk)
                counts["receipt"] += 1
                fefo = by_store_item.setdefault((store, item_index), [])
                fefo.append(lot)
                fefo.sort(key=lambda i: (lots[i].expires_on or datetime.date.max, i))
        # transfers: part of a lot on hand to another store
        for n in range(TRANSFERS_A_DAY):
            store, item_index = rng.randrange(STORES), rng.randrange(ITEMS)
            fefo = [i for i in by_store_item.get((store, item_index), []) if on_hand[store, i] > 1]
            if not fefo:
                continue
            lot = fefo[-1]
            quantity = whole(item_index, on_hand[store, lot] // 4 or 1)
            to = (store + 1 + rng.randrange(STORES - 1)) % STORES
            move("transfer_out", store, lot, -quantity, day, 30 + n, reason="调拨")
            move("transfer_in", to, lot, quantity, day, 30 + n, reason="调拨")
            counts["transfer"] += 2
            target = by_store_item.setdefault((to, item_index), [])
            if lot not in target:
                target.append(lot)
                target.sort(key=lambda i: (lots[i].expires_on or datetime.date.max, i))
        # stocktakes: a few counted lots a little off
        for n in range(STOCKTAKES_A_DAY):
            store, item_index = rng.randrange(STORES), rng.randrange(ITEMS)
            fefo = [i for i in by_store_item.get((store, item_index), []) if on_hand[store, i] > 2]
            if fefo:
                move(
                    "stocktake", store, fefo[0], Decimal(rng.choice([-2, -1, 1])), day, 60 + n,
                    reason="盘点差异",
                )  # fmt: skip
                counts["stocktake"] += 1
        # requisitions issued: the day's share of what is left of MOVES
        budget = (MOVES - len(moves) - fixed_a_day * (left_days - 1)) // left_days
        if left_days == 1:
            budget = MOVES - len(moves)
        spent, minute = 0, 90
        while spent < budget:
            unit = rng.randrange(UNITS)
            store = unit % STORES
            requisition = Requisition(
                pk=len(requisitions) + 1,
                number=f"LY-{day.year}-{len(requisitions) + 1:05d}",
                unit_id=units[unit].pk,
                purpose=Purpose.GENERAL,
                status=Requisition.Status.ISSUED,
                requested_by_id=officers[unit].pk,
                requested_at=stamp(day, minute - 60),
                decided_by_id=office.pk,
                decided_at=stamp(day, minute - 30),
            )
            lines_made = 0
            for item_index in rng.sample(range(ITEMS), rng.choice([1, 2, 2, 3])):
                if spent >= budget:
                    break
                parts = 2 if rng.random() < 0.1 and budget - spent >= 2 else 1
                fefo = [i for i in by_store_item.get((store, item_index), []) if on_hand[store, i]]
                fefo = fefo[:parts]
                if not fefo:
                    continue
                line = RequisitionLine(
                    pk=len(req_lines) + 1,
                    requisition_id=requisition.pk,
                    item_id=items[item_index].pk,
                )
                issued = Decimal(0)
                for lot in fefo:
                    quantity = min(on_hand[store, lot], whole(item_index, rng.randrange(1, 40)))
                    issue = move(
                        "issue", store, lot, -quantity, day, minute,
                        requisition_line_id=line.pk, recipient=f"领用人{unit}",
                    )  # fmt: skip
                    minute += 1
                    spent += 1
                    counts["issue"] += 1
                    issued += quantity
                    if rng.random() < 0.01 and spent < budget:
                        move(
                            "reversal", store, lot, quantity, day, minute,
                            reverses_id=issue.pk, requisition_line_id=line.pk, reason="发错品种",
                        )  # fmt: skip
                        spent += 1
                        counts["reversal"] += 1
                        issued -= quantity
                        requisition.status = Requisition.Status.PARTLY_ISSUED
                line.requested = line.approved = max(issued, Decimal(1))
                line.issued = issued
                req_lines.append(line)
                lines_made += 1
            if lines_made:
                requisitions.append(requisition)
    balances = [
        Balance(
            item_id=lots[lot].item_id,
            store_id=stores[store].pk,
            source_id=lots[lot].source_id,
            lot_id=lots[lot].pk,
            quantity=quantity,
        )
        for (store, lot), quantity in sorted(on_hand.items())
    ]
    with transaction.atomic():
        for model, rows in [
            (Receipt, receipts),
            (ReceiptLine, receipt_lines),
            (Lot, lots),
            (Requisition, requisitions),
            (RequisitionLine, req_lines),
            (StockMove, moves),
            (Balance, balances),
        ]:
            model.objects.bulk_create(rows, batch_size=2000)
        if connection.vendor == "postgresql":
            models = [Receipt, ReceiptLine, Lot, Requisition, RequisitionLine, StockMove]
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(sql)
    return {
        **counts,
        "moves": len(moves),
        "lots": len(lots),
        "balances": len(balances),
        "requisitions": len(requisitions),
    }, empty


def count_page_queries(office, client=None) -> dict:
    """The queries of the stock page (every item) and of the register (the whole period),
    through the test client as the office."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    if client is None:
        client = Client()
        client.force_login(office)
    override = plain_static_files()
    override.enable()
    counts = {}
    for name, url, query in [
        ("stock", reverse("supplies:report-stock"), {}),
        ("register", reverse("supplies:register"), {"start": START, "end": END}),
    ]:
        client.get(url, query)  # the first request of a session does more
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, query)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        counts[name] = len(queries)
    override.disable()
    return counts


# ---- measuring -------------------------------------------------------------------------


def child_measure() -> dict:
    setup_django()
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from fangkong.core.models import User

    override = plain_static_files()
    override.enable()
    office = User.objects.get(username="bench-office")
    client = Client()
    client.force_login(office)
    stock_url, register_url = reverse("supplies:report-stock"), reverse("supplies:register")

    def raw(sql, params=()):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    stock_rows = len(raw(STOCK_SQL))
    register_rows = len(raw(REGISTER_SQL, [START, END]))

    def page(url, query, marker, expected):
        response = client.get(url, query)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        found = response.content.count(marker)
        if expected is not None and found != expected:
            raise SystemExit(f"{url} shows {found} rows, not {expected}")
        return response

    def stock_page(query=None):
        return page(stock_url, query or {}, b"<tr data-item=", None if query else stock_rows)

    def register_page(start=START, end=END):
        expected = min(register_rows, REGISTER_PAGE_ROWS) if (start, end) == (START, END) else None
        return page(register_url, {"start": start, "end": end}, b"<tr data-move=", expected)

    def register_sql():
        return raw(REGISTER_PAGE_SQL, [START, END]), raw(REGISTER_TOTALS_SQL, [START, END])

    sides = {
        "stock": (lambda: raw(STOCK_SQL), stock_page, REPS),
        "register": (register_sql, register_page, REGISTER_REPS),
    }
    results = {
        "stock": {"what": f"({stock_rows} rows of item/store/source)"},
        "register": {"what": f"({register_rows:,} issues, {DAYS} days)"},
    }
    client.get(reverse("supplies:reports"))  # the session's first request does more
    full_queries = {}
    for name, (base, view, reps) in sides.items():
        base()  # warm up: templates, caches, the database's pages; the page's queries counted
        full_queries[name] = query_count(view)
        times = {"baseline": [], "page": []}
        for rep in range(reps):
            time_in_turn(times, rep, base, view)
        results[name].update(times)

    # The stock page with only a few balances: the others deleted in a transaction undone.
    from django.db import transaction

    from fangkong.supplies.models import Balance

    with transaction.atomic():
        keep = list(Balance.objects.filter(quantity__gt=0).order_by("pk")[:5])
        Balance.objects.exclude(pk__in=[balance.pk for balance in keep]).delete()
        few_balances = query_count(page, stock_url, {}, b"<tr data-item=", None)
        transaction.set_rollback(True)
    results["queries"] = {
        **full_queries,
        "register_day": query_count(register_page, ONE_DAY, ONE_DAY),
        "stock_few": few_balances,
    }
    results["breakdowns"] = {}
    asked = os.environ.get("BENCH_SUPPLIES_BREAKDOWN") == "1"
    for name in ("stock", "register"):
        ratio = statistics.median(results[name]["page"]) / statistics.median(
            results[name]["baseline"]
        )
        if ratio > TARGET_RATIO or asked:
            results["breakdowns"][name] = breakdown(
                name, office, sides[name], statistics.median(results[name]["page"])
            )
    override.disable()
    connection.close()
    return results


def breakdown(name: str, office, side, page_time: float) -> list:
    """The page's parts, each timed on its own (median of 3; the register's once), beside
    the page's median measured above."""
    from django.db import connection
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from fangkong.supplies import selectors
    from fangkong.supplies.models import Item, SourceCategory, Store

    base, _view, _reps = side
    request = RequestFactory().get("/")
    request.user = office
    captured = []

    def capture(execute, sql, params, many, context):
        captured.append((sql, params))
        return execute(sql, params, many, context)

    if name == "stock":

        def select():
            return selectors.stock_on_hand(office)

        def context(report):
            return {
                "report": report,
                "filters": {"item": None, "store": None, "source": None},
                "items": Item.objects.order_by("category", "code"),
                "stores": Store.objects.order_by("code"),
                "sources": SourceCategory.objects.order_by("code"),
                "query": "",
            }

        template = "supplies/reports/stock.html"
    else:

        def select():
            return selectors.requisition_register(office, START, END)

        def context(report):
            return {"start": START, "end": END, "problem": None, "report": report}

        template = "supplies/reports/register.html"
    with connection.execute_wrapper(capture):
        result = select()
    biggest = next(
        entry for entry in captured if "supplies_stockmove" in entry[0] or "SUM(" in entry[0]
    )

    def django_sql():
        with connection.cursor() as cursor:
            cursor.execute(*biggest)
            return cursor.fetchall()

    parts = {
        "the SQL by hand (the baseline)": base,
        "the selector's main query, run raw and fetched whole": django_sql,
        f"selectors (every query of the selector, the rows built), {len(captured)} queries": (
            select
        ),
        "the template, rendered with the selector's result": lambda: render_to_string(
            template, context(result), request
        ),
    }
    times = {label: [] for label in parts}
    for _run in range(3 if name == "stock" else 1):
        for label, function in parts.items():
            clock = time.perf_counter()
            function()
            times[label].append(time.perf_counter() - clock)
    median = {label: statistics.median(values) for label, values in times.items()}
    median["the whole page through the test client (median above)"] = page_time
    labels = list(median)
    rest = page_time - median[labels[2]] - median[labels[3]]
    return [
        *median.items(),
        ("  of which neither the selector nor the template (request, session, roles)", rest),
    ]


if __name__ == "__main__":
    if len(sys.argv) > 1:
        child_command(sys.argv[1:], {"build": child_build, "measure": child_measure})
    else:
        main()
