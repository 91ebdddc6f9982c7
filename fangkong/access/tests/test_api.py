"""/api/v1/access/…: the gate's decisions and offline batches, the keys and the revocation
list, passes, gates, pass types and policies — and who is refused."""

import datetime
import uuid

import pytest
from django.utils import timezone

from fangkong.access import services, tokens
from fangkong.access.models import AccessPolicy, Crossing, Pass
from fangkong.core.roles import Role
from fangkong.core.services import create_api_token
from fangkong.testing.factories import UserFactory
from fangkong.testing.school import issued_pass

API = "/api/v1/access"


@pytest.fixture
def bearer(client):
    """bearer(user) -> the test client sending that user's fresh bearer token."""

    def as_user(user):
        _token, raw = create_api_token(user, "gate device")
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
        return client

    return as_user


def post(client, path, body):
    return client.post(API + path, body, content_type="application/json")


def error_fields(response) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


def member_of(school, person=None):
    return UserFactory(roles=[Role.MEMBER], person=person or school.outsider, username="m1")


# ---- the gate ----------------------------------------------------------------------------------


def test_a_device_decides_a_scanned_code(bearer, school):
    gate_pass = issued_pass(school)
    response = post(
        bearer(school.guard),
        "/gate/decide",
        {"gate": "teaching-north", "direction": "in", "code": services.pass_token(gate_pass)},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["allowed"], body["reason"], body["reason_label"]) == (
        True,
        "valid_pass",
        "Valid pass",
    )
    assert body["person"] == {
        "number": school.outsider.person_number,
        "name": school.outsider.name,
        "unit": "College of Architecture",
    }
    assert body["pass"]["number"] == gate_pass.number
    assert body["pass"]["status"] == "approved"
    assert Crossing.objects.get(pk=body["crossing_id"]).guard == school.guard


def test_a_refusal_is_an_answer_with_its_reason(bearer, school):
    response = post(
        bearer(school.guard),
        "/gate/decide",
        {"gate": "teaching-north", "direction": "in", "pass_number": "TX-2020-9999"},
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["allowed"], body["reason"], body["pass"], body["person"]) == (
        False,
        "unknown_pass",
        None,
        None,
    )


def test_the_second_of_a_household_gets_the_next_exit_and_who_is_out(bearer, school):
    client = bearer(school.guard)
    first = post(
        client,
        "/gate/decide",
        {"gate": "family-east", "direction": "out", "person_number": school.resident.person_number},
    ).json()
    assert first["reason"] == "household_quota"
    second = post(
        client,
        "/gate/decide",
        {
            "gate": "family-west",
            "direction": "out",
            "person_number": school.resident_2.person_number,
        },
    ).json()
    assert (second["allowed"], second["reason"]) == (False, "quota_used")
    exit_at = Crossing.objects.get(pk=first["crossing_id"]).at
    next_exit_at = datetime.datetime.fromisoformat(second["next_exit_at"])
    # JSON carries milliseconds.
    assert abs(next_exit_at - (exit_at + datetime.timedelta(days=2))) < datetime.timedelta(
        milliseconds=1
    )
    assert [row["person"]["number"] for row in second["household_out"]] == [
        school.resident.person_number
    ]


def test_a_session_guard_decides_too(client, school):
    client.force_login(school.guard)
    response = post(
        client,
        "/gate/decide",
        {"gate": "family-east", "direction": "in", "person_number": school.resident.person_number},
    )
    assert response.status_code == 200
    assert response.json()["reason"] == "resident"


def test_the_gate_needs_a_login(client, school):
    response = post(
        client, "/gate/decide", {"gate": "family-east", "direction": "in", "person_number": "x"}
    )
    assert response.status_code == 401
    assert not Crossing.objects.exists()


def test_a_member_may_not_decide_at_a_gate(bearer, school):
    response = post(
        bearer(member_of(school)),
        "/gate/decide",
        {"gate": "family-east", "direction": "in", "person_number": "x"},
    )
    assert response.status_code == 403
    assert not Crossing.objects.exists()


def test_bad_gate_requests_name_their_fields(bearer, school):
    client = bearer(school.guard)
    response = post(client, "/gate/decide", {"gate": "nowhere", "direction": "in", "code": "x"})
    assert response.status_code == 422
    assert error_fields(response) == {"gate"}
    response = post(client, "/gate/decide", {"gate": "family-east", "direction": "sideways"})
    assert response.status_code == 422
    assert error_fields(response) == {"direction"}
    response = post(
        client,
        "/gate/decide",
        {"gate": "family-east", "direction": "in", "person_number": "x", "temperature": "hot"},
    )
    assert response.status_code == 422
    assert error_fields(response) == {"temperature"}
    assert not Crossing.objects.exists()


# ---- offline batches -----------------------------------------------------------------------------


def _row(school, **fields):
    row = {
        "id": str(uuid.uuid4()),
        "at": (timezone.now() - datetime.timedelta(hours=1)).isoformat(),
        "gate": "family-east",
        "direction": "in",
        "reason": "resident",
        "person_number": school.resident.person_number,
    }
    row.update(fields)
    return row


def test_a_batch_is_recorded_once_even_when_sent_twice(bearer, school):
    client = bearer(school.guard)
    gate_pass = issued_pass(school)
    rows = [
        _row(school),
        _row(school, gate="teaching-north", reason="valid_pass", pass_number=gate_pass.number),
        _row(school, gate="teaching-north", reason="no_pass", person_number="", detail="x"),
    ]
    first = post(client, "/gate/crossings", {"crossings": rows})
    assert first.status_code == 200, first.json()
    assert first.json() == {"recorded": 3, "already": 0}
    again = post(client, "/gate/crossings", {"crossings": rows})
    assert again.json() == {"recorded": 0, "already": 3}
    assert Crossing.objects.filter(source=Crossing.Source.OFFLINE).count() == 3
    stored = Crossing.objects.get(client_id=rows[1]["id"])
    assert (stored.gate_pass, stored.person, stored.guard) == (
        gate_pass,
        school.outsider,
        school.guard,
    )


def test_a_bad_row_refuses_the_whole_batch_naming_the_row(bearer, school):
    rows = [_row(school) for _ in range(5)]
    rows[3]["gate"] = "nowhere"
    response = post(bearer(school.guard), "/gate/crossings", {"crossings": rows})
    assert response.status_code == 422
    assert error_fields(response) == {"crossings[3]"}
    assert "no such gate" in response.json()["errors"][0]["message"]
    assert not Crossing.objects.exists()


def test_text_a_database_cannot_store_is_refused_naming_the_row(bearer, school):
    rows = [_row(school), _row(school, detail="a\x00b")]
    response = post(bearer(school.guard), "/gate/crossings", {"crossings": rows})
    assert response.status_code == 422
    assert error_fields(response) == {"crossings[1]"}
    assert not Crossing.objects.exists()


def test_an_empty_batch_is_refused(bearer, school):
    response = post(bearer(school.guard), "/gate/crossings", {"crossings": []})
    assert response.status_code == 422
    assert error_fields(response) == {"crossings"}


def test_a_member_may_not_send_crossings(bearer, school):
    response = post(bearer(member_of(school)), "/gate/crossings", {"crossings": [_row(school)]})
    assert response.status_code == 403
    assert not Crossing.objects.exists()


# ---- keys and revocations ---------------------------------------------------------------------


def test_the_public_keys_need_no_login_and_verify_a_pass(client, school):
    token = services.pass_token(issued_pass(school))
    response = client.get(API + "/keys")
    assert response.status_code == 200
    document = response.json()
    assert document["keys"][0]["status"] == "active"
    assert "private" not in response.content.decode().lower()
    claims = tokens.verify(token, tokens.keys_from_document(document))
    assert claims.holder == school.outsider.person_number


def test_a_retired_key_is_listed_as_retired(client, school):
    services.pass_token(issued_pass(school))
    services.rotate_key()
    services.retire_key(1)
    keys = client.get(API + "/keys").json()["keys"]
    assert [(key["kid"], key["status"]) for key in keys] == [(1, "retired"), (2, "active")]


def test_the_revocation_list_polls_incrementally(bearer, school):
    client = bearer(school.guard)
    early, late = issued_pass(school), issued_pass(school, holder=school.resident)
    services.revoke_pass(school.office, early, reason="离校")
    first = client.get(API + "/revocations").json()
    assert [row["number"] for row in first["revoked"]] == [early.number]
    services.revoke_pass(school.office, late, reason="岗位调整")
    since = first["generated_at"]
    second = client.get(API + "/revocations", {"since": since}).json()
    assert [row["number"] for row in second["revoked"]] == [late.number]


def test_the_revocation_list_is_for_guards_and_the_office(bearer, client, school):
    assert client.get(API + "/revocations").status_code == 401
    assert bearer(member_of(school)).get(API + "/revocations").status_code == 403


def test_a_bad_since_names_the_field(bearer, school):
    response = bearer(school.guard).get(API + "/revocations", {"since": "yesterday"})
    assert response.status_code == 422
    assert error_fields(response) == {"since"}


# ---- passes ------------------------------------------------------------------------------------


def test_a_member_applies_and_the_office_approves_and_the_code_verifies(client, school):
    member = member_of(school)
    client.force_login(member)
    response = post(
        client,
        "/passes",
        {"holder": school.outsider.pk, "pass_type": school.duty.pk, "reason": "值班"},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["areas"][0]["id"]) == ("pending", school.teaching.pk)
    pass_id = body["id"]
    client.force_login(school.office)
    decided = post(client, f"/passes/{pass_id}/decide", {"approve": True})
    assert decided.json()["status"] == "approved"
    client.force_login(member)
    token = client.get(f"{API}/passes/{pass_id}/token").json()["token"]
    keys = tokens.keys_from_document(client.get(API + "/keys").json())
    state, claims = tokens.check(token, keys, day=timezone.localdate(), area=school.teaching.pk)
    assert (state, claims.number) == ("valid", body["number"])


def test_a_member_sees_only_their_own_passes(client, school):
    mine = issued_pass(school)
    issued_pass(school, holder=school.resident)
    client.force_login(member_of(school))
    listed = client.get(API + "/passes").json()
    assert [row["number"] for row in listed["items"]] == [mine.number]
    other = Pass.objects.exclude(pk=mine.pk).get()
    assert client.get(f"{API}/passes/{other.pk}").status_code == 404


def test_a_member_may_not_apply_for_someone_else(client, school):
    client.force_login(member_of(school))
    response = post(
        client,
        "/passes",
        {"holder": school.resident.pk, "pass_type": school.duty.pk, "reason": "值班"},
    )
    assert response.status_code == 403
    assert not Pass.objects.exists()


def test_an_application_names_its_bad_fields(client, school):
    client.force_login(school.office)
    response = post(
        client,
        "/passes",
        {"holder": 999999, "pass_type": 999999, "reason": "x", "areas": [999999]},
    )
    assert response.status_code == 422
    assert error_fields(response) == {"holder", "pass_type", "areas"}
    response = post(
        client,
        "/passes",
        {
            "holder": school.outsider.pk,
            "pass_type": school.duty.pk,
            "reason": "",
            "valid_from": "2001-01-01",
        },
    )
    assert response.status_code == 422
    assert error_fields(response) == {"reason", "valid_from"}
    assert not Pass.objects.exists()


def test_the_desk_issues_in_one_step_for_the_office_only(client, school):
    body = {"holder": school.outsider.pk, "pass_type": school.materials.pk, "reason": "取资料"}
    client.force_login(school.guard)
    assert post(client, "/passes/desk", body).status_code == 403
    client.force_login(school.office)
    response = post(client, "/passes/desk", body)
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["uses_left"]) == ("approved", 1)
    assert response.json()["issued_at_desk"] is True


def test_rejecting_needs_a_reason(client, school):
    pending = services.apply_for_pass(
        school.office, holder=school.outsider, pass_type=school.duty, reason="值班"
    )
    client.force_login(school.office)
    response = post(client, f"/passes/{pending.pk}/decide", {"approve": False})
    assert response.status_code == 422
    assert error_fields(response) == {"decision_note"}
    response = post(client, f"/passes/{pending.pk}/decide", {"approve": False, "note": "不需要"})
    assert response.json()["status"] == "rejected"


def test_the_office_revokes_with_a_reason_and_guards_cannot(client, school):
    gate_pass = issued_pass(school)
    client.force_login(school.guard)
    assert post(client, f"/passes/{gate_pass.pk}/revoke", {"reason": "x"}).status_code == 403
    client.force_login(school.office)
    response = post(client, f"/passes/{gate_pass.pk}/revoke", {"reason": "  "})
    assert response.status_code == 422
    assert error_fields(response) == {"revoke_reason"}
    response = post(client, f"/passes/{gate_pass.pk}/revoke", {"reason": "离校"})
    assert (response.json()["status"], response.json()["revoke_reason"]) == ("revoked", "离校")


def test_only_an_approved_pass_has_a_code_and_guards_do_not_get_it(client, school):
    gate_pass = issued_pass(school)
    client.force_login(school.guard)
    assert client.get(f"{API}/passes/{gate_pass.pk}/token").status_code == 403
    services.revoke_pass(school.office, gate_pass, reason="离校")
    client.force_login(school.office)
    response = client.get(f"{API}/passes/{gate_pass.pk}/token")
    assert response.status_code == 422
    assert error_fields(response) == {"status"}


def test_the_pass_list_filters_expired(client, school):
    gate_pass = issued_pass(school)
    Pass.objects.filter(pk=gate_pass.pk).update(
        valid_from=timezone.localdate() - datetime.timedelta(days=20),
        valid_until=timezone.localdate() - datetime.timedelta(days=6),
    )
    issued_pass(school, holder=school.resident)
    client.force_login(school.office)
    expired = client.get(API + "/passes", {"status": "expired"}).json()["items"]
    assert [(row["number"], row["status"]) for row in expired] == [(gate_pass.number, "expired")]


# ---- gates, pass types, policies ----------------------------------------------------------------


def test_gates_and_pass_types_are_listed(bearer, school):
    client = bearer(school.guard)
    gates = client.get(API + "/gates").json()
    assert {gate["code"] for gate in gates} == {"family-east", "family-west", "teaching-north"}
    types = client.get(API + "/pass-types").json()
    assert [(t["code"], t["multiple_use"], t["area_ids"]) for t in types] == [
        ("duty", True, [school.teaching.pk]),
        ("materials", False, [school.teaching.pk]),
    ]


def test_a_member_may_not_list_gates_but_sees_pass_types(bearer, school):
    client = bearer(member_of(school))
    assert client.get(API + "/gates").status_code == 403
    response = client.get(API + "/pass-types")
    assert response.status_code == 200
    assert sorted(row["code"] for row in response.json()) == ["duty", "materials"]


def test_the_office_sets_a_policy_and_the_history_stays(client, school):
    client.force_login(school.office)
    response = post(
        client,
        "/policies",
        {
            "area": school.family.pk,
            "kind": "quota",
            "quota_exits": 2,
            "quota_days": 1,
            "quota_window": "calendar",
            "reason": "放宽",
        },
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["quota_exits"], response.json()["quota_window"]) == (2, "calendar")
    history = client.get(API + "/policies", {"area": school.family.pk}).json()
    assert [(row["kind"], row["quota_exits"]) for row in history] == [("quota", 2), ("quota", 1)]
    assert AccessPolicy.objects.filter(area=school.family).count() == 2


def test_a_policy_names_its_bad_fields_and_only_the_office_sets_one(client, school):
    client.force_login(school.office)
    response = post(client, "/policies", {"area": school.family.pk, "kind": "quota"})
    assert response.status_code == 422
    assert error_fields(response) == {"quota_exits", "quota_days"}
    response = post(client, "/policies", {"area": school.family.pk, "kind": "forbidden"})
    assert response.status_code == 422
    assert error_fields(response) == {"kind"}
    client.force_login(school.guard)
    response = post(client, "/policies", {"area": school.family.pk, "kind": "open"})
    assert response.status_code == 403
    assert AccessPolicy.objects.filter(area=school.family).count() == 1


def test_a_fever_an_offline_gate_found_opens_one_incident_when_the_batch_arrives(bearer, school):
    from fangkong.watch.models import Incident

    client = bearer(school.guard)
    rows = [
        _row(
            school,
            gate="family-east",
            direction="out",
            reason="fever",
            temperature="38.1",
            person_number=school.resident.person_number,
        )
    ]
    assert post(client, "/gate/crossings", {"crossings": rows}).status_code == 200
    post(client, "/gate/crossings", {"crossings": rows})  # sent again: no second incident
    incident = Incident.objects.get()
    assert incident.kind == Incident.Kind.FEVER
    assert list(incident.people.all()) == [school.resident]
    assert "38.1" in incident.description
    # The closed loop: the person is now refused at every gate, whatever they hold.
    decision = services.decide_at_gate(
        school.guard,
        gate=school.family_gate,
        direction="out",
        person_number=school.resident_2.person_number,
    )
    assert decision.allowed
    refused = services.decide_at_gate(
        school.guard,
        gate=school.family_gate,
        direction="in",
        person_number=school.resident.person_number,
    )
    assert (refused.allowed, refused.reason) == (False, Crossing.Reason.FEVER_FLAG)


def test_a_fever_row_without_its_temperature_refuses_the_batch(bearer, school):
    client = bearer(school.guard)
    rows = [_row(school), _row(school, direction="out", reason="fever")]
    response = post(client, "/gate/crossings", {"crossings": rows})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["crossings[1]"]
    assert "37.3" in response.json()["errors"][0]["message"]
    assert not Crossing.objects.exists()
