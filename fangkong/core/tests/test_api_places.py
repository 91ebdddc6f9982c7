"""/api/v1/core campuses, areas, buildings, units and households; and the OpenAPI document."""

import pytest

from fangkong.core import services
from fangkong.core.models import Area, Building, Campus, Household, Person, Unit
from fangkong.core.roles import Role
from fangkong.testing.factories import (
    AreaFactory,
    BuildingFactory,
    CampusFactory,
    HouseholdFactory,
    PersonFactory,
)

CORE = "/api/v1/core"


@pytest.fixture
def api(client, make_user, unit):
    """api(role, unit=…) -> the test client sending a bearer token of a new user with that role.

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


@pytest.fixture
def family_area(db):
    return AreaFactory(
        campus=CampusFactory(code="yanta"), name="家属区", name_en="Family area", kind="family"
    )


def post(client, path, data):
    return client.post(path, data, content_type="application/json")


def error_fields(response) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


# ---- campuses, areas, buildings ---------------------------------------------------------------


def test_office_creates_a_campus(api):
    response = post(api(Role.OFFICE), f"{CORE}/campuses", {"code": "caotang", "name": "草堂校区"})

    assert response.status_code == 200
    body = response.json()
    assert body == {"id": body["id"], "code": "caotang", "name": "草堂校区", "name_en": ""}
    assert Campus.objects.get(pk=body["id"]).name == "草堂校区"


def test_officer_cannot_create_a_campus(api):
    response = post(api(Role.OFFICER), f"{CORE}/campuses", {"code": "x", "name": "某校区"})

    assert response.status_code == 403
    assert response.json()["detail"]
    assert not Campus.objects.exists()


def test_campus_with_a_used_code_is_422_naming_code(api):
    CampusFactory(code="yanta")

    response = post(api(Role.OFFICE), f"{CORE}/campuses", {"code": "yanta", "name": "又一个"})

    assert response.status_code == 422
    assert error_fields(response) == {"code"}
    assert Campus.objects.count() == 1


def test_campus_with_a_code_that_is_not_a_slug_is_422_naming_code(api):
    response = post(api(Role.OFFICE), f"{CORE}/campuses", {"code": "雁 塔", "name": "雁塔"})

    assert response.status_code == 422
    assert error_fields(response) == {"code"}
    assert not Campus.objects.exists()


def test_campuses_are_listed_by_code(api):
    CampusFactory(code="yanta", name="雁塔校区")
    CampusFactory(code="caotang", name="草堂校区")

    body = api(Role.LEADER).get(f"{CORE}/campuses").json()

    assert [campus["code"] for campus in body] == ["caotang", "yanta"]


def test_area_with_an_unknown_campus_is_422_naming_campus_id(api):
    response = post(
        api(Role.OFFICE),
        f"{CORE}/areas",
        {"campus_id": 999_999, "name": "家属区", "kind": "family"},
    )

    assert response.status_code == 422
    assert error_fields(response) == {"campus_id"}
    assert not Area.objects.exists()


def test_area_with_an_unknown_kind_is_422_naming_kind(api):
    campus = CampusFactory()

    response = post(
        api(Role.OFFICE), f"{CORE}/areas", {"campus_id": campus.pk, "name": "区", "kind": "moon"}
    )

    assert response.status_code == 422
    assert error_fields(response) == {"kind"}
    assert not Area.objects.exists()


def test_office_creates_an_area_of_a_kind(api):
    campus = CampusFactory()

    response = post(
        api(Role.OFFICE),
        f"{CORE}/areas",
        {"campus_id": campus.pk, "name": "家属区", "kind": "family"},
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["campus_id"], body["kind"]) == (campus.pk, "family")
    assert Area.objects.get(pk=body["id"]).kind == Area.Kind.FAMILY


def test_areas_filter_by_campus(api, family_area):
    AreaFactory(campus=CampusFactory(code="caotang"))

    body = api(Role.OFFICE).get(f"{CORE}/areas", {"campus": family_area.campus_id}).json()

    assert [area["id"] for area in body] == [family_area.pk]
    assert body[0]["kind"] == "family"


def test_buildings_filter_by_area(api, family_area):
    block = BuildingFactory(area=family_area, name="1号楼")
    BuildingFactory()

    body = api(Role.OFFICE).get(f"{CORE}/buildings", {"area": family_area.pk}).json()

    assert body == [
        {"id": block.pk, "area_id": family_area.pk, "name": "1号楼", "name_en": block.name_en}
    ]


def test_building_with_a_name_used_in_its_area_is_422_and_writes_nothing(api, family_area):
    BuildingFactory(area=family_area, name="1号楼")

    response = post(
        api(Role.OFFICE), f"{CORE}/buildings", {"area_id": family_area.pk, "name": "1号楼"}
    )

    assert response.status_code == 422
    assert response.json()["errors"]
    assert Building.objects.filter(area=family_area).count() == 1


# ---- units --------------------------------------------------------------------------------


def test_officer_lists_only_their_unit(api, unit, other_unit):
    body = api(Role.OFFICER).get(f"{CORE}/units").json()

    assert [item["id"] for item in body] == [unit.pk]


def test_officer_gets_404_for_another_unit(api, other_unit):
    response = api(Role.OFFICER).get(f"{CORE}/units/{other_unit.pk}")

    assert response.status_code == 404
    assert other_unit.name not in response.content.decode()


def test_office_sees_every_unit(api, unit, other_unit):
    body = api(Role.OFFICE).get(f"{CORE}/units").json()

    assert {item["code"] for item in body} == {"arch", "civil"}
    assert {item["kind"] for item in body} == {"academic"}


def test_unit_with_a_used_code_is_422_naming_code(api, unit):
    response = post(
        api(Role.OFFICE), f"{CORE}/units", {"code": "arch", "name": "又一个", "kind": "academic"}
    )

    assert response.status_code == 422
    assert error_fields(response) == {"code"}
    assert Unit.objects.filter(code="arch").count() == 1


# ---- households ---------------------------------------------------------------------------------


def test_office_creates_a_household_in_a_family_area(api, family_area):
    block = BuildingFactory(area=family_area)
    client = api(Role.OFFICE)

    response = post(
        client,
        f"{CORE}/households",
        {"area_id": family_area.pk, "building_id": block.pk, "address": "2-301", "is_rented": True},
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["address"], body["is_rented"], body["member_count"]) == ("2-301", True, 0)
    household = Household.objects.get(pk=body["id"])
    assert (household.area, household.building) == (family_area, block)
    assert household.history.get().history_user == client.user


def test_household_outside_a_family_area_is_422_naming_area_id(api):
    teaching = AreaFactory(kind=Area.Kind.TEACHING)

    response = post(
        api(Role.OFFICE), f"{CORE}/households", {"area_id": teaching.pk, "address": "1-101"}
    )

    assert response.status_code == 422
    assert error_fields(response) == {"area_id"}
    assert not Household.objects.exists()


def test_household_in_a_building_of_another_area_is_422_naming_building_id(api, family_area):
    elsewhere = BuildingFactory()

    response = post(
        api(Role.OFFICE),
        f"{CORE}/households",
        {"area_id": family_area.pk, "building_id": elsewhere.pk, "address": "1-101"},
    )

    assert response.status_code == 422
    assert error_fields(response) == {"building_id"}
    assert not Household.objects.filter(area=family_area).exists()


def test_officer_cannot_create_a_household(api, family_area):
    response = post(
        api(Role.OFFICER), f"{CORE}/households", {"area_id": family_area.pk, "address": "1-101"}
    )

    assert response.status_code == 403
    assert not Household.objects.exists()


def test_household_patch_keeps_history_with_the_reason(api, family_area):
    household = HouseholdFactory(area=family_area, building=None, address="3-402")
    client = api(Role.OFFICE)

    response = client.patch(
        f"{CORE}/households/{household.pk}",
        {"is_rented": True, "reason": "let to tenants"},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["is_rented"] is True
    latest = household.history.order_by("-history_id").first()
    assert (latest.history_user, latest.history_change_reason) == (client.user, "let to tenants")


def test_officer_sees_households_of_their_units_people_only(api, unit, other_unit, family_area):
    ours = HouseholdFactory(area=family_area, address="1-101")
    theirs = HouseholdFactory(area=family_area, address="1-102")
    PersonFactory(unit=unit, residence=Person.Residence.HOUSEHOLD, household=ours)
    PersonFactory(unit=other_unit, residence=Person.Residence.HOUSEHOLD, household=theirs)
    client = api(Role.OFFICER)

    listed = client.get(f"{CORE}/households").json()

    assert [item["id"] for item in listed["items"]] == [ours.pk]
    assert listed["items"][0]["member_count"] == 1
    assert client.get(f"{CORE}/households/{theirs.pk}").status_code == 404


def test_households_filter_rented(api, family_area):
    rented = HouseholdFactory(area=family_area, is_rented=True)
    HouseholdFactory(area=family_area, is_rented=False)

    body = api(Role.OFFICE).get(f"{CORE}/households", {"rented": "true"}).json()

    assert [item["id"] for item in body["items"]] == [rented.pk]
    assert body["count"] == 1


# ---- the OpenAPI document ---------------------------------------------------------------------


def test_openapi_keeps_area_kinds_and_unit_kinds_apart(client, db):
    document = client.get("/api/v1/openapi.json").json()

    schemas = document["components"]["schemas"]
    assert "family" in schemas["AreaKind"]["enum"]
    assert "academic" in schemas["UnitKind"]["enum"]
    area_kind = schemas["AreaOut"]["properties"]["kind"]["$ref"]
    unit_kind = schemas["UnitOut"]["properties"]["kind"]["$ref"]
    assert area_kind != unit_kind


def test_openapi_documents_the_error_answers_of_every_operation(client, db):
    document = client.get("/api/v1/openapi.json").json()

    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            documented = set(operation["responses"])
            assert {"200", "400", "401", "403", "404", "422"} <= documented, (method, path)
