"""/api/v1/core/people: scoping, validation, reveal, history, deactivation, lists, language."""

import re

import pytest

from fangkong.core import services
from fangkong.core.models import Person, PersonalDataReveal
from fangkong.core.roles import Role
from fangkong.testing.factories import HouseholdFactory, PersonFactory, valid_national_id

PEOPLE = "/api/v1/core/people"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def api(client, make_user, unit):
    """api(role, unit=…, person=…) -> the test client sending a bearer token of a new user.

    An officer belongs to the `unit` fixture unless another unit is given.
    """

    def as_role(role: str, unit_=None, **fields):
        if role == Role.OFFICER and unit_ is None:
            unit_ = unit
        user = make_user(role, unit=unit_, **fields)
        _token, raw = services.create_api_token(user, "test")
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
        client.user = user
        return client

    return as_role


def new_person(unit, **fields) -> dict:
    return {
        "person_number": "2020001",
        "name": "王小明",
        "sex": "M",
        "category": "undergraduate",
        "unit_id": unit.pk,
        "national_id": valid_national_id(777),
        "phone": "13912345678",
        **fields,
    }


def post(client, path, data):
    return client.post(path, data, content_type="application/json")


def patch(client, path, data):
    return client.patch(path, data, content_type="application/json")


def error_fields(response) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


def assert_nothing_of(person, response):
    text = response.content.decode()
    for value in (person.name, person.person_number, person.national_id_masked, person.phone):
        assert value not in text


# ---- scoping ------------------------------------------------------------------------------


def test_officer_lists_only_people_of_their_unit(api, person, stranger):
    response = api(Role.OFFICER).get(PEOPLE)

    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["items"]] == [person.pk]
    assert body["count"] == 1


def test_officer_gets_404_for_a_person_of_another_unit(api, stranger):
    response = api(Role.OFFICER).get(f"{PEOPLE}/{stranger.pk}")

    assert response.status_code == 404
    assert response.json()["errors"] == []
    assert_nothing_of(stranger, response)


def test_officer_patch_of_a_person_of_another_unit_is_404_and_changes_nothing(api, stranger):
    response = patch(api(Role.OFFICER), f"{PEOPLE}/{stranger.pk}", {"name": "改名"})

    assert response.status_code == 404
    assert_nothing_of(stranger, response)
    stranger.refresh_from_db()
    assert stranger.name != "改名"


def test_officer_reveal_of_a_person_of_another_unit_is_404_and_records_nothing(api, stranger):
    response = post(api(Role.OFFICER), f"{PEOPLE}/{stranger.pk}/reveal", {"field": "phone"})

    assert response.status_code == 404
    assert_nothing_of(stranger, response)
    assert not PersonalDataReveal.objects.exists()


def test_officer_cannot_create_a_person_in_another_unit(api, other_unit):
    before = Person.objects.count()

    response = post(api(Role.OFFICER), PEOPLE, new_person(other_unit))

    assert response.status_code == 403
    assert response.json()["detail"]
    assert Person.objects.count() == before


def test_officer_creates_a_person_in_their_unit(api, unit):
    response = post(api(Role.OFFICER), PEOPLE, new_person(unit))

    assert response.status_code == 200
    body = response.json()
    assert body["person_number"] == "2020001"
    assert body["unit_id"] == unit.pk
    # The answer masks personal data, as every read does.
    assert body["phone_masked"] == "139****5678"
    assert "13912345678" not in response.content.decode()
    assert Person.objects.get(pk=body["id"]).phone == "13912345678"


def test_member_sees_only_themselves(api, person, unit):
    housemate = PersonFactory(unit=unit)
    client = api(Role.MEMBER, person=person)

    listed = client.get(PEOPLE).json()
    other = client.get(f"{PEOPLE}/{housemate.pk}")

    assert [item["id"] for item in listed["items"]] == [person.pk]
    assert listed["count"] == 1
    assert other.status_code == 404


def test_guard_sees_no_people(api, person, stranger):
    client = api(Role.GUARD)

    assert client.get(PEOPLE).json() == {"items": [], "count": 0}
    assert client.get(f"{PEOPLE}/{person.pk}").status_code == 404


# ---- validation ---------------------------------------------------------------------------


def test_create_with_a_wrong_id_check_digit_is_422_naming_national_id(api, unit):
    good = valid_national_id(5)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    before = Person.objects.count()

    response = post(api(Role.OFFICE), PEOPLE, new_person(unit, national_id=bad))

    assert response.status_code == 422
    assert error_fields(response) == {"national_id"}
    assert Person.objects.count() == before


def test_create_with_a_used_person_number_is_422_naming_person_number(api, unit, person):
    before = Person.objects.count()

    response = post(api(Role.OFFICE), PEOPLE, new_person(unit, person_number=person.person_number))

    assert response.status_code == 422
    assert error_fields(response) == {"person_number"}
    assert Person.objects.count() == before


def test_create_with_an_unknown_unit_is_422_naming_unit_id(api, unit):
    before = Person.objects.count()

    response = post(api(Role.OFFICE), PEOPLE, new_person(unit, unit_id=unit.pk + 1000))

    assert response.status_code == 422
    assert error_fields(response) == {"unit_id"}
    assert Person.objects.count() == before


def test_create_without_a_name_is_422_naming_name(api, unit):
    data = new_person(unit)
    del data["name"]
    before = Person.objects.count()

    response = post(api(Role.OFFICE), PEOPLE, data)

    assert response.status_code == 422
    assert error_fields(response) == {"name"}
    assert Person.objects.count() == before


@pytest.mark.parametrize("field", ["name", "native_place", "person_number"])
def test_create_with_a_nul_character_is_422(api, unit, field):
    before = Person.objects.count()

    response = post(api(Role.OFFICE), PEOPLE, new_person(unit, **{field: "王\x00明"}))

    assert response.status_code == 422
    assert error_fields(response) == {field}
    assert Person.objects.count() == before


def test_create_with_a_lone_surrogate_is_422(api, unit):
    before = Person.objects.count()
    body = '{"person_number": "X1", "name": "\\ud800", "sex": "F", "category": "staff", '
    body += f'"unit_id": {unit.pk}}}'

    response = api(Role.OFFICE).post(PEOPLE, body, content_type="application/json")

    assert response.status_code == 422
    assert error_fields(response) == {"name"}
    assert Person.objects.count() == before


def test_residence_without_its_place_is_422_and_writes_nothing(api, unit):
    before = Person.objects.count()

    response = post(api(Role.OFFICE), PEOPLE, new_person(unit, residence="household"))

    assert response.status_code == 422
    assert response.json()["errors"]
    assert Person.objects.count() == before


def test_field_errors_of_the_service_name_the_field_the_client_sent(api, unit, person):
    # The model calls it "unit"; the request said "unit_id".
    response = patch(api(Role.OFFICE), f"{PEOPLE}/{person.pk}", {"unit_id": None})

    assert response.status_code == 422
    assert error_fields(response) == {"unit_id"}


def test_body_that_is_not_json_is_400_with_a_json_error(api, unit):
    before = Person.objects.count()

    response = api(Role.OFFICE).post(PEOPLE, "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]
    assert response.json()["errors"] == []
    assert Person.objects.count() == before


def test_list_filter_with_a_nul_character_is_422(api, person):
    response = api(Role.OFFICE).get(PEOPLE, {"q": "王\x00"})

    assert response.status_code == 422
    assert error_fields(response) == {"q"}


def test_list_offset_beyond_any_page_is_422(api, person):
    response = api(Role.OFFICE).get(PEOPLE, {"offset": 2**70})

    assert response.status_code == 422
    assert error_fields(response) == {"offset"}


def test_id_beyond_any_row_is_422_not_a_database_error(api, person):
    response = api(Role.OFFICE).get(f"{PEOPLE}/{2**64}")

    assert response.status_code == 422
    assert error_fields(response) == {"person_id"}


# ---- reveal -------------------------------------------------------------------------------


def test_reveal_returns_the_full_phone_and_records_it_as_api(api, person):
    client = api(Role.OFFICER)

    response = post(client, f"{PEOPLE}/{person.pk}/reveal", {"field": "phone"})

    assert response.status_code == 200
    assert response.json() == {"field": "phone", "value": person.phone}
    reveal = PersonalDataReveal.objects.get()
    assert (reveal.user, reveal.person, reveal.field, reveal.channel) == (
        client.user,
        person,
        "phone",
        "api",
    )


def test_leader_may_not_reveal(api, person):
    response = post(api(Role.LEADER), f"{PEOPLE}/{person.pk}/reveal", {"field": "national_id"})

    assert response.status_code == 403
    assert person.national_id not in response.content.decode()
    assert not PersonalDataReveal.objects.exists()


def test_reveal_of_another_field_is_422_and_records_nothing(api, person):
    response = post(api(Role.OFFICE), f"{PEOPLE}/{person.pk}/reveal", {"field": "name"})

    assert response.status_code == 422
    assert error_fields(response) == {"field"}
    assert not PersonalDataReveal.objects.exists()


# ---- history and deactivation ---------------------------------------------------------------


def test_patch_keeps_history_with_the_token_user_and_the_reason(api, person):
    client = api(Role.OFFICER)
    records = person.history.count()

    response = patch(
        client, f"{PEOPLE}/{person.pk}", {"current_city": "宝鸡市", "reason": "returned home"}
    )

    assert response.status_code == 200
    assert response.json()["current_city"] == "宝鸡市"
    assert person.history.count() == records + 1
    latest = person.history.order_by("-history_id").first()
    assert latest.history_user == client.user
    assert latest.history_change_reason == "returned home"
    assert latest.current_city == "宝鸡市"


def test_patch_changes_only_the_fields_sent(api, person):
    response = patch(api(Role.OFFICE), f"{PEOPLE}/{person.pk}", {"name": "新名字"})

    assert response.status_code == 200
    person.refresh_from_db()
    assert person.name == "新名字"
    assert person.phone.startswith("138")
    assert person.native_province == "陕西省"


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}])
def test_deactivate_needs_a_reason(api, person, body):
    response = post(api(Role.OFFICER), f"{PEOPLE}/{person.pk}/deactivate", body)

    assert response.status_code == 422
    assert error_fields(response) == {"reason"}
    person.refresh_from_db()
    assert person.is_active


def test_deactivated_person_is_inactive_left_out_of_the_list_and_kept(api, person):
    client = api(Role.OFFICER)

    response = post(client, f"{PEOPLE}/{person.pk}/deactivate", {"reason": "graduated"})

    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert client.get(PEOPLE).json() == {"items": [], "count": 0}
    inactive = client.get(PEOPLE, {"active": "false"}).json()
    assert [item["id"] for item in inactive["items"]] == [person.pk]
    person.refresh_from_db()
    assert (person.is_active, person.deactivation_reason) == (False, "graduated")
    assert person.history.order_by("-history_id").first().history_change_reason == "graduated"


# ---- lists ------------------------------------------------------------------------------------


def test_people_list_is_paginated(api, unit):
    people = PersonFactory.create_batch(5, unit=unit)
    client = api(Role.OFFICE)

    first = client.get(PEOPLE, {"limit": 2}).json()
    last = client.get(PEOPLE, {"limit": 2, "offset": 4}).json()

    expected = [p.pk for p in sorted(people, key=lambda p: p.person_number)]
    assert first["count"] == 5
    assert [item["id"] for item in first["items"]] == expected[:2]
    assert [item["id"] for item in last["items"]] == expected[4:]


def test_people_list_item_masks_personal_data(api, person):
    item = api(Role.OFFICE).get(PEOPLE).json()["items"][0]

    assert item["national_id_masked"] == person.national_id_masked
    assert item["phone_masked"] == person.phone_masked
    assert "national_id" not in item
    assert "phone" not in item


def test_people_filter_q_matches_name_and_number(api, unit):
    wang = PersonFactory(unit=unit, name="王建国", person_number="T100")
    PersonFactory(unit=unit, name="李四", person_number="S200")
    client = api(Role.OFFICE)

    by_name = client.get(PEOPLE, {"q": "建国"}).json()
    by_number = client.get(PEOPLE, {"q": "T1"}).json()

    assert [item["id"] for item in by_name["items"]] == [wang.pk]
    assert [item["id"] for item in by_number["items"]] == [wang.pk]


def test_people_filter_unit(api, person, stranger, other_unit):
    body = api(Role.OFFICE).get(PEOPLE, {"unit": other_unit.pk}).json()

    assert [item["id"] for item in body["items"]] == [stranger.pk]
    assert body["count"] == 1


def test_people_filter_category(api, unit, person):
    student = PersonFactory(unit=unit, category=Person.Category.POSTGRADUATE)

    body = api(Role.OFFICE).get(PEOPLE, {"category": "postgraduate"}).json()

    assert [item["id"] for item in body["items"]] == [student.pk]


def test_people_filter_household(api, unit, person):
    household = HouseholdFactory()
    member = PersonFactory(unit=unit, residence=Person.Residence.HOUSEHOLD, household=household)

    body = api(Role.OFFICE).get(PEOPLE, {"household": household.pk}).json()

    assert [item["id"] for item in body["items"]] == [member.pk]
    assert body["items"][0]["household_id"] == household.pk


def test_people_filter_with_an_unknown_category_is_422(api, person):
    response = api(Role.OFFICE).get(PEOPLE, {"category": "alien"})

    assert response.status_code == 422
    assert error_fields(response) == {"category"}


# ---- language ---------------------------------------------------------------------------------


def test_validation_errors_speak_chinese_to_a_chinese_client(api, unit):
    good = valid_national_id(5)
    bad = good[:17] + ("0" if good[17] != "0" else "1")

    response = api(Role.OFFICE).post(
        PEOPLE,
        new_person(unit, national_id=bad),
        content_type="application/json",
        headers={"Accept-Language": "zh-hans"},
    )

    assert response.status_code == 422
    body = response.json()
    assert CJK.search(body["detail"]), body
    [error] = body["errors"]
    assert error["field"] == "national_id"
    assert CJK.search(error["message"]), body


def test_validation_errors_speak_english_by_default(api, unit):
    response = post(api(Role.OFFICE), PEOPLE, new_person(unit, national_id="123"))

    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "Invalid input."
    assert not CJK.search(body["errors"][0]["message"])


# ---- person numbers -----------------------------------------------------------------------


def test_a_person_number_in_full_width_digits_is_stored_in_ascii(api, unit):
    response = post(api(Role.OFFICE), PEOPLE, new_person(unit, person_number="t２０２５０６０１"))

    assert response.status_code == 200, response.content
    assert response.json()["person_number"] == "T20250601"
    assert Person.objects.filter(person_number="T20250601").exists()


def test_a_person_number_still_not_ascii_is_422_naming_person_number(api, unit):
    before = Person.objects.count()

    response = post(api(Role.OFFICE), PEOPLE, new_person(unit, person_number="T2025学"))

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error == {
        "field": "person_number",
        "message": "A person number has only letters A–Z, digits and hyphens (-); "
        "“T2025学” also has “学”.",
    }
    assert Person.objects.count() == before


def test_a_changed_person_number_is_normalised_too(api, person):
    client = api(Role.OFFICE)

    response = client.patch(
        f"{PEOPLE}/{person.pk}",
        {"person_number": "ｓ－２００", "reason": "typo"},
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    person.refresh_from_db()
    assert person.person_number == "S-200"
