"""Report tables at scale: the completeness and consolidated pages over 6 million check-ins,
against the one SQL aggregate each needs.

The issue's target (issue 3): "The completeness table and the consolidated table for 33,000
people x 180 days of check-ins (6 million rows) render with a fixed number of queries and
within 3x the time of the single SQL aggregate they need."

The data
    A migrated database with 27 units that report daily, 33,000 people in blocks of uneven
    size (as units import their people), an office account, six report fields (headcount,
    checked in and flagged computed from the records; three entered by hand) with two
    rules between them, and for each unit and each of 180 days a submitted or approved
    report with its six figures (a few late, a few differing from the records with a
    reason). One more day, after the period, has only 3 reports: the consolidated table's
    "few reports" day. And 33,000 x 180 = 5,940,000 current check-ins, about 1% abnormal,
    written a day at a time (as they arrive) by one INSERT ... SELECT per day from
    core_person, the table's secondary indexes dropped for the load and made again from
    their own SQL afterwards (PostgreSQL: foreign-key triggers off during the load, the
    rows being valid by construction), then ANALYZE (PostgreSQL: VACUUM ANALYZE, so that
    autovacuum does not wake up in the middle of the measurement).

    The SQLite database is built once and kept under FANGKONG_VAR_DIR (default
    /tmp/fk-scale), named by a hash of the migrations and of this file's build code; each
    run works on a copy of it in a temporary directory. PostgreSQL gets a database of its
    own on postgres://postgres@127.0.0.1:5432 (BENCH_POSTGRES_URL), built and dropped in
    every run (skipped, with a notice, when the server does not answer).

What is measured (in a child process per database, Django set up on fangkong.settings)
    baseline  the aggregate by hand: one raw SELECT of the current check-ins joined to
              core_person, grouped by unit and day, with the three counts the reporting
              figures take (checked in, on campus, flagged), fetched whole, on the same
              connection; for 180 days (completeness) and for one day (consolidated).
    page      GET of the page through django.test.Client, logged in as the office
              (force_login): the full request — session, user, roles, the view's queries,
              the cells built in Python, the template — as a user waits for it. The static
              files storage is the plain one (no collectstatic manifest here), as in the
              test suite.
    The two alternate (A B B A ...), REPS times each after a warm-up; the figures are the
    medians. Query counts are taken with CaptureQueriesContext outside the timed runs: the
    completeness page for 7 and for 180 days, the consolidated page for the day with 3
    reports and for a day with 27.
    When a target is not met, a breakdown follows (the page's SQL, the cells built in
    Python, the template) with EXPLAIN of the baseline and of Django's aggregate.

BENCH_SCALE_REPS (default 5) sets the repetitions; BENCH_SCALE_BREAKDOWN=consolidated (or
completeness, or 1 for both) prints the breakdown even when the target is met;
BENCH_SCALE_PEOPLE and BENCH_SCALE_DAYS a smaller data set for a quick run (the target is
for 33,000 x 180).
`python -m bench reports_scale` runs this one alone.
"""

import datetime
import hashlib
import inspect
import os
import secrets
import shutil
import statistics
import sys
import time
from pathlib import Path

from bench.common import (
    ROOT,
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

UNITS = 27
PEOPLE = int(os.environ.get("BENCH_SCALE_PEOPLE", "33000"))
DAYS = int(os.environ.get("BENCH_SCALE_DAYS", "180"))
REPS = int(os.environ.get("BENCH_SCALE_REPS", "5"))
START = datetime.date(2020, 2, 1)  # fixed, so that a kept database serves any later run
END = START + datetime.timedelta(days=DAYS - 1)
SPARSE_DAY = END + datetime.timedelta(days=1)  # 3 reports, no check-ins
FULL_DAY = START + datetime.timedelta(days=DAYS // 2)
SHORT_DAYS = 7
TARGET_RATIO = 3.0
VAR_DIR = Path(os.environ.get("FANGKONG_VAR_DIR", "/tmp/fk-scale"))
POSTGRES_DB = f"fk_bench_scale_{os.getpid()}"
OFFICE_USERNAME = "bench-office"

# The report's figures: (code, label, English label, source).
FIELDS = [
    ("headcount", "单位人数", "People of the unit", "headcount"),
    ("checked_in", "当日打卡人数", "Checked in", "checked_in"),
    ("flagged", "异常人数", "Flagged check-ins", "flagged"),
    ("in_hubei", "在湖北人数", "In Hubei now", "manual"),
    ("returned", "返校人数", "Returned to campus", "manual"),
    ("off_campus_isolated", "校外隔离人数", "Isolated off campus", "manual"),
]

# One aggregate, the baseline: what reporting.figures.checkin_figures asks for, by hand.
BASELINE_SQL = """
SELECT p.unit_id, c.date, COUNT(*),
       SUM(CASE WHEN c.on_campus THEN 1 ELSE 0 END),
       SUM(CASE WHEN c.is_abnormal THEN 1 ELSE 0 END)
FROM reporting_healthcheckin c JOIN core_person p ON p.id = c.person_id
WHERE c.superseded_at IS NULL AND c.date BETWEEN %s AND %s
GROUP BY p.unit_id, c.date
"""


# ---- the parent: databases, children, report ------------------------------------------


def main() -> None:
    print(
        f"Report tables at scale: {PEOPLE:,} people x {DAYS} days = {PEOPLE * DAYS:,} "
        f"check-ins, {UNITS} units; the completeness page ({DAYS} days) and the "
        "consolidated page (one day) against the SQL aggregate each needs"
    )
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    with run_directory("fangkong-bench-scale-") as workdir:
        run_sqlite(workdir)
        with postgres_database(POSTGRES_DB) as postgres_url:
            if postgres_url is not None:
                print(f"PostgreSQL (database {POSTGRES_DB}, made for this run)")
                run_database("PostgreSQL", postgres_url, workdir, build=True)


def build_hash() -> str:
    """The kept SQLite database's name: the migrations, the build code, the sizes."""
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("fangkong/*/migrations/*.py")):
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    for function in BUILD_CODE:
        digest.update(inspect.getsource(function).encode())
    digest.update(repr((UNITS, PEOPLE, DAYS, START, FIELDS)).encode())
    return digest.hexdigest()[:16]


def run_sqlite(workdir: Path) -> None:
    kept = VAR_DIR / f"reports-scale-{build_hash()}.sqlite3"
    database = workdir / "scale.sqlite3"
    if kept.exists():
        clock = time.perf_counter()
        shutil.copyfile(kept, database)
        print(
            f"SQLite (kept database {kept.name}, {kept.stat().st_size / 1e9:.1f} GB, "
            f"copied in {time.perf_counter() - clock:.0f} s; delete it to time the build)"
        )
        run_database("SQLite", f"sqlite:///{database}", workdir, build=False)
        return
    for stale in VAR_DIR.glob("reports-scale-*.sqlite3*"):
        stale.unlink()
    partial = VAR_DIR / f"{kept.name}.partial"
    partial.unlink(missing_ok=True)
    print("SQLite (no kept database: building it)")
    run_database(
        "SQLite", f"sqlite:///{partial}", workdir, build=True, keep=(partial, kept, database)
    )


def run_database(label: str, url: str, workdir: Path, *, build: bool, keep=None) -> None:
    env = scale_env(url)
    if build:
        clock = time.perf_counter()
        built = run_child("bench.reports_scale", ["build"], env)
        total = time.perf_counter() - clock
        steps = built["steps"]
        print(
            f"  build: {total:.0f} s (migrate {steps['migrate']:.0f} s, people, fields and "
            f"reports {steps['school']:.0f} s, {built['checkins']:,} check-ins "
            f"{steps['checkins']:.0f} s, indexes {steps['indexes']:.0f} s, "
            f"{built['analyze']} {steps['analyze']:.0f} s); not measured"
        )
        if keep is not None:
            partial, kept, database = keep
            partial.rename(kept)
            shutil.copyfile(kept, database)
            env = scale_env(f"sqlite:///{database}")
    results = run_child("bench.reports_scale", ["measure"], env)
    report(label, results)


def scale_env(database_url: str) -> dict:
    # The var directory is kept between runs (with the kept SQLite database), not the run's.
    return child_env(VAR_DIR / "var", database_url, LOG_LEVEL="WARNING")


def report(label: str, results: dict) -> None:
    def ms(values):
        return statistics.median(values) * 1000

    def spread(values):
        return f"{min(values) * 1000:,.0f}-{max(values) * 1000:,.0f}"

    runs = len(results["consolidated"]["page"])
    print(
        f"  Times (median of {results['reps']} runs each, consolidated {runs}, interleaved; "
        "every run's range in brackets)"
    )
    rows = [
        ("completeness", f"{DAYS} days", results["completeness"]),
        ("consolidated", "one day", results["consolidated"]),
    ]
    for name, what, figures in rows:
        base, page = ms(figures["baseline"]), ms(figures["page"])
        print(
            f"    {name:<13} baseline aggregate ({what}) {base:>8,.1f} ms "
            f"[{spread(figures['baseline'])}]   page {page:>8,.1f} ms "
            f"[{spread(figures['page'])}]"
        )
    print("  Ratios (page / baseline)")
    met = {}
    for name, _what, figures in rows:
        ratio = ms(figures["page"]) / ms(figures["baseline"])
        met[name] = ratio <= TARGET_RATIO
        verdict = "MET" if met[name] else "NOT MET"
        print(f"    {name:<13} {ratio:5.2f}   target at most {TARGET_RATIO:.0f}: {verdict}")
    counts = results["queries"]
    print("  Queries per page (the whole request: session, user, roles and the view's)")
    for name, small, large in [
        ("completeness", f"{SHORT_DAYS} days", f"{DAYS} days"),
        ("consolidated", "3 reports", f"{UNITS} reports"),
    ]:
        few, many = counts[name]
        verdict = "fixed: MET" if few == many else "NOT fixed: NOT MET"
        print(f"    {name:<13} {small:>10}: {few:>3}   {large:>10}: {many:>3}   {verdict}")
    for line in results.get("notes", []):
        print(f"  {line}")
    for name, breakdown in results.get("breakdowns", {}).items():
        print(f"  Where the {name} page's time goes (median of {breakdown['runs']} runs)")
        for part, seconds in breakdown["parts"]:
            shown = f"{seconds * 1000:>9,.1f} ms" if seconds >= 0 else "  ~0 (below the noise)"
            print(f"    {part:<68} {shown}")
        for title, plan in breakdown["plans"]:
            print(f"    {title}")
            for plan_line in plan:
                print(f"      {plan_line}")
    for experiment in results.get("experiments", []):
        print(f"  {experiment}")


# ---- the children: Django set up in a process of its own -------------------------------


def child_build() -> dict:
    """Migrate and fill the database (see the module's docstring)."""
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    steps = {}
    clock = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    steps["migrate"] = time.perf_counter() - clock
    clock = time.perf_counter()
    office_id = build_school()
    steps["school"] = time.perf_counter() - clock
    if connection.vendor == "sqlite":
        connection.close()
        checkins, analyze = build_checkins_sqlite(office_id, steps)
    else:
        checkins, analyze = build_checkins_postgres(office_id, steps)
    connection.close()
    return {"steps": steps, "checkins": checkins, "analyze": analyze}


def unit_sizes() -> list[int]:
    """People per unit: uneven blocks (weights 1..5) that add up to PEOPLE."""
    weights = [1 + (index * 7) % 5 for index in range(UNITS)]
    sizes = [PEOPLE * weight // sum(weights) for weight in weights]
    sizes[0] += PEOPLE - sum(sizes)
    return sizes


def flagged_on(person_id: int, offset: int) -> bool:
    """Whether a person's check-in on START + offset days is abnormal (about 1%); the same
    rule as the check-ins' INSERT below."""
    return (person_id + offset) % 100 == 0


def build_school() -> int:
    """Units, people, the office, the report's fields and rules, every report and figure."""
    from collections import Counter

    from django.db import transaction
    from django.utils import timezone

    from fangkong.core import services
    from fangkong.core.models import Person, Unit
    from fangkong.core.roles import Role
    from fangkong.reporting import services as reporting_services
    from fangkong.reporting.models import ReportValue, UnitReport, ValidationRule

    office = services.create_account(
        None, username=OFFICE_USERNAME, password=secrets.token_urlsafe(16), roles=[Role.OFFICE]
    )
    units = [
        services.create_unit(
            office,
            code=f"unit{index:02d}",
            name=f"第{index + 1}学院",
            name_en=f"College {index + 1}",
            kind=Unit.Kind.ACADEMIC,
            reports_daily=True,
        )
        for index in range(UNITS)
    ]
    with transaction.atomic():
        number = 0
        for unit, size in zip(units, unit_sizes(), strict=True):
            Person.objects.bulk_create(
                (
                    Person(
                        person_number=f"S{number + index:07d}",
                        name=f"人员{number + index}",
                        sex="M" if index % 2 else "F",
                        category=Person.Category.UNDERGRADUATE,
                        unit=unit,
                        current_province="陕西省",
                        current_city="西安市",
                    )
                    for index in range(size)
                ),
                batch_size=2000,
            )
            number += size
    fields = {}
    for order, (code, label, label_en, source) in enumerate(FIELDS, start=1):
        fields[code] = reporting_services.create_report_field(
            office, code=code, label=label, label_en=label_en, order=order * 10, source=source
        )
    reporting_services.create_validation_rule(
        office,
        left=fields["checked_in"],
        operator=ValidationRule.Operator.LE,
        right=fields["headcount"],
        priority="high",
    )
    reporting_services.create_validation_rule(
        office,
        left=fields["flagged"],
        operator=ValidationRule.Operator.LE,
        right=fields["checked_in"],
        priority="medium",
    )

    # The ledger's figures for each unit and day, known from the rules the data follows.
    residues: dict[int, Counter] = {}
    heads: dict[int, int] = Counter()
    for person_id, unit_id in Person.objects.values_list("pk", "unit_id"):
        residues.setdefault(unit_id, Counter())[person_id % 100] += 1
        heads[unit_id] += 1
    now = timezone.now()
    reports, figures = [], []
    days = [(START + datetime.timedelta(days=n), n) for n in range(DAYS)]
    for day, offset in [*days, (SPARSE_DAY, DAYS)]:
        for number, unit in enumerate(units):
            if day == SPARSE_DAY and number >= 3:
                continue
            seed = number * 31 + offset
            approved = seed % 3 != 0
            submitted = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
            reports.append(
                UnitReport(
                    unit=unit,
                    date=day,
                    status="approved" if approved else "submitted",
                    created_at=submitted,
                    created_by=office,
                    first_submitted_at=submitted,
                    on_time=seed % 17 != 0,
                    submitted_at=submitted,
                    submitted_by=office,
                    approved_at=now if approved else None,
                    approved_by=office if approved else None,
                )
            )
            checked_in = heads[unit.pk] if day <= END else 0
            flagged = residues[unit.pk][(-offset) % 100] if day <= END else 0
            figures.append(
                {
                    "headcount": heads[unit.pk],
                    "checked_in": checked_in,
                    "flagged": flagged,
                    "in_hubei": seed % 4,
                    "returned": seed % 40,
                    "off_campus_isolated": seed % 2,
                }
            )
    with transaction.atomic():
        UnitReport.objects.bulk_create(reports, batch_size=1000)
        values = []
        for report, given in zip(reports, figures, strict=True):
            for code, report_field in fields.items():
                value = computed = given[code]
                reason = ""
                if not report_field.is_computed:
                    computed = None
                elif code == "checked_in" and (report.unit_id + report.date.toordinal()) % 50 == 0:
                    value, reason = max(value - 2, 0), "两人当日未能打卡，电话核实"
                values.append(
                    ReportValue(
                        report=report,
                        field=report_field,
                        value=value,
                        computed=computed,
                        reason=reason,
                        kind="officer",
                        given_by=office,
                        given_at=report.first_submitted_at,
                    )
                )
        ReportValue.objects.bulk_create(values, batch_size=2000)
    return office.pk


CHECKIN_COLUMNS = (
    "person_id, date, temperature, symptoms, current_province, current_city, on_campus, "
    "contact_with_region_of_concern, note, is_abnormal, entered_by_id, entered_at, channel, "
    "correction_reason"
)


def checkin_select(vendor: str) -> str:
    """One day's check-ins of every person, from core_person in id order: parameters the
    day's offset from START (three times), the day, the office's id, the day again."""
    abnormal = "(p.id + %s) %% 100 = 0"
    if vendor == "sqlite":
        symptoms = f"CASE WHEN {abnormal} THEN '[\"fever\"]' ELSE '[]' END"
        entered = "datetime(%s, '+1 hours', '+' || (p.id %% 3600) || ' seconds')"
    else:
        symptoms = f"CASE WHEN {abnormal} THEN '[\"fever\"]'::jsonb ELSE '[]'::jsonb END"
        entered = (
            "(%s::date + time '01:00' + (p.id %% 3600) * interval '1 second') AT TIME ZONE 'UTC'"
        )
    return (
        f"INSERT INTO reporting_healthcheckin ({CHECKIN_COLUMNS}) "
        f"SELECT p.id, %s, CASE WHEN {abnormal} THEN 37.8 ELSE 36.0 + (p.id %% 10) / 10.0 END, "
        f"{symptoms}, p.current_province, p.current_city, p.id %% 3 <> 0, p.id %% 97 = 0, '', "
        f"{abnormal}, %s, {entered}, 'import', '' FROM core_person p ORDER BY p.id"
    )


def checkin_params(offset: int, office_id: int, *, text: bool = False) -> list:
    day = START + datetime.timedelta(days=offset)
    if text:
        day = day.isoformat()
    return [day, offset, offset, offset, office_id, day]


def build_checkins_sqlite(office_id: int, steps: dict) -> tuple[int, str]:
    """The check-ins on a plain sqlite3 connection: no journal during the load (a failed
    build is thrown away), secondary indexes made again after it."""
    import sqlite3

    from django.conf import settings

    path = settings.DATABASES["default"]["NAME"]
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=OFF")
    connection.execute("PRAGMA synchronous=OFF")
    connection.execute("PRAGMA cache_size=-2000000")
    connection.execute("PRAGMA temp_store=MEMORY")
    indexes = [
        (name, sql)
        for name, sql in connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
            "AND tbl_name = 'reporting_healthcheckin' AND sql IS NOT NULL"
        )
    ]
    insert = checkin_select("sqlite").replace("%%", "%").replace("%s", "?")
    clock = time.perf_counter()
    connection.execute("BEGIN")
    for name, _sql in indexes:
        connection.execute(f'DROP INDEX "{name}"')
    for offset in range(DAYS):
        connection.execute(insert, checkin_params(offset, office_id, text=True))
    steps["checkins"] = time.perf_counter() - clock
    clock = time.perf_counter()
    for _name, sql in indexes:
        connection.execute(sql)
    connection.execute("COMMIT")
    steps["indexes"] = time.perf_counter() - clock
    clock = time.perf_counter()
    connection.execute("ANALYZE")
    steps["analyze"] = time.perf_counter() - clock
    (count,) = connection.execute("SELECT count(*) FROM reporting_healthcheckin").fetchone()
    connection.execute("PRAGMA journal_mode=WAL")
    connection.close()
    return count, "ANALYZE"


def build_checkins_postgres(office_id: int, steps: dict) -> tuple[int, str]:
    """The check-ins in one transaction: foreign-key triggers off (session_replication_role
    = replica, the rows being valid by construction), the indexes that back no constraint
    dropped and made again from their own definitions; then VACUUM ANALYZE."""
    from django.db import connection, transaction

    insert = checkin_select("postgresql")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i "
            "WHERE i.tablename = 'reporting_healthcheckin' AND NOT EXISTS (SELECT 1 "
            "FROM pg_constraint c WHERE c.conindid = (quote_ident(i.indexname))::regclass)"
        )
        indexes = cursor.fetchall()
        clock = time.perf_counter()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        for offset in range(DAYS):
            cursor.execute(insert, checkin_params(offset, office_id))
        steps["checkins"] = time.perf_counter() - clock
        clock = time.perf_counter()
        for _name, definition in indexes:
            cursor.execute(definition)
        steps["indexes"] = time.perf_counter() - clock
    clock = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        steps["analyze"] = time.perf_counter() - clock
        cursor.execute("SELECT count(*) FROM reporting_healthcheckin")
        (count,) = cursor.fetchone()
    return count, "VACUUM ANALYZE"


BUILD_CODE = [
    unit_sizes,
    flagged_on,
    build_school,
    checkin_select,
    checkin_params,
    build_checkins_sqlite,
    build_checkins_postgres,
]


# ---- measuring -------------------------------------------------------------------------


def child_measure() -> dict:
    setup_django()
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from fangkong.core.models import User

    override = plain_static_files()
    override.enable()
    office = User.objects.get(username=OFFICE_USERNAME)
    client = Client()
    client.force_login(office)
    completeness_url = reverse("reporting:completeness")
    consolidated_url = reverse("reporting:consolidated")

    def completeness_page(start=START, end=END):
        response = client.get(completeness_url, {"start": start, "end": end})
        check_page(response, "completeness")
        return response

    def consolidated_page(day=FULL_DAY):
        response = client.get(consolidated_url, {"date": day})
        check_page(response, "consolidated")
        return response

    def baseline(start, end):
        with connection.cursor() as cursor:
            cursor.execute(BASELINE_SQL, [start, end])
            rows = cursor.fetchall()
        if len(rows) != UNITS * ((end - start).days + 1):
            raise SystemExit(f"the baseline found {len(rows)} units x days")
        return rows

    # Warm up: the templates, the caches, the database's pages.
    completeness_page()
    consolidated_page()
    baseline(START, END)
    baseline(FULL_DAY, FULL_DAY)

    measures = {
        "completeness": {"baseline": [], "page": []},
        "consolidated": {"baseline": [], "page": []},
    }
    for rep in range(REPS):
        pairs = [
            ("completeness", lambda: baseline(START, END), completeness_page),
            ("consolidated", lambda: baseline(FULL_DAY, FULL_DAY), consolidated_page),
        ]
        for name, base, page in pairs:
            time_in_turn(measures[name], rep, base, page)
        # The consolidated page is short: more runs of it, the same interleaving.
        for extra in range(3):
            time_in_turn(
                measures["consolidated"],
                rep + extra,
                lambda: baseline(FULL_DAY, FULL_DAY),
                consolidated_page,
            )

    short_end = START + datetime.timedelta(days=SHORT_DAYS - 1)
    queries = {
        "completeness": [
            query_count(completeness_page, START, short_end),
            query_count(completeness_page),
        ],
        "consolidated": [
            query_count(consolidated_page, SPARSE_DAY),
            query_count(consolidated_page),
        ],
    }
    results = {"reps": REPS, **measures, "queries": queries, "notes": [], "breakdowns": {}}
    for name, page_of in [("completeness", completeness_page), ("consolidated", consolidated_page)]:
        ratio = statistics.median(measures[name]["page"]) / statistics.median(
            measures[name]["baseline"]
        )
        asked = os.environ.get("BENCH_SCALE_BREAKDOWN", "")
        if ratio > TARGET_RATIO or asked == "1" or name in asked.split(","):
            results["breakdowns"][name] = breakdown(name, page_of, office)
    override.disable()
    connection.close()
    return results


def check_page(response, name: str) -> None:
    if response.status_code != 200:
        raise SystemExit(f"the {name} page answered {response.status_code}")
    rows = response.content.count(b"<tr data-unit=")
    if rows != UNITS:
        raise SystemExit(f"the {name} page shows {rows} units, not {UNITS}")


def breakdown(name: str, page, office) -> dict:
    """Where a page's time goes, each part timed on its own (median of 3): the baseline,
    Django's own aggregate SQL run raw, figures.checkin_figures (the ORM and its dict), the
    whole selector (every query of the view and the cells built in Python), the template
    rendered with the selector's table, and the page; with EXPLAIN of the baseline and of
    Django's aggregate."""
    from django.db import connection
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from fangkong.reporting import figures, forms, selectors

    if name == "completeness":
        start, end = START, END
        unit_ids = [unit.pk for unit in selectors.expected_units(office)]

        def select():
            return selectors.completeness(office, start, end)

        def context(table):
            form = forms.PeriodForm({"start": start, "end": end})
            return {"form": form, "start": start, "end": end, "problem": None, "table": table}

        query = {"start": start, "end": end}
    else:
        start = end = FULL_DAY
        unit_ids = [unit.pk for unit in selectors.expected_units(office)]

        def select():
            return selectors.consolidated(office, FULL_DAY)

        def context(table):
            return {"form": forms.ReportDayForm({"date": FULL_DAY}), "table": table}

        query = {"date": FULL_DAY}
    request = RequestFactory().get("/", query)
    request.user = office
    template = f"reporting/{name}.html"

    captured = []

    def capture(execute, sql, params, many, context_):
        if is_checkin_aggregate(sql):
            captured.append((sql, params))
        return execute(sql, params, many, context_)

    with connection.execute_wrapper(capture):
        figures.checkin_figures(start, end, unit_ids)
    django_sql, django_params = captured[0]

    def raw(sql, params):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    table = select()
    parts_of = {
        "baseline": lambda: raw(BASELINE_SQL, [start, end]),
        "django_sql": lambda: raw(django_sql, django_params),
        "checkin_figures": lambda: figures.checkin_figures(start, end, unit_ids),
        "selector": select,
        "render": lambda: render_to_string(template, context(table), request),
        "page": page,
    }
    runs = 3
    times = {key: [] for key in parts_of}
    for _run in range(runs):
        for key, function in parts_of.items():
            clock = time.perf_counter()
            function()
            times[key].append(time.perf_counter() - clock)
    median = {key: statistics.median(values) for key, values in times.items()}
    other_sql = median["selector"] - median["checkin_figures"]
    parts = [
        ("the baseline aggregate (raw SQL, fetched whole)", median["baseline"]),
        ("Django's aggregate SQL, run raw and fetched whole", median["django_sql"]),
        (
            "figures.checkin_figures() (that SQL through the ORM, its dict)",
            median["checkin_figures"],
        ),
        (f"selectors.{name}() (every query of the view, the cells)", median["selector"]),
        ("  of which not checkin_figures (other queries, Python cells)", other_sql),
        ("the template, rendered with the selector's table", median["render"]),
        ("the whole page through the test client", median["page"]),
        (
            "  of which neither the selector nor the template (request, session)",
            median["page"] - median["selector"] - median["render"],
        ),
    ]
    plans = [("EXPLAIN, the baseline", explain(BASELINE_SQL, [start, end]))]
    plans.append(("EXPLAIN, Django's aggregate", explain(django_sql, django_params)))
    plans.append(("  its SQL", [" ".join(django_sql.split())]))
    return {"runs": runs, "parts": parts, "plans": plans}


def is_checkin_aggregate(sql: str) -> bool:
    return "reporting_healthcheckin" in sql and "GROUP BY" in sql


def explain(sql: str, params) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return [row[-1] for row in cursor.fetchall()]
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return [row[0] for row in cursor.fetchall()]


if __name__ == "__main__":
    child_command(sys.argv[1:], {"build": child_build, "measure": child_measure})
