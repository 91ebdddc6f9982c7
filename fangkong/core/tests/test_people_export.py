"""Exporting people to .xlsx: the user's scope and filters, personal data masked."""

import io
import re
import zipfile

import pytest
from django.utils import translation
from openpyxl import load_workbook

from fangkong.core.models import Person
from fangkong.core.roles import Role
from fangkong.core.tests.xlsx_files import CHINESE_HEADER, ENGLISH_HEADER, read
from fangkong.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db

EXPORT_URL = "/people/export.xlsx"


@pytest.fixture(autouse=True)
def english():
    """Messages in English, whatever language an earlier test's request left active."""
    with translation.override("en"):
        yield


@pytest.fixture
def people(unit, other_unit):
    """Two staff and an undergraduate of the `unit`, a staff member of another unit and a
    deactivated person."""
    return {
        "staff": PersonFactory(unit=unit, person_number="A001", name="王芳"),
        "staff2": PersonFactory(unit=unit, person_number="A002", name="李强"),
        "student": PersonFactory(
            unit=unit, person_number="A003", name="张伟", category=Person.Category.UNDERGRADUATE
        ),
        "stranger": PersonFactory(unit=other_unit, person_number="C001", name="刘洋"),
        "gone": PersonFactory(unit=unit, person_number="A009", is_active=False),
    }


def export(client, **params):
    response = client.get(EXPORT_URL, params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return response


def numbers(response) -> list[str]:
    return [row[0] for row in read(response.content)[1:]]


def test_the_export_opens_with_openpyxl_with_headers_in_english(login_as, people):
    response = export(login_as(Role.OFFICE))

    assert 'filename="people-' in response["Content-Disposition"]
    assert read(response.content)[0] == tuple(ENGLISH_HEADER)


def test_the_export_headers_are_in_the_users_language(login_as, people):
    client = login_as(Role.OFFICE)

    response = client.get(EXPORT_URL, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert read(response.content)[0] == tuple(CHINESE_HEADER)


def test_the_office_exports_every_active_person(login_as, people):
    response = export(login_as(Role.OFFICE))

    assert numbers(response) == ["A001", "A002", "A003", "C001"]


def test_the_export_holds_exactly_the_filtered_people(login_as, people, unit):
    client = login_as(Role.OFFICE)

    assert numbers(export(client, category="undergraduate")) == ["A003"]
    assert numbers(export(client, unit=unit.pk, q="李")) == ["A002"]
    assert numbers(export(client, active="0")) == ["A009"]


def test_an_officers_export_holds_only_their_unit(login_as, people):
    client = login_as(Role.OFFICER)

    assert numbers(export(client)) == ["A001", "A002", "A003"]


def test_an_officer_cannot_export_another_unit_by_filtering_for_it(login_as, people, other_unit):
    client = login_as(Role.OFFICER)

    assert "C001" not in numbers(export(client, unit=other_unit.pk))


def test_id_numbers_and_phones_are_masked(login_as, people):
    staff = people["staff"]

    rows = read(export(login_as(Role.OFFICE)).content)

    row = next(row for row in rows if row[0] == "A001")
    masked_id, masked_phone = row[5], row[6]
    assert masked_id == staff.national_id[:4] + "*" * 10 + staff.national_id[-4:]
    assert re.fullmatch(r"\d{4}\*{10}[\dX]{4}", masked_id)
    assert masked_phone == staff.phone[:3] + "****" + staff.phone[-4:]
    assert re.fullmatch(r"\d{3}\*{4}\d{4}", masked_phone)


def test_no_full_id_number_or_phone_appears_anywhere_in_the_file(login_as, people):
    content = export(login_as(Role.OFFICE), active="all").content

    archive = zipfile.ZipFile(io.BytesIO(content))
    text = "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    for someone in people.values():
        assert someone.national_id not in text
        assert someone.phone not in text
        assert someone.phone[3:] not in text  # not even the digits after the prefix


def test_the_export_is_the_registry_in_words(login_as, people, unit):
    rows = read(export(login_as(Role.OFFICE)).content)

    row = next(row for row in rows if row[0] == "A003")
    assert row[1:5] == ("张伟", "Female", "Undergraduate", unit.name_en)
    assert row[11] == "Off campus"


def test_text_that_starts_with_an_equals_sign_is_exported_as_text(login_as, unit):
    PersonFactory(unit=unit, person_number="A001", name='=HYPERLINK("http://x.example","点")')

    content = export(login_as(Role.OFFICE)).content

    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    cell = sheet["B2"]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://x.example","点")', "s")


def test_characters_a_spreadsheet_cannot_hold_are_left_out(login_as, unit):
    PersonFactory(unit=unit, person_number="A001", name="王\x07芳")

    rows = read(export(login_as(Role.OFFICE)).content)

    assert rows[1][1] == "王芳"


def test_a_large_export_holds_every_person_in_words_masked_in_a_fixed_number_of_queries(
    login_as, unit, other_unit
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fangkong.testing.factories import BuildingFactory, HouseholdFactory

    client = login_as(Role.OFFICE)
    PersonFactory(unit=unit, person_number="A000")
    with CaptureQueriesContext(connection) as few:
        export(client)
    dormitory, household = BuildingFactory(name="7号楼"), HouseholdFactory(address="2-301")
    for number in range(1, 250):
        where = {}
        if number % 3 == 1:
            where = {"residence": Person.Residence.DORMITORY, "dormitory": dormitory}
            where["dormitory_room"] = "302"
        elif number % 3 == 2:
            where = {"residence": Person.Residence.HOUSEHOLD, "household": household}
        PersonFactory(
            unit=unit if number % 2 else other_unit,
            person_number=f"A{number:03d}",
            category=Person.Category.POSTGRADUATE,
            **where,
        )

    with CaptureQueriesContext(connection) as many:
        response = client.get(EXPORT_URL, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert len(many) == len(few)
    rows = read(response.content)[1:]
    people = Person.objects.select_related("unit", "dormitory", "household__building")
    with translation.override("zh-hans"):
        expected = [
            (
                person.person_number,
                person.name,
                person.get_sex_display(),
                person.get_category_display(),
                person.unit.name,
                person.national_id[:4] + "*" * 10 + person.national_id[-4:],
                person.phone[:3] + "****" + person.phone[-4:],
                "陕西省",
                "西安市",
                "陕西省",
                "西安市",
                person.get_residence_display(),
                person.dormitory.name if person.dormitory else None,
                person.dormitory_room or None,
                str(person.household) if person.household else None,
            )
            for person in sorted(people, key=lambda p: (p.unit.code, p.person_number))
        ]
    assert len(rows) == 250
    assert rows == expected
    assert [row[12] for row in rows].count("7号楼") == 83
    assert [row[14] for row in rows].count(f"{household.building.name} 2-301") == 83
