"""Each registry list that has a page and an API endpoint (people, households, units,
accounts) gives the same user with the same filter the same rows from both: one filterset,
in the selector both call."""

import pytest
from django.urls import reverse

from fangkong.core import services
from fangkong.core.models import Person
from fangkong.core.roles import Role
from fangkong.testing.factories import HouseholdFactory, PersonFactory
from fangkong.testing.lists import api_rows, page_rows

pytestmark = pytest.mark.django_db

API = "/api/v1/core"


@pytest.fixture
def registry(unit, other_unit, office):
    ours, theirs = HouseholdFactory(address="东区1-1"), HouseholdFactory(is_rented=True)
    people = [
        PersonFactory(unit=unit, name="张三", household=ours, residence=Person.Residence.HOUSEHOLD),
        PersonFactory(unit=unit, name="李四", category=Person.Category.UNDERGRADUATE),
        PersonFactory(unit=unit, name="张五", category=Person.Category.UNDERGRADUATE),
        PersonFactory(
            unit=other_unit, name="张六", household=theirs, residence=Person.Residence.HOUSEHOLD
        ),
        PersonFactory(unit=other_unit, name="王七", category=Person.Category.UNDERGRADUATE),
    ]
    services.deactivate_person(office, people[2], "毕业离校")
    return {"ours": ours, "theirs": theirs, "people": people}


@pytest.fixture
def users(make_user, unit, office):
    return {
        "office": office,
        "officer": make_user(Role.OFFICER, unit=unit),
        "leader": make_user(Role.LEADER),
    }


@pytest.fixture
def office(make_user):
    return make_user(Role.OFFICE)


def queries(name, registry, unit, other_unit) -> list[dict]:
    return {
        "people": [
            {},
            {"q": "张"},
            {"category": Person.Category.UNDERGRADUATE},
            {"category": Person.Category.UNDERGRADUATE, "active": "0"},
            {"unit": other_unit.pk},
            {"unit": unit.pk, "q": "李"},
            {"household": registry["ours"].pk},
            {"category": "alien"},
        ],
        "households": [{}, {"q": "东区"}, {"rented": "1"}, {"rented": "0"}, {"area": 2**40}],
        "units": [{}],
        "accounts": [{}, {"role": Role.OFFICER}, {"q": "nobody"}],
    }[name]


LISTS = {
    # list: (page url name, API path, paginated)
    "people": ("person-list", "/people", True),
    "households": ("household-list", "/households", True),
    "units": ("unit-list", "/units", False),
    "accounts": ("account-list", "/accounts", True),
}


@pytest.mark.parametrize("role", ["office", "officer", "leader"])
@pytest.mark.parametrize("name", sorted(LISTS))
def test_page_and_api_show_the_same_rows(client, registry, users, unit, other_unit, role, name):
    page_name, path, paginated = LISTS[name]
    user = users[role]
    for query in queries(name, registry, unit, other_unit):
        on_page = page_rows(client, user, reverse(page_name), query)
        in_api = api_rows(client, user, API + path, query, paginated=paginated)
        assert on_page == in_api, (role, name, query)


@pytest.mark.parametrize("name", ["people", "households", "accounts"])
def test_each_filter_narrows_the_office_s_list(client, registry, users, unit, other_unit, name):
    """Guards the comparison above: the filters choose some rows, not all or none."""
    page_name, _path, _paginated = LISTS[name]
    url = reverse(page_name)
    outcome, everything = page_rows(client, users["office"], url, {})
    assert outcome == "ok" and everything
    kept = []
    for query in queries(name, registry, unit, other_unit)[1:]:
        outcome, some = page_rows(client, users["office"], url, query)
        if outcome == "ok":
            assert set(some) <= set(everything) or query.get("active") == "0", query
            kept.append(set(some) != set(everything))
        else:
            assert outcome == "bad filter", query
    assert any(kept)


def test_an_officer_sees_only_their_unit_s_people_in_both(client, registry, users, unit):
    expected = sorted(
        str(pk)
        for pk in Person.objects.filter(unit=unit, is_active=True).values_list("pk", flat=True)
    )
    _ok, on_page = page_rows(client, users["officer"], reverse("person-list"), {})
    assert sorted(on_page) == expected
    assert sorted(api_rows(client, users["officer"], API + "/people", {})[1]) == expected


def test_a_bad_filter_names_the_field_on_the_page_and_in_the_api(client, registry, users):
    office = users["office"]
    client.force_login(office)
    page = client.get(reverse("person-list"), {"category": "alien"})
    assert page.status_code == 400
    assert set(page.context["form"].errors) == {"category"}
    client.logout()
    _token, raw = services.create_api_token(office, "test")
    response = client.get(
        API + "/households", {"area": 2**40}, headers={"authorization": f"Bearer {raw}"}
    )
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["area"]


def test_a_bad_account_filter_is_refused_on_the_page_and_in_the_api(client, users):
    query = {"role": "king"}
    office = users["office"]
    assert page_rows(client, office, reverse("account-list"), query) == ("bad filter", None)
    assert api_rows(client, office, API + "/accounts", query) == ("bad filter", None)
