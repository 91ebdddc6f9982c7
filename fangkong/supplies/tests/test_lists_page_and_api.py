"""Each supplies list that has a page and an API endpoint gives the same user with the same
filter the same rows from both (one filterset in the selector both call); a bad filter is
named on the page (400) and in the API (422), never a 500."""

import re

import pytest
from django.urls import reverse

from fangkong.core import services as core_services
from fangkong.core.roles import Role
from fangkong.supplies.models import StockMove
from fangkong.supplies.tests.scenario import FEB_5, FEB_6, build

pytestmark = pytest.mark.django_db

API = "/api/v1/supplies"


@pytest.fixture
def ledger(storekeeper, office, officer, make_user, other_unit, catalogue):
    other_officer = make_user(Role.OFFICER, unit=other_unit)
    return build(storekeeper, office, officer, other_officer, catalogue)


@pytest.fixture
def users(office, officer, storekeeper, make_user):
    return {
        "office": office,
        "officer": officer,
        "storekeeper": storekeeper,
        "leader": make_user(Role.LEADER),
    }


def page_rows(client, user, name, query, attribute):
    client.force_login(user)
    response = client.get(reverse(f"supplies:{name}"), query)
    client.logout()
    if response.status_code != 200:
        return response.status_code, None
    return 200, re.findall(rf'data-{attribute}="([^"]+)"', response.content.decode())


def api_rows(client, user, path, query, key):
    _token, raw = core_services.create_api_token(user, "test")
    response = client.get(
        API + path, {**query, "limit": 500}, headers={"authorization": f"Bearer {raw}"}
    )
    if response.status_code != 200:
        return response.status_code, None
    return 200, [str(row[key]) for row in response.json()["items"]]


def filters(ledger, catalogue) -> dict[str, list[dict]]:
    """Per list, filters that each keep some rows and drop others."""
    return {
        "moves": [
            {},
            {"store": catalogue["main"].pk, "kind": StockMove.Kind.ISSUE},
            {"item": catalogue["masks"].pk, "start": FEB_5.isoformat()},
            {"end": FEB_5.isoformat()},
            {"requisition": ledger.ours.pk},
        ],
        "requisitions": [
            {},
            {"status": "open"},
            {"status": "issued"},
            {"unit": ledger.theirs.unit_id},
        ],
        "receipts": [
            {},
            {"source": catalogue["alumni"].pk},
            {"start": "2020-02-02", "store": catalogue["main"].pk},
        ],
    }


LISTS = {
    # list: (page name, page row attribute, API path, API key matching the attribute)
    "moves": ("moves", "move", "/moves", "id"),
    "requisitions": ("requisitions", "number", "/requisitions", "number"),
    "receipts": ("receipts", "number", "/receipts", "number"),
}


@pytest.mark.parametrize("role", ["office", "officer", "storekeeper", "leader"])
@pytest.mark.parametrize("name", sorted(LISTS))
def test_page_and_api_show_the_same_rows(client, ledger, catalogue, users, role, name):
    page_name, attribute, path, key = LISTS[name]
    user = users[role]
    seen_rows = False
    for query in filters(ledger, catalogue)[name]:
        page_status, on_page = page_rows(client, user, page_name, query, attribute)
        api_status, in_api = api_rows(client, user, path, query, key)
        assert (page_status, on_page) == (api_status, in_api), (role, name, query)
        seen_rows = seen_rows or bool(on_page)
    if role in ("office", "leader"):
        assert seen_rows  # the comparison is not of two empty lists


def test_a_filter_keeps_some_rows_and_drops_others(client, ledger, catalogue, office):
    """Guards the comparison above: each filter narrows the office's list."""
    for name, queries in filters(ledger, catalogue).items():
        page_name, attribute, _path, _key = LISTS[name]
        _status, everything = page_rows(client, office, page_name, {}, attribute)
        for query in queries[1:]:
            _status, some = page_rows(client, office, page_name, query, attribute)
            assert some and set(some) < set(everything), (name, query)


def test_an_officer_sees_their_unit_s_requisitions_in_both(client, ledger, officer):
    assert page_rows(client, officer, "requisitions", {}, "number") == (
        200,
        [ledger.ours.number],
    )
    assert api_rows(client, officer, "/requisitions", {}, "number") == (
        200,
        [ledger.ours.number],
    )


def test_an_officer_has_no_ledger_on_the_page_nor_in_the_api(client, ledger, officer):
    assert page_rows(client, officer, "moves", {}, "move")[0] == 403
    assert api_rows(client, officer, "/moves", {}, "id")[0] == 403


@pytest.mark.parametrize(
    "name, query, field",
    [
        ("moves", {"kind": "gift"}, "kind"),
        ("moves", {"start": "2020-02-31"}, "start"),
        ("moves", {"store": 999999}, "store"),
        ("requisitions", {"status": "lost"}, "status"),
        ("receipts", {"supplier": 999999}, "supplier"),
    ],
)
def test_a_bad_filter_is_named_on_the_page_and_in_the_api(
    client, ledger, office, name, query, field
):
    page_name, _attribute, path, _key = LISTS[name]
    client.force_login(office)
    page = client.get(reverse(f"supplies:{page_name}"), query)
    assert page.status_code == 400
    assert page.context["form"].errors.keys() == {field}
    client.logout()
    _token, raw = core_services.create_api_token(office, "test")
    response = client.get(API + path, query, headers={"authorization": f"Bearer {raw}"})
    assert response.status_code == 422
    assert field in {error["field"] for error in response.json()["errors"]}


def test_the_ledger_filters_by_day_the_same_on_both(client, ledger, office):
    """The reversal on 6 February is in a one-day period, the issues of the 5th are not."""
    query = {"start": FEB_6.isoformat(), "end": FEB_6.isoformat(), "kind": "reversal"}
    _status, on_page = page_rows(client, office, "moves", query, "move")
    assert on_page == [str(ledger.reversed_issue[0].reversed_by.pk)]
    assert api_rows(client, office, "/moves", query, "id") == (200, on_page)
