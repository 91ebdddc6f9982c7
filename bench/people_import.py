"""People import: 50,000 people from an .xlsx, against plain sqlite3 executemany; and the
reader (python-calamine) against the hand-written one it replaced, on the same workbook.

The issue's targets: importing 50,000 people runs at at least 30% of the rate of a plain
`sqlite3` `executemany` of the same rows, with a peak memory under 300 MB.

Two baselines are measured, and the import's rate is put against each:

A   executemany of the sheet's rows into a bare table of text columns, no index: the
    issue's words read literally. Writing 50,000 people and their 50,000 history records
    into the real, indexed tables takes several times as long as A on its own, so against
    A the target cannot be met by any import that writes the people registry.
A2  executemany of the same people, as core_person rows, into core_person itself: the
    migrated database, its indexes and constraints (unique person and ID numbers, foreign
    keys, the residence check), the application's connection settings (WAL,
    synchronous=NORMAL, foreign keys on) and the page cache the import writes with, in one
    transaction. The least any import of these people into this table can cost; the
    import also writes the history records, which A2 does not.

Everything runs in a temporary directory: a fresh SQLite database (migrated, with a school
of units, dormitories and households made through fangkong.core.services), a generated
.xlsx of valid people, and the baselines' tables. The import and its memory are measured
in child processes (`python -m bench.people_import import ...`), each on a fresh copy of
the database, so that one run's rows and memory do not leak into the next. The database
is always SQLite, whatever DATABASE_URL says: the baselines are SQLite's.

BENCH_PEOPLE_ROWS=5000 makes a quick run with fewer people (the targets are for 50,000).
"""

import datetime
import os
import random
import secrets
import shutil
import sqlite3
import sys
import time
from pathlib import Path

from bench import xlsx
from bench.common import child_command, child_env, run_child, run_directory, setup_django

ROWS = int(os.environ.get("BENCH_PEOPLE_ROWS", "50000"))
BASELINE_RUNS = 3
IMPORT_RUNS = 3  # as many as each baseline: a best of more runs would favour that side
READER_RUNS = 3  # each reader, old and new, alternately
TARGET_RATIO = 0.30
TARGET_PEAK_MB = 300
OFFICE_USERNAME = "bench-office"

HEADERS_ZH = [
    "人员编号",
    "姓名",
    "性别",
    "人员类别",
    "所在单位",
    "身份证号",
    "手机号",
    "籍贯省份",
    "籍贯",
    "现居省份",
    "现居城市",
    "居住类型",
    "宿舍楼",
    "宿舍房间",
    "家属区住户",
]
BARE_COLUMNS = [f"c{index}" for index in range(len(HEADERS_ZH))]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文博宇浩然子涵欣怡晨阳思远"
PROVINCES = [
    ("陕西省", "6101", ["西安市", "宝鸡市", "咸阳市"]),
    ("河南省", "4101", ["郑州市", "洛阳市"]),
    ("湖北省", "4201", ["武汉市", "孝感市"]),
    ("四川省", "5101", ["成都市", "绵阳市"]),
    ("山东省", "3701", ["济南市", "青岛市"]),
]
CATEGORIES = ["staff", "undergraduate", "undergraduate", "postgraduate", "contractor"]


# ---- the parent: data, baselines, children, report ------------------------------------


def main() -> None:
    with run_directory("fangkong-bench-") as workdir:
        run(workdir)


def run(workdir: Path) -> None:
    template_db = workdir / "template.sqlite3"
    env = import_env(workdir, template_db)
    print(f"People import: {ROWS:,} people from an .xlsx into SQLite (temporary files)")

    clock = time.perf_counter()
    school = run_child("bench.people_import", ["setup"], env)
    rows = make_rows(ROWS, school)
    xlsx = workdir / "people.xlsx"
    write_xlsx(xlsx, rows)
    print(
        f"  set-up: migrated database, {len(school['units'])} units, "
        f"{xlsx.stat().st_size / 1e6:.1f} MB .xlsx written "
        f"({time.perf_counter() - clock:.0f} s, not measured)"
    )

    # The runs interleave, so that a busy spell of a shared machine falls on both sides.
    people = person_rows(rows, school)
    plain_runs, table_runs, imports = [], [], []
    for number in range(BASELINE_RUNS):
        plain_runs.append(executemany_seconds(rows, workdir / f"plain{number}.db"))
        database = workdir / f"table{number}.sqlite3"
        shutil.copyfile(template_db, database)
        table_runs.append(table_seconds(people, database, school["sqlite_cache_kib"]))
        if number < IMPORT_RUNS:
            database = workdir / f"import{number}.sqlite3"
            shutil.copyfile(template_db, database)
            copy_env = import_env(workdir, database)
            imports.append(run_child("bench.people_import", ["import", str(xlsx)], copy_env))
    plain, table = min(plain_runs), min(table_runs)
    via_openpyxl = best_of(
        BASELINE_RUNS - 1, lambda n: openpyxl_seconds(xlsx, workdir / f"openpyxl{n}.db")
    )
    # The reader against the hand-written one it replaced (bench/old_spreadsheets.py), on
    # the same workbook, their runs interleaved: alone, and with the rows written.
    # P is calamine's floor: its Rust parse of the sheet in this process, with no child,
    # no checks and no row handed to Python; no reader built on calamine can beat it.
    reads = {"old": [], "new": []}
    written = {"old": [], "new": []}
    parses, unguarded, inflating = [], [], []
    for number in range(READER_RUNS):
        for name, rows_of in (("old", old_reader_rows), ("new", new_reader_rows)):
            reads[name].append(read_seconds(xlsx, rows_of))
            written[name].append(reader_seconds(xlsx, workdir / f"{name}{number}.db", rows_of))
        parses.append(calamine_parse_seconds(xlsx))
        unguarded.append(read_seconds(xlsx, unguarded_rows))
        inflating.append(inflate_seconds(xlsx))
    via_reader, via_old_reader = min(written["new"]), min(written["old"])
    django_only = run_child("bench.people_import", ["django"], import_env(workdir, template_db))

    for result in imports:
        if result["created"] != ROWS or result["history"] != ROWS:
            raise SystemExit(f"the import did not write every row: {result}")
    imported = min(imports, key=lambda result: result["seconds"])
    seconds, writing = imported["seconds"], imported["writing"]
    peak = max(result["peak_mb"] for result in imports)

    def line(label, seconds, runs, every=None):
        spread = ""
        if every and len(every) > 1:
            spread = f"; all {min(every):.2f}-{max(every):.2f} s"
        print(
            f"  {label:<58} {ROWS / seconds:>9,.0f} rows/s  "
            f"(best of {runs}: {seconds:5.2f} s{spread})"
        )

    print("Rates")
    line(
        "A  plain sqlite3 executemany of the same rows, bare table",
        plain,
        BASELINE_RUNS,
        plain_runs,
    )
    line(
        "A2 plain sqlite3 executemany of the same rows, core_person",
        table,
        BASELINE_RUNS,
        table_runs,
    )
    line("B  openpyxl read-only read of the .xlsx + executemany", via_openpyxl, BASELINE_RUNS - 1)
    line("C0 the old hand-written reader + executemany", via_old_reader, READER_RUNS)
    line("C  fangkong.spreadsheets (calamine) read + executemany", via_reader, READER_RUNS)
    line("R0 the old hand-written reader, reading alone", min(reads["old"]), READER_RUNS)
    line("R  fangkong.spreadsheets (calamine), reading alone", min(reads["new"]), READER_RUNS)
    line("P  calamine's own parse of the sheet, in process, no row out", min(parses), READER_RUNS)
    line("U  calamine in process with no guard, reading alone", min(unguarded), READER_RUNS)
    line(
        "Z  unpacking the sheet's XML alone (what a pre-scan must do)", min(inflating), READER_RUNS
    )
    line(
        "I  fangkong import_people: read, check, write with history",
        seconds,
        IMPORT_RUNS,
        [result["seconds"] for result in imports],
    )
    print(
        f"     of which writing the people and their history records: {writing:.2f} s; "
        f"reading and checking: {seconds - writing:.2f} s"
    )
    print("Ratios (rates: the baseline's time over the import's)")
    verdict = "MET" if plain / seconds >= TARGET_RATIO else "NOT MET"
    print(
        f"  I / A  = {plain / seconds:.3f}  the issue's target read literally: at least "
        f"{TARGET_RATIO:.2f} of a plain executemany"
    )
    print(f"{'':18}of the same rows into a bare, unindexed table (A): {verdict}")
    print(
        f"{'':18}(writing alone, into the indexed people and history tables, "
        f"caps I / A at {plain / writing:.2f})"
    )
    verdict = "MET" if table / seconds >= TARGET_RATIO else "NOT MET"
    print(
        f"  I / A2 = {table / seconds:.3f}  the same target against a plain executemany of "
        "the same people"
    )
    print(f"{'':18}into core_person itself, indexes and constraints (A2): {verdict}")
    print(f"{'':18}(A2 writes no history records; the import writes one for every person)")
    print(
        f"  I / B  = {via_openpyxl / seconds:.2f}   against the least an openpyxl-based import does"
    )
    print(f"  I / C  = {via_reader / seconds:.2f}   against the least this import's reader allows")
    print("The reader against the hand-written one it replaced (old time over new time)")
    ratio = min(reads["old"]) / min(reads["new"])
    verdict = "at least as fast: met" if ratio >= 1 else "SLOWER: NOT MET"
    print(f"  R0 / R  = {ratio:.2f}   reading alone ({verdict})")
    print(f"  C0 / C  = {via_old_reader / via_reader:.2f}   reading and writing the rows")
    print(
        f"  R0 / P  = {min(reads['old']) / min(parses):.2f}   the most any calamine reader could"
        " reach: the old reader against calamine's parse alone"
    )
    print(
        f"  R0 / U  = {min(reads['old']) / min(unguarded):.2f}   calamine with no guard against"
        " the abort: a guard must cost under "
        f"{max(min(reads['old']) - min(unguarded), 0):.2f} s to reach 1.00"
    )
    print(
        f"  R0 / (U + Z) = {min(reads['old']) / (min(unguarded) + min(inflating)):.2f}"
        "   the cheapest in-process guard: a scan of the sheet before calamine reads it"
    )
    print("Peak memory (VmHWM of a child process)")
    print(f"  Django set up, nothing imported          {django_only['peak_mb']:>5.0f} MB")
    verdict = "met" if peak < TARGET_PEAK_MB else "NOT MET"
    print(
        f"  importing {ROWS:,} people               {peak:>5.0f} MB  "
        f"(the import's own share {peak - django_only['peak_mb']:.0f} MB; "
        f"target under {TARGET_PEAK_MB} MB: {verdict})"
    )


def import_env(workdir: Path, database: Path) -> dict:
    return child_env(workdir / "var", f"sqlite:///{database}")


def best_of(runs: int, measure) -> float:
    return min(measure(number) for number in range(runs))


def make_rows(count: int, school: dict) -> list[tuple[str, ...]]:
    """`count` valid people: GB 11643 IDs, unique person numbers, ID numbers and phones."""
    rng = random.Random(20200123)
    units, dorms, households = school["units"], school["dorms"], school["households"]
    born0 = datetime.date(1960, 1, 1)
    rows = []
    for index in range(count):
        province, region, cities = PROVINCES[index % len(PROVINCES)]
        home_province, _code, home_cities = rng.choice(PROVINCES)
        born = born0 + datetime.timedelta(days=index // 1000 * 7 + index % 7)
        first17 = f"{region}{index % 89 + 1:02d}{born:%Y%m%d}{index % 1000:03d}"
        national_id = first17 + id_check_char(first17)
        draw = rng.random()
        dorm = room = household = ""
        if draw < 0.15:
            residence, dorm = "dormitory", rng.choice(dorms)
            room = f"{rng.randint(1, 6)}{index % 40:02d}"
        elif draw < 0.20:
            residence, household = "household", rng.choice(households)
        else:
            residence = "off_campus"
        rows.append(
            (
                f"B{index:07d}",
                rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(("", *GIVEN)),
                "男" if index % 2 else "女",
                CATEGORIES[index % len(CATEGORIES)],
                rng.choice(units),
                national_id,
                f"1{3 + index % 6}{index % 10}{index:08d}",
                province,
                rng.choice(cities),
                home_province,
                rng.choice(home_cities),
                residence,
                dorm,
                room,
                household,
            )
        )
    return rows


def id_check_char(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(digit) * weight for digit, weight in zip(first17, weights, strict=True))
    return "10X98765432"[total % 11]


def write_xlsx(path: Path, rows: list[tuple[str, ...]]) -> None:
    """The people as Excel saves them (shared strings), headers in Chinese."""
    xlsx.write(path, "人员", HEADERS_ZH, rows)


def bare_table(path: Path) -> sqlite3.Connection:
    """A bare table of the sheet's columns, journalled as the application's database is."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute(f"CREATE TABLE person ({', '.join(c + ' TEXT' for c in BARE_COLUMNS)})")
    return connection


INSERT = (
    f"INSERT INTO person ({', '.join(BARE_COLUMNS)}) VALUES ({', '.join('?' * len(BARE_COLUMNS))})"
)


def executemany_seconds(rows, path: Path) -> float:
    connection = bare_table(path)
    started = time.perf_counter()
    connection.execute("BEGIN")
    connection.executemany(INSERT, rows)
    connection.execute("COMMIT")
    seconds = time.perf_counter() - started
    check_count(connection)
    return seconds


def openpyxl_seconds(xlsx: Path, path: Path) -> float:
    from openpyxl import load_workbook

    connection = bare_table(path)
    started = time.perf_counter()
    workbook = load_workbook(xlsx, read_only=True, data_only=True)
    rows = workbook.worksheets[0].iter_rows(min_row=2, values_only=True)
    connection.execute("BEGIN")
    connection.executemany(INSERT, rows)
    connection.execute("COMMIT")
    workbook.close()
    seconds = time.perf_counter() - started
    check_count(connection)
    return seconds


def new_reader_rows(upload):
    """The rows of the sheet as fangkong.spreadsheets reads them (calamine, after the
    checks of what the workbook unpacks to)."""
    from fangkong.spreadsheets import iter_sheet_rows

    return iter_sheet_rows(upload)


def old_reader_rows(upload):
    """The rows as the hand-written reader that calamine replaced read them."""
    from bench.old_spreadsheets import XlsxSheet

    sheet = XlsxSheet(upload)
    try:
        yield from sheet.numbered_rows()
    finally:
        sheet.close()


def unguarded_rows(upload):
    """calamine's rows read in this process, with none of the reader's checks or its child:
    what a reader would cost if a file could not abort the process."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(upload)
    yield from enumerate(book.get_sheet_by_index(0).iter_rows(), start=1)
    book.close()


def inflate_seconds(xlsx: Path) -> float:
    """Unpacking the first sheet's XML, which any scan of its cells before calamine reads
    them must at least do."""
    import zipfile

    started = time.perf_counter()
    with zipfile.ZipFile(xlsx) as archive:
        size = len(archive.read("xl/worksheets/sheet1.xml"))
    seconds = time.perf_counter() - started
    if size == 0:
        raise SystemExit("the sheet's XML is empty")
    return seconds


def calamine_parse_seconds(xlsx: Path) -> float:
    """calamine opening the workbook and laying out its first sheet (Rust), nothing more."""
    from python_calamine import CalamineWorkbook

    started = time.perf_counter()
    with open(xlsx, "rb") as upload:
        book = CalamineWorkbook.from_filelike(upload)
        sheet = book.get_sheet_by_index(0)
    seconds = time.perf_counter() - started
    if sheet.height != ROWS + 1:
        raise SystemExit(f"calamine laid out {sheet.height} rows, not {ROWS + 1}")
    book.close()
    return seconds


def read_seconds(xlsx: Path, rows_of) -> float:
    """Reading every row, padded to the sheet's width, and nothing else."""
    width = len(BARE_COLUMNS)
    started = time.perf_counter()
    with open(xlsx, "rb") as upload:
        count = 0
        for _number, values in rows_of(upload):
            (values + [None] * (width - len(values)))[:width]
            count += 1
    seconds = time.perf_counter() - started
    if count != ROWS + 1:
        raise SystemExit(f"a reader read {count} rows, not {ROWS + 1}")
    return seconds


def reader_seconds(xlsx: Path, path: Path, rows_of) -> float:
    connection = bare_table(path)
    started = time.perf_counter()
    width = len(BARE_COLUMNS)
    with open(xlsx, "rb") as upload:
        rows = rows_of(upload)
        next(rows)
        connection.execute("BEGIN")
        padded = ((values + [None] * (width - len(values)))[:width] for _n, values in rows)
        connection.executemany(INSERT, padded)
        connection.execute("COMMIT")
    seconds = time.perf_counter() - started
    check_count(connection)
    return seconds


def check_count(connection: sqlite3.Connection) -> None:
    (count,) = connection.execute("SELECT count(*) FROM person").fetchone()
    connection.close()
    if count != ROWS:
        raise SystemExit(f"a baseline wrote {count} rows, not {ROWS}")


# A2: the same people as core_person rows. The ids come from the set-up child; the
# timestamps are as Django stores them on SQLite (UTC, no offset).
PERSON_COLUMNS = [
    "person_number",
    "name",
    "sex",
    "category",
    "unit_id",
    "national_id",
    "phone",
    "native_province",
    "native_place",
    "current_province",
    "current_city",
    "residence",
    "dormitory_id",
    "dormitory_room",
    "household_id",
    "is_active",
    "deactivation_reason",
    "created_at",
    "updated_at",
]
PERSON_INSERT = (
    f"INSERT INTO core_person ({', '.join(PERSON_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(PERSON_COLUMNS))})"
)


def person_rows(rows, school: dict) -> list[tuple]:
    """Each sheet row as the core_person row the import makes of it."""
    units, dorms, households = school["unit_ids"], school["dorm_ids"], school["household_ids"]
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None).isoformat(" ")
    people = []
    for number, name, sex, category, unit, national_id, phone, *rest in rows:
        native_province, native_place, current_province, current_city = rest[:4]
        residence, dorm, room, household = rest[4:]
        people.append(
            (
                number,
                name,
                "M" if sex == "男" else "F",
                category,
                units[unit],
                national_id,
                phone,
                native_province,
                native_place,
                current_province,
                current_city,
                residence,
                dorms[dorm] if residence == "dormitory" else None,
                room if residence == "dormitory" else "",
                households[household] if residence == "household" else None,
                True,
                "",
                now,
                now,
            )
        )
    return people


def table_seconds(people: list[tuple], path: Path, cache_kib: int) -> float:
    """A2: one executemany into core_person of a migrated database, as the application
    connects to it (settings.py) and with the page cache the import writes with."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute(f"PRAGMA cache_size=-{int(cache_kib)}")
    started = time.perf_counter()
    connection.execute("BEGIN IMMEDIATE")
    connection.executemany(PERSON_INSERT, people)
    connection.execute("COMMIT")
    seconds = time.perf_counter() - started
    (count,) = connection.execute("SELECT count(*) FROM core_person").fetchone()
    connection.close()
    if count != ROWS:
        raise SystemExit(f"baseline A2 wrote {count} people, not {ROWS}")
    return seconds


# ---- the children: Django set up in a process of its own -------------------------------


def peak_mb() -> float:
    """This process's peak resident memory (VmHWM), in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_setup() -> dict:
    """Migrate the database and enter a school through the services, as the office would."""
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    from fangkong.core import people_import, services
    from fangkong.core.models import Area, Building, Household, Unit
    from fangkong.core.roles import Role

    call_command("migrate", verbosity=0, interactive=False)
    office = services.create_account(
        None, username=OFFICE_USERNAME, password=secrets.token_urlsafe(16), roles=[Role.OFFICE]
    )
    units = []
    for index in range(30):
        unit = services.create_unit(
            office,
            code=f"unit{index:02d}",
            name=f"第{index + 1}学院",
            name_en=f"College {index + 1}",
            kind=Unit.Kind.ACADEMIC,
        )
        units.append(unit.name)
    campus = services.create_campus(office, code="main", name="雁塔校区", name_en="Yanta campus")
    dorm_area = services.create_area(
        office, campus=campus, name="学生宿舍区", name_en="Dormitories", kind=Area.Kind.DORMITORY
    )
    dorms = [
        services.create_building(office, area=dorm_area, name=f"学生公寓{n}号楼").name
        for n in range(1, 13)
    ]
    family = services.create_area(
        office, campus=campus, name="家属区", name_en="Family area", kind=Area.Kind.FAMILY
    )
    households = []
    for block in range(1, 11):
        building = services.create_building(office, area=family, name=f"家属楼{block}号楼")
        for room in range(1, 21):
            household = services.create_household(
                office, area=family, building=building, address=f"{room % 3 + 1}-{room:02d}1"
            )
            households.append(str(household))
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    ids = {
        "unit_ids": {name: Unit.objects.get(name=name).pk for name in units},
        "dorm_ids": dict(Building.objects.filter(name__in=dorms).values_list("name", "pk")),
        "household_ids": {
            str(household): household.pk
            for household in Household.objects.select_related("building")
        },
    }
    if set(ids["household_ids"]) != set(households):
        raise SystemExit("the households' names are not unique")
    connection.close()
    return {
        "units": units,
        "dorms": dorms,
        "households": households,
        **ids,
        "sqlite_cache_kib": people_import.SQLITE_CACHE_KIB,
    }


def child_import(path: str) -> dict:
    setup_django()
    from django.core.files import File
    from django.db import connection

    from fangkong.core import people_import
    from fangkong.core.models import Person, User

    writing = []
    write = people_import.PeopleWriter.write

    def timed_write(*args, **kwargs):
        started = time.perf_counter()
        write(*args, **kwargs)
        writing.append(time.perf_counter() - started)

    people_import.PeopleWriter.write = timed_write
    actor = User.objects.get(username=OFFICE_USERNAME)
    actor.roles  # noqa: B018 - load the roles before the clock starts
    with open(path, "rb") as handle:
        started = time.perf_counter()
        result = people_import.import_people(actor, File(handle, name="people.xlsx"))
        seconds = time.perf_counter() - started
    if not result.ok:
        problems = "; ".join(f"row {e.row} {e.column}: {e.message}" for e in result.errors[:5])
        raise SystemExit(f"the import failed: {problems}")
    history = Person.history.filter(history_user=actor).count()
    connection.close()
    return {
        "seconds": seconds,
        "writing": sum(writing),
        "created": result.created,
        "history": history,
        "peak_mb": peak_mb(),
    }


def child_django() -> dict:
    setup_django()
    from django.db import connection

    from fangkong.core import people_import  # noqa: F401 - what the import child imports
    from fangkong.core.models import User

    User.objects.get(username=OFFICE_USERNAME)
    connection.close()
    return {"peak_mb": peak_mb()}


if __name__ == "__main__":
    child_command(
        sys.argv[1:], {"setup": child_setup, "import": child_import, "django": child_django}
    )
