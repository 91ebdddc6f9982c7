"""The gate reports count what happened: passes issued by type (by the local day of the
approval), crossings per gate per hour, refusals by reason, who is out of the family area
now, households that used their quota — on pages, in .xlsx and over the API, for the
office, the leaders and the guards only."""

import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from fangkong.access import selectors, services
from fangkong.access.models import AccessPolicy, Crossing
from fangkong.core.roles import Role
from fangkong.testing.school import gated_school

pytestmark = pytest.mark.django_db

DAY = datetime.date(2020, 3, 2)
PERIOD = "?start=2020-02-10&end=2020-02-23"


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.fixture
def old_school(db):
    """The test school with its policies in force since the start of 2020."""
    return gated_school(policies_from=at(datetime.date(2020, 1, 1), 0))


def issue(school, holder, pass_type, day, *, decided=None, approve=True):
    gate_pass = services.apply_for_pass(
        school.office,
        holder=holder,
        pass_type=pass_type,
        reason="值班",
        valid_from=day,
        now=at(day, 0, 5),
    )
    return services.decide_pass(
        school.office,
        gate_pass,
        approve=approve,
        note="" if approve else "不必要",
        now=decided or at(day, 9),
    )


@pytest.fixture
def passes(old_school):
    s = old_school
    feb10, feb23 = datetime.date(2020, 2, 10), datetime.date(2020, 2, 23)
    issue(s, s.outsider, s.duty, feb10)
    issue(s, s.resident, s.duty, feb10, decided=at(feb10, 0, 30))  # 2020-02-09 16:30 UTC
    issue(s, s.resident_2, s.duty, feb23, decided=at(feb23, 23, 50))  # the last evening
    issue(s, s.outsider, s.materials, datetime.date(2020, 2, 15))
    revoked = issue(s, s.resident, s.materials, datetime.date(2020, 2, 16))
    services.revoke_pass(s.office, revoked, reason="不再需要")
    issue(s, s.resident_2, s.materials, datetime.date(2020, 2, 17), approve=False)  # rejected
    issue(s, s.outsider, s.duty, datetime.date(2020, 2, 24))  # after the period
    services.issue_at_desk(
        s.office,
        holder=s.resident_2,
        pass_type=s.materials,
        reason="取教学资料",
        valid_from=datetime.date(2020, 2, 20),
        now=at(datetime.date(2020, 2, 20), 10),
    )
    return s


@pytest.fixture
def crossings(old_school):
    """A morning at the gates on DAY, and the next exit two days later."""
    s = old_school
    issue(s, s.outsider, s.duty, DAY)

    def cross(gate, direction, when, **shown):
        return services.decide_at_gate(s.guard, gate=gate, direction=direction, at=when, **shown)

    out, in_ = Crossing.Direction.OUT, Crossing.Direction.IN
    number = s.resident.person_number
    assert cross(s.family_gate, out, at(DAY, 8, 15), person_number=number).allowed
    refused = cross(s.family_gate_2, out, at(DAY, 8, 40), person_number=s.resident_2.person_number)
    assert refused.reason == Crossing.Reason.QUOTA_USED
    assert cross(s.family_gate, in_, at(DAY, 10, 5), person_number=number).allowed
    no_pass = cross(s.teaching_gate, in_, at(DAY, 8, 20), person_number=s.outsider.person_number)
    assert no_pass.reason == Crossing.Reason.NO_PASS
    assert cross(s.teaching_gate, in_, at(DAY, 9), presented=s.outsider.passes.get().number).allowed
    # Just before midnight local time (15:59 UTC): still DAY, hour 23.
    late = cross(s.teaching_gate, in_, at(DAY, 23, 59), person_number=s.resident.person_number)
    assert late.reason == Crossing.Reason.NO_PASS
    # Two days later the other member goes out, and stays out.
    later = DAY + datetime.timedelta(days=2)
    assert cross(
        s.family_gate_2, out, at(later, 9), person_number=s.resident_2.person_number
    ).allowed
    return s


# ---- the figures ---------------------------------------------------------------------------


def test_passes_by_type_counts_approvals_by_local_day(passes):
    report = selectors.passes_by_type(
        passes.office, datetime.date(2020, 2, 10), datetime.date(2020, 2, 23)
    )
    counts = {row.pass_type.code: (row.issued, row.at_desk) for row in report.rows}
    # duty: two on the 10th (one decided 00:30 local) and one late on the 23rd; materials:
    # one, one revoked since (still issued), one at the desk; the rejection does not count.
    assert counts == {"duty": (3, 0), "materials": (3, 1)}
    assert (report.total, report.at_desk) == (6, 1)


def test_passes_by_type_one_day(passes):
    day = datetime.date(2020, 2, 10)
    report = selectors.passes_by_type(passes.office, day, day)
    assert {row.pass_type.code: row.issued for row in report.rows} == {"duty": 2, "materials": 0}


def test_crossings_by_hour(crossings):
    s = crossings
    report = selectors.crossings_by_hour(s.office, DAY)
    rows = {row.gate.code: row for row in report.rows}
    family, family_2, teaching = (
        rows[s.family_gate.code],
        rows[s.family_gate_2.code],
        rows[s.teaching_gate.code],
    )
    assert (family.hours[8].allowed, family.hours[8].refused) == (1, 0)
    assert (family.hours[10].allowed, family.hours[10].refused) == (1, 0)
    assert (family_2.hours[8].allowed, family_2.hours[8].refused) == (0, 1)
    assert (teaching.hours[8].refused, teaching.hours[9].allowed) == (1, 1)
    assert teaching.hours[23].refused == 1
    assert (report.hours[8].allowed, report.hours[8].refused) == (1, 2)
    assert (report.total.allowed, report.total.refused) == (3, 3)
    # The exit two days later is not on this day.
    assert family_2.total.allowed == 0


def test_refusals_by_reason(crossings):
    report = selectors.refusals_by_reason(crossings.office, DAY, DAY + datetime.timedelta(days=5))
    assert [(row.reason, row.count) for row in report.rows] == [
        (Crossing.Reason.NO_PASS, 2),
        (Crossing.Reason.QUOTA_USED, 1),
    ]
    assert report.rows[0].label == "Area closed: a pass is needed"
    assert report.total == 3


def test_quota_used_on_a_day(crossings):
    s = crossings
    report = selectors.quota_used(s.office, DAY)
    assert [entry.household.pk for entry in report.households] == [s.household.pk]
    (entry,) = report.households
    assert [(e.person.pk, e.at, e.gate.pk) for e in entry.exits] == [
        (s.resident.pk, at(DAY, 8, 15), s.family_gate.pk)
    ]
    assert selectors.quota_used(s.office, DAY + datetime.timedelta(days=1)).households == []


def test_out_now_lists_residents_whose_last_crossing_is_an_exit(crossings):
    s = crossings
    (area,) = selectors.out_now(s.office)
    assert area.area == s.family
    assert [(row.person, row.household, row.since) for row in area.people] == [
        (s.resident_2, s.household, at(DAY + datetime.timedelta(days=2), 9))
    ]
    assert area.people[0].back_by is None
    assert area.people[0].overdue is False
    # Seen as of the morning of DAY, the first resident was out.
    (then,) = selectors.out_now(s.office, at(DAY, 9))
    assert [row.person for row in then.people] == [s.resident]


def test_out_now_marks_overdue_after_the_back_by_time(crossings):
    s = crossings
    services.set_policy(
        s.office,
        area=s.family,
        kind=AccessPolicy.Kind.QUOTA,
        quota_exits=1,
        quota_days=2,
        return_by=datetime.time(20, 0),
        # In force from the morning of the exit, so that the view as of 19:00 that day
        # knows the 20:00 back-by time too.
        effective_from=at(DAY + datetime.timedelta(days=2), 0),
    )
    (area,) = selectors.out_now(s.office)
    (row,) = area.people
    assert row.back_by == at(DAY + datetime.timedelta(days=2), 20)
    assert row.overdue is True
    # Before 20:00 that day nobody is overdue yet.
    (area,) = selectors.out_now(s.office, at(DAY + datetime.timedelta(days=2), 19))
    (row,) = area.people
    assert row.back_by == at(DAY + datetime.timedelta(days=2), 20)
    assert row.overdue is False


def test_reports_are_set_based(crossings, django_assert_num_queries):
    s = crossings
    with django_assert_num_queries(2):
        selectors.crossings_by_hour(s.office, DAY)
    with django_assert_num_queries(2):
        selectors.refusals_by_reason(s.office, DAY, DAY)
    with django_assert_num_queries(2):
        selectors.quota_used(s.office, DAY)
    with django_assert_num_queries(2):
        selectors.out_now(s.office)
    with django_assert_num_queries(2):
        selectors.passes_by_type(s.office, DAY, DAY)


# ---- pages, .xlsx and the API --------------------------------------------------------------


def _rows(response) -> list[list]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def office_client(client, old_school):
    client.force_login(old_school.office)
    return client


def test_passes_page_shows_the_counts(office_client, passes):
    response = office_client.get("/access/reports/passes/" + PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-type="duty"><td>On-duty staff</td><td class="issued">3</td>' in html
    assert '<th class="issued">6</th>' in html


def test_passes_xlsx_reads_back(office_client, passes):
    rows = _rows(office_client.get("/access/reports/passes.xlsx" + PERIOD))
    assert rows[0][0] == "Passes issued, by type"
    assert ["On-duty staff", 3, 0] in rows
    assert ["Fetching course materials", 3, 1] in rows
    assert ["Total", 6, 1] in rows


def test_passes_xlsx_in_chinese(office_client, passes):
    response = office_client.get(
        "/access/reports/passes.xlsx" + PERIOD, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    rows = _rows(response)
    assert rows[0][0] == "临时通行证发放统计表（按类别）"
    assert ["在岗值班", 3, 0] in rows


def test_crossings_page_and_xlsx(office_client, crossings):
    html = office_client.get(f"/access/reports/crossings/?day={DAY}").content.decode()
    assert '<td data-hour="8">1/0</td>' in html
    assert '<th class="total">3/3</th>' in html
    rows = _rows(office_client.get(f"/access/reports/crossings.xlsx?day={DAY}"))
    header = next(row for row in rows if row[0] == "Gate")
    assert header[2:4] == ["00", "01"] and header[-1] == "Total"
    family = crossings.family_gate.display_name
    assert [family, "Let through"] + [0] * 8 + [1, 0, 1] + [0] * 13 + [2] in rows
    assert ["Total", "Refused"] + [0] * 8 + [2] + [0] * 14 + [1, 3] in rows


def test_refusals_page_and_xlsx(office_client, crossings):
    query = f"?start={DAY}&end={DAY}"
    html = office_client.get("/access/reports/refusals/" + query).content.decode()
    assert (
        'data-reason="quota_used"><td>Household has used its exits</td><td class="count">1' in html
    )
    rows = _rows(office_client.get("/access/reports/refusals.xlsx" + query))
    assert ["Household has used its exits", 1] in rows
    assert ["Total", 3] in rows


def test_out_now_page_and_xlsx(office_client, crossings):
    html = office_client.get("/access/reports/out-now/").content.decode()
    assert f'data-person="{crossings.resident_2.person_number}"' in html
    assert f'data-person="{crossings.resident.person_number}"' not in html
    rows = _rows(office_client.get("/access/reports/out-now.xlsx"))
    (row,) = [r for r in rows if r[2] == crossings.resident_2.person_number]
    assert row[0] == "Yanta family area" and row[4] == "2020-03-04 09:00"


def test_quota_page_and_xlsx(office_client, crossings):
    html = office_client.get(f"/access/reports/quota/?day={DAY}").content.decode()
    assert f'data-household="{crossings.household.pk}"' in html
    assert "1 household, 1 exit(s) on its quota." in html
    rows = _rows(office_client.get(f"/access/reports/quota.xlsx?day={DAY}"))
    assert [str(crossings.household), "Yanta family area"] == rows[4][:2]
    assert rows[4][3:5] == [crossings.resident.person_number, "2020-03-02 08:15"]


def test_a_bad_date_is_named(office_client, old_school):
    response = office_client.get("/access/reports/passes/?start=2020-02-31&end=2020-03-01")
    assert response.status_code == 400
    assert "From: “2020-02-31” is not a date" in response.content.decode()
    response = office_client.get("/access/reports/refusals.xlsx?start=2020-03-02&end=2020-03-01")
    assert response.status_code == 400
    assert "The period ends before it starts." in response.content.decode()
    response = office_client.get("/access/reports/quota/?day=yesterday")
    assert response.status_code == 400


@pytest.mark.parametrize("role", [Role.LEADER, Role.GUARD])
def test_leaders_and_guards_read_the_reports(client, make_user, crossings, role):
    client.force_login(make_user(role))
    index = client.get("/access/reports/")
    assert index.status_code == 200
    assert "/access/reports/out-now/" in index.content.decode()
    response = client.get(f"/access/reports/quota/?day={DAY}")
    assert crossings.resident.name in response.content.decode()


@pytest.mark.parametrize("role", [Role.MEMBER, Role.OFFICER, Role.STOREKEEPER])
def test_others_are_refused(client, make_user, unit, crossings, role):
    client.force_login(make_user(role, unit=unit))
    for url in [
        "/access/reports/",
        "/access/reports/passes/",
        "/access/reports/passes.xlsx",
        "/access/reports/crossings/",
        "/access/reports/out-now/",
        "/access/reports/out-now.xlsx",
        "/access/reports/quota.xlsx",
        "/api/v1/access/reports/out-now",
        "/api/v1/access/reports/refusals-by-reason",
    ]:
        assert client.get(url).status_code == 403, url


def test_api_reports(office_client, crossings, passes):
    body = office_client.get("/api/v1/access/reports/passes-by-type" + PERIOD).json()
    assert body["total"] == 6
    assert {r["pass_type"]["code"]: r["issued"] for r in body["rows"]} == {
        "duty": 3,
        "materials": 3,
    }
    body = office_client.get(f"/api/v1/access/reports/crossings-by-hour?day={DAY}").json()
    assert (body["allowed"], body["refused"]) == (3, 3)
    assert body["hours"][8] == {"hour": 8, "allowed": 1, "refused": 2}
    body = office_client.get(f"/api/v1/access/reports/refusals-by-reason?start={DAY}&end={DAY}")
    assert [(r["reason"], r["count"]) for r in body.json()["rows"]] == [
        ("no_pass", 2),
        ("quota_used", 1),
    ]
    body = office_client.get("/api/v1/access/reports/out-now").json()
    (area,) = body["areas"]
    assert [p["person"]["person_number"] for p in area["people"]] == [
        crossings.resident_2.person_number
    ]
    assert area["people"][0]["household"]["address"] == str(crossings.household)
    body = office_client.get(f"/api/v1/access/reports/quota-used?day={DAY}").json()
    assert body["exits"] == 1
    assert body["households"][0]["exits"][0]["person"]["id"] == crossings.resident.pk


def test_api_refuses_a_bad_period(office_client, old_school):
    response = office_client.get(
        "/api/v1/access/reports/passes-by-type?start=2020-03-02&end=2020-03-01"
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "end"
    response = office_client.get("/api/v1/access/reports/quota-used?day=nonsense")
    assert response.status_code == 422
