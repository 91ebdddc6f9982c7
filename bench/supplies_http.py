"""Issue postings through the real HTTP stack, against a bare Django view doing one INSERT.

The issue's target (issue 4), on SQLite and on PostgreSQL: "Issue postings through the
HTTP API with 16 concurrent clients: at least 50% of a bare Django view doing one INSERT,
zero negative balances, zero 5xx."

What is posted, and how
    `POST /api/v1/supplies/requisitions/{id}/issue` with `Authorization: Bearer <token>`:
    a warehouse scanner issuing an approved requisition whole, the lots left to the
    first-expiry-first-out suggestion — the bearer-token lookup, the roles, the scoped
    requisition, django-ninja's parsing, `supplies.services.issue_requisition` (the
    requisition and its lines locked, the suggestion, a conditional UPDATE of each balance
    and a move appended, in a transaction) and the JSON of the requisition with its
    lines. Each of the 16 clients is a storekeeper with a token of their own, issuing from
    one of two stores (clients alternate), each request a requisition of its own made
    beforehand through the services (asked by a unit's officer, approved by the office):
    one line, masks or gloves in turn, 10-49 of them, so that all the clients of a store
    take from the same few balance rows, as the storekeepers of one store do.

The rounds
    The bare view and the issues alternate, A B B A A B B A, each ROUND_SECONDS long after
    an unmeasured warm-up; the stock is ample in these, so every issue should be a 2xx.
    Then one more round, C, on a deliberately small stock: protective suits, received
    through the services just before it into both stores in three lots, about half of
    what the round will ask for at the rate just measured; every client asks 2 suits a
    request, so the last lots run out during the round and the rest are refused with
    "not enough" (422, counted as refused, not as errors) — some of them by the
    conditional UPDATE, when two clients race for the last pieces of a lot.
    A 5xx, another 4xx or an exception is an error. Afterwards, in a child process:
    `ledger_differences()` (every balance against the sum of its moves), the negative
    balances, the requisitions issued against the 2xx answers, and the suits received
    against those issued and on hand.

The baseline, the server and the clients are checkin_http's (bench/common.py): the bare
one-INSERT view of bench/benchsite, gunicorn `fangkong.wsgi:application` with 4 sync
workers, 16 client threads in this process. The databases: a fresh SQLite file in a
temporary directory, and a PostgreSQL database made for the run (BENCH_POSTGRES_URL) and
dropped after it (skipped, with a notice, if the server does not answer).

`python -m bench supplies_http` runs this one alone. Knobs (environment):
BENCH_SUPPLIES_DATABASES=sqlite (or postgresql), BENCH_SUPPLIES_SECONDS (each round; 4),
BENCH_SUPPLIES_REQUISITIONS (per client; 200), GUNICORN_WORKERS / GUNICORN_THREADS,
BENCH_SUPPLIES_APP (another WSGI application, to measure a change without editing the
tree), BENCH_SUPPLIES_TIMING=1 (where the time goes inside the server; see
bench/benchsite/timing.py).
"""

import json
import os
import secrets
import sys
import time
from pathlib import Path

from bench.common import (
    BARE_HEADERS,
    BareInserts,
    Round,
    Server,
    Side,
    bare_insert_queries,
    child_command,
    close_after_setup,
    each_database,
    json_headers,
    migrate_with_bare_table,
    report_errors,
    report_timing,
    run_child,
    server_env,
    setup_django,
)

CLIENTS = 16
STORES = 2
REQUISITIONS = int(os.environ.get("BENCH_SUPPLIES_REQUISITIONS", "200"))  # per client
SCARCE_REQUISITIONS = 100  # per client, for round C
SCARCE_EACH = 2  # suits a request in round C
ROUND_SECONDS = float(os.environ.get("BENCH_SUPPLIES_SECONDS", "4"))
WARMUP_SECONDS = 1.5
ORDER = "ABBAABBA"  # A the bare view, B the issues: each round ROUND_SECONDS
WORKERS = int(os.environ.get("GUNICORN_WORKERS", "4"))
THREADS = int(os.environ.get("GUNICORN_THREADS", "1"))
APP = os.environ.get("BENCH_SUPPLIES_APP", "fangkong.wsgi:application")
DATABASES = os.environ.get("BENCH_SUPPLIES_DATABASES", "sqlite,postgresql").split(",")
TIMING = os.environ.get("BENCH_SUPPLIES_TIMING") == "1"
TARGET_RPS_RATIO = 0.5
POSTGRES_DB = f"fk_bench_supplies_{os.getpid()}"
TIME_ZONE = "Asia/Shanghai"
ISSUE_PATH = "/api/v1/supplies/requisitions/{}/issue"
RECIPIENTS = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄丽"]


# ---- the parent: databases, server, clients, report -----------------------------------


def main() -> None:
    print(
        f"Issue postings over HTTP: {CLIENTS} clients, gunicorn {APP} {WORKERS} "
        f"{'sync' if THREADS == 1 else f'gthread x{THREADS}'} workers, requisitions issued "
        "through the API (bearer tokens) against a bare one-INSERT view"
    )
    each_database("fangkong-bench-supplies-", DATABASES, POSTGRES_DB, run_database)


def run_database(label: str, database_url: str, workdir: Path) -> None:
    env = server_env(workdir, database_url, time_zone=TIME_ZONE, timing=TIMING)
    print(label)
    clock = time.perf_counter()
    stock = run_child("bench.supplies_http", ["setup"], env)
    print(
        f"  set-up: migrated; {CLIENTS} storekeepers with a token each, {STORES} stores with "
        f"masks and gloves in {stock['lots']} lots, {stock['requisitions']:,} approved "
        f"requisitions made through the services ({time.perf_counter() - clock:.0f} s, "
        "not measured)"
    )
    server = Server(
        env, workdir / f"gunicorn-{label.lower()}.log", app=APP, workers=WORKERS, threads=THREADS
    )
    try:
        server.start()
        results = measure(server.port, stock, env)
    finally:
        server.stop()
    counts = run_child("bench.supplies_http", ["count"], env)
    report(results, counts, stock["queries"])


class Work:
    """What each client sends: the bare view's bodies, and its own requisitions to issue,
    one after another (the ample ones for A/B, the suits for C)."""

    def __init__(self, stock: dict):
        self.stores = stock["stores"]
        self.ample = [iter(entries) for entries in stock["ample"]]
        self.scarce = [iter(entries) for entries in stock["scarce"]]
        self.bare = BareInserts(CLIENTS)

    def _issue(self, entries, client: int):
        entry = next(entries[client], None)
        if entry is None:
            return None
        requisition, line, quantity = entry
        body = {
            "store": self.stores[client % STORES],
            "recipient": RECIPIENTS[requisition % len(RECIPIENTS)],
            "lines": [{"line": line, "quantity": quantity}],
        }
        return ISSUE_PATH.format(requisition), json.dumps(body, ensure_ascii=False).encode()

    def issue(self, client: int):
        return self._issue(self.ample, client)

    def issue_scarce(self, client: int):
        return self._issue(self.scarce, client)


def measure(port: int, stock: dict, env: dict) -> dict:
    work = Work(stock)
    issue_headers = json_headers(stock["tokens"])

    def bare_round(seconds):
        return Round(port, work.bare, lambda n: BARE_HEADERS, seconds, clients=CLIENTS).run()

    def issue_round(seconds, requests=work.issue):
        return Round(
            port, requests, lambda n: issue_headers[n], seconds, clients=CLIENTS, refusals={422}
        ).run()

    # Unmeasured: every worker imports the API's routers and schemas on its first request.
    warmups = [bare_round(WARMUP_SECONDS), issue_round(WARMUP_SECONDS)]
    bare, issue = Side("bare one-INSERT view"), Side("issue (API, bearer token)")
    for letter in ORDER:
        if letter == "A":
            bare.rounds.append(bare_round(ROUND_SECONDS))
        else:
            issue.rounds.append(issue_round(ROUND_SECONDS))
    # Round C: suits for about half of what the round will ask at the rate just measured.
    per_store = max(6, round(issue.rps * ROUND_SECONDS / STORES * SCARCE_EACH / 2))
    restock = run_child("bench.supplies_http", ["restock", str(per_store)], env)
    scarce = Side("issue, small stock (C)")
    scarce.rounds.append(issue_round(ROUND_SECONDS, work.issue_scarce))
    return {
        "bare": bare,
        "issue": issue,
        "scarce": scarce,
        "restock": restock,
        "warmup_errors": sum(sum(one.errors.values()) for one in warmups),
        "warmup_refused": sum(sum(one.refused.values()) for one in warmups),
        "warmup_issues": warmups[1].ok,
        "exhausted": sum(one.exhausted for one in issue.rounds + scarce.rounds),
    }


def report(results: dict, counts: dict, queries: dict) -> None:
    bare, issue, scarce = results["bare"], results["issue"], results["scarce"]
    print(
        f"  {'':30}{'2xx/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'requests':>10}{'refused':>9}"
        f"{'errors':>8}  rounds' 2xx/s"
    )
    for side in (bare, issue, scarce):
        spread = ", ".join(f"{value:.0f}" for value in side.round_rps())
        print(
            f"  {side.label:<30}{side.rps:>8.1f}{side.percentile(0.50) * 1000:>9.1f}"
            f"{side.percentile(0.99) * 1000:>9.1f}{len(side.latencies):>10,}"
            f"{side.refused:>9}{sum(side.errors.values()):>8}  {spread}"
        )
    print(
        f"  ({len(bare.rounds)} rounds of {ROUND_SECONDS:g} s each, interleaved {ORDER}, after "
        f"{WARMUP_SECONDS:g} s of warm-up each; then C on {results['restock']['per_store']} "
        f"suits a store in {results['restock']['lots']} lots;"
    )
    print(
        f"   SQL statements per request in Fangkong's code, BEGIN, SAVEPOINTs and COMMIT "
        f"included: bare {queries['bare']}, issue {queries['issue']})"
    )
    rps_ratio = issue.rps / bare.rps
    pairs = [i / b for i, b in zip(issue.round_rps(), bare.round_rps(), strict=True)]
    errors = sum(sum(side.errors.values()) for side in (bare, issue, scarce))
    fivexx = sum(
        count
        for side in (bare, issue, scarce)
        for status, count in side.errors.items()
        if status.startswith("HTTP 5")
    )
    print("  Ratios and checks")
    verdict = "met" if rps_ratio >= TARGET_RPS_RATIO else "NOT MET"
    print(
        f"    issues/s over bare/s  {rps_ratio:6.3f}  target at least {TARGET_RPS_RATIO:.2f}: "
        f"{verdict}  (round by round: {min(pairs):.2f}-{max(pairs):.2f})"
    )
    p99_ratio = issue.percentile(0.99) / bare.percentile(0.99)
    print(f"    p99 latency ratio     {p99_ratio:6.2f}  (no target)")
    verdict = "met" if fivexx == 0 else "NOT MET"
    print(f"    5xx answers           {fivexx:6d}  target 0 at {CLIENTS} clients: {verdict}")
    if errors != fivexx:
        print(f"    other errors          {errors - fivexx:6d}  (4xx other than 422, exceptions)")
    negatives = counts["negative_balances"]
    verdict = "met" if negatives == 0 else "NOT MET"
    print(f"    negative balances     {negatives:6d}  target 0: {verdict}")
    differences = counts["ledger_differences"]
    verdict = "sound" if not differences else "NOT SOUND"
    print(f"    ledger_differences()  {len(differences):6d}  {verdict}: {differences[:5]}")
    refusals = scarce.refused
    print(
        f"    round C: {scarce.ok} issued, {refusals} refused (422) as not enough stock; suits "
        f"received {counts['suits_received']}, issued {counts['suits_issued']}, on hand "
        f"{counts['suits_on_hand']}"
    )
    for sample in {s for one in scarce.rounds for s in one.refusal_samples[:2]}:
        print(f"      {sample}")
    if TIMING:
        report_timing([bare, issue], knob="BENCH_SUPPLIES_TIMING=1")
    report_errors([bare, issue, scarce], results["warmup_errors"])
    if results["exhausted"]:
        print(
            f"    ({results['exhausted']} client rounds ran out of requisitions: raise "
            "BENCH_SUPPLIES_REQUISITIONS)"
        )
    answered = results["warmup_issues"] + issue.ok + scarce.ok
    issued = counts["issued"]
    if issued != answered:
        print(f"    CHECK FAILED: {issued} requisitions issued for {answered} answered 2xx")
    else:
        print(f"    stored: {issued:,} requisitions issued, one for each 2xx")


# ---- the children: Django set up in a process of its own -------------------------------


def child_setup() -> dict:
    """Migrate; the catalogue, stock, officers, storekeepers with tokens, requisitions."""
    setup_django()
    import datetime

    from django.utils import timezone

    from fangkong.core import services as core
    from fangkong.core.models import Unit
    from fangkong.core.roles import Role
    from fangkong.core.transactions import one_transaction
    from fangkong.supplies import services
    from fangkong.supplies.models import Item, MeasureUnit, Purpose

    migrate_with_bare_table()

    def account(username, roles, unit=None):
        return core.create_account(
            office if roles != [Role.OFFICE] else None,
            username=username,
            password=secrets.token_urlsafe(16),
            roles=roles,
            unit=unit,
        )

    office = None
    office = account("bench-office", [Role.OFFICE])
    campus = core.create_campus(office, code="bench", name="校本部", name_en="Main campus")
    stores = [
        services.create_store(
            office, code=f"store{n}", name=f"物资库{n}", name_en=f"Store {n}", campus=campus
        )
        for n in range(STORES)
    ]
    source = services.create_source(
        office, code="purchase", name="学校采购", name_en="School purchase"
    )
    items = {
        code: services.create_item(
            office, code=code, name=name, name_en=code, category="protective", unit=unit
        )
        for code, name, unit in [
            ("masks", "一次性医用口罩", MeasureUnit.PIECE),
            ("gloves", "医用手套", MeasureUnit.PAIR),
            ("suits", "医用防护服", MeasureUnit.PIECE),
        ]
    }
    keeper = account("bench-keeper", [Role.STOREKEEPER])
    today = timezone.localdate()
    lots = 0
    for store in stores:  # three lots of each, the first received three days ago
        for back in range(3):
            services.post_receipt(
                keeper,
                received_on=today - datetime.timedelta(days=3 - back),
                source=source,
                store=store,
                lines=[
                    {"item": items["masks"], "quantity": 400_000, "lot_number": f"M{back}"},
                    {"item": items["gloves"], "quantity": 400_000, "lot_number": f"G{back}"},
                ],
            )
            lots += 2
    tokens = []
    for n in range(CLIENTS):
        storekeeper = account(f"bench-keeper{n:02d}", [Role.STOREKEEPER])
        tokens.append(core.create_api_token(storekeeper, f"scanner {n}")[1])
    units = []
    for n in range(CLIENTS):
        unit = core.create_unit(
            office, code=f"unit{n:02d}", name=f"第{n + 1}学院", kind=Unit.Kind.ACADEMIC
        )
        units.append((unit, account(f"bench-officer{n:02d}", [Role.OFFICER], unit)))

    def requisition(client: int, number: int, item: Item, quantity: int):
        unit, officer = units[(client + number) % CLIENTS]
        made = services.request_supplies(
            officer,
            unit=unit,
            purpose=Purpose.GENERAL,
            lines=[{"item": item, "quantity": quantity}],
        )
        services.decide_requisition(office, made, approve=True)
        return [made.pk, made.lines.get().pk, quantity]

    ample, scarce = [[] for _ in range(CLIENTS)], [[] for _ in range(CLIENTS)]
    for client in range(CLIENTS):
        with one_transaction():  # one commit per client's batch: the set-up is not timed
            for number in range(REQUISITIONS):
                item = items["masks" if (client + number) % 2 else "gloves"]
                ample[client].append(requisition(client, number, item, 10 + number % 40))
            for number in range(SCARCE_REQUISITIONS):
                scarce[client].append(requisition(client, number, items["suits"], SCARCE_EACH))
    spare = requisition(0, 0, items["masks"], 5)
    queries = count_queries(tokens[0], spare, stores[0].pk)
    close_after_setup()
    return {
        "tokens": tokens,
        "stores": [store.pk for store in stores],
        "lots": lots,
        "ample": ample,
        "scarce": scarce,
        "requisitions": CLIENTS * (REQUISITIONS + SCARCE_REQUISITIONS),
        "queries": queries,
    }


def count_queries(token: str, spare: list, store_id: int) -> dict:
    """The queries of one issue and one bare insert, through Django's test client (the
    same handler and middleware as the server); the token's first use is not counted."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    client.get("/api/v1/supplies/stores", **auth)  # stamps the token's last use
    requisition, line, quantity = spare
    body = {"store": store_id, "recipient": "张伟", "lines": [{"line": line, "quantity": quantity}]}
    with CaptureQueriesContext(connection) as issue:
        response = client.post(
            ISSUE_PATH.format(requisition), body, content_type="application/json", **auth
        )
    if response.status_code != 200:
        raise SystemExit(f"the set-up issue failed: {response.status_code} {response.content}")
    bare = bare_insert_queries(client)
    if os.environ.get("BENCH_SUPPLIES_SHOW_QUERIES") == "1":
        for query in issue.captured_queries:
            sys.stderr.write(query["sql"][:300] + "\n")
    return {"issue": len(issue.captured_queries), "bare": bare}


def child_restock(per_store: int) -> dict:
    """Round C's small stock: `per_store` suits received into each store in three lots."""
    setup_django()
    from django.db import connection
    from django.utils import timezone

    from fangkong.core.models import User
    from fangkong.supplies import services
    from fangkong.supplies.models import Item, SourceCategory, Store

    keeper = User.objects.get(username="bench-keeper")
    suits = Item.objects.get(code="suits")
    source = SourceCategory.objects.get(code="purchase")
    sizes = [per_store // 2, per_store // 3, per_store - per_store // 2 - per_store // 3]
    for store in Store.objects.order_by("pk"):
        services.post_receipt(
            keeper,
            received_on=timezone.localdate(),
            source=source,
            store=store,
            lines=[
                {"item": suits, "quantity": size, "lot_number": f"S{n}"}
                for n, size in enumerate(sizes)
                if size
            ],
        )
    connection.close()
    return {"per_store": per_store, "lots": len([size for size in sizes if size])}


def child_count() -> dict:
    setup_django()
    from django.db import connection
    from django.db.models import Sum

    from fangkong.supplies.models import Balance, Requisition, StockMove
    from fangkong.supplies.selectors import ledger_differences

    def total(queryset):  # suits are counted in whole pieces
        return int(queryset.aggregate(total=Sum("quantity"))["total"] or 0)

    suits = {"item__code": "suits"}
    result = {
        "ledger_differences": ledger_differences(),
        "negative_balances": Balance.objects.filter(quantity__lt=0).count(),
        "issued": Requisition.objects.filter(status=Requisition.Status.ISSUED).count() - 1,
        "suits_received": total(StockMove.objects.filter(kind="receipt", **suits)),
        "suits_issued": -total(StockMove.objects.filter(kind="issue", **suits)),
        "suits_on_hand": total(Balance.objects.filter(**suits)),
    }
    connection.close()
    return result


if __name__ == "__main__":
    if len(sys.argv) > 1:
        child_command(
            sys.argv[1:],
            {
                "setup": child_setup,
                "restock": lambda per_store: child_restock(int(per_store)),
                "count": child_count,
            },
        )
    else:
        main()
