"""People to and from .xlsx: the downloadable template, the all-or-nothing import and the
masked export.

The import reads the sheet once, streamed, validating each row with the same validators
the Person model uses and keeping only the valid rows' values; it writes nothing unless
every row is good, and then writes them all, each with its history record, in one
transaction. `make bench` measures it (bench/people_import.py): 50,000 people in seconds.
"""

import contextlib
import datetime
import functools
import io
from dataclasses import dataclass, field
from operator import itemgetter

from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import IntegrityError, connections, router
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from fangkong.core import scoping
from fangkong.core.history import coded
from fangkong.core.identity import (
    ID_CHECK_CHARS,
    ID_WEIGHTS,
    mask_national_id,
    mask_phone,
    normalise_national_id,
    normalise_person_number,
    normalise_phone,
    person_number_problem,
    validate_national_id,
    validate_phone,
)
from fangkong.core.models import Area, Building, Household, Person, Unit
from fangkong.core.transactions import service_atomic
from fangkong.spreadsheets import Column, RowError, SheetError, iter_records, open_sheet

COLUMNS = [
    Column("person_number", "Person number", "人员编号", required=True),
    Column("name", "Name", "姓名", required=True, width=10),
    Column("sex", "Sex", "性别", required=True, width=6),
    Column("category", "Category", "人员类别", required=True),
    Column("unit", "Unit", "所在单位", required=True, width=22),
    Column("national_id", "National ID number", "身份证号", width=22),
    Column("phone", "Phone", "手机号", width=14),
    Column("native_province", "Native province", "籍贯省份"),
    Column("native_place", "Native place", "籍贯"),
    Column("current_province", "Current province", "现居省份"),
    Column("current_city", "Current city", "现居城市"),
    Column("residence", "Residence", "居住类型"),
    Column("dormitory", "Dormitory", "宿舍楼"),
    Column("dormitory_room", "Dormitory room", "宿舍房间", width=10),
    Column("household", "Household", "家属区住户", width=18),
]
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
TEXT_FIELDS = (
    "person_number",
    "name",
    "native_province",
    "native_place",
    "current_province",
    "current_city",
    "dormitory_room",
)
# The values RowChecker.check gives each person; the other fields take their defaults.
PER_ROW_FIELDS = (
    *TEXT_FIELDS,
    "sex",
    "category",
    "unit_id",
    "national_id",
    "phone",
    "residence",
    "dormitory_id",
    "household_id",
)
BLANK_RECORD = dict.fromkeys(COLUMN_BY_KEY, "")
OFF_CAMPUS, DORMITORY, HOUSEHOLD = (
    Person.Residence.OFF_CAMPUS,
    Person.Residence.DORMITORY,
    Person.Residence.HOUSEHOLD,
)
MAX_REPORTED_ERRORS = 500
BATCH_SIZE = 5000
HISTORY_CHUNK = 400  # people a history copy picks by number (not on SQLite: see write)
SQLITE_CACHE_KIB = 64 * 1024  # SQLite's page cache while the import writes


@dataclass
class ImportResult:
    created: int = 0
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0


def choice_lookup(choices) -> dict[str, str]:
    """Each choice known by its code, its English label and its Chinese label."""
    lookup = {}
    for value, label in choices.choices:
        lookup[value.lower()] = value
        for language in ("en", "zh-hans"):
            with translation.override(language):
                lookup[str(label).strip().lower()] = value
    return lookup


def name_lookup(rows, key_attrs=("code", "name", "name_en")) -> dict[str, int]:
    """The primary key of each row, known by each of `key_attrs` (lower case)."""
    lookup = {}
    for row in rows:
        for attr in key_attrs:
            value = getattr(row, attr, "")
            if value:
                lookup.setdefault(str(value).strip().lower(), row.pk)
    return lookup


# GB 11643's weights are 2**17, 2**16, … 2**1 modulo 11, and 13 is 2 modulo 11: so the
# weighted sum of seventeen digits is, modulo 11, twice the digits read as a base-13 number,
# which int() reads in C. This check keeps the shortcut honest if the weights ever change.
if tuple(pow(2, 17 - index, 11) for index in range(17)) != ID_WEIGHTS:
    raise ImproperlyConfigured("national_id_problem's base-13 shortcut needs GB 11643's weights")


@functools.lru_cache(maxsize=65536)
def birth_date_exists(yyyymmdd: str) -> bool:
    try:
        datetime.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        return False
    return True


def national_id_problem(national_id: str) -> str | None:
    """What is wrong with a normalised ID number, or None.

    The same verdict as identity.validate_national_id, which it asks about anything but a
    well-formed number of ASCII digits: checking 50,000 numbers that way takes a second."""
    if len(national_id) == 18 and national_id.isascii() and (digits := national_id[:17]).isdigit():
        check_char = ID_CHECK_CHARS[2 * int(digits, 13) % 11]
        if check_char == national_id[17] and birth_date_exists(digits[6:14]):
            return None
    try:
        validate_national_id(national_id)
    except ValidationError as exc:
        return exc.messages[0]
    return None


class RowChecker:
    """Validates one row at a time against the registry as it stands, and against the rows
    before it in the same file (duplicate person numbers or ID numbers).

    Everything a row is checked against is looked up once, here: a row costs a few dict
    look-ups and no query."""

    def __init__(self, actor):
        self.actor = actor
        self.sexes = choice_lookup(Person.Sex) | {"男": "M", "女": "F", "male": "M", "female": "F"}
        self.categories = choice_lookup(Person.Category)
        self.residences = choice_lookup(Person.Residence)
        self.units = name_lookup(Unit.objects.filter(is_active=True))
        # The scoping rule, asked once per unit rather than once per row.
        self.unit_allowed = {
            pk: scoping.can_edit_person_in_unit(actor, pk) for pk in set(self.units.values())
        }
        self.dormitories = name_lookup(
            Building.objects.filter(area__kind=Area.Kind.DORMITORY), ("name", "name_en")
        )
        households = Household.objects.filter(is_active=True).select_related("building")
        self.households = {}
        for language in ("zh-hans", "en"):
            with translation.override(language):
                for household in households:
                    self.households.setdefault(str(household).lower(), household.pk)
        # Person numbers and ID numbers already used: 0 for the registry, else the row.
        self.numbers = dict.fromkeys(Person.objects.values_list("person_number", flat=True), 0)
        self.ids = dict.fromkeys(
            Person.objects.exclude(national_id="").values_list("national_id", flat=True), 0
        )
        self.max_lengths = [
            (name, Person._meta.get_field(name).max_length) for name in TEXT_FIELDS
        ] + [("national_id", 18), ("phone", 20)]
        self.length_texts = itemgetter(*(key for key, _limit in self.max_lengths))
        self.shortest_limit = min(limit for _key, limit in self.max_lengths)
        self.choice_columns = [("sex", self.sexes), ("category", self.categories)]
        self.headers = {key: header(key) for key in COLUMN_BY_KEY}

    def check(self, number: int, record: dict, numeric: set[str]):
        """(values for Person, errors) for one row."""
        errors: list[RowError] = []
        headers = self.headers

        def fail(key, message):
            errors.append(RowError(number, headers[key], message))

        get = record.get
        # Every column's text, "" where the sheet has no such column: the values for Person
        # are filled in over them (writer.row takes those alone).
        values = BLANK_RECORD | record
        # As the person form and the API keep it (T２０２５… is T2025…): the number a pass
        # code carries and a gate looks up.
        values["person_number"] = person_number = normalise_person_number(values["person_number"])
        for key in ("person_number", "name"):
            if not values[key]:
                fail(key, _("This cell is required."))
        # A row whose cells are all shorter than the shortest limit needs no look at each.
        if max(map(len, self.length_texts(values))) > self.shortest_limit:
            for key, limit in self.max_lengths:
                if len(values[key] if key == "person_number" else get(key, "")) > limit:
                    fail(key, _("At most %(limit)d characters.") % {"limit": limit})
        problem = person_number_problem(person_number) if person_number else None
        if problem:
            fail("person_number", problem)
        elif person_number:
            seen = self.numbers.get(person_number)
            if seen == 0:
                fail(
                    "person_number",
                    _("Person number %(number)s is already used.") % {"number": person_number},
                )
            elif seen:
                fail(
                    "person_number",
                    _("Person number %(number)s is also on row %(row)d.")
                    % {"number": person_number, "row": seen},
                )
            else:
                self.numbers[person_number] = number

        for key, lookup in self.choice_columns:
            text = get(key, "")
            choice = lookup.get(text.lower())
            if choice is not None:
                values[key] = choice
            elif not text:
                fail(key, _("This cell is required."))
            else:
                fail(key, _("Unknown value “%(value)s”.") % {"value": text})

        unit_text = get("unit", "")
        unit_id = self.units.get(unit_text.lower()) if unit_text else None
        if not unit_text:
            fail("unit", _("This cell is required."))
        elif unit_id is None:
            fail("unit", _("Unknown unit “%(value)s”.") % {"value": unit_text})
        elif not self.unit_allowed[unit_id]:
            fail("unit", _("You may only import people of your own unit."))
        values["unit_id"] = unit_id

        national_id = get("national_id", "")
        # ASCII letters and digits alone need only upper-casing (normalise_national_id's rule).
        if not (national_id.isascii() and national_id.isalnum()):
            national_id = normalise_national_id(national_id)
        elif not national_id.isdigit():
            national_id = national_id.upper()
        if "national_id" in numeric:
            fail(
                "national_id",
                _(
                    "The ID number is stored as a number, which loses digits: "
                    "format the column as text and type it again."
                ),
            )
        elif national_id:
            problem = national_id_problem(national_id)
            if problem:
                fail("national_id", problem)
            else:
                seen = self.ids.get(national_id)
                if seen == 0:
                    fail("national_id", _("Another person has this ID number."))
                elif seen:
                    fail(
                        "national_id",
                        _("This ID number is also on row %(row)d.") % {"row": seen},
                    )
                else:
                    self.ids[national_id] = number
        values["national_id"] = national_id

        phone = get("phone", "")
        # Digits alone need neither normalising nor more than a count (validate_phone's rule).
        if phone and not (phone.isascii() and phone.isdigit() and 7 <= len(phone) <= 15):
            phone = normalise_phone(phone)
            if phone:
                try:
                    validate_phone(phone)
                except ValidationError as exc:
                    fail("phone", exc.messages[0])
        values["phone"] = phone

        residence_text = get("residence", "")
        residence = self.residences.get(residence_text.lower()) if residence_text else OFF_CAMPUS
        values["residence"] = residence
        if residence == OFF_CAMPUS:
            values["dormitory_id"] = values["household_id"] = None
            values["dormitory_room"] = ""
        elif residence == DORMITORY:
            dormitory = get("dormitory", "")
            values["dormitory_id"] = self.dormitories.get(dormitory.lower())
            values["household_id"] = None
            if values["dormitory_id"] is None:
                fail("dormitory", _("Unknown dormitory “%(value)s”.") % {"value": dormitory})
        elif residence == HOUSEHOLD:
            household = get("household", "")
            values["household_id"] = self.households.get(household.lower())
            values["dormitory_id"] = None
            if values["household_id"] is None:
                fail("household", _("Unknown household “%(value)s”.") % {"value": household})
            values["dormitory_room"] = ""
        else:
            fail("residence", _("Unknown value “%(value)s”.") % {"value": residence_text})
            values["dormitory_id"] = values["household_id"] = None
            values["dormitory_room"] = ""
        return values, errors


def header(key: str) -> str:
    column = COLUMN_BY_KEY[key]
    return column.zh if (translation.get_language() or "").startswith("zh") else column.en


def import_people(actor, upload) -> ImportResult:
    """Import every row of an uploaded .xlsx, .xls or .ods, or none of them."""
    if not scoping.can_manage_people(actor):
        raise PermissionDenied(_("Your role does not allow importing people."))
    try:
        sheet = open_sheet(upload)
    except SheetError as exc:
        return ImportResult(errors=[RowError(exc.row, "", str(exc))], error_count=1)
    return import_records(
        actor, iter_records(sheet, COLUMNS), source=getattr(upload, "name", "") or "xlsx"
    )


def import_records(actor, records, source: str) -> ImportResult:
    """Import (row number, {column key: text}, numeric keys) records: all or nothing.

    The spreadsheet import and the demo seed both come through here.
    """
    if not scoping.can_manage_people(actor):
        raise PermissionDenied(_("Your role does not allow importing people."))
    result = ImportResult()
    checker = RowChecker(actor)
    writer = PeopleWriter()
    valid: list[tuple] = []
    try:
        for number, record, numeric in records:
            result.rows += 1
            values, errors = checker.check(number, record, numeric)
            if errors:
                result.error_count += len(errors)
                room = MAX_REPORTED_ERRORS - len(result.errors)
                result.errors.extend(errors[: max(room, 0)])
            elif not result.error_count:
                valid.append(writer.row(values))
    except SheetError as exc:
        result.errors.append(RowError(exc.row, "", str(exc)))
        result.error_count += 1
    if result.rows == 0 and not result.error_count:
        result.errors.append(RowError(0, "", _("The file has a header row but no people in it.")))
        result.error_count = 1
    if result.error_count:
        return result
    reason = coded("imported", file=source)
    try:
        with sqlite_page_cache(connections[router.db_for_write(Person)]), service_atomic():
            writer.write(valid, actor, reason)
        result.created = len(valid)
    except IntegrityError:
        # Someone added a clashing person between our check and our write: nothing was kept.
        result.created = 0
        result.errors.append(
            RowError(
                0,
                "",
                _(
                    "Another change to the people registry clashed with this import; nothing was "
                    "imported. Please upload the file again."
                ),
            )
        )
        result.error_count = 1
    return result


@contextlib.contextmanager
def sqlite_page_cache(connection):
    """On SQLite, a page cache of SQLITE_CACHE_KIB while the import writes, then the
    connection's own again.

    Every person adds to eight indexes of core_person and seven of the history's; with
    SQLite's default cache (2 MB) their pages fall out and are read again, and the dirty
    ones spill to the WAL before the commit. Memory only: durability, journalling and
    locking are as they were. The cache grows only as pages are used (a 50,000-person
    import touches about 30 MB of them)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute("PRAGMA page_size")
        (page_size,) = cursor.fetchone()
    # A negative cache_size is in KiB, a positive one in pages.
    if (-previous if previous < 0 else previous * page_size // 1024) >= SQLITE_CACHE_KIB:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA cache_size = -{int(SQLITE_CACHE_KIB)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


AUTO = object()


class PeopleWriter:
    """Writes checked people and their history with a few statements per thousand rows.

    Each person is one row of an executemany INSERT; their history records are copied from
    the rows just written by INSERT … SELECT (on SQLite one per batch, over the batch's new
    ids; elsewhere one per few hundred people, by person number), with the importing
    user, the reason and the time. That is the record simple_history's
    bulk_create_with_history writes (a '+' record of every tracked field) without building
    two model instances a person: through the ORM, 50,000 people took twenty seconds on
    SQLite; this way, two.
    """

    def __init__(self):
        meta = Person._meta
        fields = [f for f in meta.concrete_fields if not f.primary_key]
        per_row = [f for f in fields if f.attname in PER_ROW_FIELDS]
        self.row = itemgetter(*(f.attname for f in per_row))
        # The fields RowChecker does not fill: the time for auto_now(_add), else the default.
        self.constant_fields = []
        template = Person()
        for f in fields:
            if f in per_row:
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.constant_fields.append((f, AUTO))
            elif f.has_default() and callable(f.default):
                raise ImproperlyConfigured(
                    f"people_import cannot give every person the same {f.name}: add it to "
                    "PER_ROW_FIELDS and fill it in RowChecker.check."
                )
            else:
                self.constant_fields.append((f, getattr(template, f.attname)))
        self.columns = [f.column for f in per_row] + [f.column for f, _v in self.constant_fields]
        self.number_at = [f.attname for f in per_row].index("person_number")
        history = Person.history.model
        hmeta = history._meta
        # (history column, person column) of each tracked field, then the history's own.
        self.copied = [(hmeta.get_field(f.name).column, f.column) for f in history.tracked_fields]
        self.stamp = ["history_date", "history_change_reason", "history_type", "history_user_id"]
        covered = {column for column, _source in self.copied} | set(self.stamp)
        missing = [f.column for f in hmeta.concrete_fields if f.column not in covered]
        if missing != [hmeta.pk.column]:
            raise ImproperlyConfigured(f"people_import cannot fill the history's {missing}.")
        self.history_table = hmeta.db_table

    def write(self, rows: list[tuple], actor, reason: str) -> None:
        """Write `rows` (from `row`) and their history. Call inside a transaction."""
        connection = connections[router.db_for_write(Person)]
        quote = connection.ops.quote_name
        now = timezone.now()
        stamped = Person()  # auto_now(_add) fields take the time from pre_save
        constants = tuple(
            f.get_db_prep_save(f.pre_save(stamped, True) if value is AUTO else value, connection)
            for f, value in self.constant_fields
        )
        insert = "INSERT INTO {} ({}) VALUES ({})".format(
            quote(Person._meta.db_table),
            ", ".join(map(quote, self.columns)),
            ", ".join(["%s"] * len(self.columns)),
        )
        history_date = Person.history.model._meta.get_field("history_date")
        stamp = [history_date.get_db_prep_save(now, connection), reason, "+", actor.pk]
        person_table = quote(Person._meta.db_table)
        copy = "INSERT INTO {} ({}) SELECT {} FROM {} WHERE ".format(
            quote(self.history_table),
            ", ".join(quote(column) for column in [c for c, _s in self.copied] + self.stamp),
            ", ".join([quote(source) for _c, source in self.copied] + ["%s"] * len(stamp)),
            person_table,
        )
        pk = quote(Person._meta.pk.column)
        number = quote(Person._meta.get_field("person_number").column)
        with connection.cursor() as cursor:
            for start in range(0, len(rows), BATCH_SIZE):
                batch = rows[start : start + BATCH_SIZE]
                if connection.vendor == "sqlite":
                    # SQLite has one writer at a time, and this transaction is it: the rows
                    # above the highest id before the batch are the batch's (AUTOINCREMENT
                    # ids only grow), copied by one statement that walks the new ids in order.
                    cursor.execute(f"SELECT COALESCE(MAX({pk}), 0) FROM {person_table}")
                    (highest,) = cursor.fetchone()
                    cursor.executemany(insert, [row + constants for row in batch])
                    cursor.execute(f"{copy}{pk} > %s", [*stamp, highest])
                    if cursor.rowcount != len(batch):
                        # Not SQLite as it is documented: roll back rather than misrecord.
                        raise IntegrityError(
                            f"{cursor.rowcount} history records for {len(batch)} people"
                        )
                    continue
                # Elsewhere other transactions take ids too: the batch is picked by number.
                cursor.executemany(insert, [row + constants for row in batch])
                numbers = [row[self.number_at] for row in batch]
                for first in range(0, len(numbers), HISTORY_CHUNK):
                    chunk = numbers[first : first + HISTORY_CHUNK]
                    placeholders = ", ".join(["%s"] * len(chunk))
                    cursor.execute(f"{copy}{number} IN ({placeholders})", stamp + chunk)


def template_workbook() -> bytes:
    """The import template: headers in the user's language, the ID column as text, and a
    second sheet listing the values each choice column takes."""
    chinese = (translation.get_language() or "").startswith("zh")
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("People")
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=column.zh if chinese else column.en)
        cell.font = Font(bold=True)
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = column.width
        if column.key in ("national_id", "phone", "person_number"):
            for row in range(2, 2002):
                sheet.cell(row=row, column=index).number_format = "@"
    notes = workbook.create_sheet(_("Allowed values"))
    notes.append([_("Column"), _("Allowed values")])
    for key, choices in (
        ("sex", Person.Sex),
        ("category", Person.Category),
        ("residence", Person.Residence),
    ):
        notes.append([header(key), "、".join(str(label) for _value, label in choices.choices)])
    notes.append([header("unit"), _("The unit's code or name, as on the Units page")])
    notes.append([header("national_id"), _("18 characters, typed as text")])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


EXPORT_FIELDS = (
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
    "household__building_id",
    "household__address",
)


def export_rows(people):
    """Rows for the people export, personal data masked: plain values, not Person
    instances (each with its unit, dormitory and household), and each choice's label
    looked up once, not per row, which on a registry of thousands was most of the
    export's time. Three queries: every unit, every building, and the people."""
    labels = {
        name: {value: str(label) for value, label in choices}
        for name, choices in (
            ("sex", Person.Sex.choices),
            ("category", Person.Category.choices),
            ("residence", Person.Residence.choices),
        )
    }
    # Every unit's and building's name, whoever the people are: a school has tens of them,
    # and the people then stream through without being held in memory.
    units = {unit.pk: unit.display_name for unit in Unit.objects.all()}
    buildings = {building.pk: building.display_name for building in Building.objects.all()}
    rows = people.values_list(*EXPORT_FIELDS).iterator(chunk_size=2000)
    for (number, name, sex, category, unit_id, national_id, phone, native_province,
         native_place, current_province, current_city, residence, dormitory_id,
         dormitory_room, household_building_id, household_address) in rows:  # fmt: skip
        household = ""
        if household_address is not None:  # the household's str(): building and address
            building = buildings[household_building_id] + " " if household_building_id else ""
            household = f"{building}{household_address}"
        yield [
            number,
            name,
            labels["sex"].get(sex, sex),
            labels["category"].get(category, category),
            units[unit_id],
            mask_national_id(national_id),
            mask_phone(phone),
            native_province,
            native_place,
            current_province,
            current_city,
            labels["residence"].get(residence, residence),
            buildings[dormitory_id] if dormitory_id else "",
            dormitory_room,
            household,
        ]
