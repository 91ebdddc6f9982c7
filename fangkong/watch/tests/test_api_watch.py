"""/api/v1/watch/…: the ledger, follow-ups, the due list, draws and compliance over HTTP."""

import pytest

from fangkong.core import services as core_services
from fangkong.core.roles import Role
from fangkong.watch import services
from fangkong.watch.models import FollowUp, KeyPerson, RandomDraw
from fangkong.watch.tests.conftest import TODAY

API = "/api/v1/watch"


@pytest.fixture
def api(client, make_user, unit):
    """api(role, unit=…) -> the test client sending a bearer token of a new user."""

    def as_role(role: str, unit_=None, **fields):
        if role == Role.OFFICER and unit_ is None:
            unit_ = unit
        user = make_user(role, unit=unit_, **fields)
        _token, raw = core_services.create_api_token(user, "test")
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
        client.user = user
        return client

    return as_role


def post(client, path, data=None):
    return client.post(API + path, data or {}, content_type="application/json")


def error_fields(response) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


def test_officer_lists_a_key_person_over_the_api(api, person, region):
    client = api(Role.OFFICER)
    response = post(
        client,
        "/key-persons",
        {"person_id": person.pk, "category": "in_region", "reason": "在外", "region_id": region.pk},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["person_name"], body["category"], body["region_id"]) == (
        person.name,
        "in_region",
        region.pk,
    )
    assert body["phone_masked"] == person.phone_masked
    assert KeyPerson.objects.get().listed_by == client.user


def test_officer_cannot_list_another_unit_s_person_over_the_api(api, stranger):
    response = post(
        api(Role.OFFICER),
        "/key-persons",
        {"person_id": stranger.pk, "category": "other", "reason": "x"},
    )
    assert response.status_code == 422
    assert error_fields(response) == {"person_id"}
    assert not KeyPerson.objects.exists()


def test_a_duplicate_open_entry_is_a_422_naming_the_category(api, entry):
    response = post(
        api(Role.OFFICE),
        "/key-persons",
        {"person_id": entry.person_id, "category": entry.category, "reason": "again"},
    )
    assert response.status_code == 422 and error_fields(response) == {"category"}
    assert KeyPerson.objects.count() == 1


def test_officer_gets_404_for_another_unit_s_entry(api, stranger_entry):
    client = api(Role.OFFICER)
    response = client.get(f"{API}/key-persons/{stranger_entry.pk}")
    assert response.status_code == 404
    assert stranger_entry.person.name not in response.content.decode()
    assert (
        post(client, f"/key-persons/{stranger_entry.pk}/clear", {"reason": "x"}).status_code == 404
    )


def test_member_is_refused_the_ledger(api, entry):
    client = api(Role.MEMBER)
    assert client.get(f"{API}/key-persons").status_code == 403
    assert client.get(f"{API}/key-persons/{entry.pk}").status_code == 404


def test_list_filters_and_counts(api, entry, stranger_entry):
    client = api(Role.OFFICER)
    listed = client.get(f"{API}/key-persons").json()
    assert [item["id"] for item in listed["items"]] == [entry.pk]
    counts = {row["category"]: row for row in client.get(f"{API}/key-persons/counts").json()}
    assert counts["returned"]["staff"] == 1 and counts["returned"]["total"] == 1


def test_verify_over_the_api_records_who_and_when(api, entry):
    client = api(Role.OFFICER)
    body = post(client, f"/key-persons/{entry.pk}/verify").json()
    assert body["verified_by_id"] == client.user.pk and body["verified_at"].startswith("2020-02-10")


def test_clear_without_a_reason_is_a_422(api, entry):
    response = post(api(Role.OFFICE), f"/key-persons/{entry.pk}/clear", {"reason": ""})
    assert response.status_code == 422 and error_fields(response) == {"reason"}
    entry.refresh_from_db()
    assert entry.is_open


def test_follow_up_with_a_bad_temperature_is_a_422_naming_it(api, entry):
    response = post(
        api(Role.OFFICER),
        "/follow-ups",
        {"key_person_id": entry.pk, "kind": "temperature", "outcome": "well", "temperature": 43.5},
    )
    assert response.status_code == 422 and error_fields(response) == {"temperature"}
    assert not FollowUp.objects.exists()


def test_follow_up_in_the_future_is_a_422_naming_at(api, entry):
    response = post(
        api(Role.OFFICER),
        "/follow-ups",
        {
            "key_person_id": entry.pk,
            "kind": "phone_call",
            "outcome": "well",
            "at": "2020-02-10T16:00:00+08:00",
        },
    )
    assert response.status_code == 422 and error_fields(response) == {"at"}


def test_follow_up_and_its_correction_over_the_api(api, entry):
    client = api(Role.OFFICER)
    first = post(
        client,
        "/follow-ups",
        {"key_person_id": entry.pk, "kind": "phone_call", "outcome": "well", "temperature": "36.6"},
    ).json()
    assert first["temperature"] in ("36.6", 36.6) and first["due_on"] == TODAY.isoformat()
    second = post(
        client, f"/follow-ups/{first['id']}/supersede", {"reason": "误记", "outcome": "unwell"}
    )
    assert second.status_code == 200 and second.json()["supersedes_id"] == first["id"]
    current = client.get(f"{API}/follow-ups", {"key_person": entry.pk, "current_only": True}).json()
    assert [item["id"] for item in current["items"]] == [second.json()["id"]]
    assert FollowUp.objects.count() == 2


def test_officer_cannot_follow_up_another_unit_over_the_api(api, stranger_entry):
    response = post(
        api(Role.OFFICER),
        "/follow-ups",
        {"key_person_id": stranger_entry.pk, "kind": "phone_call", "outcome": "well"},
    )
    assert response.status_code == 422 and error_fields(response) == {"key_person_id"}
    assert not FollowUp.objects.exists()


def test_due_list_over_the_api(api, entry):
    rows = api(Role.OFFICE).get(f"{API}/due", {"day": TODAY.isoformat()}).json()
    assert [(r["person_id"], r["kinds"], r["followed_up"]) for r in rows] == [
        (entry.person_id, ["phone_call"], False)
    ]


def test_draw_get_and_redo_over_the_api(api, entry):
    client = api(Role.OFFICE)
    draw = post(client, "/draws", {"size": 1}).json()
    assert draw["drawn"] == [entry.person_id] and draw["population"] == [entry.person_id]
    assert client.get(f"{API}/draws/{draw['id']}").json()["seed"] == draw["seed"]
    redo = post(client, f"/draws/{draw['id']}/redo").json()
    assert redo == {"drawn": [entry.person_id], "same": True}


def test_a_draw_bigger_than_the_population_is_a_422_naming_size(api, entry):
    response = post(api(Role.OFFICE), "/draws", {"size": 2})
    assert response.status_code == 422 and error_fields(response) == {"size"}
    assert not RandomDraw.objects.exists()


def test_officer_cannot_see_draws(api, entry, office):
    draw = services.draw_random_check(office, size=1)
    assert api(Role.OFFICER).get(f"{API}/draws/{draw.pk}").status_code == 404


def test_compliance_over_the_api(api, entry, office, unit):
    services.record_follow_up(office, entry, kind="phone_call", outcome="well")
    body = (
        api(Role.OFFICE)
        .get(f"{API}/compliance", {"start": "2020-02-09", "end": "2020-02-10"})
        .json()
    )
    assert body["days"] == ["2020-02-09", "2020-02-10"]
    row = next(u for u in body["units"] if u["unit_id"] == unit.pk)
    assert [(c["followed_up"], c["due"]) for c in row["days"]] == [(0, 1), (1, 1)]
    assert body["total"] == {"due": 2, "followed_up": 1, "rate": 50.0}


def test_compliance_range_too_long_is_a_422(api):
    response = api(Role.OFFICE).get(
        f"{API}/compliance", {"start": "2019-01-01", "end": "2020-02-10"}
    )
    assert response.status_code == 422 and error_fields(response) == {"start"}


def test_regions_over_the_api(api, region):
    client = api(Role.OFFICE)
    created = post(client, "/regions", {"name": "乙地", "from_date": "2020-02-01"}).json()
    ended = post(client, f"/regions/{created['id']}/end", {"until_date": "2020-02-05"}).json()
    assert ended["until_date"] == "2020-02-05"
    on = client.get(f"{API}/regions", {"on": "2020-02-06"}).json()
    assert [r["name"] for r in on] == [region.name]
    assert (
        post(api(Role.OFFICER), "/regions", {"name": "丙", "from_date": "2020-02-01"}).status_code
        == 403
    )
