"""Uploads that would unpack to too much are refused from the zip's directory, before a byte
is unpacked, with a message naming the limit: never a 500, never a killed worker."""

import pytest
from django.utils import translation

from fangkong import spreadsheets
from fangkong.core import people_import
from fangkong.core.models import Person
from fangkong.core.roles import Role
from fangkong.core.tests.workbook_files import (
    MAIN,
    inline_string_bomb,
    many_entries,
    package,
)
from fangkong.core.tests.xlsx_files import upload
from fangkong.reporting import services as reporting_services

pytestmark = pytest.mark.django_db

IMPORT_URL = "/people/import/"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(scope="module")
def bomb_600_mib() -> bytes:
    """About 600 KB that unpack to 600 MiB: the file that killed a worker."""
    return inline_string_bomb(600)


def page_problems(client, content: bytes, name: str = "people.xlsx"):
    response = client.post(IMPORT_URL, {"file": upload(content, name)})
    return response.status_code, response.content.decode()


def test_a_600_mib_inline_string_is_refused_on_the_page_naming_the_limit(login_as, bomb_600_mib):
    client = login_as(Role.OFFICE)
    assert len(bomb_600_mib) < 1_000_000

    status, page = page_problems(client, bomb_600_mib)

    assert status == 400
    assert "The workbook unpacks to 629 MB; at most 100 MB can be imported." in page
    assert Person.objects.count() == 0


def test_the_check_in_import_refuses_the_same_file(make_user, bomb_600_mib):
    officer = make_user(Role.OFFICE)

    result = reporting_services.import_checkins(officer, upload(bomb_600_mib, "checkins.xlsx"))

    assert [(e.row, e.message) for e in result.errors] == [
        (
            0,
            "The workbook unpacks to 629 MB; at most 100 MB can be imported. "
            "Split it into smaller files.",
        )
    ]


def test_an_entry_packed_more_than_100_to_1_is_refused(make_user):
    office = make_user(Role.OFFICE)
    content = inline_string_bomb(20)  # 20 MiB in about 20 KB: under the size limit

    result = people_import.import_people(office, upload(content))

    assert [(e.row, e.message) for e in result.errors] == [
        (
            0,
            "A part of the workbook (xl/worksheets/sheet1.xml) unpacks to more than 100 times "
            "its packed size: that is no ordinary spreadsheet, and it is refused.",
        )
    ]


def test_a_workbook_of_too_many_files_is_refused_on_the_page(login_as):
    client = login_as(Role.OFFICE)

    status, page = page_problems(client, many_entries(10_000))

    assert status == 400
    assert "made of 10,005 files packed together; at most 10,000 are accepted." in page


def test_a_sheet_declaring_an_absurd_dimension_is_refused_on_the_page(login_as):
    client = login_as(Role.OFFICE)
    sheet = (
        f'<worksheet xmlns="{MAIN}"><dimension ref="A1:XFD1048576"/><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>人员编号</t></is></c></row>'
        "</sheetData></worksheet>"
    )

    status, page = page_problems(client, package(sheet))

    assert status == 400
    assert (
        "The sheet spans 1,048,576 rows by 16,384 columns, 17,179,869,184 cells; at most "
        "5,000,000 cells can be imported."
    ) in page


def test_a_sheet_larger_than_the_limit_without_a_dimension_is_refused(make_user, monkeypatch):
    """What calamine finds the sheet spans is checked too, before its rows are read."""
    monkeypatch.setattr(spreadsheets, "MAX_SHEET_CELLS", 100)
    office = make_user(Role.OFFICE)
    sheet = (
        f'<worksheet xmlns="{MAIN}"><sheetData>'
        '<row r="1"><c r="A1"><v>1</v></c></row><row r="11"><c r="J11"><v>2</v></c></row>'
        "</sheetData></worksheet>"
    )

    result = people_import.import_people(office, upload(package(sheet)))

    assert [e.message for e in result.errors] == [
        "The sheet spans 11 rows by 10 columns, 110 cells; at most 100 cells can be "
        "imported. Delete the empty rows and columns around the table, or split it into "
        "smaller files."
    ]


FAR_APART = (
    f'<worksheet xmlns="{MAIN}"><sheetData>'
    '<row r="1"><c r="A1" t="inlineStr"><is><t>人员编号</t></is></c></row>'
    '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    "</sheetData></worksheet>"
)


def test_a_tiny_file_naming_a_cell_a_billion_cells_away_is_refused_and_the_worker_lives(
    login_as,
):
    """calamine would lay out 17 billion cells and abort the process: it reads in a capped
    child, so the page says why and this process (the worker) serves the next request."""
    client = login_as(Role.OFFICE)
    content = package(FAR_APART)
    assert len(content) < 2000

    status, page = page_problems(client, content)

    assert status == 400
    assert "would need more than 1024 MB of memory or 60 seconds to read" in page
    assert client.get("/people/").status_code == 200


def test_the_check_in_import_refuses_the_far_apart_cells_too(make_user):
    officer = make_user(Role.OFFICE)

    result = reporting_services.import_checkins(officer, upload(package(FAR_APART)))

    assert result.error_count == 1
    assert "would need more than 1024 MB of memory" in result.errors[0].message
