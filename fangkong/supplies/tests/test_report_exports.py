"""The report pages and their .xlsx: each page shows the figures, each workbook read back
holds them; a bad period is a clear 400; a member is refused."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from fangkong.core.roles import Role
from fangkong.supplies.tests import scenario

pytestmark = pytest.mark.django_db

PERIOD = "?start=2020-02-01&end=2020-02-29"


@pytest.fixture
def ledger(storekeeper, office, officer, make_user, other_unit, catalogue):
    other = make_user(Role.OFFICER, unit=other_unit)
    return scenario.build(storekeeper, office, officer, other, catalogue)


@pytest.fixture
def office_client(client, office):
    client.force_login(office)
    return client


def cells(response) -> list[list]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_register_xlsx_has_the_title_and_numbered_rows(office_client, ledger):
    rows = cells(office_client.get("/supplies/reports/register.xlsx" + PERIOD))
    assert rows[0][0] == "Requisition register"
    header = rows.index(next(row for row in rows if row[0] == "No."))
    body = rows[header + 1 : header + 5]
    assert [row[0] for row in body] == [1, 2, 3, 4]
    assert body[0][1:6] == ["College of Architecture", "Masks", 2000, "piece", "张三"]
    assert body[0][7] == datetime.datetime(2020, 2, 5)
    assert any(row[9] and "写错了数量" in row[9] for row in body)


def test_register_xlsx_in_chinese(office_client, ledger):
    response = office_client.get(
        "/supplies/reports/register.xlsx" + PERIOD, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    rows = cells(response)
    assert rows[0][0] == "物资领用登记表"
    assert rows[3][:3] == ["序号", "领用单位", "物资名称"]
    assert "建筑学院" in [row[1] for row in rows]


def test_receipts_xlsx_has_totals_and_tonnes(office_client, ledger):
    rows = cells(office_client.get("/supplies/reports/receipts.xlsx" + PERIOD))
    assert ["Alumni donation", "75% alcohol", 1605, "kg", 1.605] in rows
    assert ["Disinfecting supplies in tonnes", None, 1.605, "t", None] in rows


def test_issues_stock_donation_and_days_xlsx_read_back(office_client, ledger, catalogue):
    issues = cells(office_client.get("/supplies/reports/issues.xlsx" + PERIOD))
    assert ["School of Civil Engineering", "Masks", 500, "piece", None] in issues
    stock = cells(office_client.get("/supplies/reports/stock.xlsx"))
    assert ["Masks", "Main store", "School purchase", 12500, "piece"] in stock
    donor = catalogue["donor"].pk
    donation = cells(office_client.get(f"/supplies/reports/donations.xlsx?supplier={donor}"))
    assert any(row[3] and "College of Architecture" in row[3] and row[4] == 400 for row in donation)
    days = cells(office_client.get("/supplies/reports/days-of-supply.xlsx"))
    assert "Masks" in [row[0] for row in days]


def test_pages_show_the_figures(office_client, ledger):
    page = office_client.get("/supplies/reports/register/" + PERIOD).content.decode()
    assert "张三" in page and "写错了数量" in page and 'class="table-wrap"' in page
    page = office_client.get("/supplies/reports/receipts/" + PERIOD).content.decode()
    assert "1.605" in page
    page = office_client.get("/supplies/reports/issues/" + PERIOD).content.decode()
    assert "School of Civil Engineering" in page
    page = office_client.get("/supplies/reports/stock/").content.decode()
    assert "12500" in page
    page = office_client.get("/supplies/reports/days-of-supply/").content.decode()
    assert 'id="days-of-supply"' in page


def test_a_bad_period_is_a_clear_400(office_client, ledger):
    response = office_client.get("/supplies/reports/register/?start=2020-13-01")
    assert response.status_code == 400
    assert "is not a date" in response.content.decode()
    response = office_client.get("/supplies/reports/issues.xlsx?start=2020-03-01&end=2020-02-01")
    assert response.status_code == 400
    assert "ends before it starts" in response.content.decode()


def test_member_is_refused_the_reports(client, make_user, ledger):
    client.force_login(make_user(Role.MEMBER))
    for path in ("register/", "stock/", "register.xlsx", "register.pdf", "donations/"):
        assert client.get(f"/supplies/reports/{path}").status_code == 403, path


def test_officer_s_register_shows_only_their_unit(client, officer, ledger):
    client.force_login(officer)
    page = client.get("/supplies/reports/register/" + PERIOD).content.decode()
    assert "张三" in page and "王五" not in page
    assert client.get("/supplies/reports/stock/").status_code == 403
