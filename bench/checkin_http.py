"""Daily check-ins through the real HTTP stack, against a bare Django view doing one INSERT.

The issue's targets (issue 3), on SQLite and on PostgreSQL: check-in submissions served by
gunicorn run at at least 50% of the requests/s of a bare Django view doing one INSERT on
the same server, with a p99 latency at most 3x that view's, and with no errors at 16
concurrent clients.

What is submitted, and how
    `POST /api/v1/reporting/checkins` with `Authorization: Bearer <token>`: the way a phone
    app or a unit's system posts check-ins, and the API's whole path — the bearer-token
    lookup, django-ninja's parsing and validation, the scoping of the person,
    `reporting.services.submit_checkin` (one check-in per person per day, in a transaction)
    and the JSON of the stored check-in with its versions. Each of the 16 clients is a
    unit's system: an information officer of its own unit with its own token, posting the
    check-ins of that unit's people, each person once a day (a second would be refused).
    The member's form page (`reporting:my-checkin`) was not chosen: it needs one logged-in
    member per check-in (a session and a CSRF token each, made by argon2 log-ins that are
    no part of a submission), answers with a redirect and a page render, and so measures a
    browser round trip more than a submission. The API is what sends check-ins in bulk.

The baseline
    `POST /bench/insert` (bench/benchsite/urls.py): a bare view, CSRF-exempt, that inserts
    the request's body into a small table with one raw INSERT and answers 11 bytes. It is
    served by the same gunicorn, through the same settings, middleware and database
    connection settings (bench.benchsite.settings is fangkong.settings with the bench URLs
    in front of Fangkong's), so the ratio is the cost of the check-in itself.

The server
    gunicorn `fangkong.wsgi:application`, 4 sync workers (GUNICORN_WORKERS, GUNICORN_THREADS
    to try others): the README's own deployment. A request is Python on the CPU between a
    few database round trips; on 2 cores two processes per core keep both busy while the
    others wait on the database, and threads (gthread) add nothing for CPU-bound Python
    under the GIL but switching. Tried: 2 gthread workers x 4 threads gave the check-ins a
    ratio of 0.09 (SQLite) and 0.12 (PostgreSQL), 4 sync workers 0.11 and 0.15, in runs
    under the same heavy load of the shared machine: keep-alive helped the bare view more
    than threads helped the check-ins. The 16 clients' connections queue on the listen
    socket; sync workers close each connection after its response, so the clients
    reconnect each time (as they would behind nginx's default proxying): that cost falls
    on both sides.

The clients
    16 threads in this process, each with its own http.client connection, all started
    together and stopped at a deadline. The measurement alternates between the two
    endpoints, A B B A A B B A, each run ROUND_SECONDS long after an unmeasured warm-up, so
    that a busy spell of the shared machine falls on both. Every request's latency is kept
    (from sending to the last byte of the answer); an error is an answer other than 2xx or
    an exception. The clients share the 2 cores with the server, the same for both.

The databases
    A fresh SQLite file in a temporary directory, and a PostgreSQL database made for the
    run on postgres://postgres@127.0.0.1:5432 (BENCH_POSTGRES_URL) and dropped after it;
    PostgreSQL is skipped, with a notice, when the server does not answer. Each is migrated
    and given 16 units with an officer and a token each and 20,000 people (bulk_create).
    Afterwards the check-ins in the database are counted against the 2xx answers.

`python -m bench checkin_http` runs this one alone; `make bench BENCH=checkin_http` too.
Knobs (environment): BENCH_CHECKIN_DATABASES=sqlite (or postgresql), BENCH_CHECKIN_SECONDS
(each round; 4), BENCH_CHECKIN_PEOPLE (20000), GUNICORN_WORKERS / GUNICORN_THREADS,
BENCH_CHECKIN_APP (another WSGI application, to measure a change without editing the tree),
BENCH_CHECKIN_TIMING=1 (an extra middleware reports where the time goes inside the server:
Django's wall and CPU time, SQL, SQLite's write-lock wait; see bench/benchsite/timing.py).
"""

import datetime
import json
import os
import secrets
import sys
import time
import zoneinfo
from pathlib import Path

from bench.common import (
    BARE_HEADERS,
    BENCH_SETTINGS,
    BareInserts,
    Round,
    Server,
    Side,
    bare_insert_queries,
    child_command,
    child_env,
    close_after_setup,
    each_database,
    json_headers,
    migrate_with_bare_table,
    report_errors,
    report_timing,
    run_child,
    setup_django,
)

CLIENTS = 16
PEOPLE = int(os.environ.get("BENCH_CHECKIN_PEOPLE", "20000"))
ROUND_SECONDS = float(os.environ.get("BENCH_CHECKIN_SECONDS", "4"))
WARMUP_SECONDS = 1.5
ORDER = "ABBAABBA"  # A the bare view, B the check-ins: each round ROUND_SECONDS
WORKERS = int(os.environ.get("GUNICORN_WORKERS", "4"))
THREADS = int(os.environ.get("GUNICORN_THREADS", "1"))  # more than 1: gthread workers
# The WSGI application gunicorn serves: another module's to measure a change to Fangkong
# without editing the tree (e.g. one that imports fangkong.wsgi and patches a service).
APP = os.environ.get("BENCH_CHECKIN_APP", "fangkong.wsgi:application")
DATABASES = os.environ.get("BENCH_CHECKIN_DATABASES", "sqlite,postgresql").split(",")
TARGET_RPS_RATIO = 0.5
TARGET_P99_RATIO = 3.0
POSTGRES_DB = f"fk_bench_checkin_{os.getpid()}"
SETTINGS = BENCH_SETTINGS
TIME_ZONE = "Asia/Shanghai"  # the server's (fangkong.settings' default), for the dates sent
TIMING = os.environ.get("BENCH_CHECKIN_TIMING") == "1"  # see bench/benchsite/timing.py
CHECKIN_PATH = "/api/v1/reporting/checkins"
PROVINCES = [("陕西省", "西安市"), ("河南省", "郑州市"), ("湖北省", "武汉市"), ("四川省", "成都市")]


# ---- the parent: databases, server, clients, report -----------------------------------


def main() -> None:
    print(
        f"Check-ins over HTTP: {CLIENTS} clients, gunicorn {APP} {WORKERS} "
        f"{'sync' if THREADS == 1 else f'gthread x{THREADS}'} workers, "
        f"API check-ins (bearer tokens) against a bare one-INSERT view"
    )
    each_database("fangkong-bench-checkin-", DATABASES, POSTGRES_DB, run_database)


def run_database(label: str, database_url: str, workdir: Path) -> None:
    env = child_env(
        workdir / "var",
        database_url,
        DJANGO_SETTINGS_MODULE=SETTINGS,  # Fangkong's with the bare view's URL in front
        TIME_ZONE=TIME_ZONE,
        LOG_LEVEL="WARNING",
    )
    print(f"{label}")
    clock = time.perf_counter()
    school = run_child("bench.checkin_http", ["setup"], env)
    print(
        f"  set-up: migrated, {len(school['tokens'])} units with an officer and a token each, "
        f"{school['people']:,} people ({time.perf_counter() - clock:.0f} s, not measured)"
    )
    log = workdir / f"gunicorn-{label.lower()}.log"
    server = Server(env, log, app=APP, workers=WORKERS, threads=THREADS)
    try:
        server.start()
        results = measure(server.port, school)
    finally:
        server.stop()
    counts = run_child("bench.checkin_http", ["count"], env)
    report(results, counts, school["queries"])


# ---- the clients ----------------------------------------------------------------------


class Work:
    """What one client sends: its endpoint's bodies, one after another."""

    def __init__(self, school: dict):
        self.school = school
        # Each client's (person, day) pairs: every person of its unit today, then the days
        # before while they are still open, so no pair is sent twice.
        today = datetime.datetime.now(zoneinfo.ZoneInfo(TIME_ZONE)).date()
        days = [None] + [
            (today - datetime.timedelta(days=back)).isoformat()
            for back in range(1, school["days_open"] + 1)
        ]
        self.pairs = [
            iter([(person, day) for day in days for person in people])
            for people in school["people_by_client"]
        ]
        self.bare = BareInserts(CLIENTS)

    def checkin(self, client: int) -> tuple[str, bytes] | None:
        pair = next(self.pairs[client], None)
        if pair is None:
            return None
        person, day = pair
        province, city = PROVINCES[person % len(PROVINCES)]
        body = {
            "person_id": person,
            "temperature": "37.6" if person % 50 == 0 else "36.5",
            "symptoms": ["cough"] if person % 97 == 0 else [],
            "current_province": province,
            "current_city": city,
            "on_campus": person % 3 != 0,
            "contact_with_region_of_concern": False,
        }
        if day is not None:
            body["date"] = day
        return CHECKIN_PATH, json.dumps(body).encode()


def measure(port: int, school: dict) -> dict:
    work = Work(school)
    checkin_headers = json_headers(school["tokens"])

    def bare_round(seconds):
        return Round(port, work.bare, lambda n: BARE_HEADERS, seconds, clients=CLIENTS).run()

    def checkin_round(seconds):
        return Round(
            port, work.checkin, lambda n: checkin_headers[n], seconds, clients=CLIENTS
        ).run()

    # Unmeasured: every worker imports the API's routers and schemas on its first request.
    warmups = [bare_round(WARMUP_SECONDS), checkin_round(WARMUP_SECONDS)]
    bare, checkin = Side("bare one-INSERT view"), Side("check-in (API, bearer token)")
    for letter in ORDER:
        if letter == "A":
            bare.rounds.append(bare_round(ROUND_SECONDS))
        else:
            checkin.rounds.append(checkin_round(ROUND_SECONDS))
    exhausted = sum(one.exhausted for one in checkin.rounds)
    return {
        "bare": bare,
        "checkin": checkin,
        "warmup_errors": sum(sum(one.errors.values()) for one in warmups),
        "warmup_checkins": warmups[1].ok,
        "warmup_bare": warmups[0].ok,
        "exhausted": exhausted,
    }


def report(results: dict, counts: dict, queries: dict) -> None:
    bare, checkin = results["bare"], results["checkin"]
    rounds = len(bare.rounds)
    print(
        f"  {'':34}{'requests/s':>11}{'p50 ms':>9}{'p99 ms':>9}{'requests':>10}"
        f"{'errors':>8}  rounds' requests/s"
    )
    for side in (bare, checkin):
        spread = ", ".join(f"{value:.0f}" for value in side.round_rps())
        print(
            f"  {side.label:<34}{side.rps:>11.1f}{side.percentile(0.50) * 1000:>9.1f}"
            f"{side.percentile(0.99) * 1000:>9.1f}{len(side.latencies):>10,}"
            f"{sum(side.errors.values()):>8}  {spread}"
        )
    print(
        f"  ({rounds} rounds of {ROUND_SECONDS:g} s each, interleaved {ORDER}, after "
        f"{WARMUP_SECONDS:g} s of warm-up each;"
    )
    print(
        f"   SQL statements per request in Fangkong's code, BEGIN, SAVEPOINTs and COMMIT "
        f"included: bare {queries['bare']}, check-in {queries['checkin']})"
    )
    rps_ratio = checkin.rps / bare.rps
    p99_ratio = checkin.percentile(0.99) / bare.percentile(0.99)
    errors = sum(bare.errors.values()) + sum(checkin.errors.values())
    print("  Ratios (check-in over bare view)")
    # Each check-in round against the bare round next to it in ABBAABBA.
    pairs = [c / b for c, b in zip(checkin.round_rps(), bare.round_rps(), strict=True)]
    verdict = "met" if rps_ratio >= TARGET_RPS_RATIO else "NOT MET"
    print(
        f"    requests/s  {rps_ratio:6.3f}  target at least {TARGET_RPS_RATIO:.2f}: {verdict}  "
        f"(round by round: {min(pairs):.2f}-{max(pairs):.2f})"
    )
    verdict = "met" if p99_ratio <= TARGET_P99_RATIO else "NOT MET"
    print(f"    p99 latency {p99_ratio:6.2f}   target at most {TARGET_P99_RATIO:g}: {verdict}")
    verdict = "met" if errors == 0 else "NOT MET"
    print(f"    errors      {errors:6d}   target 0 at {CLIENTS} clients: {verdict}")
    if TIMING:
        report_timing([bare, checkin])
    report_errors([bare, checkin], results["warmup_errors"])
    if results["exhausted"]:
        print(
            f"    ({results['exhausted']} client rounds ran out of people: raise "
            "BENCH_CHECKIN_PEOPLE)"
        )
    answered = results["warmup_checkins"] + checkin.ok
    stored = counts["checkins"] - counts["before"]
    rows = counts["bare_rows"]
    answered_bare = results["warmup_bare"] + bare.ok
    if stored != answered or rows != answered_bare:
        print(
            f"    CHECK FAILED: {stored} check-ins stored for {answered} answered 2xx; "
            f"{rows} bare rows for {answered_bare}"
        )
    else:
        print(f"    stored: {stored:,} check-ins and {rows:,} bare rows, one for each 2xx")


# ---- the children: Django set up in a process of its own -------------------------------


def child_setup() -> dict:
    """Migrate; units, officers with tokens, people; the bare view's table; query counts."""
    setup_django()
    from django.db import transaction

    from fangkong.core import services
    from fangkong.core.models import Person, Unit
    from fangkong.core.roles import Role
    from fangkong.reporting.models import ReportingPolicy

    migrate_with_bare_table()
    office = services.create_account(
        None, username="bench-office", password=secrets.token_urlsafe(16), roles=[Role.OFFICE]
    )
    units, tokens = [], []
    for index in range(CLIENTS):
        unit = services.create_unit(
            office,
            code=f"bench{index:02d}",
            name=f"第{index + 1}学院",
            name_en=f"College {index + 1}",
            kind=Unit.Kind.ACADEMIC,
        )
        officer = services.create_account(
            office,
            username=f"bench-officer{index:02d}",
            password=secrets.token_urlsafe(16),
            roles=[Role.OFFICER],
            unit=unit,
        )
        _token, raw = services.create_api_token(officer, f"unit system {index}")
        units.append(unit)
        tokens.append(raw)
    # One more person than the clients use: the query count below checks it in.
    with transaction.atomic():
        Person.objects.bulk_create(
            (
                Person(
                    person_number=f"C{index:07d}",
                    name=f"人员{index}",
                    sex="M" if index % 2 else "F",
                    category=Person.Category.UNDERGRADUATE,
                    unit=units[index % CLIENTS],
                    current_province="陕西省",
                    current_city="西安市",
                )
                for index in range(PEOPLE + 1)
            ),
            batch_size=2000,
        )
    people_by_client = [[] for _ in range(CLIENTS)]
    unit_index = {unit.pk: index for index, unit in enumerate(units)}
    spare = None
    for pk, unit_id, number in Person.objects.order_by("pk").values_list(
        "pk", "unit_id", "person_number"
    ):
        if number == f"C{PEOPLE:07d}":
            spare = (pk, unit_index[unit_id])
        else:
            people_by_client[unit_index[unit_id]].append(pk)
    queries = count_queries(tokens[spare[1]], spare[0])
    close_after_setup()
    return {
        "tokens": tokens,
        "people": PEOPLE,
        "people_by_client": people_by_client,
        "days_open": ReportingPolicy.current().days_open,
        "queries": queries,
    }


def count_queries(token: str, person_id: int) -> dict:
    """The queries of one check-in and one bare insert, through Django's test client (the
    same handler and middleware as the server); the token's first use is not counted."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    client.get("/api/v1/reporting/policy", **auth)  # stamps the token's last use
    body = {
        "person_id": person_id,
        "temperature": "36.5",
        "symptoms": [],
        "current_province": "陕西省",
        "current_city": "西安市",
        "on_campus": True,
        "contact_with_region_of_concern": False,
    }
    with CaptureQueriesContext(connection) as checkin:
        response = client.post(CHECKIN_PATH, body, content_type="application/json", **auth)
    if response.status_code != 200:
        raise SystemExit(f"the set-up check-in failed: {response.status_code} {response.content}")
    return {"checkin": len(checkin.captured_queries), "bare": bare_insert_queries(client)}


def child_count() -> dict:
    setup_django()
    from django.db import connection

    from bench.benchsite.urls import TABLE
    from fangkong.reporting.models import HealthCheckin

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {TABLE}")
        (bare_rows,) = cursor.fetchone()
    result = {
        "checkins": HealthCheckin.objects.count(),
        "before": 1,  # the set-up's own check-in
        "bare_rows": bare_rows - 1,  # and its own bare insert
    }
    connection.close()
    return result


if __name__ == "__main__":
    if len(sys.argv) > 1:
        child_command(sys.argv[1:], {"setup": child_setup, "count": child_count})
    else:
        main()
