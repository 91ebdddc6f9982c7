"""The people pages: what each role is shown, and what it is refused."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fangkong.core.models import Person, PersonalDataReveal
from fangkong.core.roles import Role
from fangkong.testing.factories import (
    AreaFactory,
    BuildingFactory,
    HouseholdFactory,
    PersonFactory,
)


def test_people_list_shows_masked_id_and_phone(login_as, person):
    page = login_as(Role.OFFICE).get("/people/").content.decode()
    assert person.name in page
    assert person.national_id_masked in page and person.national_id not in page
    assert person.phone_masked in page and person.phone not in page


def test_officer_people_list_shows_only_their_unit(login_as, person, stranger):
    page = login_as(Role.OFFICER).get("/people/").content.decode()
    assert person.name in page
    assert stranger.name not in page


def test_search_finds_by_name_and_number(login_as, unit):
    PersonFactory(unit=unit, name="欧阳修", person_number="T1001")
    PersonFactory(unit=unit, name="司马光", person_number="T2002")
    client = login_as(Role.OFFICE)
    by_name = client.get("/people/", {"q": "欧阳"}).content.decode()
    assert "欧阳修" in by_name and "司马光" not in by_name
    by_number = client.get("/people/", {"q": "T200"}).content.decode()
    assert "司马光" in by_number and "欧阳修" not in by_number


def test_filters_by_category_and_unit(login_as, unit, other_unit):
    PersonFactory(unit=unit, name="学生甲", category="undergraduate")
    PersonFactory(unit=unit, name="教工乙", category="staff")
    PersonFactory(unit=other_unit, name="学生丙", category="undergraduate")
    client = login_as(Role.OFFICE)
    page = client.get("/people/", {"category": "undergraduate", "unit": unit.pk}).content.decode()
    assert "学生甲" in page and "教工乙" not in page and "学生丙" not in page


def test_htmx_request_gets_only_the_rows(login_as, person):
    response = login_as(Role.OFFICE).get("/people/", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert person.name in body and "<html" not in body


def test_list_is_paginated_by_fifty(login_as, unit):
    PersonFactory.create_batch(51, unit=unit)
    client = login_as(Role.OFFICE)
    first = client.get("/people/")
    assert len(first.context["page"].object_list) == 50
    assert "Page 1 of 2" in first.content.decode()
    assert len(client.get("/people/", {"page": 2}).context["page"].object_list) == 1


def test_deactivated_people_are_hidden_unless_asked_for(login_as, unit):
    PersonFactory(unit=unit, name="离校者", is_active=False)
    client = login_as(Role.OFFICE)
    assert "离校者" not in client.get("/people/").content.decode()
    assert "离校者" in client.get("/people/", {"active": "0"}).content.decode()


def _queries_for_people_page(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/people/")
    assert response.status_code == 200
    return len(queries)


def test_people_list_query_count_does_not_grow_with_the_page(login_as, unit, other_unit):
    client = login_as(Role.OFFICE)
    PersonFactory.create_batch(3, unit=unit)
    few = _queries_for_people_page(client)
    # Other units, a household and a dormitory: related rows must not cost a query each.
    PersonFactory.create_batch(
        30, unit=other_unit, residence="household", household=HouseholdFactory()
    )
    dorm = BuildingFactory(area=AreaFactory(kind="dormitory"))
    PersonFactory.create_batch(17, unit=unit, residence="dormitory", dormitory=dorm)
    many = _queries_for_people_page(client)
    assert len(client.get("/people/").context["page"].object_list) == 50
    assert many == few


def test_person_page_shows_the_record_masked(login_as, person):
    page = login_as(Role.OFFICE).get(f"/people/{person.pk}/").content.decode()
    assert person.name in page and person.person_number in page
    assert person.national_id_masked in page and person.national_id not in page


def test_reveal_shows_the_full_id_and_records_who_saw_it(login_as, person):
    client = login_as(Role.OFFICER)
    response = client.post(f"/people/{person.pk}/reveal/national_id/", HTTP_HX_REQUEST="true")
    assert person.national_id in response.content.decode()
    reveal = PersonalDataReveal.objects.get()
    assert (reveal.user, reveal.person, reveal.field) == (client.user, person, "national_id")


def test_leader_has_no_reveal_button_and_is_refused(login_as, person):
    client = login_as(Role.LEADER)
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert "reveal/national_id" not in page
    assert client.post(f"/people/{person.pk}/reveal/national_id/").status_code == 403
    assert not PersonalDataReveal.objects.exists()


@pytest.mark.parametrize("suffix", ["", "edit/", "reveal/phone/"])
def test_officer_gets_404_for_another_unit_s_person(login_as, stranger, suffix):
    client = login_as(Role.OFFICER)
    url = f"/people/{stranger.pk}/{suffix}"
    response = client.post(url) if "reveal" in suffix else client.get(url)
    assert response.status_code == 404
    assert stranger.name not in response.content.decode()


def test_member_sees_their_own_record_and_nobody_else_s(login_as, person, stranger):
    client = login_as(Role.MEMBER, person=person)
    own = client.get(f"/people/{person.pk}/")
    assert own.status_code == 200
    assert person.name in own.content.decode() and person.person_number in own.content.decode()
    assert client.get(f"/people/{stranger.pk}/").status_code == 404


def test_edit_with_bad_id_shows_the_error_and_keeps_the_record(login_as, person):
    client = login_as(Role.OFFICER)
    data = {
        "person_number": person.person_number,
        "name": "改名",
        "sex": "F",
        "category": "staff",
        "unit": person.unit_id,
        "national_id": "110105194912310021",
        "phone": "",
        "residence": "off_campus",
    }
    response = client.post(f"/people/{person.pk}/edit/", data)
    assert response.status_code == 400
    assert "check digit is wrong" in response.content.decode()
    person.refresh_from_db()
    assert person.name != "改名"


def test_edit_saves_and_the_history_shows_the_change(login_as, person):
    client = login_as(Role.OFFICER)
    data = {
        "person_number": person.person_number,
        "name": person.name,
        "sex": "F",
        "category": "staff",
        "unit": person.unit_id,
        "national_id": person.national_id,
        "phone": person.phone,
        "current_province": "湖北省",
        "current_city": "武汉市",
        "residence": "off_campus",
        "reason": "returned home",
    }
    response = client.post(f"/people/{person.pk}/edit/", data)
    assert response.status_code == 302
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert "returned home" in page and "武汉市" in page


def test_add_a_person_through_the_form(login_as, unit):
    client = login_as(Role.OFFICER)
    data = {
        "person_number": "NEW1",
        "name": "新同事",
        "sex": "M",
        "category": "staff",
        "unit": unit.pk,
        "national_id": "11010519491231002X",
        "residence": "off_campus",
    }
    response = client.post("/people/new/", data)
    person = Person.objects.get(person_number="NEW1")
    assert response.status_code == 302 and response.url == f"/people/{person.pk}/"


def test_officer_form_offers_only_their_unit(login_as, unit, other_unit):
    form = login_as(Role.OFFICER).get("/people/new/").context["form"]
    assert list(form.fields["unit"].queryset) == [unit]


def test_deactivate_from_the_page(login_as, person):
    client = login_as(Role.OFFICE)
    client.post(f"/people/{person.pk}/deactivate/", {"reason": "retired"})
    person.refresh_from_db()
    assert not person.is_active
    assert "retired" in client.get(f"/people/{person.pk}/").content.decode()


def test_guard_cannot_add_people(login_as):
    assert login_as(Role.GUARD).get("/people/new/").status_code == 403


def test_pages_need_a_login(client, person):
    response = client.get("/people/")
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_history_names_a_changed_unit_rather_than_its_id(login_as, person, other_unit):
    from fangkong.core import services

    client = login_as(Role.OFFICE)
    services.update_person(client.user, person, unit=other_unit, reason="transferred")
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert f"<ins>{other_unit.name_en}</ins>" in page


def test_history_shows_choice_labels_not_codes(login_as, person):
    from fangkong.core import services

    client = login_as(Role.OFFICE)
    services.update_person(client.user, person, category="postgraduate")
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert "<del>Staff</del> → <ins>Postgraduate</ins>" in page


def test_office_sees_who_was_shown_a_person_s_id_in_full(login_as, make_user, person):
    from fangkong.core import services

    officer = make_user(Role.OFFICER, unit=person.unit, first_name="查看者")
    services.reveal_personal_data(officer, person, "national_id")
    page = login_as(Role.OFFICE).get(f"/people/{person.pk}/").content.decode()
    assert "Shown in full" in page and "查看者" in page


def test_officer_is_not_shown_the_reveal_log(login_as, person):
    page = login_as(Role.OFFICER).get(f"/people/{person.pk}/").content.decode()
    assert "Shown in full" not in page


def _new_person_form(unit, number):
    return {
        "person_number": number,
        "name": "新同事",
        "sex": "M",
        "category": "staff",
        "unit": unit.pk,
        "residence": "off_campus",
    }


def test_a_person_number_typed_in_full_width_is_kept_in_ascii(login_as, unit):
    client = login_as(Role.OFFICER)
    response = client.post("/people/new/", _new_person_form(unit, "Ｔ２０２５０６０１"))
    assert response.status_code == 302
    assert list(Person.objects.values_list("person_number", flat=True)) == ["T20250601"]


def test_a_person_number_still_not_ascii_is_refused_on_its_field(login_as, unit):
    client = login_as(Role.OFFICER)
    response = client.post("/people/new/", _new_person_form(unit, "T2025〇601"))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["person_number"]
    assert "letters A–Z, digits and hyphens" in errors["person_number"][0]
    assert "“〇”" in errors["person_number"][0]
    assert not Person.objects.exists()
