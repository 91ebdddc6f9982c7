"""/api/v1/reporting/: check-ins listed, submitted, corrected and read with their versions."""

import datetime

import pytest

from fangkong.core import services as core_services
from fangkong.core.roles import Role
from fangkong.reporting import services
from fangkong.reporting.models import HealthCheckin
from fangkong.reporting.tests.conftest import good_answers
from fangkong.testing.factories import HealthCheckinFactory

BASE = "/api/v1/reporting"


@pytest.fixture
def api(client, make_user, unit):
    """api(role, **fields) -> the test client sending a new user's bearer token."""

    def as_role(role: str, **fields):
        if role == Role.OFFICER:
            fields.setdefault("unit", unit)
        user = make_user(role, **fields)
        _token, raw = core_services.create_api_token(user, "test")
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
        client.user = user
        return client

    return as_role


def body(person, **changes) -> dict:
    data = {
        "person_id": person.pk,
        "temperature": "36.6",
        "symptoms": [],
        "current_province": "陕西省",
        "current_city": "西安市",
        "on_campus": True,
        "contact_with_region_of_concern": False,
    }
    data.update(changes)
    return data


def post(client, path, data):
    return client.post(BASE + path, data, content_type="application/json")


def error_fields(response) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


def test_member_submits_their_check_in_through_the_api(api, person, today):
    client = api(Role.MEMBER, person=person)
    response = post(client, "/checkins", body(person, temperature=37.5, symptoms=["cough"]))
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["date"] == today.isoformat()
    assert data["temperature"] == "37.5"
    assert data["symptoms"] == ["cough"]
    assert data["is_abnormal"] is True
    assert data["channel"] == "api"
    assert len(data["versions"]) == 1
    assert HealthCheckin.objects.get().channel == HealthCheckin.Channel.API


def test_api_refuses_a_temperature_outside_34_to_43_naming_the_field(api, person):
    client = api(Role.OFFICER)
    response = post(client, "/checkins", body(person, temperature="45.0"))
    assert response.status_code == 422
    assert error_fields(response) == {"temperature"}
    assert not HealthCheckin.objects.exists()


def test_api_refuses_a_future_date_naming_the_field(api, person, today):
    client = api(Role.OFFICER)
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    response = post(client, "/checkins", body(person, date=tomorrow))
    assert response.status_code == 422
    assert error_fields(response) == {"date"}


def test_api_refuses_a_second_check_in_of_the_day(api, person):
    client = api(Role.OFFICER)
    assert post(client, "/checkins", body(person)).status_code == 200
    response = post(client, "/checkins", body(person))
    assert response.status_code == 422
    assert "correct" in response.json()["errors"][0]["message"].lower()
    assert HealthCheckin.objects.count() == 1


def test_officer_cannot_submit_for_another_unit_through_the_api(api, stranger):
    response = post(api(Role.OFFICER), "/checkins", body(stranger))
    assert response.status_code == 422
    assert error_fields(response) == {"person_id"}
    assert not HealthCheckin.objects.exists()


def test_leader_who_sees_a_person_is_still_refused_a_write(api, person):
    response = post(api(Role.LEADER), "/checkins", body(person))
    assert response.status_code == 403
    assert not HealthCheckin.objects.exists()


def test_correction_through_the_api_returns_both_versions(api, person, member):
    first = services.submit_checkin(member, person, **good_answers())
    client = api(Role.OFFICER)
    data = body(person, temperature="38.0", reason="Phoned back")
    del data["person_id"]
    response = post(client, f"/checkins/{first.pk}/correct", data)
    assert response.status_code == 200, response.content
    result = response.json()
    assert result["supersedes_id"] == first.pk and result["is_current"]
    assert [version["id"] for version in result["versions"]] == [first.pk, result["id"]]
    assert result["versions"][0]["is_current"] is False


def test_get_one_check_in_shows_its_versions(api, person, member):
    first = services.submit_checkin(member, person, **good_answers())
    second = services.correct_checkin(member, first, reason="typo", **good_answers())
    response = api(Role.OFFICE).get(f"{BASE}/checkins/{first.pk}")
    assert response.status_code == 200
    assert [v["id"] for v in response.json()["versions"]] == [first.pk, second.pk]


def test_officer_gets_404_for_another_units_check_in(api, stranger):
    checkin = HealthCheckinFactory(person=stranger)
    response = api(Role.OFFICER).get(f"{BASE}/checkins/{checkin.pk}")
    assert response.status_code == 404
    assert stranger.name not in response.content.decode()


def test_list_shows_only_the_callers_scope_for_the_date(api, person, stranger, today):
    mine = HealthCheckinFactory(person=person)
    HealthCheckinFactory(person=stranger)
    HealthCheckinFactory(person=person, date=today - datetime.timedelta(days=1))
    response = api(Role.OFFICER).get(f"{BASE}/checkins", {"date": today.isoformat()})
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [mine.pk]


def test_list_filters_abnormal(api, person, unit):
    from fangkong.testing.factories import PersonFactory

    HealthCheckinFactory(person=person)
    flagged = HealthCheckinFactory(person=PersonFactory(unit=unit), is_abnormal=True)
    response = api(Role.OFFICE).get(f"{BASE}/checkins", {"abnormal": "true"})
    assert [item["id"] for item in response.json()["items"]] == [flagged.pk]


def test_flagged_today_gives_the_count_in_scope(api, person, stranger):
    HealthCheckinFactory(person=person, is_abnormal=True)
    HealthCheckinFactory(person=stranger, is_abnormal=True)
    officer_view = api(Role.OFFICER).get(f"{BASE}/flagged").json()
    assert officer_view["count"] == 1
    assert [item["person_id"] for item in officer_view["items"]] == [person.pk]
    assert api(Role.OFFICE).get(f"{BASE}/flagged").json()["count"] == 2


def test_policy_is_readable(api):
    data = api(Role.MEMBER).get(f"{BASE}/policy").json()
    assert data == {"deadline": "10:00", "days_open": 3, "fever_threshold": "37.3"}
