"""The ledger and compliance exports, read back with openpyxl."""

import io

from django.utils import translation
from openpyxl import load_workbook

from fangkong.core.roles import Role
from fangkong.watch import services
from fangkong.watch.exports import LEDGER_COLUMNS


def rows(response, sheet=0):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    return [tuple(row) for row in workbook.worksheets[sheet].iter_rows(values_only=True)]


def test_ledger_export_masks_id_and_phone(login_as, entry):
    response = login_as(Role.OFFICE).get("/watch/export.xlsx")
    header, row = rows(response)
    assert list(header) == [column.en for column in LEDGER_COLUMNS]
    person = entry.person
    values = dict(zip([c.key for c in LEDGER_COLUMNS], row, strict=True))
    assert values["name"] == person.name
    assert values["national_id"] == person.national_id_masked != person.national_id
    assert values["phone"] == person.phone_masked != person.phone
    assert values["category"] == "Returned from a region of concern, living on campus"
    assert person.national_id not in response.content.decode("latin-1")


def test_ledger_export_follows_the_filters_and_scope(login_as, entry, stranger_entry):
    response = login_as(Role.OFFICER).get("/watch/export.xlsx", {"category": "returned"})
    names = [row[2] for row in rows(response)[1:]]
    assert names == [entry.person.name]
    response = login_as(Role.OFFICE).get("/watch/export.xlsx", {"category": "native"})
    assert rows(response)[1:] == []


def test_ledger_export_in_chinese(login_as, entry):
    client = login_as(Role.OFFICE)
    with translation.override("zh-hans"):
        response = client.get("/watch/export.xlsx", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert rows(response)[0][0] == "单位"


def test_ledger_export_refuses_a_member(login_as, entry):
    assert login_as(Role.MEMBER).get("/watch/export.xlsx").status_code == 403


def test_compliance_export_has_the_units_by_days_figures(login_as, entry, office, unit):
    services.record_follow_up(office, entry, kind="phone_call", outcome="well")
    response = login_as(Role.OFFICE).get(
        "/watch/compliance.xlsx", {"start": "2020-02-09", "end": "2020-02-10"}
    )
    grid = rows(response)
    assert grid[0][:4] == ("Unit", "02-09 due", "02-09 followed up", "%")
    unit_row = next(row for row in grid if row[0] == unit.display_name)
    assert unit_row[1:7] == (1, 0, 0.0, 1, 1, 100.0)
    assert unit_row[7:] == (2, 1, 50.0)
    assert grid[-1][0] == "Whole school"
    long = rows(response, sheet=1)
    assert long[0] == ("Unit", "Day", "Due", "Followed up", "Compliance %")
    assert (long[-1][2], long[-1][3]) == (1, 1)
