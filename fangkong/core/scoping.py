"""Who may see and touch what: the one place where a user's roles and unit become rules.

Every view, API endpoint and service fetches records through these functions, so a rule
changes here and nowhere else. A record outside a user's scope is reported as missing
(404), never as forbidden, so that its existence does not leak.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from fangkong.core.models import Household, Person, Unit
from fangkong.core.roles import Role

# Roles that see every person of the school. The leader reads; the hospital follows health.
SEES_ALL_PEOPLE = (Role.OFFICE, Role.LEADER, Role.MEDIC)
# Roles that may see a full ID number or phone number (each showing is recorded).
MAY_REVEAL = (Role.OFFICE, Role.MEDIC, Role.OFFICER)
# Roles that see every unit; anyone else with a unit sees their own.
SEES_ALL_UNITS = (Role.OFFICE, Role.LEADER, Role.MEDIC, Role.STOREKEEPER)


def people_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Person.objects.all() if queryset is None else queryset
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    if user.has_role(*SEES_ALL_PEOPLE):
        return queryset
    condition = Q(pk__in=[])
    if user.has_role(Role.OFFICER) and user.unit_id:
        condition |= Q(unit_id=user.unit_id)
    if user.person_id:
        condition |= Q(pk=user.person_id)
    return queryset.filter(condition)


def households_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Household.objects.all() if queryset is None else queryset
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    if user.has_role(*SEES_ALL_PEOPLE):
        return queryset
    condition = Q(pk__in=[])
    if user.has_role(Role.OFFICER) and user.unit_id:
        condition |= Q(members__unit_id=user.unit_id)
    if user.person_id:
        condition |= Q(members__pk=user.person_id)
    return queryset.filter(condition).distinct()


def units_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Unit.objects.all() if queryset is None else queryset
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    if user.has_role(*SEES_ALL_UNITS):
        return queryset
    if user.unit_id:
        return queryset.filter(pk=user.unit_id)
    return queryset.none()


def get_visible_or_404(queryset: QuerySet, **lookup):
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such record, or it is not yours to see.")) from None


# ---- permissions for writes, checked by the services ----------------------------------


def can_manage_people(user) -> bool:
    """Add, edit, import and deactivate people (within the units the user may touch)."""
    return user.has_role(Role.OFFICE) or (user.has_role(Role.OFFICER) and bool(user.unit_id))


def require_people_importer(user) -> None:
    if not can_manage_people(user):
        raise PermissionDenied(_("Your role does not allow importing people."))


def require_people_manager(user) -> None:
    if not can_manage_people(user):
        raise PermissionDenied(_("Your role does not allow adding people."))


def can_edit_person_in_unit(user, unit_id: int | None) -> bool:
    if user.has_role(Role.OFFICE):
        return True
    return user.has_role(Role.OFFICER) and unit_id is not None and user.unit_id == unit_id


def require_person_in_scope(user, unit_id: int | None) -> None:
    if not can_edit_person_in_unit(user, unit_id):
        raise PermissionDenied(_("You may only change people of your own unit."))


def can_manage_households(user) -> bool:
    return user.has_role(Role.OFFICE)


def require_household_manager(user) -> None:
    if not can_manage_households(user):
        raise PermissionDenied(_("Your role does not allow changing households."))


def can_manage_accounts(user) -> bool:
    return user.has_role(Role.OFFICE)


def require_account_manager(user) -> None:
    if not can_manage_accounts(user):
        raise PermissionDenied(_("Only the prevention & control office manages accounts."))


def can_reveal(user, person) -> bool:
    if not user.has_role(*MAY_REVEAL):
        return False
    if user.has_role(Role.OFFICE, Role.MEDIC):
        return True
    return user.unit_id is not None and person.unit_id == user.unit_id


def can_use_api_tokens(user) -> bool:
    return bool(user.roles)
