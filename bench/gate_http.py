"""Gate decisions through the real HTTP stack, against a bare Django view doing one INSERT.

The issue's target (issue 5): "Gate decisions through the HTTP API with 16 concurrent
devices: p99 at most 50 ms on this machine and at least 70% of the throughput of a bare
Django JSON view on the same server."

What is posted, and how
    `POST /api/v1/access/gate/decide` with `Authorization: Bearer <token>`: 16 gate devices,
    each a guard's account with a token of its own, at the gates of a gated school
    (`fangkong.testing.school.gated_school`: a closed teaching area, a family area with a
    one-exit-per-two-days household quota). Each request is one person at a gate, in turn:
    seven in ten a scanned pass code (an Ed25519 token, verified by the server) at the
    teaching gate, one in ten a typed pass number there, two in ten a family-area resident
    by person number going in or out at the family gates (their household's quota used,
    or refused with the next exit time). Every request is the whole decision: the
    bearer-token lookup, the token's signature, the pass, isolation and fever checks, the
    area's policy, the household lock and quota, the crossing appended, the answer's JSON.
    A refusal is a 200 too (the gate answers "no, because…"); anything but 2xx is an error.

The rounds, the baseline, the server and the clients are checkin_http's (bench/common.py):
the bare one-INSERT view of bench/benchsite, gunicorn `fangkong.wsgi:application` with 4
sync workers, 16 client threads in this process, A B B A A B B A rounds of ROUND_SECONDS
after an unmeasured warm-up. Afterwards the crossings stored are counted against the 2xx
answers. The databases: a fresh SQLite file, and a PostgreSQL database made for the run
(BENCH_POSTGRES_URL) and dropped after it (skipped, with a notice, if the server does not
answer).

`python -m bench gate_http` (or `make bench BENCH=gate_http`) runs this one alone. Knobs
(environment): BENCH_GATE_DATABASES=sqlite (or postgresql), BENCH_GATE_SECONDS (each round;
4), BENCH_GATE_PASSES (400), BENCH_GATE_HOUSEHOLDS (200), GUNICORN_WORKERS /
GUNICORN_THREADS, BENCH_GATE_APP (another WSGI application), BENCH_GATE_TIMING=1 (where the
time goes inside the server; see bench/benchsite/timing.py).
"""

import itertools
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
PASSES = int(os.environ.get("BENCH_GATE_PASSES", "400"))
HOUSEHOLDS = int(os.environ.get("BENCH_GATE_HOUSEHOLDS", "200"))
ROUND_SECONDS = float(os.environ.get("BENCH_GATE_SECONDS", "4"))
WARMUP_SECONDS = 1.5
ORDER = "ABBAABBA"  # A the bare view, B the gate: each round ROUND_SECONDS
WORKERS = int(os.environ.get("GUNICORN_WORKERS", "4"))
THREADS = int(os.environ.get("GUNICORN_THREADS", "1"))
APP = os.environ.get("BENCH_GATE_APP", "fangkong.wsgi:application")
DATABASES = os.environ.get("BENCH_GATE_DATABASES", "sqlite,postgresql").split(",")
TIMING = os.environ.get("BENCH_GATE_TIMING") == "1"
TARGET_RPS_RATIO = 0.70
TARGET_P99_MS = 50.0
POSTGRES_DB = f"fk_bench_gate_{os.getpid()}"
TIME_ZONE = "Asia/Shanghai"
DECIDE_PATH = "/api/v1/access/gate/decide"


# ---- the parent: databases, server, clients, report -----------------------------------


def main() -> None:
    print(
        f"Gate decisions over HTTP: {CLIENTS} devices, gunicorn {APP} {WORKERS} "
        f"{'sync' if THREADS == 1 else f'gthread x{THREADS}'} workers, decisions through "
        "the API (bearer tokens) against a bare one-INSERT view"
    )
    each_database("fangkong-bench-gate-", DATABASES, POSTGRES_DB, run_database)


def run_database(label: str, database_url: str, workdir: Path) -> None:
    env = server_env(workdir, database_url, time_zone=TIME_ZONE, timing=TIMING)
    print(label)
    clock = time.perf_counter()
    school = run_child("bench.gate_http", ["setup"], env)
    print(
        f"  set-up: migrated; a gated school, {CLIENTS} guards with a token each, "
        f"{len(school['tokens_shown']):,} passes issued at the desk, "
        f"{len(school['residents']):,} family-area residents in {HOUSEHOLDS:,} households "
        f"({time.perf_counter() - clock:.0f} s, not measured)"
    )
    server = Server(
        env, workdir / f"gunicorn-{label.lower()}.log", app=APP, workers=WORKERS, threads=THREADS
    )
    try:
        server.start()
        results = measure(server.port, school)
    finally:
        server.stop()
    counts = run_child("bench.gate_http", ["count"], env)
    report(results, counts, school["queries"])


class Work:
    """What each device sends: a fixed mix of people at the gates, cycled."""

    def __init__(self, school: dict):
        kinds = ["token"] * 7 + ["number"] + ["resident"] * 2
        self.bodies = []
        for client in range(CLIENTS):
            tokens = itertools.cycle(school["tokens_shown"][client::CLIENTS])
            numbers = itertools.cycle(school["numbers"][client::CLIENTS])
            residents = itertools.cycle(school["residents"][client::CLIENTS])
            bodies = []
            for index in range(200):
                kind = kinds[index % len(kinds)]
                if kind == "token":
                    body = {"gate": "teaching-north", "direction": "in", "code": next(tokens)}
                elif kind == "number":
                    body = {
                        "gate": "teaching-north",
                        "direction": "in",
                        "pass_number": next(numbers),
                    }
                else:
                    body = {
                        "gate": "family-east" if index % 20 < 10 else "family-west",
                        "direction": "out" if index % 4 else "in",
                        "person_number": next(residents),
                        "temperature": "36.5",
                    }
                bodies.append(json.dumps(body).encode())
            self.bodies.append(itertools.cycle(bodies))
        self.bare = BareInserts(CLIENTS)

    def decide(self, client: int) -> tuple[str, bytes]:
        return DECIDE_PATH, next(self.bodies[client])


def measure(port: int, school: dict) -> dict:
    work = Work(school)
    headers = json_headers(school["tokens"])

    def bare_round(seconds):
        return Round(port, work.bare, lambda n: BARE_HEADERS, seconds, clients=CLIENTS).run()

    def gate_round(seconds):
        return Round(port, work.decide, lambda n: headers[n], seconds, clients=CLIENTS).run()

    warmups = [bare_round(WARMUP_SECONDS), gate_round(WARMUP_SECONDS)]
    bare, gate = Side("bare one-INSERT view"), Side("gate decision (API)")
    for letter in ORDER:
        if letter == "A":
            bare.rounds.append(bare_round(ROUND_SECONDS))
        else:
            gate.rounds.append(gate_round(ROUND_SECONDS))
    return {
        "bare": bare,
        "gate": gate,
        "warmup_errors": sum(sum(one.errors.values()) for one in warmups),
        "warmup_gate": warmups[1].ok,
        "warmup_bare": warmups[0].ok,
    }


def report(results: dict, counts: dict, queries: dict) -> None:
    bare, gate = results["bare"], results["gate"]
    print(
        f"  {'':34}{'requests/s':>11}{'p50 ms':>9}{'p99 ms':>9}{'requests':>10}"
        f"{'errors':>8}  rounds' requests/s"
    )
    for side in (bare, gate):
        spread = ", ".join(f"{value:.0f}" for value in side.round_rps())
        print(
            f"  {side.label:<34}{side.rps:>11.1f}{side.percentile(0.50) * 1000:>9.1f}"
            f"{side.percentile(0.99) * 1000:>9.1f}{len(side.latencies):>10,}"
            f"{sum(side.errors.values()):>8}  {spread}"
        )
    print(
        f"  ({len(bare.rounds)} rounds of {ROUND_SECONDS:g} s each, interleaved {ORDER}, after "
        f"{WARMUP_SECONDS:g} s of warm-up each;"
    )
    print(
        f"   SQL statements per request, BEGIN, SAVEPOINTs and COMMIT included: bare "
        f"{queries['bare']}, gate decision by code {queries['token']}, by resident "
        f"{queries['resident']})"
    )
    print(f"  Decisions stored, by reason: {counts['by_reason']}")
    rps_ratio = gate.rps / bare.rps
    p99_ms = gate.percentile(0.99) * 1000
    errors = sum(bare.errors.values()) + sum(gate.errors.values())
    pairs = [g / b for g, b in zip(gate.round_rps(), bare.round_rps(), strict=True)]
    print("  Targets")
    verdict = "met" if rps_ratio >= TARGET_RPS_RATIO else "NOT MET"
    print(
        f"    requests/s over the bare view {rps_ratio:6.3f}  target at least "
        f"{TARGET_RPS_RATIO:.2f}: {verdict}  (round by round: {min(pairs):.2f}-{max(pairs):.2f})"
    )
    verdict = "met" if p99_ms <= TARGET_P99_MS else "NOT MET"
    print(
        f"    p99 latency {p99_ms:8.1f} ms           target at most {TARGET_P99_MS:g} ms: {verdict}"
    )
    verdict = "met" if errors == 0 else "NOT MET"
    print(f"    errors      {errors:8d}              target 0: {verdict}")
    if TIMING:
        report_timing([bare, gate], "BENCH_GATE_TIMING=1")
    report_errors([bare, gate], results["warmup_errors"])
    answered = results["warmup_gate"] + gate.ok
    stored = counts["crossings"] - queries["crossings_before"]
    if stored != answered:
        print(f"    CHECK FAILED: {stored:,} crossings stored for {answered:,} answered 2xx")
    else:
        print(f"    stored: {stored:,} crossings, one for each 2xx")


# ---- the children: Django set up in a process of its own -------------------------------


def child_setup() -> dict:
    """Migrate; the gated school, guards with tokens, passes, households; query counts."""
    setup_django()
    from django.db import transaction

    from fangkong.access import services
    from fangkong.core import services as core_services
    from fangkong.core.models import Household, Person
    from fangkong.core.roles import Role
    from fangkong.testing.school import gated_school

    migrate_with_bare_table()
    school = gated_school()
    tokens = []
    for index in range(CLIENTS):
        guard = core_services.create_account(
            school.office,
            username=f"bench-guard{index:02d}",
            password=secrets.token_urlsafe(16),
            roles=[Role.GUARD],
        )
        tokens.append(core_services.create_api_token(guard, f"gate device {index}")[1])
    with transaction.atomic():
        Person.objects.bulk_create(
            (
                Person(
                    person_number=f"G{index:07d}",
                    name=f"持证人{index}",
                    sex="M" if index % 2 else "F",
                    category=Person.Category.STAFF,
                    unit=school.unit,
                )
                for index in range(PASSES)
            ),
            batch_size=1000,
        )
        households = Household.objects.bulk_create(
            Household(area=school.family, address=f"{index // 20 + 1}-{index % 20 + 101}")
            for index in range(HOUSEHOLDS)
        )
        Person.objects.bulk_create(
            (
                Person(
                    person_number=f"H{index:07d}",
                    name=f"住户{index}",
                    sex="M" if index % 2 else "F",
                    category=Person.Category.STAFF,
                    unit=school.unit,
                    residence=Person.Residence.HOUSEHOLD,
                    household=households[index // 2],
                )
                for index in range(2 * HOUSEHOLDS)
            ),
            batch_size=1000,
        )
    holders = list(Person.objects.filter(person_number__startswith="G").order_by("pk"))
    shown, numbers = [], []
    for holder in holders:
        gate_pass = services.issue_at_desk(
            school.office, holder=holder, pass_type=school.duty, reason="在岗值班"
        )
        shown.append(services.pass_token(gate_pass))
        numbers.append(gate_pass.number)
    residents = list(
        Person.objects.filter(person_number__startswith="H")
        .order_by("pk")
        .values_list("person_number", flat=True)
    )
    queries = count_queries(tokens[0], shown[0], residents[0])
    close_after_setup()
    return {
        "tokens": tokens,
        "tokens_shown": shown,
        "numbers": numbers,
        "residents": residents,
        "queries": queries,
    }


def count_queries(token: str, shown: str, resident: str) -> dict:
    """The queries of one decision by code, one by resident, and one bare insert, through
    Django's test client (the same handler and middleware as the server); the token's first
    use is not counted."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from fangkong.access.models import Crossing

    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    client.get("/api/v1/access/gates", **auth)  # stamps the token's last use
    counts = {}
    for name, body in (
        ("token", {"gate": "teaching-north", "direction": "in", "code": shown}),
        ("resident", {"gate": "family-east", "direction": "in", "person_number": resident}),
    ):
        with CaptureQueriesContext(connection) as captured:
            response = client.post(DECIDE_PATH, body, content_type="application/json", **auth)
        if response.status_code != 200 or not response.json()["allowed"]:
            raise SystemExit(
                f"the set-up decision failed: {response.status_code} {response.content}"
            )
        counts[name] = len(captured.captured_queries)
    counts["bare"] = bare_insert_queries(client)
    counts["crossings_before"] = Crossing.objects.count()
    return counts


def child_count() -> dict:
    setup_django()
    from django.db import connection
    from django.db.models import Count

    from fangkong.access.models import Crossing

    by_reason = dict(Crossing.objects.values_list("reason").annotate(n=Count("pk")).order_by("-n"))
    result = {"crossings": sum(by_reason.values()), "by_reason": by_reason}
    connection.close()
    return result


if __name__ == "__main__":
    if len(sys.argv) > 1:
        child_command(sys.argv[1:], {"setup": child_setup, "count": child_count})
    else:
        main()
