"""Every write to the registry: validate, check permission, one transaction, keep history.

Views, the API, imports and management commands all call these functions; none of them
writes a model directly.
"""

import secrets

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.core import scoping
from fangkong.core.history import coded
from fangkong.core.identity import (
    normalise_national_id,
    normalise_person_number,
    normalise_phone,
)
from fangkong.core.models import (
    HOUSEHOLD_FIELDS,
    PERSON_FIELDS,
    PERSON_TEXT_FIELDS,
    ApiToken,
    Area,
    Building,
    Campus,
    DocumentSequence,
    Household,
    Person,
    PersonalDataReveal,
    Unit,
    User,
)
from fangkong.core.roles import Role
from fangkong.core.transactions import entry_point
from fangkong.core.validation import full_clean


def next_number(prefix: str, year: int) -> str:
    """The next document number of the year, e.g. RK-2020-0001. Must run in a transaction:
    the sequence row stays locked until it ends. A write that locks other rows too locks
    this one first (see supplies.services.LOCK_ORDER)."""
    sequence, _created = DocumentSequence.objects.get_or_create(prefix=prefix, year=year)
    # of=("self",): only this row, as supplies' lock_rows locks it.
    sequence = DocumentSequence.objects.select_for_update(of=("self",)).get(pk=sequence.pk)
    DocumentSequence.objects.filter(pk=sequence.pk).update(last=F("last") + 1)
    return f"{prefix}-{year}-{sequence.last + 1:04d}"


def require_role(actor, *roles: str) -> None:
    if not actor.has_role(*roles):
        raise PermissionDenied(_("Your role does not allow this."))


def normalise_person_data(data: dict) -> dict:
    data = {key: value for key, value in data.items() if key in PERSON_FIELDS}
    for key in PERSON_TEXT_FIELDS:
        if key in data and data[key] is not None:
            data[key] = str(data[key]).strip()
    if "person_number" in data:
        data["person_number"] = normalise_person_number(data["person_number"])
    if "national_id" in data:
        data["national_id"] = normalise_national_id(data["national_id"] or "")
    if "phone" in data:
        data["phone"] = normalise_phone(data["phone"] or "")
    residence = data.get("residence")
    # A person lives in one place: choosing a kind of residence clears the others.
    if residence == Person.Residence.DORMITORY:
        data["household"] = None
    elif residence == Person.Residence.HOUSEHOLD:
        data["dormitory"], data["dormitory_room"] = None, ""
    elif residence == Person.Residence.OFF_CAMPUS:
        data["household"], data["dormitory"], data["dormitory_room"] = None, None, ""
    return data


def validated_save(instance, actor, reason: str = "") -> None:
    """full_clean, then save with the history's who and why; a race on a unique key that
    full_clean could not see becomes the same field error instead of a 500."""
    full_clean(instance)
    instance._history_user = actor
    instance._change_reason = reason
    try:
        # A savepoint in the calling entry point's transaction, not one of its own.
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        raise ValidationError(
            _("This record clashes with another one: %(error)s") % {"error": exc}
        ) from exc


@entry_point
def create_person(actor, **data) -> Person:
    if not scoping.can_manage_people(actor):
        raise PermissionDenied(_("Your role does not allow adding people."))
    data = normalise_person_data(data)
    unit = data.get("unit")
    scoping.require_person_in_scope(actor, unit.pk if unit else None)
    person = Person(**data)
    validated_save(person, actor, coded("created"))
    return person


@entry_point
def update_person(actor, person: Person, *, reason: str = "", **data) -> Person:
    scoping.require_person_in_scope(actor, person.unit_id)
    data = normalise_person_data(data)
    if "unit" in data and data["unit"] is not None:
        scoping.require_person_in_scope(actor, data["unit"].pk)
    person = Person.objects.select_for_update().get(pk=person.pk)
    for key, value in data.items():
        setattr(person, key, value)
    validated_save(person, actor, reason or coded("edited"))
    return person


@entry_point
def deactivate_person(actor, person: Person, reason: str) -> Person:
    scoping.require_person_in_scope(actor, person.unit_id)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why this person is deactivated.")})
    person = Person.objects.select_for_update().get(pk=person.pk)
    person.is_active = False
    person.deactivation_reason = reason.strip()
    validated_save(person, actor, reason.strip())
    return person


@entry_point
def reactivate_person(actor, person: Person, reason: str) -> Person:
    scoping.require_person_in_scope(actor, person.unit_id)
    person = Person.objects.select_for_update().get(pk=person.pk)
    person.is_active = True
    person.deactivation_reason = ""
    validated_save(person, actor, (reason or "").strip() or coded("reactivated"))
    return person


def reveal_personal_data(actor, person: Person, field: str, channel: str = "web") -> str:
    """The full value of a masked field, recorded as seen by `actor`."""
    if field not in PersonalDataReveal.Field.values:
        raise ValidationError({"field": _("Only an ID number or a phone number can be shown.")})
    if not scoping.can_reveal(actor, person):
        raise PermissionDenied(_("Your role does not allow seeing this in full."))
    PersonalDataReveal.objects.create(user=actor, person=person, field=field, channel=channel)
    return getattr(person, field)


@entry_point
def create_household(actor, **data) -> Household:
    if not scoping.can_manage_households(actor):
        raise PermissionDenied(_("Your role does not allow changing households."))
    household = Household(**{k: v for k, v in data.items() if k in HOUSEHOLD_FIELDS})
    validate_household_area(household)
    validated_save(household, actor, coded("created"))
    return household


@entry_point
def update_household(actor, household: Household, *, reason: str = "", **data) -> Household:
    if not scoping.can_manage_households(actor):
        raise PermissionDenied(_("Your role does not allow changing households."))
    household = Household.objects.select_for_update().get(pk=household.pk)
    for key, value in data.items():
        if key in HOUSEHOLD_FIELDS:
            setattr(household, key, value)
    validate_household_area(household)
    validated_save(household, actor, reason or coded("edited"))
    return household


def validate_household_area(household: Household) -> None:
    if household.area_id and household.area.kind != Area.Kind.FAMILY:
        raise ValidationError({"area": _("Households are kept for family areas only.")})
    if household.building_id and household.building.area_id != household.area_id:
        raise ValidationError({"building": _("This building is not in the household's area.")})


# ---- places and units (the office keeps them) -----------------------------------------


def _create(actor, model, **data):
    require_role(actor, Role.OFFICE)
    instance = model(**data)
    validated_save(instance, actor)
    return instance


def create_campus(actor, **data) -> Campus:
    return _create(actor, Campus, **data)


def create_area(actor, **data) -> Area:
    return _create(actor, Area, **data)


def create_building(actor, **data) -> Building:
    return _create(actor, Building, **data)


def create_unit(actor, **data) -> Unit:
    return _create(actor, Unit, **data)


# ---- accounts ---------------------------------------------------------------------------


def _role_groups(roles) -> list[Group]:
    """The groups of `roles`, refusing a name that is not a role."""
    roles = set(roles)
    unknown = roles - set(Role.values)
    if unknown:
        raise ValidationError(
            {"roles": _("Unknown role: %(roles)s") % {"roles": ", ".join(sorted(unknown))}}
        )
    groups = list(Group.objects.filter(name__in=roles))
    if len(groups) != len(roles):
        # The groups are made by core's migration 0002: without them a role would be lost.
        raise ValidationError({"roles": _("The roles are missing: run manage.py migrate.")})
    return groups


def _check_account(user: User, roles) -> None:
    if Role.OFFICER in roles and user.unit_id is None:
        raise ValidationError({"unit": _("An information officer needs a unit.")})
    user.full_clean(exclude=["password"])


@entry_point
def create_account(
    actor,
    *,
    username: str,
    password: str,
    roles: list[str],
    unit: Unit | None = None,
    person: Person | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    """A login with its roles. `actor` None is the command line (create_office_user)."""
    if actor is not None:
        require_role(actor, Role.OFFICE)
    groups = _role_groups(roles)
    user = User(
        username=(username or "").strip(),
        unit=unit,
        person=person,
        first_name=(first_name or "").strip(),
        last_name=(last_name or "").strip(),
        email=(email or "").strip(),
    )
    user.set_password(password)
    _check_account(user, roles)
    user.save()
    user.groups.set(groups)
    return user


# What update_account may change; the username stays, since history names the account by it.
ACCOUNT_FIELDS = ("unit", "person", "first_name", "last_name", "email", "is_active")


@entry_point
def update_account(
    actor, user: User, *, roles: list[str] | None = None, password: str | None = None, **changes
) -> User:
    """Change an account's roles, unit, person, names, e-mail, password or whether it is on.

    `actor` None is the command line. The office may not switch off its own account or take
    the office role from it: the last office login would lock the school out of its accounts.
    """
    if actor is not None:
        require_role(actor, Role.OFFICE)
    user = User.objects.select_for_update().get(pk=user.pk)
    if roles is None:
        # Read from the groups, not `user.roles`, which is empty for a switched-off account.
        roles = user.groups.filter(name__in=Role.values).values_list("name", flat=True)
    roles = set(roles)
    for key, value in changes.items():
        if key not in ACCOUNT_FIELDS:
            raise ValidationError({key: _("This cannot be changed here.")})
        setattr(user, key, value.strip() if isinstance(value, str) else value)
    groups = _role_groups(roles)
    if actor is not None and user.pk == actor.pk:
        if not user.is_active:
            raise ValidationError({"is_active": _("You cannot switch off your own account.")})
        if Role.OFFICE not in roles:
            raise ValidationError(
                {"roles": _("You cannot take the office role from your own account.")}
            )
    if password is not None:
        user.set_password(password)
    _check_account(user, roles)
    user.save()
    user.groups.set(groups)
    user._roles_cache = None
    return user


@entry_point
def set_account_active(actor, user: User, active: bool) -> User:
    """Accounts are switched off, never deleted: their history keeps naming them."""
    require_role(actor, Role.OFFICE)
    if user.pk == actor.pk and not active:
        raise ValidationError(_("You cannot switch off your own account."))
    User.objects.filter(pk=user.pk).update(is_active=active)
    user.refresh_from_db()
    return user


def create_api_token(actor, name: str) -> tuple[ApiToken, str]:
    """A new bearer token for `actor`; the raw key is returned once and never stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name, e.g. the device it is for.")})
    if not scoping.can_use_api_tokens(actor):
        raise PermissionDenied(_("Your role does not allow API tokens."))
    raw = "fk_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor, name=name[:60], prefix=raw[3:11], key_hash=ApiToken.hash_key(raw)
    )
    return token, raw


def revoke_api_token(actor, token: ApiToken) -> None:
    if token.user_id != actor.pk and not actor.has_role(Role.OFFICE):
        raise PermissionDenied(_("This token is not yours."))
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def user_for_api_token(raw: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(raw or ""), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    # Recording every use would make each API call a write; a minute's precision is enough.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
