"""The reporting workbooks are headed in the downloading user's language."""

import io

import pytest
from openpyxl import load_workbook

from fangkong.core.roles import Role

HEADERS = {
    "/reporting/reports/export.xlsx": {
        "en": ["Unit", "Date", "Status", "Nothing to report", "First submitted at"],
        "zh-hans": ["单位", "日期", "状态", "无异常（零报告）", "首次提交时间"],
    },
    "/reporting/day/export.xlsx": {
        "en": ["Person number", "Name", "Unit", "Date", "Temperature (°C)", "Symptoms"],
        "zh-hans": ["人员编号", "姓名", "所在单位", "日期", "体温(°C)", "症状"],
    },
}


def header_rows(content: bytes, rows: int = 6) -> list[list]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(max_row=rows, values_only=True)]


@pytest.mark.parametrize("url", list(HEADERS))
@pytest.mark.parametrize(("language", "other"), [("en", "zh-hans"), ("zh-hans", "en")])
def test_the_workbook_is_headed_in_the_users_language(login_as, url, language, other):
    client = login_as(Role.OFFICE)
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    rows = header_rows(response.content)
    expected = HEADERS[url][language]
    (header,) = [row for row in rows if row[: len(expected)] == expected]
    assert not set(HEADERS[url][other]) & set(header)
