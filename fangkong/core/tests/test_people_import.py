"""Importing people from .xlsx: every row or none, each problem named by row and column."""

import io
import re
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import translation
from django.utils.html import escape
from openpyxl import load_workbook

from fangkong.core import people_import
from fangkong.core.history import coded
from fangkong.core.identity import id_check_char, validate_national_id
from fangkong.core.models import Area, Person
from fangkong.core.roles import Role
from fangkong.core.tests.workbook_files import ods, xls
from fangkong.core.tests.xlsx_files import (
    CHINESE_HEADER,
    ENGLISH_HEADER,
    KEYS,
    national_id,
    person,
    read,
    save,
    upload,
    workbook,
)
from fangkong.testing.factories import (
    AreaFactory,
    BuildingFactory,
    HouseholdFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db

IMPORT_URL = "/people/import/"
TEMPLATE_URL = "/people/import/template.xlsx"


@pytest.fixture(autouse=True)
def english():
    """Messages in English, whatever language an earlier test's request left active."""
    with translation.override("en"):
        yield


@pytest.fixture
def office(make_user):
    return make_user(Role.OFFICE)


@pytest.fixture
def dormitory(db):
    area = AreaFactory(kind=Area.Kind.DORMITORY, name="学生宿舍区", name_en="Dormitories")
    return BuildingFactory(area=area, name="学生公寓1号楼", name_en="Dormitory 1")


@pytest.fixture
def household(db):
    return HouseholdFactory(building__name="家属楼3号楼", building__name_en="Block 3")


def post(client, content: bytes, name: str = "people.xlsx"):
    return client.post(IMPORT_URL, {"file": upload(content, name)})


def problems(result) -> list[tuple[int, str, str]]:
    return [(error.row, error.column, error.message) for error in result.errors]


def import_rows(actor, rows, header=ENGLISH_HEADER):
    return people_import.import_people(actor, upload(workbook(rows, header)))


# ---- good files ---------------------------------------------------------------------------


def test_a_good_file_with_chinese_headers_imports_every_row(login_as, unit):
    client = login_as(Role.OFFICE)
    rows = [person(1, sex="男"), person(2, unit="建筑学院"), person(3, category="Undergraduate")]

    response = post(client, workbook(rows, CHINESE_HEADER))

    assert response.status_code == 302
    assert Person.objects.count() == 3
    first = Person.objects.get(person_number="T00001")
    assert (first.name, first.sex, first.category, first.unit) == ("导入1", "M", "staff", unit)
    assert Person.objects.get(person_number="T00003").category == "undergraduate"


def test_a_good_file_with_english_headers_imports_every_row(office, unit, dormitory, household):
    with translation.override("zh-hans"):
        address = str(household)
    rows = [
        person(1, unit="College of Architecture", sex="Female"),
        person(2, residence="Dormitory", dormitory="Dormitory 1", dormitory_room="302"),
        person(3, residence="household", household=address),
    ]

    result = import_rows(office, rows)

    assert result.ok, problems(result)
    assert (result.created, Person.objects.count()) == (3, 3)
    first, second, third = Person.objects.order_by("person_number")
    assert (first.national_id, first.phone, first.unit) == (national_id(1), "13900000001", unit)
    assert (second.residence, second.dormitory, second.dormitory_room) == (
        "dormitory",
        dormitory,
        "302",
    )
    assert (third.residence, third.household, third.dormitory) == ("household", household, None)


def test_chinese_labels_of_the_choices_are_understood(office, unit):
    with translation.override("zh-hans"):
        staff, off_campus = str(Person.Category.STAFF.label), str(Person.Residence.OFF_CAMPUS.label)
    if staff == "Staff":
        pytest.skip("the Chinese catalogue is not compiled (make test compiles it)")

    result = import_rows(
        office, [person(1, category=staff, residence=off_campus)], header=CHINESE_HEADER
    )

    assert result.ok, problems(result)
    assert Person.objects.get().category == "staff"


def test_id_numbers_typed_as_text_keep_every_digit_and_a_trailing_x(office, unit):
    ending_in_x = next(n for n in range(1, 1000) if id_check_char(national_id(n)[:17]) == "X")
    typed = national_id(ending_in_x)
    assert typed.endswith("X")
    lower_case = national_id(ending_in_x + 1000)[:17]
    lower_case += id_check_char(lower_case).lower()
    rows = [person(1, national_id=typed), person(2, national_id=lower_case)]

    result = import_rows(office, rows)

    assert result.ok, problems(result)
    assert Person.objects.get(person_number="T00001").national_id == typed
    assert Person.objects.get(person_number="T00002").national_id == lower_case.upper()


def test_rows_past_a_dimension_the_file_understates_are_imported(office, unit):
    """openpyxl's read-only mode trusts <dimension>; a file that understates it must not
    lose rows silently."""
    content = workbook([person(n) for n in range(1, 6)], ENGLISH_HEADER)
    source, target = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(target, "w") as archive:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data, count = re.subn(
                    rb'<dimension ref="A1:O6" ?/>', b'<dimension ref="A1:O2"/>', data
                )
                assert count == 1
            archive.writestr(item, data)

    result = people_import.import_people(office, upload(target.getvalue()))

    assert result.ok, problems(result)
    assert Person.objects.count() == 5


def test_a_title_row_above_the_header_is_passed_over(office, unit):
    book = load_workbook(io.BytesIO(workbook([person(1)], ENGLISH_HEADER)))
    book.active.insert_rows(1)
    book.active["A1"] = "2020年人员信息表"

    result = people_import.import_people(office, upload(save(book)))

    assert result.ok, problems(result)
    assert Person.objects.count() == 1


def test_an_ods_saved_by_libreoffice_imports(office, unit):
    rows = [[person(n).get(key) for key in KEYS] for n in (1, 2)]

    result = people_import.import_people(
        office, upload(ods([["某某学院人员台账"], CHINESE_HEADER, *rows]), "people.ods")
    )

    assert result.ok, problems(result)
    assert sorted(Person.objects.values_list("person_number", "name", "unit__code")) == [
        ("T00001", "导入1", "arch"),
        ("T00002", "导入2", "arch"),
    ]


def test_an_ods_row_error_names_the_sheet_row(office, unit):
    rows = [[person(n, name="" if n == 2 else f"导入{n}").get(key) for key in KEYS] for n in (1, 2)]

    result = people_import.import_people(
        office, upload(ods([["某某学院人员台账"], CHINESE_HEADER, *rows]), "people.ods")
    )

    assert problems(result) == [(4, "Name", "This cell is required.")]


def test_an_xls_from_old_excel_imports(office, unit):
    rows = [[person(n).get(key) for key in KEYS] for n in (1, 2, 3)]

    result = people_import.import_people(office, upload(xls([ENGLISH_HEADER, *rows]), "p.xls"))

    assert result.ok, problems(result)
    assert Person.objects.get(person_number="T00003").national_id == national_id(3)


def test_the_page_accepts_the_three_kinds_of_workbook(login_as):
    page = login_as(Role.OFFICE).get(IMPORT_URL).content.decode()

    assert 'accept=".xlsx,.xlsm,.xls,.ods"' in page


# ---- bad rows: every problem is listed, nothing is written ----------------------------------


def test_a_wrong_id_check_digit_is_reported_with_row_and_column(office, unit):
    good = national_id(2)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")

    result = import_rows(office, [person(1), person(2, national_id=wrong)])

    assert problems(result) == [
        (
            3,
            "National ID number",
            "The ID number's check digit is wrong: please check it for a typing error.",
        )
    ]
    assert Person.objects.count() == 0


def test_an_unknown_unit_is_reported(office, unit):
    result = import_rows(office, [person(1, unit="No Such College")])

    assert problems(result) == [(2, "Unit", "Unknown unit “No Such College”.")]
    assert Person.objects.count() == 0


def test_a_person_number_already_in_the_registry_is_reported(office, unit):
    PersonFactory(unit=unit, person_number="T00002")

    result = import_rows(office, [person(1), person(2)])

    assert problems(result) == [(3, "Person number", "Person number T00002 is already used.")]
    assert Person.objects.count() == 1


def test_a_person_number_twice_in_the_file_is_reported_on_the_second_row(office, unit):
    rows = [person(1), person(2), person(3, person_number="T00001")]

    result = import_rows(office, rows)

    assert problems(result) == [(4, "Person number", "Person number T00001 is also on row 2.")]
    assert Person.objects.count() == 0


def test_an_id_number_twice_in_the_file_is_reported_on_the_second_row(office, unit):
    result = import_rows(office, [person(1), person(2, national_id=national_id(1))])

    assert problems(result) == [(3, "National ID number", "This ID number is also on row 2.")]
    assert Person.objects.count() == 0


def test_a_missing_name_is_reported(office, unit):
    result = import_rows(office, [person(1, name=None)])

    assert problems(result) == [(2, "Name", "This cell is required.")]
    assert Person.objects.count() == 0


def test_an_id_number_stored_as_a_number_is_refused(office, unit):
    typed_as_number = float(national_id(1)[:17] + "1")  # Excel keeps 15 digits of it

    result = import_rows(office, [person(1, national_id=typed_as_number)])

    [(row, column, message)] = problems(result)
    assert (row, column) == (2, "National ID number")
    assert message.startswith("The ID number is stored as a number, which loses digits")
    assert Person.objects.count() == 0


def test_an_unknown_category_is_reported(office, unit):
    result = import_rows(office, [person(1, category="visiting scholar")])

    assert problems(result) == [(2, "Category", "Unknown value “visiting scholar”.")]
    assert Person.objects.count() == 0


def test_every_bad_row_of_a_file_is_reported_and_nothing_is_written(office, unit):
    rows = [
        person(1),
        person(2, unit="Nowhere"),
        person(3),
        person(4, name=None, category="alien"),
        person(5, national_id="61011319850505001"),
        person(6, phone="call me"),
    ]

    result = import_rows(office, rows)

    assert [(row, column) for row, column, _message in problems(result)] == [
        (3, "Unit"),
        (5, "Name"),
        (5, "Category"),
        (6, "National ID number"),
        (7, "Phone"),
    ]
    assert (result.error_count, result.created) == (5, 0)
    assert Person.objects.count() == 0
    assert Person.history.count() == 0


def test_the_page_lists_the_problems_with_status_400_and_writes_nothing(login_as, unit):
    client = login_as(Role.OFFICE)
    rows = [person(1), person(2, unit="Nowhere"), person(3, name=None)]

    response = post(client, workbook(rows, ENGLISH_HEADER))

    assert response.status_code == 400
    page = response.content.decode()
    assert "2 problems — nothing was imported" in page
    assert "<td>3</td><td>Unit</td><td>" + escape("Unknown unit “Nowhere”.") in page
    assert "<td>4</td><td>Name</td><td>This cell is required.</td>" in page
    assert Person.objects.count() == 0


def test_a_clash_written_meanwhile_rolls_back_every_row(office, unit, monkeypatch):
    """Someone adds a person between the checks and the write: nothing is kept."""
    checker_init = people_import.RowChecker.__init__

    def checker_then_a_clash(self, actor):
        checker_init(self, actor)
        PersonFactory(unit=unit, person_number="T00003")

    monkeypatch.setattr(people_import.RowChecker, "__init__", checker_then_a_clash)

    result = import_rows(office, [person(1), person(2), person(3)])

    assert not result.ok
    assert result.errors[0].message.startswith("Another change to the people registry clashed")
    assert list(Person.objects.values_list("person_number", flat=True)) == ["T00003"]
    assert not Person.history.filter(person_number__in=["T00001", "T00002"]).exists()


# ---- files that are not a people sheet -------------------------------------------------------


NOT_XLSX = (
    "This is not a spreadsheet that can be read: save it from Excel, WPS or LibreOffice as "
    ".xlsx, .xls or .ods."
)


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        )
        archive.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="word/document.xml" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
            "</Relationships>",
        )
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("people.csv", "人员编号,姓名\nT00001,张三\n".encode()),
        ("people.docx", docx_bytes()),
        ("people.xlsx", docx_bytes()),
        ("people.xlsx", bytes(range(256)) * 8),
        ("people.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504),
        ("people.ods", docx_bytes()),
    ],
    ids=["csv", "docx", "docx-named-xlsx", "random-bytes", "broken-xls", "docx-named-ods"],
)
def test_a_file_that_is_not_a_workbook_is_refused_with_400(login_as, unit, name, content):
    client = login_as(Role.OFFICE)

    response = post(client, content, name)

    assert response.status_code == 400
    assert escape(NOT_XLSX) in response.content.decode()
    assert Person.objects.count() == 0


def test_a_workbook_with_an_empty_sheet_is_refused_as_having_no_header(login_as, unit):
    client = login_as(Role.OFFICE)

    response = post(client, workbook([]))

    assert response.status_code == 400
    assert "The file is empty: it has no header row." in response.content.decode()
    assert Person.objects.count() == 0


def test_a_header_only_file_is_refused(login_as, unit):
    client = login_as(Role.OFFICE)

    response = post(client, workbook([], CHINESE_HEADER))

    assert response.status_code == 400
    assert "The file has a header row but no people in it." in response.content.decode()
    assert Person.objects.count() == 0


def test_a_header_without_a_required_column_names_it(office, unit):
    header = [label if label != "Unit" else "Department" for label in ENGLISH_HEADER]

    result = import_rows(office, [person(1)], header=header)

    assert problems(result) == [(1, "", "The header row lacks the column(s): 所在单位 / Unit.")]
    assert Person.objects.count() == 0


def test_a_header_below_a_merged_title_lacking_a_column_is_named_with_its_row(office, unit):
    """A ledger's title (某某学院人员台账) merged across row 1, the header on row 2 without
    所在单位: the error names row 2 and the one column it lacks, not row 1 and all five."""
    header = [label for label in CHINESE_HEADER if label != "所在单位"]
    book = load_workbook(io.BytesIO(workbook([], header)))
    sheet = book.active
    sheet.insert_rows(1)
    sheet["A1"] = "某某学院人员台账"
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.append(["T00001", "导入1", "女", "staff", national_id(1)])

    result = people_import.import_people(office, upload(save(book)))

    assert problems(result) == [(2, "", "The header row lacks the column(s): 所在单位 / Unit.")]
    assert Person.objects.count() == 0


def test_the_header_error_is_shown_on_the_page_with_its_row(login_as, unit):
    client = login_as(Role.OFFICE)
    header = [label for label in ENGLISH_HEADER if label != "Sex"]
    content = workbook([], None)
    book = load_workbook(io.BytesIO(content))
    book.active.append(["人员信息表"])
    book.active.append([])
    book.active.append(header)

    response = post(client, save(book))

    assert response.status_code == 400
    assert re.search(
        r"<td>3</td><td>—</td><td>The header row lacks the column\(s\): 性别 / Sex.</td>",
        response.content.decode(),
    )


def test_an_empty_upload_is_refused_and_writes_nothing(login_as, unit):
    client = login_as(Role.OFFICE)

    response = post(client, b"")

    assert "The submitted file is empty." in response.content.decode()
    assert Person.objects.count() == 0


def test_an_empty_upload_answers_400(login_as, unit):
    client = login_as(Role.OFFICE)

    assert post(client, b"").status_code == 400


# ---- who may import --------------------------------------------------------------------------


def test_an_officer_imports_people_of_their_own_unit(login_as, unit):
    client = login_as(Role.OFFICER)

    response = post(client, workbook([person(1), person(2)], ENGLISH_HEADER))

    assert response.status_code == 302
    assert list(Person.objects.values_list("unit", flat=True)) == [unit.pk, unit.pk]


def test_an_officer_cannot_import_people_of_another_unit(login_as, unit, other_unit):
    client = login_as(Role.OFFICER)
    rows = [person(1), person(2, unit="civil"), person(3)]

    response = post(client, workbook(rows, ENGLISH_HEADER))

    assert response.status_code == 400
    assert problems(response.context["result"]) == [
        (3, "Unit", "You may only import people of your own unit.")
    ]
    assert Person.objects.count() == 0


@pytest.mark.parametrize("role", [Role.MEMBER, Role.GUARD])
def test_a_member_or_guard_gets_403(login_as, unit, role):
    client = login_as(role)

    assert client.get(IMPORT_URL).status_code == 403
    assert post(client, workbook([person(1)], ENGLISH_HEADER)).status_code == 403
    assert Person.objects.count() == 0


def test_import_people_refuses_a_member(make_user, unit):
    with pytest.raises(PermissionDenied):
        import_rows(make_user(Role.MEMBER), [person(1)])
    assert Person.objects.count() == 0


# ---- history ---------------------------------------------------------------------------------


def test_imported_people_have_history_records_with_the_importing_user(login_as, unit):
    client = login_as(Role.OFFICE)

    post(client, workbook([person(1), person(2)], ENGLISH_HEADER))

    people = list(Person.objects.order_by("person_number"))
    assert len(people) == 2
    tracked = Person.history.model.tracked_fields
    for someone in people:
        [record] = someone.history.all()
        assert (record.history_type, record.history_user) == ("+", client.user)
        assert record.history_change_reason == coded("imported", file="people.xlsx")
        assert record.history_date is not None
        for field in tracked:
            assert getattr(record, field.attname) == getattr(someone, field.attname), field.name


def test_people_and_history_are_written_in_batches_without_a_row_lost(office, unit, monkeypatch):
    monkeypatch.setattr(people_import, "BATCH_SIZE", 3)
    monkeypatch.setattr(people_import, "HISTORY_CHUNK", 2)

    result = import_rows(office, [person(n) for n in range(1, 9)])

    assert (result.ok, result.created) == (True, 8)
    assert Person.objects.count() == 8
    assert sorted(Person.history.values_list("person_number", flat=True)) == [
        f"T{n:05d}" for n in range(1, 9)
    ]


def test_history_is_written_for_the_imported_people_alone(office, unit):
    """The people already in the registry keep the history they had; each imported person
    gets exactly one record (on SQLite the copy takes the batch's new ids)."""
    before = [PersonFactory(unit=unit) for _n in range(3)]
    records_before = Person.history.count()

    result = import_rows(office, [person(n) for n in range(1, 5)])

    assert (result.ok, result.created) == (True, 4)
    assert Person.history.count() == records_before + 4
    imported = Person.history.filter(history_change_reason=coded("imported", file="people.xlsx"))
    assert not imported.filter(id__in=[someone.pk for someone in before]).exists()
    assert sorted(imported.values_list("person_number", flat=True)) == [
        f"T{n:05d}" for n in range(1, 5)
    ]


def test_the_sqlite_page_cache_is_larger_while_writing_and_as_it_was_after(
    office, unit, monkeypatch
):
    if connection.vendor != "sqlite":
        pytest.skip("a SQLite setting")

    def cache_size():
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            return cursor.fetchone()[0]

    seen = []
    write = people_import.PeopleWriter.write

    def write_and_look(*args):
        seen.append(cache_size())
        write(*args)

    monkeypatch.setattr(people_import.PeopleWriter, "write", write_and_look)
    before = cache_size()

    assert import_rows(office, [person(1)]).ok

    assert seen == [-people_import.SQLITE_CACHE_KIB]
    assert cache_size() == before


def test_the_fast_id_check_agrees_with_validate_national_id():
    """national_id_problem's shortcut (the check digit from the digits read in base 13)
    gives validate_national_id's verdict on every check character and on bad dates."""
    numbers = []
    for sequence in range(0, 3000, 7):
        first17 = national_id(sequence)[:17]
        numbers += [first17 + check for check in "0123456789X"]
    numbers += ["61011319850230" + "0012", "61011319851305" + "0013", "610113198505050"]
    for number in numbers:
        try:
            validate_national_id(number)
        except ValidationError as exc:
            expected = exc.messages[0]
        else:
            expected = None
        assert people_import.national_id_problem(number) == expected, number


# ---- the template ----------------------------------------------------------------------------


def test_the_template_opens_with_openpyxl_with_english_headers(login_as):
    client = login_as(Role.OFFICE)

    response = client.get(TEMPLATE_URL)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert read(response.content)[0] == tuple(ENGLISH_HEADER)


def test_the_template_headers_are_in_the_users_language(login_as):
    client = login_as(Role.OFFICE)

    response = client.get(TEMPLATE_URL, HTTP_ACCEPT_LANGUAGE="zh-hans")

    header = read(response.content)[0]
    assert header == tuple(CHINESE_HEADER)
    assert header[:3] == ("人员编号", "姓名", "性别")


def test_a_filled_in_template_imports(login_as, unit):
    client = login_as(Role.OFFICE)
    template = client.get(TEMPLATE_URL, HTTP_ACCEPT_LANGUAGE="zh-hans").content
    book = load_workbook(io.BytesIO(template))
    sheet = book.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    for number in (1, 2):
        values = person(number)
        for column, label in enumerate(header, start=1):
            key = CHINESE_HEADER.index(label)
            sheet.cell(
                row=number + 1, column=column, value=values.get(people_import.COLUMNS[key].key)
            )

    response = post(client, save(book), "人员导入模板.xlsx")

    assert response.status_code == 302
    assert Person.objects.count() == 2
    assert Person.objects.get(person_number="T00002").national_id == national_id(2)


def test_a_person_number_in_full_width_digits_is_imported_in_ascii(office, unit):
    result = import_rows(office, [person(1, person_number="ｔ２０２５０６０１")])

    assert result.ok, problems(result)
    assert list(Person.objects.values_list("person_number", flat=True)) == ["T20250601"]


def test_a_full_width_duplicate_of_a_number_on_an_earlier_row_is_refused(office, unit):
    result = import_rows(office, [person(1, person_number="T1"), person(2, person_number="Ｔ１")])

    assert problems(result) == [(3, "Person number", "Person number T1 is also on row 2.")]
    assert not Person.objects.exists()


def test_a_person_number_still_not_ascii_is_refused_naming_its_row(office, unit):
    result = import_rows(office, [person(1), person(2, person_number="T2025学号")])

    assert [(row, column) for row, column, _message in problems(result)] == [(3, "Person number")]
    assert "“学号”" in problems(result)[0][2]
    assert not Person.objects.exists()
