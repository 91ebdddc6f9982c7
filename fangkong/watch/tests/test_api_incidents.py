"""/api/v1/watch/incidents/…: the same services and scoping as the pages."""

import pytest

from fangkong.core.roles import Role
from fangkong.watch.models import Incident
from fangkong.watch.tests.test_api_watch import API, api, error_fields, post  # noqa: F401


def test_open_handle_notify_and_close_over_the_api(api, person):  # noqa: F811
    client = api(Role.MEDIC)
    response = post(
        client,
        "/incidents",
        {
            "occurred_at": "2020-02-10T08:00:00+08:00",
            "kind": "fever",
            "description": "门岗测温37.9℃",
            "person_ids": [person.pk],
        },
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["person_ids"], body["severity"]) == ("open", [person.pk], "medium")
    pk = body["id"]
    assert post(client, f"/incidents/{pk}/handle", {"note": "复测"}).json()["status"] == "handling"
    assert (
        post(client, f"/incidents/{pk}/notify-cdc", {}).json()["cdc_notified_by_id"]
        == client.user.pk
    )
    assert post(client, f"/incidents/{pk}/actions", {"text": "送发热门诊"}).status_code == 200
    response = post(client, f"/incidents/{pk}/close", {"summary": "排除"})
    assert response.json()["status"] == "closed"
    timeline = client.get(f"{API}/incidents/{pk}/actions").json()
    assert [row["kind"] for row in timeline] == [
        "opened",
        "link",
        "status",
        "cdc",
        "note",
        "status",
    ]
    response = post(client, f"/incidents/{pk}/actions", {"text": "again"})
    assert response.status_code == 422 and error_fields(response) == {"status"}


def test_closing_without_a_summary_is_a_422(api, incident):  # noqa: F811
    response = post(api(Role.MEDIC), f"/incidents/{incident.pk}/close", {"summary": ""})
    assert response.status_code == 422 and error_fields(response) == {"summary"}
    incident.refresh_from_db()
    assert incident.status == "open"


def test_an_unknown_person_is_a_422_naming_the_field(api):  # noqa: F811
    response = post(
        api(Role.OFFICE),
        "/incidents",
        {
            "occurred_at": "2020-02-10T08:00:00+08:00",
            "kind": "other",
            "description": "x",
            "person_ids": [999999],
        },
    )
    assert response.status_code == 422 and error_fields(response) == {"person_ids"}
    assert not Incident.objects.exists()


def test_officer_reads_only_incidents_of_their_unit(api, incident, medic, stranger):  # noqa: F811
    from fangkong.watch import services
    from fangkong.watch.tests.conftest import TODAY, at

    other = services.open_incident(
        medic, occurred_at=at(TODAY, 7), kind="other", description="x", people=[stranger]
    )
    client = api(Role.OFFICER)
    items = client.get(f"{API}/incidents").json()["items"]
    assert [item["id"] for item in items] == [incident.pk]
    assert client.get(f"{API}/incidents/{other.pk}").status_code == 404
    response = post(client, f"/incidents/{incident.pk}/actions", {"text": "x"})
    assert response.status_code == 403


@pytest.mark.parametrize("role", [Role.MEMBER, Role.GUARD])
def test_roles_without_incidents_get_403_on_the_list(api, incident, role):  # noqa: F811
    client = api(role)
    assert client.get(f"{API}/incidents").status_code == 403
    assert client.get(f"{API}/incidents/{incident.pk}").status_code == 404


def test_counts_by_kind(api, incident):  # noqa: F811
    counts = api(Role.LEADER).get(f"{API}/incidents/counts").json()
    assert {row["kind"]: row["total"] for row in counts}["fever"] == 1
