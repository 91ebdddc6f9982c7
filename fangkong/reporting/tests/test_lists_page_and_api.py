"""The reporting lists' pages and their API give the same user with the same filter the
same rows: one filterset each (reporting/filtersets.py), in the selector both call."""

import datetime

import pytest
from django.urls import reverse

from fangkong.core.roles import Role
from fangkong.reporting import services
from fangkong.reporting.tests.conftest import good_answers
from fangkong.testing.factories import HealthCheckinFactory, PersonFactory
from fangkong.testing.lists import api_rows, page_rows

pytestmark = pytest.mark.django_db

CHECKINS = "/api/v1/reporting/checkins"


@pytest.fixture
def checkins(unit, person, stranger, today, make_user):
    yesterday = today - datetime.timedelta(days=1)
    feverish = PersonFactory(unit=unit, name="发烧者")
    first = HealthCheckinFactory(person=person)
    corrected = services.correct_checkin(
        make_user(Role.OFFICE), first, reason="量错了", **good_answers(note="改")
    )
    return {
        "first": first,
        "corrected": corrected,
        "flagged": HealthCheckinFactory(person=feverish, is_abnormal=True),
        "stranger": HealthCheckinFactory(person=stranger),
        "yesterday": HealthCheckinFactory(person=stranger, date=yesterday),
        "yesterday_day": yesterday,
    }


@pytest.fixture
def users(make_user, unit):
    return {
        "office": make_user(Role.OFFICE),
        "leader": make_user(Role.LEADER),
        "officer": make_user(Role.OFFICER, unit=unit),
    }


def checkin_queries(checkins, unit, other_unit) -> list[dict]:
    return [
        {},
        {"date": checkins["yesterday_day"].isoformat()},
        {"unit": unit.pk},
        {"unit": other_unit.pk},
        {"q": "发烧"},
        {"q": checkins["stranger"].person.person_number},
        {"abnormal": "true"},
        {"abnormal": "false"},
        {"include_superseded": "true"},
        {"include_superseded": "true", "unit": unit.pk},
        {"date": "2020-02-31"},
        {"unit": 2**40},
        {"q": "x" * 61},
        {"abnormal": "maybe"},
    ]


@pytest.mark.parametrize("role", ["office", "leader", "officer"])
def test_day_page_and_api_show_the_same_checkins(client, checkins, users, unit, other_unit, role):
    user = users[role]
    url = reverse("reporting:day")
    for query in checkin_queries(checkins, unit, other_unit):
        on_page = page_rows(client, user, url, query)
        in_api = api_rows(client, user, CHECKINS, query)
        assert on_page == in_api, (role, query)


def test_the_checkin_filters_choose_some_rows_and_the_scope_holds(
    client, checkins, users, unit, other_unit
):
    """Guards the comparison above: the filters narrow the list, an officer sees their own
    unit's check-ins only (a unit chosen is ignored), and a bad filter is refused."""
    url = reverse("reporting:day")
    ids = {name: str(checkin.pk) for name, checkin in checkins.items() if name != "yesterday_day"}
    office, officer = users["office"], users["officer"]
    _ok, everything = page_rows(client, office, url, {})
    assert sorted(everything) == sorted([ids["corrected"], ids["flagged"], ids["stranger"]])
    _ok, every_version = page_rows(client, office, url, {"include_superseded": "1"})
    assert ids["first"] in every_version
    assert page_rows(client, office, url, {"date": checkins["yesterday_day"].isoformat()}) == (
        "ok",
        [ids["yesterday"]],
    )
    assert page_rows(client, office, url, {"abnormal": "1"}) == ("ok", [ids["flagged"]])
    assert page_rows(client, office, url, {"unit": other_unit.pk}) == ("ok", [ids["stranger"]])
    _ok, theirs = page_rows(client, officer, url, {"unit": other_unit.pk})
    assert sorted(theirs) == sorted([ids["corrected"], ids["flagged"]])
    assert page_rows(client, office, url, {"date": "2020-02-31"}) == ("bad filter", None)


def test_a_bad_checkin_filter_is_named_on_the_page_and_in_the_api(client, users):
    office = users["office"]
    client.force_login(office)
    response = client.get(reverse("reporting:day"), {"date": "2020-02-31"})
    assert response.status_code == 400
    assert 'data-field="date"' in response.content.decode()
    assert list(response.context["page"]) == []
    client.logout()
    from fangkong.core import services as core_services

    _token, raw = core_services.create_api_token(office, "test")
    response = client.get(CHECKINS, {"unit": 2**40}, headers={"authorization": f"Bearer {raw}"})
    assert response.status_code == 422
    assert "unit" in response.content.decode()


# ---- the report's figures and rules (one page, two lists, one "in use" filter) -------------

DEFINITION_QUERIES = [
    {},
    {"active": "true"},
    {"active": "false"},
    {"active": "0"},
    {"active": "maybe"},
]


@pytest.fixture
def definition(report_definition, make_user):
    """The small report with one figure and one rule out of use."""
    keeper = make_user(Role.OFFICE)
    services.update_report_field(keeper, report_definition["flagged"], is_active=False)
    services.update_validation_rule(keeper, report_definition["medium_rule"], is_active=False)
    return report_definition


def test_definition_page_and_api_show_the_same_figures_and_rules(client, definition, users):
    """The definition page is the office's (others are refused it); the API's lists are
    anyone's who sees the reports, so the office's are compared."""
    office = users["office"]
    url = reverse("reporting:report-fields")
    for query in DEFINITION_QUERIES:
        on_page = page_rows(client, office, url, query)
        in_api = api_rows(client, office, "/api/v1/reporting/report-fields", query, paginated=False)
        assert on_page == in_api, query
        on_page = page_rows(client, office, url, query, attribute="rule")
        in_api = api_rows(
            client, office, "/api/v1/reporting/validation-rules", query, paginated=False
        )
        assert on_page == in_api, query


def test_the_in_use_filter_chooses_figures_and_rules(client, definition, users):
    office = users["office"]
    url = reverse("reporting:report-fields")
    pk = {name: str(item.pk) for name, item in definition.items()}
    in_use = [pk["natives"], pk["in_region"], pk["people"]]
    assert page_rows(client, office, url, {}) == ("ok", [*in_use, pk["flagged"]])
    assert page_rows(client, office, url, {"active": "1"}) == ("ok", in_use)
    assert page_rows(client, office, url, {"active": "0"}) == ("ok", [pk["flagged"]])
    assert page_rows(client, office, url, {}, attribute="rule") == (
        "ok",
        [pk["high_rule"], pk["medium_rule"]],
    )
    assert page_rows(client, office, url, {"active": "0"}, attribute="rule") == (
        "ok",
        [pk["medium_rule"]],
    )
    client.force_login(office)
    response = client.get(url, {"active": "maybe"})
    assert response.status_code == 400
    assert 'data-field="active"' in response.content.decode()


# ---- the units' daily reports: the workbook of a period and the API ------------------------

REPORTS = "/api/v1/reporting/reports"


@pytest.fixture
def reports(report_definition, unit, other_unit, today, make_user):
    from fangkong.reporting.tests.conftest import at

    office = make_user(Role.OFFICE)
    yesterday = today - datetime.timedelta(days=1)
    made = []
    for day in (yesterday, today):
        for each in (unit, other_unit):
            made.append(services.submit_nil_report(office, each, day, now=at(day, 9)))
    return {"made": made, "yesterday": yesterday}


def workbook_rows(client, user, query: dict) -> list:
    import io

    from openpyxl import load_workbook

    client.force_login(user)
    response = client.get(reverse("reporting:reports-export"), query)
    client.logout()
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [
        (row[0], row[1].date().isoformat() if hasattr(row[1], "date") else str(row[1]))
        for row in sheet.iter_rows(min_row=2, values_only=True)
        if row[0] and row[1]
    ]


def api_reports(client, user, query: dict) -> list:
    from fangkong.core import services as core_services

    _token, raw = core_services.create_api_token(user, "test")
    response = client.get(
        REPORTS, {**query, "limit": 500}, headers={"authorization": f"Bearer {raw}"}
    )
    assert response.status_code == 200
    return [(row["unit_name"], row["date"]) for row in response.json()["items"]]


@pytest.mark.parametrize("role", ["office", "officer"])
def test_the_reports_workbook_and_api_give_the_same_reports(client, reports, users, today, role):
    user = users[role]
    yesterday = reports["yesterday"].isoformat()
    for query in [
        {"start": yesterday, "end": today.isoformat()},
        {"start": today.isoformat(), "end": today.isoformat()},
        {"start": yesterday, "end": yesterday},
    ]:
        in_workbook = workbook_rows(client, user, query)
        assert in_workbook == api_reports(client, user, query), (role, query)
    # Guards the comparison: the period chooses, and an officer sees their unit's only.
    everything = workbook_rows(client, user, {"start": yesterday, "end": today.isoformat()})
    assert len(everything) == (4 if role == "office" else 2)


def test_the_reports_api_filters_by_day_unit_and_state(client, reports, users, unit, today):
    office = users["office"]
    name = unit.display_name
    assert api_reports(client, office, {"day": today.isoformat(), "unit": unit.pk}) == [
        (name, today.isoformat())
    ]
    assert len(api_reports(client, office, {"status": "submitted"})) == 4
    assert api_reports(client, office, {"status": "approved"}) == []
