"""Who may see and do what with supplies.

The office does everything; the storekeeper receives, issues, moves and counts stock; an
officer asks for supplies for their own unit and sees their unit's requisitions; the
leader reads everything. Nobody approves their own requisition (the database holds that
too).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from fangkong.core.roles import Role
from fangkong.supplies.models import Requisition


def is_active_user(user) -> bool:
    """A signed-in account that is not deactivated: the first condition of every rule here."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def sees_stock(user) -> bool:
    return is_active_user(user) and user.has_role(Role.OFFICE, Role.LEADER, Role.STOREKEEPER)


def require_stock_reader(user) -> None:
    if not sees_stock(user):
        raise PermissionDenied(_("Only the office, the leaders and the storekeepers see stock."))


def can_keep_stock(user) -> bool:
    """Receive, issue, transfer, count and reverse."""
    return is_active_user(user) and user.has_role(Role.OFFICE, Role.STOREKEEPER)


def require_stock_keeper(user) -> None:
    if not can_keep_stock(user):
        raise PermissionDenied(_("Only the office and the storekeepers move stock."))


def can_keep_catalogue(user) -> bool:
    """Items, stores, source categories, donors; closing periods."""
    return is_active_user(user) and user.has_role(Role.OFFICE)


def require_catalogue_keeper(user) -> None:
    if not can_keep_catalogue(user):
        raise PermissionDenied(_("Only the prevention & control office keeps this list."))


def can_request_for(user, unit_id: int | None) -> bool:
    if not is_active_user(user) or unit_id is None:
        return False
    if user.has_role(Role.OFFICE):
        return True
    return user.has_role(Role.OFFICER) and user.unit_id == unit_id


def require_requester(user, unit_id: int | None) -> None:
    if not can_request_for(user, unit_id):
        raise PermissionDenied(_("You may only ask for supplies for your own unit."))


def can_decide(user) -> bool:
    return is_active_user(user) and user.has_role(Role.OFFICE)


def require_decider(user) -> None:
    if not can_decide(user):
        raise PermissionDenied(_("Only the prevention & control office approves requisitions."))


def sees_requisitions(user) -> bool:
    """The supplies pages at all: those who see stock, and an officer (their unit's)."""
    return sees_stock(user) or (user.has_role(Role.OFFICER) and bool(user.unit_id))


def require_supplies_user(user) -> None:
    if not sees_requisitions(user):
        raise PermissionDenied(_("Your role has nothing to do with supplies."))


def require_requisition_reader(user) -> None:
    if not sees_requisitions(user):
        raise PermissionDenied(_("Your role does not show requisitions."))


def can_ask_for_supplies(user) -> bool:
    """Ask for supplies for some unit: the office for any, an officer for their own."""
    return user.has_role(Role.OFFICE) or (user.has_role(Role.OFFICER) and bool(user.unit_id))


def require_asker(user) -> None:
    if not can_ask_for_supplies(user):
        raise PermissionDenied(_("You may only ask for supplies for your own unit."))


def officer_unit(user) -> int | None:
    """The unit whose issues `user` sees as its active officer (None: not one)."""
    if is_active_user(user) and user.has_role(Role.OFFICER) and user.unit_id:
        return user.unit_id
    return None


def sees_issues(user) -> bool:
    """The office, leaders and storekeepers see every unit's issues; an officer their own."""
    return sees_stock(user) or officer_unit(user) is not None


def require_issues_reader(user) -> None:
    if not sees_issues(user):
        raise PermissionDenied(_("Your role does not show the supplies issued."))


def requisitions_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Requisition.objects.all() if queryset is None else queryset
    if not is_active_user(user):
        return queryset.none()
    if user.has_role(Role.OFFICE, Role.LEADER, Role.STOREKEEPER):
        return queryset
    if user.has_role(Role.OFFICER) and user.unit_id:
        return queryset.filter(unit_id=user.unit_id)
    return queryset.none()
