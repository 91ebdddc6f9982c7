"""Incidents (突发事件): opened, handled, the CDC notified, closed with a summary (final),
with a timeline that only grows."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from fangkong.core.roles import Role
from fangkong.watch import services
from fangkong.watch.models import Incident, IncidentAction, RecordIsFinal
from fangkong.watch.tests.conftest import TODAY, at


def kinds(incident) -> list[str]:
    return list(incident.actions.order_by("at", "pk").values_list("kind", flat=True))


def test_opening_starts_the_timeline_and_links_the_people(incident, family_person, medic):
    assert (incident.status, incident.reported_by, incident.severity) == ("open", medic, "medium")
    assert list(incident.people.all()) == [family_person]
    assert kinds(incident) == ["opened", "link"]
    assert incident.actions.first().at == at(TODAY, 8, 30)


def test_a_status_change_and_the_cdc_notification_add_timeline_rows(incident, medic, office):
    services.start_handling_incident(medic, incident, note="上门复测", at=at(TODAY, 9))
    services.notify_cdc(office, incident, at=at(TODAY, 9, 30), note="电话报告")
    services.add_incident_action(medic, incident, text="送医院发热门诊", at=at(TODAY, 10))
    incident.refresh_from_db()
    assert (incident.status, incident.cdc_notified_by, incident.cdc_notified_at) == (
        "handling",
        office,
        at(TODAY, 9, 30),
    )
    assert kinds(incident) == ["opened", "link", "status", "cdc", "note"]
    status_row = incident.actions.get(kind="status")
    assert (status_row.event, status_row.params, status_row.text) == (
        "status_changed",
        {"from": "open", "to": "handling"},
        "上门复测",
    )
    assert status_row.describe() == "Open → Being handled: 上门复测"


def test_closing_needs_a_summary(incident, medic):
    with pytest.raises(ValidationError) as caught:
        services.close_incident(medic, incident, summary="  ")
    assert "summary" in caught.value.message_dict
    incident.refresh_from_db()
    assert incident.status == "open"


def test_the_database_refuses_a_closed_incident_without_summary(incident):
    with pytest.raises(IntegrityError), transaction.atomic():
        Incident.objects.filter(pk=incident.pk).update(
            status="closed", closed_at=at(TODAY, 12), closed_by=incident.reported_by
        )


def test_closed_is_final(incident, medic):
    services.close_incident(medic, incident, summary="排除疑似，解除观察", at=at(TODAY, 12))
    incident.refresh_from_db()
    assert (incident.status, incident.closed_by, incident.closed_at) == (
        "closed",
        medic,
        at(TODAY, 12),
    )
    assert kinds(incident)[-1] == "status"
    for step in (
        lambda: services.add_incident_action(medic, incident, text="x"),
        lambda: services.start_handling_incident(medic, incident),
        lambda: services.notify_cdc(medic, incident),
        lambda: services.close_incident(medic, incident, summary="again"),
        lambda: services.update_incident(medic, incident, severity="high"),
    ):
        with pytest.raises(ValidationError) as caught:
            step()
        assert "closed" in caught.value.messages[0]


def test_the_cdc_is_notified_once(incident, medic):
    services.notify_cdc(medic, incident)
    with pytest.raises(ValidationError) as caught:
        services.notify_cdc(medic, incident)
    assert "cdc_notified_at" in caught.value.message_dict


def test_times_in_the_future_or_before_the_incident_are_refused(incident, medic):
    with pytest.raises(ValidationError) as caught:
        services.add_incident_action(medic, incident, text="x", at=at(TODAY, 16))
    assert "future" in caught.value.messages[0]
    with pytest.raises(ValidationError) as caught:
        services.add_incident_action(medic, incident, text="x", at=at(TODAY, 8))
    assert "before the incident" in caught.value.messages[0]
    with pytest.raises(ValidationError) as caught:
        services.open_incident(medic, occurred_at=at(TODAY, 16), kind="other", description="x")
    assert "occurred_at" in caught.value.message_dict


def test_bad_input_names_the_fields(medic):
    with pytest.raises(ValidationError) as caught:
        services.open_incident(
            medic, occurred_at=None, kind="flood", severity="huge", description=""
        )
    assert set(caught.value.message_dict) == {"occurred_at", "kind", "severity", "description"}
    assert not Incident.objects.exists()


def test_unknown_fields_are_a_programming_error(medic):
    with pytest.raises(TypeError):
        services.open_incident(
            medic, occurred_at=at(TODAY), kind="other", description="x", colour=1
        )


def test_the_timeline_is_append_only(incident):
    action = incident.actions.first()
    action.text = "changed"
    with pytest.raises(RecordIsFinal):
        action.save()
    with pytest.raises(RecordIsFinal):
        action.delete()
    assert IncidentAction.objects.filter(incident=incident).count() == 2


def test_linking_isolation_cases_and_people_adds_timeline_rows(incident, medic, home_case, person):
    services.link_incident(medic, incident, people=[person], isolation_cases=[home_case])
    services.link_incident(medic, incident, people=[person])  # already linked: nothing new
    assert list(incident.isolation_cases.all()) == [home_case]
    assert incident.people.count() == 2
    assert kinds(incident) == ["opened", "link", "link", "link"]


def test_edits_are_kept_in_history(incident, medic):
    services.update_incident(medic, incident, severity="high", reason="确诊风险")
    assert incident.history.count() == 2
    assert incident.history.first().history_change_reason == "确诊风险"


def test_who_may_write(incident, leader, officer, make_user):
    for user in (leader, officer):
        with pytest.raises(PermissionDenied):
            services.add_incident_action(user, incident, text="x")
        with pytest.raises(PermissionDenied):
            services.open_incident(user, occurred_at=at(TODAY), kind="other", description="x")


def test_a_guard_may_open_a_fever_incident_and_nothing_else(make_user, person):
    guard = make_user(Role.GUARD)
    incident = services.open_incident(
        guard,
        occurred_at=at(TODAY, 7, 45),
        kind=Incident.Kind.FEVER,
        place="雁塔校区东门",
        description="入校测温38.0℃",
        people=[person],
    )
    assert incident.reported_by == guard
    with pytest.raises(PermissionDenied):
        services.open_incident(guard, occurred_at=at(TODAY), kind="gathering", description="x")
    with pytest.raises(PermissionDenied):
        services.close_incident(guard, incident, summary="x")


def test_an_incident_may_be_dated_in_the_past(medic):
    incident = services.open_incident(
        medic,
        occurred_at=at(datetime.date(2020, 1, 30), 20),
        kind="close_contact",
        description="x",
    )
    assert incident.actions.get().at == at(datetime.date(2020, 1, 30), 20)
