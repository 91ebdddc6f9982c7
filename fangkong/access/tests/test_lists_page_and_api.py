"""The pass list's page and its API give the same user with the same filter the same
passes: one filterset (access/filtersets.py), in the selector both call."""

import pytest
from django.urls import reverse

from fangkong.access import services
from fangkong.core.roles import Role
from fangkong.testing.factories import PersonFactory, UnitFactory
from fangkong.testing.lists import api_rows, page_rows
from fangkong.testing.school import issued_pass

pytestmark = pytest.mark.django_db

API = "/api/v1/access/passes"


@pytest.fixture
def passes(school):
    elsewhere = PersonFactory(unit=UnitFactory(code="far"), name="远方")
    made = [
        issued_pass(school, holder=school.outsider),
        issued_pass(school, holder=school.resident, pass_type=school.materials),
        issued_pass(school, holder=elsewhere),
        services.apply_for_pass(
            school.office, holder=school.resident_2, pass_type=school.duty, reason="取资料"
        ),
    ]
    return {"made": made, "elsewhere": elsewhere}


@pytest.fixture
def users(school, make_user):
    return {
        "office": school.office,
        "guard": school.guard,
        "officer": make_user(Role.OFFICER, unit=school.unit),
        "member": make_user(Role.MEMBER, person=school.resident),
    }


def queries(school, passes) -> list[dict]:
    return [
        {},
        {"status": "approved"},
        {"status": "pending"},
        {"status": "expired"},
        {"pass_type": school.materials.pk},
        {"q": passes["elsewhere"].name},
        {"q": passes["made"][0].number},
        {"holder": school.resident.pk},
        {"status": "alien"},
        {"pass_type": 2**40},
    ]


@pytest.mark.parametrize("role", ["office", "guard", "officer", "member"])
def test_page_and_api_show_the_same_passes(client, school, passes, users, role):
    user = users[role]
    url = reverse("access:passes")
    for query in queries(school, passes):
        on_page = page_rows(client, user, url, query, attribute="number")
        in_api = api_rows(client, user, API, query, key="number")
        assert on_page == in_api, (role, query)


def test_the_filters_choose_some_passes_and_the_scope_holds(client, school, passes, users):
    """Guards the comparison above: the office's filters narrow the list, an officer sees
    their unit's people's passes only, a member their own."""
    url = reverse("access:passes")
    numbers = {gate_pass.pk: gate_pass.number for gate_pass in passes["made"]}
    made = passes["made"]
    _ok, everything = page_rows(client, users["office"], url, {}, attribute="number")
    assert sorted(everything) == sorted(numbers.values())
    _ok, pending = page_rows(client, users["office"], url, {"status": "pending"}, "number")
    assert pending == [made[3].number]
    _ok, theirs = page_rows(client, users["officer"], url, {}, attribute="number")
    assert sorted(theirs) == sorted([made[0].number, made[1].number, made[3].number])
    _ok, own = page_rows(client, users["member"], url, {}, attribute="number")
    assert own == [made[1].number]
    assert page_rows(client, users["office"], url, {"status": "alien"}, "number") == (
        "bad filter",
        None,
    )
