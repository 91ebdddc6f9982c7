"""The isolation and incident tables as .xlsx, read back with openpyxl."""

import datetime
from decimal import Decimal

from django.utils import translation

from fangkong.core.roles import Role
from fangkong.watch import services
from fangkong.watch.exports import ISOLATION_COLUMNS
from fangkong.watch.tests.conftest import TODAY, at
from fangkong.watch.tests.test_exports import rows


def test_the_cases_export_masks_personal_data(login_as, home_case):
    response = login_as(Role.MEDIC).get("/watch/isolation/export.xlsx")
    header, row = rows(response)
    assert list(header) == [column.en for column in ISOLATION_COLUMNS]
    values = dict(zip([c.key for c in ISOLATION_COLUMNS], row, strict=True))
    person = home_case.person
    assert values["name"] == person.name
    assert values["national_id"] == person.national_id_masked != person.national_id
    assert values["phone"] == person.phone_masked
    assert values["place_kind"] == "At home (family area)"
    assert (values["start_date"], values["planned_end"]) == (
        datetime.datetime(2020, 2, 5),
        datetime.datetime(2020, 2, 19),
    )
    assert values["policy_days"] == 14
    assert person.national_id not in response.content.decode("latin-1")


def test_the_cases_export_follows_the_scope_and_filters(login_as, home_case, stranger_case):
    names = [row[2] for row in rows(login_as(Role.OFFICER).get("/watch/isolation/export.xlsx"))[1:]]
    assert names == [home_case.person.name]
    office = login_as(Role.OFFICE)
    response = office.get("/watch/isolation/export.xlsx", {"place_kind": "hospital"})
    assert [row[2] for row in rows(response)[1:]] == [stranger_case.person.name]


def test_the_counts_export_has_the_person_times(login_as, home_case, stranger_case):
    response = login_as(Role.OFFICE).get(
        "/watch/isolation/counts.xlsx", {"started_from": "2020-02-01"}
    )
    grid = rows(response)
    assert grid[0] == ("Count", "Group", "Person-times")
    started = [row for row in grid if row[0].startswith("Started from 2020-02-01")]
    assert ("Hospital", 1) in [(row[1], row[2]) for row in started]
    assert ("All places", 2) in [(row[1], row[2]) for row in started]


def test_the_checks_exports(login_as, home_case, medic):
    services.record_isolation_check(medic, home_case, temperature="36.4", at=at(TODAY, 8))
    services.record_isolation_check(medic, home_case, temperature="37.7")
    client = login_as(Role.MEDIC)
    case_rows = rows(client.get(f"/watch/isolation/{home_case.pk}/checks.xlsx"))
    assert case_rows[0][:5] == ("Name", "Date", "Slot", "Temperature (°C)", "Fever")
    assert [(row[2], Decimal(str(row[3])), row[4]) for row in case_rows[1:]] == [
        ("Afternoon", Decimal("37.7"), "yes"),
        ("Morning", Decimal("36.4"), None),
    ]
    sheet = rows(client.get("/watch/isolation/checks.xlsx", {"day": "2020-02-10"}))
    assert sheet[1][1] == home_case.person.name
    assert (Decimal(str(sheet[1][5])), Decimal(str(sheet[1][6])), sheet[1][7]) == (
        Decimal("36.4"),
        Decimal("37.7"),
        "yes",
    )


def test_the_rooms_and_policy_exports(login_as, room, policy):
    client = login_as(Role.OFFICE)
    assert rows(client.get("/watch/isolation/rooms.xlsx"))[1][1:4] == ("101", 1, 0)
    assert rows(client.get("/watch/isolation/policy.xlsx"))[1][:2] == (
        datetime.datetime(2020, 1, 23),
        14,
    )


def test_the_incident_exports(login_as, incident, medic):
    services.notify_cdc(medic, incident, at=at(TODAY, 9), note="电话报告雁塔区疾控")
    client = login_as(Role.OFFICE)
    grid = rows(client.get("/watch/incidents/export.xlsx"))
    assert grid[1][:3] == (datetime.datetime(2020, 2, 10, 8, 30), "Fever found", "Medium")
    assert grid[1][5] == incident.people.get().name
    assert grid[1][6] == datetime.datetime(2020, 2, 10, 9, 0)
    timeline = rows(client.get(f"/watch/incidents/{incident.pk}/timeline.xlsx"))
    assert [row[1] for row in timeline[1:]] == ["Opened", "Linked", "CDC notified"]


def test_exports_in_chinese(login_as, home_case):
    client = login_as(Role.OFFICE)
    with translation.override("zh-hans"):
        response = client.get("/watch/isolation/export.xlsx", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert rows(response)[0][0] == "单位"


def test_exports_refuse_roles_without_isolation(login_as, home_case, incident):
    client = login_as(Role.MEMBER)
    for path in (
        "/watch/isolation/export.xlsx",
        "/watch/isolation/counts.xlsx",
        "/watch/isolation/rooms.xlsx",
        "/watch/incidents/export.xlsx",
    ):
        assert client.get(path).status_code == 403, path
    assert client.get(f"/watch/incidents/{incident.pk}/timeline.xlsx").status_code == 404
