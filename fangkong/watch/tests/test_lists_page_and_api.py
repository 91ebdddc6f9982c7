"""The watch lists' pages and their API give the same user with the same filter the same
rows: one filterset per list (watch/filtersets.py), in the selector both call. Covers the
key-person ledger, the isolation cases and the incidents."""

import datetime

import pytest

from fangkong.core.roles import Role
from fangkong.testing.factories import KeyPersonFactory, PersonFactory
from fangkong.testing.lists import api_rows, page_rows
from fangkong.watch import services
from fangkong.watch.tests.conftest import TODAY, at

pytestmark = pytest.mark.django_db

API = "/api/v1/watch"
ROLES = ["office", "leader", "medic", "officer", "member"]
BAD_QUERIES = 2  # each list's queries end with this many bad filters


@pytest.fixture
def users(make_user, unit, office, medic, leader):
    return {
        "office": office,
        "leader": leader,
        "medic": medic,
        "officer": make_user(Role.OFFICER, unit=unit),
        "member": make_user(Role.MEMBER),
    }


def same_rows(client, user, page_url, api_path, queries):
    """The same outcome and rows from the page and the API for each query. A member may see
    none of these lists: both refuse them, but the API checks its query's types before the
    caller's role (a 422, not a 403), so a member is asked the well-formed queries only."""
    if not user.has_role(Role.OFFICE, Role.LEADER, Role.MEDIC, Role.OFFICER):
        queries = queries[:-BAD_QUERIES]
    for query in queries:
        on_page = page_rows(client, user, page_url, query)
        in_api = api_rows(client, user, api_path, query)
        assert on_page == in_api, query


# ---- the ledger -----------------------------------------------------------------------------


@pytest.fixture
def ledger(unit, other_unit, office, region):
    named = KeyPersonFactory(
        person=PersonFactory(unit=unit, name="甲某"), category="native", region=region
    )
    verified = KeyPersonFactory(person=PersonFactory(unit=unit), category="close_contact")
    services.verify_key_person(office, verified)
    cleared = KeyPersonFactory(person=PersonFactory(unit=unit), category="returned")
    services.clear_key_person(office, cleared, "well")
    elsewhere = KeyPersonFactory(person=PersonFactory(unit=other_unit), category="native")
    return {"named": named, "verified": verified, "cleared": cleared, "elsewhere": elsewhere}


def ledger_queries(unit, other_unit, region, ledger) -> list[dict]:
    return [
        {},
        {"status": "cleared"},
        {"status": "all"},
        {"category": "native"},
        {"verified": "1"},
        {"verified": "0"},
        {"q": "甲"},
        {"unit": unit.pk},
        {"unit": other_unit.pk},
        {"region": region.pk},
        {"person": ledger["verified"].person_id},
        {"unit": 2**40},
        {"status": "alien"},
        {"category": "alien"},
    ]


@pytest.mark.parametrize("role", ROLES)
def test_the_ledger_page_and_api_show_the_same_entries(
    client, users, unit, other_unit, region, ledger, role
):
    same_rows(
        client,
        users[role],
        "/watch/",
        f"{API}/key-persons",
        ledger_queries(unit, other_unit, region, ledger),
    )


def test_the_ledger_filters_choose_some_entries_and_the_scope_holds(client, users, unit, ledger):
    """Guards the comparison above: the filters narrow the ledger, cleared entries only when
    asked for, an officer sees their unit's only, a member nothing."""
    ids = {name: str(entry.pk) for name, entry in ledger.items()}
    office = users["office"]
    _ok, open_ = page_rows(client, office, "/watch/", {})
    assert sorted(open_) == sorted([ids["named"], ids["verified"], ids["elsewhere"]])
    assert page_rows(client, office, "/watch/", {"status": "cleared"}) == ("ok", [ids["cleared"]])
    assert page_rows(client, office, "/watch/", {"verified": "1"}) == ("ok", [ids["verified"]])
    assert page_rows(client, office, "/watch/", {"q": "甲"}) == ("ok", [ids["named"]])
    _ok, theirs = page_rows(client, users["officer"], "/watch/", {"status": "all"})
    assert sorted(theirs) == sorted([ids["named"], ids["verified"], ids["cleared"]])
    assert page_rows(client, users["member"], "/watch/", {}) == ("refused", None)
    assert page_rows(client, office, "/watch/", {"status": "alien"}) == ("bad filter", None)


def test_a_bad_ledger_filter_is_named_on_the_page_and_in_the_api(client, users, ledger):
    from fangkong.core import services as core_services

    client.force_login(users["office"])
    response = client.get("/watch/", {"verified": "maybe"})
    assert response.status_code == 400
    assert "verified" in response.context["form"].errors
    assert 'class="field-error"' in response.content.decode()
    _token, raw = core_services.create_api_token(users["office"], "test")
    answer = client.get(
        f"{API}/key-persons", {"unit": 2**40}, headers={"authorization": f"Bearer {raw}"}
    )
    assert answer.status_code == 422 and "unit" in answer.content.decode()


# ---- isolation cases ------------------------------------------------------------------------


@pytest.fixture
def cases(medic, home_case, stranger_case):
    services.release_isolation(medic, stranger_case, note="好转", end_date=TODAY)
    return {"home": home_case, "stranger": stranger_case}


def case_queries(unit, other_unit, cases) -> list[dict]:
    return [
        {},
        {"status": "in_isolation"},
        {"status": "released"},
        {"place_kind": "hospital"},
        {"ordered_by": "school"},
        {"q": "湖北"},
        {"unit": unit.pk},
        {"unit": other_unit.pk},
        {"person": cases["home"].person_id},
        {"started_from": "2020-02-06"},
        {"started_until": "2020-02-06"},
        {"open_on": "2020-02-06"},
        {"open_on": TODAY.isoformat()},
        {"status": "alien"},
        {"started_from": "not a day"},
    ]


@pytest.mark.parametrize("role", ROLES)
def test_the_isolation_page_and_api_show_the_same_cases(
    client, users, unit, other_unit, cases, role
):
    same_rows(
        client,
        users[role],
        "/watch/isolation/",
        f"{API}/isolation/cases",
        case_queries(unit, other_unit, cases),
    )


def test_the_isolation_filters_choose_some_cases_and_the_scope_holds(client, users, cases):
    home, stranger = str(cases["home"].pk), str(cases["stranger"].pk)
    url = "/watch/isolation/"
    _ok, everything = page_rows(client, users["office"], url, {})
    assert sorted(everything) == sorted([home, stranger])
    assert page_rows(client, users["office"], url, {"place_kind": "hospital"}) == ("ok", [stranger])
    assert page_rows(client, users["office"], url, {"open_on": TODAY.isoformat()}) == ("ok", [home])
    assert page_rows(client, users["officer"], url, {}) == ("ok", [home])
    assert page_rows(client, users["office"], url, {"status": "alien"}) == ("bad filter", None)


# ---- incidents ------------------------------------------------------------------------------


@pytest.fixture
def incidents(medic, incident, stranger):
    earlier = services.open_incident(
        medic,
        occurred_at=at(datetime.date(2020, 2, 3), 20),
        kind="gathering",
        severity="high",
        description="宿舍聚餐",
        place="学生公寓",
        people=[stranger],
    )
    return {"fever": incident, "gathering": earlier}


def incident_queries(incidents) -> list[dict]:
    return [
        {},
        {"status": "open"},
        {"kind": "gathering"},
        {"severity": "high"},
        {"q": "聚餐"},
        {"q": "东门"},
        {"start": "2020-02-05"},
        {"end": "2020-02-05"},
        {"person": incidents["fever"].people.get().pk},
        {"kind": "alien"},
        {"end": "not a day"},
    ]


@pytest.mark.parametrize("role", ROLES)
def test_the_incidents_page_and_api_show_the_same_incidents(client, users, incidents, role):
    same_rows(
        client,
        users[role],
        "/watch/incidents/",
        f"{API}/incidents",
        incident_queries(incidents),
    )


def test_the_incident_filters_choose_some_incidents_and_the_scope_holds(client, users, incidents):
    fever, gathering = str(incidents["fever"].pk), str(incidents["gathering"].pk)
    url = "/watch/incidents/"
    assert page_rows(client, users["office"], url, {}) == ("ok", [fever, gathering])
    assert page_rows(client, users["office"], url, {"kind": "gathering"}) == ("ok", [gathering])
    assert page_rows(client, users["office"], url, {"start": "2020-02-05"}) == ("ok", [fever])
    assert page_rows(client, users["officer"], url, {}) == ("ok", [fever])
    assert page_rows(client, users["office"], url, {"kind": "alien"}) == ("bad filter", None)


# ---- follow-ups and temperature checks: an entry's and a case's page -----------------------


@pytest.fixture
def follow_ups(office, entry, stranger_entry):
    call = {"kind": "phone_call", "outcome": "well"}
    first = services.record_follow_up(office, entry, temperature="36.5", **call)
    corrected = services.supersede_follow_up(office, first, reason="misread", temperature="37.5")
    services.record_follow_up(office, stranger_entry, **call)
    return {"entry": entry, "stranger_entry": stranger_entry, "made": [first, corrected]}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("whose", ["entry", "stranger_entry"])
def test_an_entry_s_page_and_the_api_show_the_same_follow_ups(
    client, users, follow_ups, role, whose
):
    entry = follow_ups[whose]
    on_page = page_rows(client, users[role], f"/watch/{entry.pk}/", {})
    in_api = api_rows(client, users[role], f"{API}/follow-ups", {"key_person": entry.pk})
    if on_page[0] == "ok":
        assert on_page == in_api
    else:  # not theirs: the page is a 404 (or a 403), the API's list is empty or refused
        assert in_api in (("ok", []), ("refused", None))


def test_an_entry_s_page_shows_its_follow_ups_and_their_corrections(client, users, follow_ups):
    first, corrected = follow_ups["made"]
    url = f"/watch/{follow_ups['entry'].pk}/"
    newest_first = [str(corrected.pk), str(first.pk)]
    assert page_rows(client, users["officer"], url, {}) == ("ok", newest_first)
    query = {"key_person": first.key_person_id, "current_only": True}
    current = api_rows(client, users["office"], f"{API}/follow-ups", query)
    assert current == ("ok", [str(corrected.pk)])


@pytest.fixture
def checks(medic, home_case, stranger_case):
    morning = services.record_isolation_check(
        medic, home_case, temperature="37.6", slot="morning", date=TODAY
    )
    corrected = services.correct_isolation_check(
        medic, morning, reason="misread", temperature="36.6"
    )
    services.record_isolation_check(medic, stranger_case, temperature="36.4", date=TODAY)
    return {"home": home_case, "stranger": stranger_case, "made": [morning, corrected]}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("whose", ["home", "stranger"])
def test_a_case_s_page_and_the_api_show_the_same_checks(client, users, checks, role, whose):
    case = checks[whose]
    on_page = page_rows(client, users[role], f"/watch/isolation/{case.pk}/", {})
    in_api = api_rows(client, users[role], f"{API}/isolation/checks", {"case": case.pk})
    if on_page[0] == "ok":
        assert on_page == in_api
    else:
        assert in_api in (("ok", []), ("refused", None))


def test_a_case_s_checks_filter_by_current_and_fever(client, users, checks):
    morning, corrected = checks["made"]
    url = f"/watch/isolation/{checks['home'].pk}/"
    _ok, shown = page_rows(client, users["officer"], url, {})
    assert sorted(shown) == sorted([str(morning.pk), str(corrected.pk)])
    path = f"{API}/isolation/checks"
    case = checks["home"].pk
    office = users["office"]
    current = api_rows(client, office, path, {"case": case, "current_only": True})
    assert current == ("ok", [str(corrected.pk)])
    assert api_rows(client, office, path, {"case": case, "fever_only": True}) == (
        "ok",
        [str(morning.pk)],
    )
