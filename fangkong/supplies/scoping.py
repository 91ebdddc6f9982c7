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


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def sees_stock(user) -> bool:
    return _active(user) and user.has_role(Role.OFFICE, Role.LEADER, Role.STOREKEEPER)


def require_stock_reader(user) -> None:
    if not sees_stock(user):
        raise PermissionDenied(_("Only the office, the leaders and the storekeepers see stock."))


def can_keep_stock(user) -> bool:
    """Receive, issue, transfer, count and reverse."""
    return _active(user) and user.has_role(Role.OFFICE, Role.STOREKEEPER)


def require_stock_keeper(user) -> None:
    if not can_keep_stock(user):
        raise PermissionDenied(_("Only the office and the storekeepers move stock."))


def can_keep_catalogue(user) -> bool:
    """Items, stores, source categories, donors; closing periods."""
    return _active(user) and user.has_role(Role.OFFICE)


def require_catalogue_keeper(user) -> None:
    if not can_keep_catalogue(user):
        raise PermissionDenied(_("Only the prevention & control office keeps this list."))


def can_request_for(user, unit_id: int | None) -> bool:
    if not _active(user) or unit_id is None:
        return False
    if user.has_role(Role.OFFICE):
        return True
    return user.has_role(Role.OFFICER) and user.unit_id == unit_id


def require_requester(user, unit_id: int | None) -> None:
    if not can_request_for(user, unit_id):
        raise PermissionDenied(_("You may only ask for supplies for your own unit."))


def can_decide(user) -> bool:
    return _active(user) and user.has_role(Role.OFFICE)


def require_decider(user) -> None:
    if not can_decide(user):
        raise PermissionDenied(_("Only the prevention & control office approves requisitions."))


def requisitions_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Requisition.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if user.has_role(Role.OFFICE, Role.LEADER, Role.STOREKEEPER):
        return queryset
    if user.has_role(Role.OFFICER) and user.unit_id:
        return queryset.filter(unit_id=user.unit_id)
    return queryset.none()
