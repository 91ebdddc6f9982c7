"""People to and from .xlsx: the downloadable template, the all-or-nothing import and the
masked export.

The import reads the sheet once, streamed, validating each row with the same validators
the Person model uses and keeping only the valid rows' text; it writes nothing unless
every row is good, and then writes them all in one transaction.
"""

import io
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from simple_history.utils import bulk_create_with_history

from fangkong.core import scoping
from fangkong.core.identity import (
    mask_national_id,
    mask_phone,
    normalise_national_id,
    normalise_phone,
    validate_national_id,
    validate_phone,
)
from fangkong.core.models import Area, Building, Household, Person, Unit
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
MAX_REPORTED_ERRORS = 500
BATCH_SIZE = 2000


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


def name_lookup(rows, key_attrs=("code", "name", "name_en")) -> dict[str, object]:
    lookup = {}
    for row in rows:
        for attr in key_attrs:
            value = getattr(row, attr, "")
            if value:
                lookup.setdefault(str(value).strip().lower(), row)
    return lookup


class RowChecker:
    """Validates one row at a time against the registry as it stands, and against the rows
    before it in the same file (duplicate person numbers or ID numbers)."""

    def __init__(self, actor):
        self.actor = actor
        self.sexes = choice_lookup(Person.Sex) | {"男": "M", "女": "F", "male": "M", "female": "F"}
        self.categories = choice_lookup(Person.Category)
        self.residences = choice_lookup(Person.Residence)
        self.units = name_lookup(Unit.objects.filter(is_active=True))
        self.dormitories = name_lookup(
            Building.objects.filter(area__kind=Area.Kind.DORMITORY), ("name", "name_en")
        )
        households = Household.objects.filter(is_active=True).select_related("building")
        self.households = {}
        for household in households:
            for language in ("zh-hans", "en"):
                with translation.override(language):
                    self.households.setdefault(str(household).lower(), household)
        self.numbers = set(Person.objects.values_list("person_number", flat=True))
        self.ids = set(Person.objects.exclude(national_id="").values_list("national_id", flat=True))
        self.max_lengths = {name: Person._meta.get_field(name).max_length for name in TEXT_FIELDS}
        self.max_lengths |= {"national_id": 18, "phone": 20}

    def check(self, number: int, record: dict, numeric: set[str]):
        """(values for Person, errors) for one row."""
        errors: list[RowError] = []

        def fail(key, message):
            errors.append(RowError(number, header(key), message))

        values = {key: record.get(key, "") for key in TEXT_FIELDS}
        for key in ("person_number", "name"):
            if not values[key]:
                fail(key, _("This cell is required."))
        for key, limit in self.max_lengths.items():
            text = record.get(key, "")
            if len(text) > limit:
                fail(key, _("At most %(limit)d characters.") % {"limit": limit})
        if values["person_number"]:
            if values["person_number"] in self.numbers:
                fail(
                    "person_number",
                    _("Person number %(number)s is already used.")
                    % {"number": values["person_number"]},
                )
            self.numbers.add(values["person_number"])

        for key, lookup in (("sex", self.sexes), ("category", self.categories)):
            text = record.get(key, "")
            if not text:
                fail(key, _("This cell is required."))
            elif text.lower() not in lookup:
                fail(key, _("Unknown value “%(value)s”.") % {"value": text})
            else:
                values[key] = lookup[text.lower()]

        unit = self.units.get(record.get("unit", "").lower())
        if not record.get("unit"):
            fail("unit", _("This cell is required."))
        elif unit is None:
            fail("unit", _("Unknown unit “%(value)s”.") % {"value": record["unit"]})
        elif not scoping.can_edit_person_in_unit(self.actor, unit.pk):
            fail("unit", _("You may only import people of your own unit."))
        values["unit_id"] = unit.pk if unit else None

        national_id = normalise_national_id(record.get("national_id", ""))
        if "national_id" in numeric:
            fail(
                "national_id",
                _(
                    "The ID number is stored as a number, which loses digits: "
                    "format the column as text and type it again."
                ),
            )
        elif national_id:
            try:
                validate_national_id(national_id)
            except ValidationError as exc:
                fail("national_id", exc.messages[0])
            else:
                if national_id in self.ids:
                    fail("national_id", _("Another person has this ID number."))
                self.ids.add(national_id)
        values["national_id"] = national_id

        phone = normalise_phone(record.get("phone", ""))
        if phone:
            try:
                validate_phone(phone)
            except ValidationError as exc:
                fail("phone", exc.messages[0])
        values["phone"] = phone

        residence_text = record.get("residence", "")
        residence = (
            self.residences.get(residence_text.lower(), None)
            if residence_text
            else (Person.Residence.OFF_CAMPUS)
        )
        if residence is None:
            fail("residence", _("Unknown value “%(value)s”.") % {"value": residence_text})
        values["residence"] = residence
        values["dormitory_id"] = values["household_id"] = None
        if residence == Person.Residence.DORMITORY:
            dormitory = self.dormitories.get(record.get("dormitory", "").lower())
            if dormitory is None:
                fail(
                    "dormitory",
                    _("Unknown dormitory “%(value)s”.") % {"value": record.get("dormitory", "")},
                )
            values["dormitory_id"] = dormitory.pk if dormitory else None
        elif residence == Person.Residence.HOUSEHOLD:
            household = self.households.get(record.get("household", "").lower())
            if household is None:
                fail(
                    "household",
                    _("Unknown household “%(value)s”.") % {"value": record.get("household", "")},
                )
            values["household_id"] = household.pk if household else None
            values["dormitory_room"] = ""
        else:
            values["dormitory_room"] = ""
        return values, errors


def header(key: str) -> str:
    column = COLUMN_BY_KEY[key]
    return column.zh if (translation.get_language() or "").startswith("zh") else column.en


def import_people(actor, upload) -> ImportResult:
    """Import every row of an uploaded .xlsx or none of them."""
    if not scoping.can_manage_people(actor):
        raise PermissionDenied(_("Your role does not allow importing people."))
    try:
        workbook, sheet = open_sheet(upload)
    except SheetError as exc:
        return ImportResult(errors=[RowError(0, "", str(exc))], error_count=1)
    try:
        return import_records(
            actor, iter_records(sheet, COLUMNS), source=getattr(upload, "name", "") or "xlsx"
        )
    finally:
        workbook.close()


def import_records(actor, records, source: str) -> ImportResult:
    """Import (row number, {column key: text}, numeric keys) records: all or nothing.

    The spreadsheet import and the demo seed both come through here.
    """
    if not scoping.can_manage_people(actor):
        raise PermissionDenied(_("Your role does not allow importing people."))
    result = ImportResult()
    checker = RowChecker(actor)
    valid: list[dict] = []
    try:
        for number, record, numeric in records:
            result.rows += 1
            values, errors = checker.check(number, record, numeric)
            if errors:
                result.error_count += len(errors)
                room = MAX_REPORTED_ERRORS - len(result.errors)
                result.errors.extend(errors[: max(room, 0)])
            elif not result.error_count:
                valid.append(values)
    except SheetError as exc:
        result.errors.append(RowError(1, "", str(exc)))
        result.error_count += 1
    if result.rows == 0 and not result.error_count:
        result.errors.append(RowError(0, "", _("The file has a header row but no people in it.")))
        result.error_count = 1
    if result.error_count:
        return result
    reason = _("Imported from %(file)s") % {"file": source}
    try:
        with transaction.atomic():
            for start in range(0, len(valid), BATCH_SIZE):
                batch = [Person(**values) for values in valid[start : start + BATCH_SIZE]]
                bulk_create_with_history(
                    batch,
                    Person,
                    batch_size=BATCH_SIZE,
                    default_user=actor,
                    default_change_reason=reason,
                )
                result.created += len(batch)
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


def export_rows(people):
    """Rows for the people export, personal data masked."""
    for person in people.iterator(chunk_size=2000):
        yield [
            person.person_number,
            person.name,
            person.get_sex_display(),
            person.get_category_display(),
            person.unit.display_name,
            mask_national_id(person.national_id),
            mask_phone(person.phone),
            person.native_province,
            person.native_place,
            person.current_province,
            person.current_city,
            person.get_residence_display(),
            person.dormitory.display_name if person.dormitory_id else "",
            person.dormitory_room,
            str(person.household) if person.household_id else "",
        ]
