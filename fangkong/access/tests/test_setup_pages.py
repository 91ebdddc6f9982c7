"""The office's settings pages: each area's policy in force and its dated history, setting
a new policy from a moment on, the gates and the pass types — and nobody else opens them."""

import datetime

import pytest
from django.utils import timezone

from fangkong.access import services
from fangkong.access.models import AccessPolicy, Gate, PassType
from fangkong.core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def office_client(client, school):
    client.force_login(school.office)
    return client


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize("role", [Role.GUARD, Role.LEADER, Role.MEMBER, Role.OFFICER])
def test_only_the_office_opens_the_settings(client, make_user, unit, school, role):
    client.force_login(make_user(role, unit=unit))
    for url in [
        "/access/policies/",
        "/access/gates/",
        "/access/gates/new/",
        f"/access/gates/{school.family_gate.pk}/edit/",
        "/access/pass-types/",
        "/access/pass-types/new/",
        f"/access/pass-types/{school.duty.pk}/edit/",
    ]:
        assert client.get(url).status_code == 403, url
    response = client.post(
        "/access/policies/",
        {"area": school.teaching.pk, "kind": "open", "effective_from": _local(timezone.now())},
    )
    assert response.status_code == 403
    assert AccessPolicy.objects.filter(area=school.teaching).count() == 1


def test_policies_page_shows_each_area_with_its_policy_and_gates(office_client, school):
    html = office_client.get("/access/policies/").content.decode()
    family = html.split(f'data-area="{school.family.pk}"')[1].split("</tr>")[0]
    assert "1 exit(s) per household every 2 day(s)" in family
    assert "Rolling" in family
    assert "Family area east gate" in family and "Family area west gate" in family
    teaching = html.split(f'data-area="{school.teaching.pk}"')[1].split("</tr>")[0]
    assert "Closed: pass holders only" in teaching
    assert "North gate" in teaching
    assert 'id="new-policy"' in html


def test_setting_a_policy_keeps_the_history(office_client, school):
    start = timezone.localtime().replace(second=0, microsecond=0) + datetime.timedelta(hours=1)
    response = office_client.post(
        "/access/policies/",
        {
            "area": school.family.pk,
            "kind": "quota",
            "effective_from": _local(start),
            "quota_exits": "2",
            "quota_days": "3",
            "quota_window": "calendar",
            "return_by": "20:00",
            "reason": "放宽外出",
        },
    )
    assert response.status_code == 302
    policies = list(AccessPolicy.objects.filter(area=school.family).order_by("effective_from"))
    assert len(policies) == 2
    new = policies[-1]
    assert (new.quota_exits, new.quota_days, new.quota_window) == (2, 3, "calendar")
    assert new.return_by == datetime.time(20, 0)
    assert new.effective_from == start and new.created_by == school.office
    html = office_client.get("/access/policies/").content.decode()
    family = html.split(f'data-area="{school.family.pk}"')[1].split("</tr>")[0]
    # Still the old one in force (the new one starts in an hour); both in the history.
    assert "1 exit(s) per household every 2 day(s)" in family.split("history")[0]
    assert "2 policies" in family
    assert "2 exit(s) per household every 3 day(s)" in family
    assert "放宽外出" in family and "scheduled" in family


def test_a_quota_without_its_numbers_is_refused_on_the_field(office_client, school):
    response = office_client.post(
        "/access/policies/",
        {
            "area": school.teaching.pk,
            "kind": "quota",
            "effective_from": _local(timezone.now()),
            "quota_window": "rolling",
        },
    )
    assert response.status_code == 400
    assert 'id="id_quota_exits-error"' in response.content.decode()
    assert AccessPolicy.objects.filter(area=school.teaching).count() == 1


def test_a_policy_before_the_latest_is_refused(office_client, school):
    earlier = timezone.now() - datetime.timedelta(days=60)
    response = office_client.post(
        "/access/policies/",
        {
            "area": school.teaching.pk,
            "kind": "open",
            "effective_from": _local(earlier),
            "quota_window": "rolling",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_effective_from-error"' in html
    assert "a change starts after it" in html
    assert AccessPolicy.objects.filter(area=school.teaching).count() == 1


def test_gates_list_add_and_edit(office_client, school):
    html = office_client.get("/access/gates/").content.decode()
    assert 'data-gate="family-east"' in html and "Yanta family area" in html
    response = office_client.post(
        "/access/gates/new/",
        {
            "code": "teaching-south",
            "name": "南门",
            "name_en": "South gate",
            "area": school.teaching.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    gate = Gate.objects.get(code="teaching-south")
    assert (gate.area, gate.is_active) == (school.teaching, True)
    response = office_client.post(
        f"/access/gates/{gate.pk}/edit/",
        {"code": "teaching-south", "name": "南大门", "name_en": "", "area": school.teaching.pk},
    )
    assert response.status_code == 302
    gate.refresh_from_db()
    assert (gate.name, gate.is_active) == ("南大门", False)
    assert "南大门" in office_client.get("/access/gates/").content.decode()


def test_a_gate_code_taken_is_refused(office_client, school):
    response = office_client.post(
        "/access/gates/new/",
        {"code": "family-east", "name": "重复", "area": school.family.pk, "is_active": "on"},
    )
    assert response.status_code == 400
    assert 'id="id_code-error"' in response.content.decode()
    assert Gate.objects.filter(code="family-east").count() == 1


def test_pass_types_list_add_and_edit(office_client, school, make_user):
    approver = make_user(Role.OFFICER, username="approver-1")
    html = office_client.get("/access/pass-types/").content.decode()
    materials = html.split('data-type="materials"')[1].split("</tr>")[0]
    assert "single use" in materials and "Yanta teaching area" in materials
    response = office_client.post(
        "/access/pass-types/new/",
        {
            "code": "medical",
            "name": "就医",
            "name_en": "Medical care",
            "default_days": "7",
            "areas": [school.family.pk, school.teaching.pk],
            "multiple_use": "on",
            "uses": "4",
            "approver": approver.pk,
            "order": "3",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    medical = PassType.objects.get(code="medical")
    assert set(medical.areas.all()) == {school.family, school.teaching}
    assert (medical.default_days, medical.uses, medical.approver) == (7, 4, approver)
    html = office_client.get("/access/pass-types/").content.decode()
    row = html.split('data-type="medical"')[1].split("</tr>")[0]
    assert "4 uses" in row and "approver-1" in row
    response = office_client.post(
        f"/access/pass-types/{medical.pk}/edit/",
        {"code": "medical", "name": "就医", "default_days": "5", "areas": [school.family.pk],
         "uses": "4", "order": "3", "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    medical.refresh_from_db()
    # Single use now: the uses go.
    assert (medical.multiple_use, medical.uses, medical.default_days) == (False, None, 5)
    assert list(medical.areas.all()) == [school.family]


def test_a_pass_type_without_areas_or_with_bad_days_is_refused(office_client, school):
    response = office_client.post(
        "/access/pass-types/new/",
        {"code": "other", "name": "其他", "default_days": "0", "order": "0"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_default_days-error"' in html
    assert 'id="id_areas-error"' in html
    assert not PassType.objects.filter(code="other").exists()


def test_the_policy_page_shows_who_set_it_and_when(office_client, school):
    school.office.first_name, school.office.last_name = "晓", "张"
    school.office.save()
    services.set_policy(
        school.office,
        area=school.teaching,
        kind=AccessPolicy.Kind.OPEN,
        effective_from=timezone.now() - datetime.timedelta(minutes=5),
        reason="复课",
    )
    html = office_client.get("/access/policies/").content.decode()
    teaching = html.split(f'data-area="{school.teaching.pk}"')[1].split("</tr>")[0]
    assert "<strong>Open</strong>" in teaching
    assert "set by 张晓 at " in teaching
    assert "复课" in teaching
