"""The supplies workbooks are headed in the downloading user's language."""

import datetime
import io

import pytest
from openpyxl import load_workbook

TODAY = datetime.date.today().isoformat()
HEADERS = {
    "/supplies/reports/stock.xlsx": {
        "en": ["Item", "Store", "Source", "On hand", "Unit of measure"],
        "zh-hans": ["物资", "仓库", "来源", "库存数量", "单位"],
    },
    f"/supplies/reports/receipts.xlsx?start={TODAY}&end={TODAY}": {
        "en": ["Source", "Item", "Quantity", "Unit of measure", "Tonnes"],
        "zh-hans": ["来源", "物资", "数量", "单位", "折合吨"],
    },
}


def header_rows(content: bytes, rows: int = 8) -> list[list]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(max_row=rows, values_only=True)]


@pytest.mark.parametrize("url", list(HEADERS))
@pytest.mark.parametrize(("language", "other"), [("en", "zh-hans"), ("zh-hans", "en")])
def test_the_workbook_is_headed_in_the_users_language(client, office, url, language, other):
    client.force_login(office)
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, response.content[:300]
    rows = header_rows(response.content)
    expected = HEADERS[url][language]
    (header,) = [row for row in rows if row[: len(expected)] == expected]
    assert not set(HEADERS[url][other]) & set(header)
