"""The incident pages: the list, the detail with its timeline, the steps, and refusals."""

import pytest

from fangkong.core.roles import Role
from fangkong.testing.factories import PersonFactory
from fangkong.watch import services
from fangkong.watch.models import Incident, IncidentAction
from fangkong.watch.tests.conftest import TODAY, at

LIST = "/watch/incidents/"


@pytest.fixture
def stranger_incident(medic, stranger):
    return services.open_incident(
        medic,
        occurred_at=at(TODAY, 7),
        kind="gathering",
        description="宿舍聚餐",
        people=[stranger],
    )


def test_the_list_shows_incidents_and_counts_by_kind(login_as, incident, stranger_incident):
    response = login_as(Role.LEADER).get(LIST)
    page = response.content.decode()
    assert "Fever found" in page and "Gathering or rule breach" in page
    assert "2 incidents" in page
    counts = {row["kind"]: row["total"] for row in response.context["counts"]}
    assert (counts["fever"], counts["gathering"], counts["confirmed"]) == (1, 1, 0)
    assert "Record an incident" not in page


def test_htmx_filters_return_only_the_rows(login_as, incident, stranger_incident):
    response = login_as(Role.OFFICE).get(LIST, {"kind": "gathering"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "<html" not in page and "1 incident" in page
    assert "Gathering or rule breach" in page and "Fever found" not in page


def test_an_officer_sees_incidents_involving_their_unit_only(login_as, incident, stranger_incident):
    client = login_as(Role.OFFICER)
    response = client.get(LIST)
    assert list(response.context["page"]) == [incident]
    assert "宿舍聚餐" not in response.content.decode()
    assert client.get(f"{LIST}{stranger_incident.pk}/").status_code == 404
    detail = client.get(f"{LIST}{incident.pk}/").content.decode()
    assert "家属区门岗测温37.8℃" in detail and "Add to the timeline" not in detail


@pytest.mark.parametrize("role", [Role.MEMBER, Role.GUARD, Role.STOREKEEPER])
def test_roles_without_incidents_are_refused(login_as, incident, role):
    client = login_as(role)
    assert client.get(LIST).status_code == 403
    assert client.get(f"{LIST}{incident.pk}/").status_code == 404
    assert client.post(f"{LIST}{incident.pk}/actions/", {"text": "x"}).status_code == 404


@pytest.mark.parametrize("role", [Role.LEADER, Role.OFFICER])
def test_readers_cannot_write(login_as, incident, role):
    client = login_as(role)
    assert client.get("/watch/incidents/new/").status_code == 403
    assert client.post(f"{LIST}{incident.pk}/actions/", {"text": "x"}).status_code == 403
    assert client.post(f"{LIST}{incident.pk}/close/", {"close-summary": "x"}).status_code == 403
    assert IncidentAction.objects.filter(incident=incident).count() == 2


def test_recording_an_incident_from_the_form(login_as, family_person):
    response = login_as(Role.MEDIC).post(
        "/watch/incidents/new/",
        {
            "occurred_at": "2020-02-10T09:15",
            "kind": "suspected",
            "severity": "high",
            "place": "家属区3号楼",
            "description": "咳嗽、发热38.2℃",
            "person_numbers": family_person.person_number,
        },
    )
    incident = Incident.objects.get()
    assert response["Location"] == f"{LIST}{incident.pk}/"
    assert (incident.kind, incident.occurred_at) == ("suspected", at(TODAY, 9, 15))
    assert list(incident.people.all()) == [family_person]


def test_the_form_shows_the_field_errors(login_as):
    response = login_as(Role.MEDIC).post(
        "/watch/incidents/new/",
        {
            "occurred_at": "2020-02-11T09:00",
            "kind": "fever",
            "severity": "low",
            "description": "x",
            "person_numbers": "NOPE1, NOPE2",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "No person has the number NOPE1, NOPE2." in page
    response = login_as(Role.MEDIC).post(
        "/watch/incidents/new/",
        {"occurred_at": "2020-02-11T09:00", "kind": "fever", "severity": "low", "description": "x"},
    )
    assert response.status_code == 400
    assert "An incident cannot be in the future." in response.content.decode()
    assert not Incident.objects.exists()


def test_the_detail_shows_the_timeline_and_the_steps(login_as, incident):
    page = login_as(Role.MEDIC).get(f"{LIST}{incident.pk}/").content.decode()
    assert "家属区门岗测温37.8℃" in page and "家属区东门" in page
    assert "Timeline" in page and "Start handling" in page and "Record the CDC notification" in page
    assert incident.people.get().name in page


def test_adding_to_the_timeline_by_htmx_returns_the_timeline(login_as, incident):
    client = login_as(Role.MEDIC)
    response = client.post(
        f"{LIST}{incident.pk}/actions/", {"text": "通知家属居家隔离"}, HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page
    assert page.lstrip().startswith('<section id="timeline">') and "通知家属居家隔离" in page
    response = client.post(f"{LIST}{incident.pk}/actions/", {"text": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and "This field is required." in response.content.decode()


def test_the_steps_from_the_page(login_as, incident):
    client = login_as(Role.OFFICE)
    assert client.post(f"{LIST}{incident.pk}/handle/", {"status-note": "复测"}).status_code == 302
    response = client.post(f"{LIST}{incident.pk}/notify-cdc/", {"cdc-note": "报雁塔区疾控"})
    assert response.status_code == 302
    response = client.post(f"{LIST}{incident.pk}/close/", {"close-summary": ""})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    response = client.post(f"{LIST}{incident.pk}/close/", {"close-summary": "排除，解除观察"})
    assert response.status_code == 302
    page = client.get(f"{LIST}{incident.pk}/").content.decode()
    assert "排除，解除观察" in page and "Add to the timeline" not in page
    assert "Being handled → Closed" in page and "报雁塔区疾控" in page


def test_linking_people_and_a_case_from_the_page(login_as, incident, home_case, unit):
    other = PersonFactory(unit=unit)
    client = login_as(Role.MEDIC)
    response = client.post(
        f"{LIST}{incident.pk}/people/", {"people-person_numbers": other.person_number}
    )
    assert response.status_code == 302
    response = client.post(f"{LIST}{incident.pk}/cases/", {"case-case": home_case.pk})
    assert response.status_code == 302
    assert incident.people.count() == 2 and list(incident.isolation_cases.all()) == [home_case]
    case_page = client.get(f"/watch/isolation/{home_case.pk}/").content.decode()
    assert f"/watch/incidents/{incident.pk}/" in case_page


def test_a_timeline_written_in_english_reads_in_chinese(login_as, incident):
    english = login_as(Role.OFFICE)
    english.post(f"{LIST}{incident.pk}/handle/", {"status-note": "复测"}, HTTP_ACCEPT_LANGUAGE="en")
    english.post(f"{LIST}{incident.pk}/notify-cdc/", {"cdc-note": ""}, HTTP_ACCEPT_LANGUAGE="en")
    page = english.get(f"{LIST}{incident.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Open → Being handled: 复测" in page and "待处置" not in page
    chinese = english.get(f"{LIST}{incident.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = chinese.content.decode()
    assert "待处置 → 处置中：复测" in page and "已报告疾控中心" in page
    assert "Being handled" not in page and "CDC notified" not in page
