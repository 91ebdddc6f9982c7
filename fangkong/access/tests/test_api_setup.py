"""/api/v1/access/gates and /pass-types written over HTTP: the office's settings, through the
setup pages' services — and who is refused."""

import pytest

from fangkong.access.models import Gate, PassType
from fangkong.core.roles import Role
from fangkong.core.services import create_api_token
from fangkong.testing.factories import UserFactory

API = "/api/v1/access"


@pytest.fixture
def bearer(client):
    def as_user(user):
        _token, raw = create_api_token(user, "setup script")
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
        return client

    return as_user


def post(client, path, body):
    return client.post(API + path, body, content_type="application/json")


def patch(client, path, body):
    return client.patch(API + path, body, content_type="application/json")


def errors(response) -> dict[str, str]:
    return {error["field"]: error["message"] for error in response.json()["errors"]}


# ---- gates ------------------------------------------------------------------------------------


def test_the_office_adds_a_gate_and_a_guard_decides_at_it(bearer, school):
    response = post(
        bearer(school.office),
        "/gates",
        {"code": "family-south", "name": "家属区南门", "area": school.family.pk},
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["code"], body["area_id"], body["area"], body["is_active"]) == (
        "family-south",
        school.family.pk,
        "Yanta family area",
        True,
    )
    decided = post(
        bearer(school.guard),
        "/gate/decide",
        {
            "gate": "family-south",
            "direction": "out",
            "person_number": school.resident.person_number,
        },
    )
    assert (decided.status_code, decided.json()["allowed"]) == (200, True)


def test_a_gate_with_a_used_code_is_422_naming_code(bearer, school):
    response = post(
        bearer(school.office),
        "/gates",
        {"code": "family-east", "name": "又一个", "area": school.family.pk},
    )

    assert response.status_code == 422
    assert set(errors(response)) == {"code"}
    assert Gate.objects.filter(code="family-east").count() == 1


def test_a_gate_in_no_area_is_422_naming_area(bearer, school):
    response = post(bearer(school.office), "/gates", {"code": "x", "name": "某门", "area": 999999})

    assert response.status_code == 422
    assert errors(response) == {"area": "No such area: 999999."}
    assert not Gate.objects.filter(code="x").exists()


def test_the_office_renames_a_gate_and_switches_it_off_with_history(bearer, school):
    gate = school.family_gate

    response = patch(
        bearer(school.office), f"/gates/{gate.pk}", {"name": "东门", "is_active": False}
    )

    assert response.status_code == 200, response.json()
    assert (response.json()["name"], response.json()["is_active"]) == ("东门", False)
    gate.refresh_from_db()
    assert (gate.name, gate.code, gate.area, gate.is_active) == (
        "东门",
        "family-east",
        school.family,
        False,
    )
    assert gate.history.order_by("-history_id").first().history_user == school.office


def test_a_gate_cannot_lose_its_area(bearer, school):
    gate = school.family_gate

    response = patch(bearer(school.office), f"/gates/{gate.pk}", {"area": None})

    assert response.status_code == 422
    assert set(errors(response)) == {"area"}
    assert Gate.objects.get(pk=gate.pk).area == school.family


@pytest.mark.parametrize("who", ["guard", "member"])
def test_only_the_office_adds_or_changes_gates(bearer, school, who):
    user = school.guard if who == "guard" else UserFactory(roles=[Role.MEMBER])
    client = bearer(user)

    made = post(client, "/gates", {"code": "x", "name": "某门", "area": school.family.pk})
    changed = patch(client, f"/gates/{school.family_gate.pk}", {"is_active": False})

    assert (made.status_code, changed.status_code) == (403, 403)
    assert not Gate.objects.filter(code="x").exists()
    assert Gate.objects.get(pk=school.family_gate.pk).is_active


def test_an_unknown_gate_is_404(bearer, school):
    assert patch(bearer(school.office), "/gates/999999", {"name": "x"}).status_code == 404


# ---- pass types -------------------------------------------------------------------------------


def test_the_office_adds_a_pass_type_that_a_new_pass_takes_its_defaults_from(bearer, school):
    approver = UserFactory(username="dean", roles=[Role.LEADER])
    client = bearer(school.office)

    response = post(
        client,
        "/pass-types",
        {
            "code": "medical",
            "name": "就医",
            "name_en": "Medical care",
            "default_days": 2,
            "areas": [school.teaching.pk, school.family.pk],
            "multiple_use": True,
            "uses": 4,
            "approver": approver.pk,
        },
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["code"], body["default_days"], body["uses"], body["area_ids"]) == (
        "medical",
        2,
        4,
        sorted([school.teaching.pk, school.family.pk]),
    )
    desk = post(
        client,
        "/passes/desk",
        {"holder": school.outsider.pk, "pass_type": body["id"], "reason": "就医"},
    )
    assert desk.status_code == 200, desk.json()
    gate_pass = desk.json()
    assert (gate_pass["uses_total"], {area["id"] for area in gate_pass["areas"]}) == (
        4,
        {school.teaching.pk, school.family.pk},
    )
    assert PassType.objects.get(pk=body["id"]).approver == approver


def test_a_bad_pass_type_names_each_bad_field(bearer, school):
    client = bearer(school.office)

    shape = post(client, "/pass-types", {"code": "x", "name": "某", "default_days": 0})
    records = post(
        client,
        "/pass-types",
        {"code": "x", "name": "某", "areas": [999999], "approver": 999999},
    )
    taken = post(client, "/pass-types", {"code": "duty", "name": "又一个"})

    assert (shape.status_code, set(errors(shape))) == (422, {"default_days"})
    assert (records.status_code, set(errors(records))) == (422, {"areas", "approver"})
    assert (taken.status_code, set(errors(taken))) == (422, {"code"})
    assert not PassType.objects.filter(code="x").exists()


def test_a_switched_off_approver_is_named(bearer, school):
    gone = UserFactory(roles=[Role.LEADER], is_active=False)

    response = post(
        bearer(school.office), "/pass-types", {"code": "x", "name": "某", "approver": gone.pk}
    )

    assert response.status_code == 422
    assert set(errors(response)) == {"approver"}


def test_the_office_changes_a_pass_types_areas_and_makes_it_single_use(bearer, school):
    duty = school.duty

    response = patch(
        bearer(school.office),
        f"/pass-types/{duty.pk}",
        {"areas": [school.family.pk], "multiple_use": False},
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["area_ids"], body["multiple_use"], body["uses"]) == (
        [school.family.pk],
        False,
        None,
    )
    duty.refresh_from_db()
    assert (duty.name, duty.default_days) == ("在岗值班", 14)
    assert duty.history.order_by("-history_id").first().history_user == school.office


def test_a_retired_pass_type_is_gone_from_a_members_list(bearer, school):
    patch(bearer(school.office), f"/pass-types/{school.materials.pk}", {"is_active": False})

    member = bearer(UserFactory(roles=[Role.MEMBER], person=school.outsider))
    codes = [row["code"] for row in member.get(API + "/pass-types").json()]

    assert codes == ["duty"]


@pytest.mark.parametrize("who", ["guard", "member"])
def test_only_the_office_adds_or_changes_pass_types(bearer, school, who):
    user = school.guard if who == "guard" else UserFactory(roles=[Role.MEMBER])
    client = bearer(user)

    made = post(client, "/pass-types", {"code": "x", "name": "某"})
    changed = patch(client, f"/pass-types/{school.duty.pk}", {"default_days": 300})

    assert (made.status_code, changed.status_code) == (403, 403)
    assert not PassType.objects.filter(code="x").exists()
    assert PassType.objects.get(pk=school.duty.pk).default_days == 14
