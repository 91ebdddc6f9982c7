"""/api/v1/watch/isolation/…: policies, rooms, cases, checks, due list and counts over HTTP."""

import pytest

from fangkong.core.roles import Role
from fangkong.watch import services
from fangkong.watch.models import IsolationCase, IsolationCheck
from fangkong.watch.tests.test_api_watch import API, api, error_fields, post  # noqa: F401


def test_medic_starts_a_home_isolation_over_the_api(api, family_person, policy):  # noqa: F811
    client = api(Role.MEDIC)
    response = post(
        client,
        "/isolation/cases",
        {
            "person_id": family_person.pk,
            "place_kind": "home",
            "reason": "返校",
            "start_date": "2020-02-03",
        },
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["planned_end"], body["household_id"]) == (
        "in_isolation",
        "2020-02-17",
        family_person.household_id,
    )
    assert body["policy_id"] == policy.pk


def test_errors_name_the_api_fields(api, family_person, policy):  # noqa: F811
    response = post(
        api(Role.MEDIC),
        "/isolation/cases",
        {"person_id": family_person.pk, "place_kind": "room", "reason": "x", "ordered_by": "cdc"},
    )
    assert response.status_code == 422
    assert error_fields(response) == {"room_id", "cdc_reference"}
    assert response.json()["detail"] == "Invalid input."


def test_a_second_open_case_is_a_422_naming_the_person(api, home_case):  # noqa: F811
    response = post(
        api(Role.OFFICE),
        "/isolation/cases",
        {
            "person_id": home_case.person_id,
            "place_kind": "hospital",
            "hospital": "医院",
            "reason": "x",
        },
    )
    assert response.status_code == 422 and error_fields(response) == {"person_id"}


def test_a_full_room_is_a_422(api, room, person, medic, policy, unit):  # noqa: F811
    from fangkong.testing.factories import PersonFactory

    services.start_isolation(medic, person=person, place_kind="room", room=room, reason="x")
    response = post(
        api(Role.MEDIC),
        "/isolation/cases",
        {
            "person_id": PersonFactory(unit=unit).pk,
            "place_kind": "room",
            "room_id": room.pk,
            "reason": "x",
        },
    )
    assert response.status_code == 422
    assert "is full" in response.json()["errors"][0]["message"]


def test_officer_lists_only_their_unit_and_gets_404_for_others(api, home_case, stranger_case):  # noqa: F811
    client = api(Role.OFFICER)
    response = client.get(f"{API}/isolation/cases")
    assert [case["id"] for case in response.json()["items"]] == [home_case.pk]
    assert client.get(f"{API}/isolation/cases/{stranger_case.pk}").status_code == 404


@pytest.mark.parametrize("role", [Role.MEMBER, Role.GUARD])
def test_roles_without_isolation_get_403(api, home_case, role):  # noqa: F811
    client = api(role)
    assert client.get(f"{API}/isolation/cases").status_code == 403
    assert client.get(f"{API}/isolation/checks/due").status_code == 403
    assert client.get(f"{API}/isolation/cases/{home_case.pk}").status_code == 404


def test_the_leader_cannot_write(api, home_case):  # noqa: F811
    client = api(Role.LEADER)
    response = post(client, "/isolation/checks", {"case_id": home_case.pk, "temperature": "36.5"})
    assert response.status_code == 403
    response = post(client, f"/isolation/cases/{home_case.pk}/release", {"note": "x"})
    assert response.status_code == 403
    assert not IsolationCheck.objects.exists()


def test_checks_and_a_correction_over_the_api(api, home_case):  # noqa: F811
    client = api(Role.MEDIC)
    response = post(
        client,
        "/isolation/checks",
        {"case_id": home_case.pk, "temperature": "37.6", "slot": "morning", "date": "2020-02-10"},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["is_fever"], body["slot"]) == (True, "morning")
    response = post(
        client,
        f"/isolation/checks/{body['id']}/supersede",
        {"reason": "复测", "temperature": "36.9"},
    )
    assert response.status_code == 200
    assert response.json()["supersedes_id"] == body["id"]
    current = client.get(f"{API}/isolation/checks", {"case": home_case.pk, "current_only": True})
    assert [check["temperature"] for check in current.json()["items"]] == ["36.9"]


def test_a_temperature_out_of_range_is_a_422(api, home_case):  # noqa: F811
    response = post(
        api(Role.MEDIC), "/isolation/checks", {"case_id": home_case.pk, "temperature": "43.5"}
    )
    assert response.status_code == 422 and error_fields(response) == {"temperature"}


def test_the_due_list_and_the_counts(api, home_case, stranger_case, medic):  # noqa: F811
    services.record_isolation_check(medic, home_case, temperature="36.5")
    client = api(Role.OFFICE)
    due = client.get(f"{API}/isolation/checks/due", {"slot": "afternoon"}).json()
    assert [row["case_id"] for row in due] == [stranger_case.pk]
    counts = client.get(f"{API}/isolation/counts", {"start": "2020-02-01"}).json()
    assert (counts["open_total"], counts["started_total"]) == (2, 2)
    assert {row["place_kind"]: row["count"] for row in counts["open_by_place"]}["hospital"] == 1


def test_release_and_transfer_over_the_api(api, home_case, stranger_case):  # noqa: F811
    client = api(Role.MEDIC)
    response = post(
        client,
        f"/isolation/cases/{home_case.pk}/release",
        {"note": "期满", "end_date": "2020-02-01"},
    )
    assert response.status_code == 422 and error_fields(response) == {"end_date"}
    response = post(client, f"/isolation/cases/{home_case.pk}/release", {"note": "期满"})
    assert response.json()["status"] == "released"
    response = post(
        client,
        f"/isolation/cases/{stranger_case.pk}/transfer",
        {"note": "转院", "hospital": "唐都医院"},
    )
    assert (response.json()["status"], response.json()["transferred_to"]) == (
        "transferred",
        "唐都医院",
    )
    assert IsolationCase.objects.filter(status="in_isolation").count() == 0


def test_policies_and_rooms_over_the_api(api, room):  # noqa: F811
    office = api(Role.OFFICE)
    response = post(office, "/isolation/policies", {"effective_from": "2020-02-01", "days": 14})
    assert response.status_code == 200
    response = post(office, "/isolation/policies", {"effective_from": "2020-02-01", "days": 14})
    assert response.status_code == 422 and error_fields(response) == {"effective_from"}
    rooms = office.get(f"{API}/isolation/rooms").json()
    assert [(r["name"], r["capacity"], r["occupancy"]) for r in rooms] == [("101", 1, 0)]
    medic = api(Role.MEDIC)
    assert (
        post(medic, "/isolation/policies", {"effective_from": "2020-02-02", "days": 7}).status_code
        == 403
    )
    response = post(
        medic, "/isolation/rooms", {"name": "102", "capacity": 2, "building_id": room.building_id}
    )
    assert response.status_code == 200 and response.json()["occupancy"] == 0
