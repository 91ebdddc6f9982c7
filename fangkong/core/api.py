"""The registry over HTTP: /api/v1/core/… — same scoping, services and validation as the pages."""

import datetime
import functools

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from fangkong.apischema import (
    FilterSchema,
    Id,
    InSchema,
    Pagination,
    api_enum,
    error_responses,
    id_path,
)
from fangkong.core import filtering, scoping, selectors, services
from fangkong.core.identity import normalise_person_number, person_number_problem
from fangkong.core.models import Area, Building, Campus, Household, Person, Unit, User
from fangkong.core.roles import Role

router = Router(tags=["core"])


# ---- schemas ------------------------------------------------------------------------------


AreaKind = api_enum("AreaKind", Area.Kind)
UnitKind = api_enum("UnitKind", Unit.Kind)
PersonSex = api_enum("PersonSex", Person.Sex)
PersonCategory = api_enum("PersonCategory", Person.Category)
PersonResidence = api_enum("PersonResidence", Person.Residence)
AccountRole = api_enum("AccountRole", Role)


class CampusOut(Schema):
    id: int
    code: str
    name: str
    name_en: str


class CampusIn(InSchema):
    code: str = Field(pattern=r"^[-a-zA-Z0-9_]{1,20}$")
    name: str = Field(min_length=1, max_length=100)
    name_en: str = Field("", max_length=100)


class AreaOut(Schema):
    id: int
    campus_id: int
    name: str
    name_en: str
    kind: AreaKind


class AreaIn(InSchema):
    campus_id: Id
    name: str = Field(min_length=1, max_length=100)
    name_en: str = Field("", max_length=100)
    kind: AreaKind


class BuildingOut(Schema):
    id: int
    area_id: int
    name: str
    name_en: str


class BuildingIn(InSchema):
    area_id: Id
    name: str = Field(min_length=1, max_length=100)
    name_en: str = Field("", max_length=100)


class UnitOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    kind: UnitKind
    is_active: bool


class UnitIn(InSchema):
    code: str = Field(pattern=r"^[-a-zA-Z0-9_]{1,30}$")
    name: str = Field(min_length=1, max_length=100)
    name_en: str = Field("", max_length=100)
    kind: UnitKind


class PersonOut(Schema):
    id: int
    person_number: str
    name: str
    sex: PersonSex
    category: PersonCategory
    unit_id: int
    national_id_masked: str
    phone_masked: str
    native_province: str
    native_place: str
    current_province: str
    current_city: str
    residence: PersonResidence
    dormitory_id: int | None
    dormitory_room: str
    household_id: int | None
    is_active: bool


class PersonFields(InSchema):
    national_id: str = Field("", max_length=18, description="GB 11643, 18 characters")
    phone: str = Field("", max_length=20)
    native_province: str = Field("", max_length=30)
    native_place: str = Field("", max_length=60)
    current_province: str = Field("", max_length=30)
    current_city: str = Field("", max_length=60)
    residence: PersonResidence = PersonResidence.OFF_CAMPUS
    dormitory_id: Id | None = None
    dormitory_room: str = Field("", max_length=20)
    household_id: Id | None = None


def _person_number(value: str | None) -> str | None:
    """The number as the registry keeps it (full-width digits read as ASCII), or a 422
    saying which characters a person number cannot have."""
    if value is None:
        return None
    number = normalise_person_number(value)
    if not number:
        raise PydanticCustomError("person_number", _("Give the person number."))
    problem = person_number_problem(number)
    if problem:
        # A custom error: its message is shown as it is, without "Value error, " before it.
        raise PydanticCustomError("person_number", problem)
    return number


class PersonIn(PersonFields):
    person_number: str = Field(
        min_length=1, max_length=32, description="Letters A–Z, digits and hyphens"
    )
    name: str = Field(min_length=1, max_length=60)
    sex: PersonSex
    category: PersonCategory
    unit_id: Id

    @field_validator("person_number")
    @classmethod
    def normalised_number(cls, value):
        return _person_number(value)


class PersonPatch(InSchema):
    person_number: str | None = Field(None, min_length=1, max_length=32)
    name: str | None = Field(None, min_length=1, max_length=60)
    sex: PersonSex | None = None
    category: PersonCategory | None = None
    unit_id: Id | None = None
    national_id: str | None = Field(None, max_length=18)
    phone: str | None = Field(None, max_length=20)
    native_province: str | None = Field(None, max_length=30)
    native_place: str | None = Field(None, max_length=60)
    current_province: str | None = Field(None, max_length=30)
    current_city: str | None = Field(None, max_length=60)
    residence: PersonResidence | None = None
    dormitory_id: Id | None = None
    dormitory_room: str | None = Field(None, max_length=20)
    household_id: Id | None = None
    reason: str = Field("", max_length=200)

    @field_validator("person_number")
    @classmethod
    def normalised_number(cls, value):
        return _person_number(value)


class ReasonIn(InSchema):
    reason: str = Field(min_length=1, max_length=200)


class RevealIn(InSchema):
    field: str = Field(pattern=r"^(national_id|phone)$")


class RevealOut(Schema):
    field: str
    value: str


class PeopleFilter(FilterSchema):
    q: str = Field("", max_length=60)
    unit: Id | None = None
    category: PersonCategory | None = None
    residence: PersonResidence | None = None
    native_province: str = Field("", max_length=30)
    household: Id | None = None
    active: bool | None = True


class HouseholdFilter(FilterSchema):
    q: str = Field("", max_length=60)
    area: Id | None = None
    rented: bool | None = None


class HouseholdOut(Schema):
    id: int
    area_id: int
    building_id: int | None
    address: str
    is_rented: bool
    note: str
    is_active: bool
    member_count: int = 0


class HouseholdIn(InSchema):
    area_id: Id
    building_id: Id | None = None
    address: str = Field(min_length=1, max_length=100)
    is_rented: bool = False
    note: str = Field("", max_length=200)


class HouseholdPatch(InSchema):
    building_id: Id | None = None
    address: str | None = Field(None, min_length=1, max_length=100)
    is_rented: bool | None = None
    note: str | None = Field(None, max_length=200)
    reason: str = Field("", max_length=200)


class AccountOut(Schema):
    id: int
    username: str
    first_name: str
    last_name: str
    full_name: str
    email: str
    roles: list[AccountRole] = Field(description="The roles held, even while switched off")
    unit_id: int | None
    person_id: int | None
    is_active: bool
    last_login: datetime.datetime | None
    date_joined: datetime.datetime

    @staticmethod
    def resolve_full_name(account) -> str:
        return account.get_full_name()

    @staticmethod
    def resolve_roles(account) -> list[str]:
        return selectors.account_roles(account)


# The accounts page asks for 10 characters at least; the API the same.
PASSWORD_LENGTH = {"min_length": 10, "max_length": 128}


class AccountIn(InSchema):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(**PASSWORD_LENGTH)
    roles: list[AccountRole] = Field(min_length=1, max_length=len(Role.values))
    unit_id: Id | None = Field(None, description="An officer's unit: required for an officer")
    person_id: Id | None = Field(None, description="The person this login is")
    first_name: str = Field("", max_length=150)
    last_name: str = Field("", max_length=150)
    email: str = Field("", max_length=254)


class AccountPatch(InSchema):
    password: str | None = Field(None, **PASSWORD_LENGTH)
    roles: list[AccountRole] | None = Field(None, min_length=1, max_length=len(Role.values))
    unit_id: Id | None = None
    person_id: Id | None = None
    first_name: str | None = Field(None, max_length=150)
    last_name: str | None = Field(None, max_length=150)
    email: str | None = Field(None, max_length=254)
    is_active: bool | None = Field(None, description="Accounts are switched off, not deleted")


class AccountFilter(FilterSchema):
    q: str = Field("", max_length=60, description="User name or name")
    role: AccountRole | None = None
    unit: Id | None = None
    active: bool | None = None


class MeOut(Schema):
    username: str
    roles: list[str]
    unit_id: int | None
    person_id: int | None


# ---- resolving ids in request bodies --------------------------------------------------


def _related(model, pk, field: str):
    """The row an id in a request body names, or a field error saying it does not exist."""
    if pk is None:
        return None
    try:
        return model.objects.get(pk=pk)
    except model.DoesNotExist:
        raise ValidationError({field: _("No such record: %(id)s.") % {"id": pk}}) from None


# A service's field errors name the model's fields ("unit"); the client sent "unit_id".
API_FIELD_NAMES = {
    name: f"{name}_id"
    for name in ("campus", "area", "building", "unit", "dormitory", "household", "person")
}


def _errors_name_api_fields(view):
    """Report a service's field errors under the names the request used."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                raise
            renamed = {API_FIELD_NAMES.get(f, f): errors for f, errors in exc.error_dict.items()}
            raise ValidationError(renamed) from exc

    return wrapper


def _person_data(payload: dict) -> dict:
    data = dict(payload)
    for key, model in (("unit_id", Unit), ("dormitory_id", Building), ("household_id", Household)):
        if key in data:
            data[key.removesuffix("_id")] = _related(model, data.pop(key), key)
    return data


# ---- endpoints ---------------------------------------------------------------------------


@router.get("/me", response=error_responses(MeOut))
def me(request):
    user = request.user
    return {
        "username": user.username,
        "roles": sorted(user.roles),
        "unit_id": user.unit_id,
        "person_id": user.person_id,
    }


@router.get("/campuses", response=error_responses(list[CampusOut]))
def list_campuses(request):
    return Campus.objects.order_by("code")


@router.post("/campuses", response=error_responses(CampusOut))
def create_campus(request, payload: CampusIn):
    return services.create_campus(request.user, **payload.dict())


@router.get("/areas", response=error_responses(list[AreaOut]))
def list_areas(request, campus: Id | None = None):
    areas = Area.objects.order_by("campus__code", "name")
    return areas.filter(campus_id=campus) if campus else areas


@router.post("/areas", response=error_responses(AreaOut))
@_errors_name_api_fields
def create_area(request, payload: AreaIn):
    data = payload.dict()
    data["campus"] = _related(Campus, data.pop("campus_id"), "campus_id")
    return services.create_area(request.user, **data)


@router.get("/buildings", response=error_responses(list[BuildingOut]))
def list_buildings(request, area: Id | None = None):
    buildings = Building.objects.order_by("name")
    return buildings.filter(area_id=area) if area else buildings


@router.post("/buildings", response=error_responses(BuildingOut))
@_errors_name_api_fields
def create_building(request, payload: BuildingIn):
    data = payload.dict()
    data["area"] = _related(Area, data.pop("area_id"), "area_id")
    return services.create_building(request.user, **data)


@router.get("/units", response=error_responses(list[UnitOut]))
def list_units(request):
    return selectors.units_for(request.user)


@router.get("/units/{unit_id}", response=error_responses(UnitOut))
def get_unit(request, unit_id: int = id_path()):
    return scoping.get_visible_or_404(scoping.units_visible_to(request.user), pk=unit_id)


@router.post("/units", response=error_responses(UnitOut))
def create_unit(request, payload: UnitIn):
    return services.create_unit(request.user, **payload.dict())


@router.get("/people", response=error_responses(list[PersonOut]))
@paginate(Pagination)
def list_people(request, filters: Query[PeopleFilter]):
    data = filters.dict()
    data["active"] = "all" if data["active"] is None else data["active"]
    return filtering.raise_errors(selectors.people_for(request.user, data))


@router.get("/people/{person_id}", response=error_responses(PersonOut))
def get_person(request, person_id: int = id_path()):
    return scoping.get_visible_or_404(scoping.people_visible_to(request.user), pk=person_id)


@router.post("/people", response=error_responses(PersonOut))
@_errors_name_api_fields
def create_person(request, payload: PersonIn):
    return services.create_person(request.user, **_person_data(payload.dict()))


@router.patch("/people/{person_id}", response=error_responses(PersonOut))
@_errors_name_api_fields
def update_person(request, payload: PersonPatch, person_id: int = id_path()):
    person = scoping.get_visible_or_404(scoping.people_visible_to(request.user), pk=person_id)
    data = payload.dict(exclude_unset=True)
    reason = data.pop("reason", "")
    return services.update_person(request.user, person, reason=reason, **_person_data(data))


@router.post("/people/{person_id}/deactivate", response=error_responses(PersonOut))
def deactivate_person(request, payload: ReasonIn, person_id: int = id_path()):
    person = scoping.get_visible_or_404(scoping.people_visible_to(request.user), pk=person_id)
    return services.deactivate_person(request.user, person, payload.reason)


@router.post("/people/{person_id}/reveal", response=error_responses(RevealOut))
def reveal(request, payload: RevealIn, person_id: int = id_path()):
    """The full ID number or phone number; each call is recorded."""
    person = scoping.get_visible_or_404(scoping.people_visible_to(request.user), pk=person_id)
    value = services.reveal_personal_data(request.user, person, payload.field, channel="api")
    return {"field": payload.field, "value": value}


@router.get("/households", response=error_responses(list[HouseholdOut]))
@paginate(Pagination)
def list_households(request, filters: Query[HouseholdFilter]):
    return filtering.raise_errors(selectors.households_for(request.user, filters.dict()))


@router.get("/households/{household_id}", response=error_responses(HouseholdOut))
def get_household(request, household_id: int = id_path()):
    return scoping.get_visible_or_404(
        selectors.households_visible_to(request.user), pk=household_id
    )


@router.post("/households", response=error_responses(HouseholdOut))
@_errors_name_api_fields
def create_household(request, payload: HouseholdIn):
    data = payload.dict()
    data["area"] = _related(Area, data.pop("area_id"), "area_id")
    data["building"] = _related(Building, data.pop("building_id"), "building_id")
    return services.create_household(request.user, **data)


@router.patch("/households/{household_id}", response=error_responses(HouseholdOut))
@_errors_name_api_fields
def update_household(request, payload: HouseholdPatch, household_id: int = id_path()):
    household = scoping.get_visible_or_404(
        scoping.households_visible_to(request.user), pk=household_id
    )
    data = payload.dict(exclude_unset=True)
    reason = data.pop("reason", "")
    if "building_id" in data:
        data["building"] = _related(Building, data.pop("building_id"), "building_id")
    return services.update_household(request.user, household, reason=reason, **data)


# ---- accounts (the office's) -------------------------------------------------------------------


def _account_data(payload: dict) -> dict:
    data = dict(payload)
    if "roles" in data and data["roles"] is not None:
        data["roles"] = [str(role) for role in data["roles"]]
    for key, model in (("unit_id", Unit), ("person_id", Person)):
        if key in data:
            data[key.removesuffix("_id")] = _related(model, data.pop(key), key)
    return data


def _visible_account(request, account_id: int) -> User:
    services.require_role(request.user, Role.OFFICE)
    return scoping.get_visible_or_404(selectors.accounts_visible_to(request.user), pk=account_id)


@router.get("/accounts", response=error_responses(list[AccountOut]))
@paginate(Pagination)
def list_accounts(request, filters: Query[AccountFilter]):
    """The logins, switched-on first (the office only), as on the accounts page."""
    services.require_role(request.user, Role.OFFICE)
    return filtering.raise_errors(selectors.accounts_for(request.user, filters.dict()))


@router.get("/accounts/{account_id}", response=error_responses(AccountOut))
def get_account(request, account_id: int = id_path()):
    return _visible_account(request, account_id)


@router.post("/accounts", response=error_responses(AccountOut))
@_errors_name_api_fields
def create_account(request, payload: AccountIn):
    """A new login with its roles (the office only); an officer needs `unit_id`."""
    account = services.create_account(request.user, **_account_data(payload.dict()))
    return _visible_account(request, account.pk)


@router.patch("/accounts/{account_id}", response=error_responses(AccountOut))
@_errors_name_api_fields
def update_account(request, payload: AccountPatch, account_id: int = id_path()):
    """Change an account's roles, unit, person, names, e-mail or password, or switch it off or
    on (the office only). `roles` replaces the roles held. Nobody switches off their own
    account or takes the office role from it."""
    account = _visible_account(request, account_id)
    data = _account_data(payload.dict(exclude_unset=True))
    for key in ("roles", "password", "first_name", "last_name", "email", "is_active"):
        if key in data and data[key] is None:
            raise ValidationError({key: _("This field may not be null.")})
    services.update_account(request.user, account, **data)
    return _visible_account(request, account.pk)
