"""Downloads of the article's size: the requisition register PDF of the article's period
and the people export, each against a baseline measured in the same run.

The issue's target (issue 10, point 18): "The requisition register PDF for the article's
period takes 13-16 s (33 pages for ~160 rows); the people export (4,058 people) 6 s. Bring
each under 2 s for that size."

The data (built in a child process, not measured)
    A migrated SQLite database with the demo school and its supplies, made by the demo's
    own loaders (fangkong.core.demo and fangkong.supplies.demo, through the services): the
    4,058 people of XAUAT and the issues of the article's period, 2020-01-23 to 2020-03-06.

What is measured (a child process, Django set up on fangkong.settings; the office logged
in with force_login, every download a GET through django.test.Client)
    register zh / en  the register PDF of the article's period in Chinese and in English,
                      against the baseline: the same view for one day with no issue (a
                      one-page WeasyPrint document with the register's title, header
                      row and footer): what any PDF costs.
    people            the people export (.xlsx, every active person, masked), against the
                      baseline: the SQL alone, the export's rows fetched whole.
    Each download and its baseline alternate (A B B A ...), REPS times each after a warm-up;
    the figures are medians, of the wall clock and of the process's CPU time (the machine
    is shared: the CPU time is what the download itself costs). The PDFs' pages and the
    export's rows are read back (pypdf, openpyxl) to check what was measured.

`python -m bench downloads` runs this one alone. Knobs (environment): BENCH_DOWNLOADS_REPS
(3), BENCH_DOWNLOADS_PROFILE=1 (the top cProfile costs of each download, after the figures).
"""

import datetime
import io
import os
import statistics
import sys
import time
from pathlib import Path

from bench.common import (
    ROOT,
    child_command,
    child_env,
    plain_static_files,
    run_child,
    run_directory,
    setup_django,
)

REPS = int(os.environ.get("BENCH_DOWNLOADS_REPS", "3"))
PROFILE = os.environ.get("BENCH_DOWNLOADS_PROFILE") == "1"
TARGET_SECONDS = 2.0
START, END = datetime.date(2020, 1, 23), datetime.date(2020, 3, 6)
EMPTY_DAY = datetime.date(2020, 1, 23)  # before the first issue (2020-01-27)
PEOPLE_SQL = """
SELECT p.person_number, p.name, p.sex, p.category, p.unit_id, p.national_id, p.phone,
       p.native_province, p.native_place, p.current_province, p.current_city, p.residence,
       p.dormitory_id, p.dormitory_room, h.building_id, h.address
FROM core_person p
JOIN core_unit u ON u.id = p.unit_id
LEFT JOIN core_household h ON h.id = p.household_id
WHERE p.is_active
ORDER BY u.code, p.person_number
"""


def main() -> None:
    print(
        "Downloads: the requisition register PDF of the article's period "
        f"({START} to {END}) and the people export, against baselines in the same run"
    )
    with run_directory("fangkong-bench-downloads-") as workdir:
        url = f"sqlite:///{workdir / 'downloads.sqlite3'}"
        run_database(url, workdir)


def run_database(url: str, workdir: Path) -> None:
    env = child_env(workdir / "var", url, LOG_LEVEL="WARNING")
    clock = time.perf_counter()
    built = run_child("bench.downloads", ["build"], env)
    print(
        f"  build (the demo's loaders, SQLite): {time.perf_counter() - clock:.0f} s; "
        f"{built['people']:,} people, {built['issues']} issues in the period; not measured"
    )
    results = run_child("bench.downloads", ["measure"], env)
    report(results)


def report(results: dict) -> None:
    print(f"  load average at the start and end: {results['load']}")
    print(
        f"  {'':28}{'wall (s)':>10}{'CPU (s)':>10}{'baseline wall':>15}{'CPU':>8}"
        f"{'ratio (CPU)':>13}   under {TARGET_SECONDS:g} s (CPU)"
    )
    for name, figures in results["downloads"].items():
        wall, cpu = statistics.median(figures["wall"]), statistics.median(figures["cpu"])
        base_wall = statistics.median(figures["base_wall"])
        base_cpu = statistics.median(figures["base_cpu"])
        verdict = "met" if cpu < TARGET_SECONDS else "NOT MET"
        print(
            f"    {name + ' ' + figures['what']:<26}{wall:>10.2f}{cpu:>10.2f}{base_wall:>15.2f}"
            f"{base_cpu:>8.2f}{cpu / base_cpu:>13.1f}   {verdict}"
        )
    print(
        "  baselines: the register's = the same view for one day with no issue (one page);"
        " the people export's = its SQL alone, fetched whole"
    )
    for name, lines in results.get("profiles", {}).items():
        print(f"  Top costs of {name} (cProfile: own s, cumulative s, calls)")
        for line in lines:
            print(f"    {line}")


# ---- the children ------------------------------------------------------------------------


def child_build() -> dict:
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    from fangkong.core import demo as core_demo
    from fangkong.core.models import Person
    from fangkong.supplies import demo as supplies_demo
    from fangkong.supplies.models import StockMove

    def quiet(_message):
        pass

    core_demo.load_demo(out=quiet)
    supplies_demo.load_demo(quiet)
    issues = StockMove.objects.filter(
        kind=StockMove.Kind.ISSUE, moved_on__gte=START, moved_on__lte=END
    ).count()
    people = Person.objects.filter(is_active=True).count()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return {"people": people, "issues": issues}


def child_measure() -> dict:
    setup_django()
    from django.db import connection
    from django.test import Client
    from openpyxl import load_workbook
    from pypdf import PdfReader

    from fangkong.core.models import User
    from fangkong.core.roles import Role

    override = plain_static_files()
    override.enable()
    office = User.objects.filter(groups__name=Role.OFFICE).order_by("pk").first()
    client = Client()
    client.force_login(office)
    load = [f"{os.getloadavg()[0]:.1f}"]

    def get(path, params, language):
        response = client.get(path, params, HTTP_ACCEPT_LANGUAGE=language)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
        return response

    def register(start, end, language):
        return lambda: get(
            "/supplies/reports/register.pdf",
            {"start": start.isoformat(), "end": end.isoformat()},
            language,
        )

    def people_sql():
        with connection.cursor() as cursor:
            cursor.execute(PEOPLE_SQL)
            return cursor.fetchall()

    def people_export():
        return get("/people/export.xlsx", {}, "zh-hans")

    def pages(response):
        return len(PdfReader(io.BytesIO(response.content)).pages)

    downloads = {
        "register zh": (register(START, END, "zh-hans"), register(EMPTY_DAY, EMPTY_DAY, "zh-hans")),
        "register en": (register(START, END, "en"), register(EMPTY_DAY, EMPTY_DAY, "en")),
        "people": (people_export, people_sql),
    }
    results = {}
    for name, (download, baseline) in downloads.items():
        answer = download()  # warm-up: templates, fonts, the database's pages
        baseline()
        if name == "people":
            sheet = load_workbook(io.BytesIO(answer.content), read_only=True).worksheets[0]
            rows = sum(1 for _row in sheet.iter_rows(min_row=2, values_only=True))
            what = f"({rows:,} rows)"
        else:
            what = f"({pages(answer)} pages)"
        figures = {"what": what, "wall": [], "cpu": [], "base_wall": [], "base_cpu": []}
        for turn in range(REPS):
            order = [("base_", baseline), ("", download)]
            if turn % 2:
                order.reverse()
            for prefix, function in order:
                wall, cpu = time.perf_counter(), time.process_time()
                function()
                figures[f"{prefix}cpu"].append(time.process_time() - cpu)
                figures[f"{prefix}wall"].append(time.perf_counter() - wall)
        results[name] = figures
    load.append(f"{os.getloadavg()[0]:.1f}")
    profiles = {}
    if PROFILE:
        for name, (download, _baseline) in downloads.items():
            profiles[name] = top_costs(download)
    override.disable()
    connection.close()
    return {"downloads": results, "load": " -> ".join(load), "profiles": profiles}


def top_costs(function, count: int = 15) -> list[str]:
    """The `count` functions of most time of their own in one run of `function`: its own
    time and the time with what it calls."""
    import cProfile
    import pstats

    profile = cProfile.Profile()
    profile.runcall(function)
    stats = pstats.Stats(profile).stats
    ranked = sorted(stats.items(), key=lambda entry: entry[1][2], reverse=True)
    lines = []
    for (filename, line, name), (_cc, calls, own, cumulative, _callers) in ranked[:count]:
        where = filename.split("site-packages/")[-1].removeprefix(f"{ROOT}/")
        lines.append(f"{own:7.2f} {cumulative:7.2f}  {calls:>7}  {where}:{line}({name})")
    return lines


if __name__ == "__main__":
    if len(sys.argv) > 1:
        child_command(sys.argv[1:], {"build": child_build, "measure": child_measure})
    else:
        main()
