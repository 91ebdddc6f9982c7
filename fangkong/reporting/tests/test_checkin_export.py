"""The day's check-ins as .xlsx, read back with openpyxl."""

import io
from decimal import Decimal

from openpyxl import load_workbook

from fangkong.core.roles import Role
from fangkong.testing.factories import HealthCheckinFactory


def test_export_of_the_day_reads_back_with_the_answers(login_as, person, stranger, today):
    HealthCheckinFactory(
        person=person, temperature=Decimal("37.8"), symptoms=["fever", "cough"], is_abnormal=True
    )
    HealthCheckinFactory(person=stranger)
    response = login_as(Role.OFFICER).get("/reporting/day/export.xlsx", {"date": today.isoformat()})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'checkins-{today.isoformat()}.xlsx"')
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].values)
    assert rows[0][:5] == ("Person number", "Name", "Unit", "Date", "Temperature (°C)")
    assert len(rows) == 2  # the header and the officer's own unit's one check-in
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["Person number"] == person.person_number
    assert record["Temperature (°C)"] == 37.8
    assert record["Symptoms"] == "Fever、Cough"
    assert record["Abnormal"] == "yes"
    assert record["Date"].date() == today


def test_export_headers_are_chinese_for_a_chinese_user(login_as, person):
    HealthCheckinFactory(person=person)
    response = login_as(Role.OFFICE).get("/reporting/day/export.xlsx", HTTP_ACCEPT_LANGUAGE="zh-CN")
    header = next(load_workbook(io.BytesIO(response.content)).worksheets[0].values)
    assert header[:3] == ("人员编号", "姓名", "所在单位")
