"""Importing check-ins from .xlsx: every row or none, each problem named by row and column."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from fangkong.core.roles import Role
from fangkong.reporting import services
from fangkong.reporting.checkin_sheets import COLUMNS
from fangkong.reporting.models import HealthCheckin
from fangkong.testing.factories import HealthCheckinFactory, PersonFactory

ENGLISH = [column.en for column in COLUMNS]
CHINESE = [column.zh for column in COLUMNS]
KEYS = [column.key for column in COLUMNS]


def upload(rows, header=ENGLISH, name="checkins.xlsx"):
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(key) for key in KEYS])
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def row(person, day, **values):
    data = {
        "person_number": person.person_number,
        "date": day.isoformat(),
        "temperature": 36.5,
        "symptoms": "",
        "current_province": "陕西省",
        "current_city": "西安市",
        "on_campus": "是",
        "contact_with_region_of_concern": "否",
    }
    data.update(values)
    return data


def problems(result):
    return [(error.row, error.column, error.message) for error in result.errors]


def test_good_file_with_chinese_headers_imports_every_row(officer, unit, person, today):
    colleague = PersonFactory(unit=unit)
    rows = [
        row(person, today, symptoms="发热、咳嗽", temperature=37.6),
        row(colleague, today - datetime.timedelta(days=1), on_campus="no"),
    ]
    result = services.import_checkins(officer, upload(rows, CHINESE))
    assert result.ok, problems(result)
    assert result.created == 2
    first = HealthCheckin.objects.get(person=person)
    assert first.symptoms == ["fever", "cough"] and first.is_abnormal
    assert first.channel == HealthCheckin.Channel.IMPORT and first.entered_by == officer
    assert HealthCheckin.objects.get(person=colleague).on_campus is False


def test_excel_date_cells_are_read_as_days(officer, person, today):
    result = services.import_checkins(officer, upload([row(person, today, date=today)]))
    assert result.ok, problems(result)
    assert HealthCheckin.objects.get().date == today


@pytest.mark.parametrize(
    ("values", "column", "message"),
    [
        ({"person_number": "NOBODY"}, "Person number", "No person has the number NOBODY"),
        ({"temperature": 43.5}, "Temperature (°C)", "between 34.0 and 43.0"),
        ({"temperature": 33}, "Temperature (°C)", "between 34.0 and 43.0"),
        ({"temperature": "warm"}, "Temperature (°C)", "must be a number"),
        ({"on_campus": "maybe"}, "On campus", "Unknown value “maybe”"),
        ({"contact_with_region_of_concern": ""}, "Contact with a region of concern", "required"),
        ({"symptoms": "sneezing"}, "Symptoms", "Unknown symptom: sneezing"),
        ({"date": "yesterday"}, "Date", "is not a date"),
        ({"current_city": ""}, "Current city", "which city"),
    ],
)
def test_bad_row_is_reported_by_row_and_column_and_nothing_is_written(
    officer, unit, person, today, values, column, message
):
    good = PersonFactory(unit=unit)
    rows = [row(good, today), row(person, today, **values)]
    result = services.import_checkins(officer, upload(rows))
    assert not result.ok
    assert [(r, c) for r, c, _m in problems(result)] == [(3, column)]
    assert message in result.errors[0].message
    assert not HealthCheckin.objects.exists()


def test_person_outside_the_officers_unit_is_refused(officer, stranger, today):
    result = services.import_checkins(officer, upload([row(stranger, today)]))
    assert problems(result) == [
        (2, "Person number", f"{stranger.person_number} is not a person of your unit.")
    ]
    assert not HealthCheckin.objects.exists()


def test_date_in_the_future_is_refused(officer, person, today):
    result = services.import_checkins(
        officer, upload([row(person, today + datetime.timedelta(days=1))])
    )
    assert [(r, c) for r, c, _m in problems(result)] == [(2, "Date")]
    assert "in the future" in result.errors[0].message


def test_date_of_a_closed_day_is_refused(officer, person, today):
    result = services.import_checkins(
        officer, upload([row(person, today - datetime.timedelta(days=4))])
    )
    assert "is closed" in result.errors[0].message
    assert not HealthCheckin.objects.exists()


def test_same_person_and_day_twice_in_the_file_is_refused(officer, person, today):
    result = services.import_checkins(officer, upload([row(person, today), row(person, today)]))
    assert [(r, c) for r, c, _m in problems(result)] == [(3, "Person number")]
    assert "also on row 2" in result.errors[0].message
    assert not HealthCheckin.objects.exists()


def test_person_already_checked_in_that_day_is_refused(officer, person, today):
    HealthCheckinFactory(person=person)
    result = services.import_checkins(officer, upload([row(person, today)]))
    assert "already has a check-in" in result.errors[0].message
    assert HealthCheckin.objects.count() == 1


def test_every_bad_row_is_reported(officer, unit, person, today):
    other = PersonFactory(unit=unit)
    rows = [row(person, today, temperature=50), row(other, today, on_campus="?")]
    result = services.import_checkins(officer, upload(rows))
    assert [r for r, _c, _m in problems(result)] == [2, 3]


def test_file_that_is_not_a_workbook_is_refused(officer):
    result = services.import_checkins(officer, SimpleUploadedFile("x.xlsx", b"not a zip"))
    assert "not a spreadsheet that can be read" in result.errors[0].message


def test_member_cannot_import(member, person, today):
    with pytest.raises(PermissionDenied):
        services.import_checkins(member, upload([row(person, today)]))


def test_import_page_lists_problems_with_status_400(login_as, person, today):
    client = login_as(Role.OFFICER)
    response = client.post(
        "/reporting/import/", {"file": upload([row(person, today, temperature=99)])}
    )
    assert response.status_code == 400
    assert "between 34.0 and 43.0" in response.content.decode()
    assert not HealthCheckin.objects.exists()


def test_import_page_imports_a_good_file(login_as, person, today):
    client = login_as(Role.OFFICER)
    response = client.post("/reporting/import/", {"file": upload([row(person, today)])})
    assert response.status_code == 302
    assert HealthCheckin.objects.get().person == person


def test_template_has_the_import_headers(login_as):
    response = login_as(Role.OFFICER).get("/reporting/import/template.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == ENGLISH
