"""Who may see and do what at the gates and with passes.

The office keeps the policies, gates and pass types, decides applications, issues passes at
the desk and revokes them; a pass type's approver decides that type's applications too. A
guard works the gate page (and a gate device through its bearer token). A member applies
for their own pass and shows its code; an officer applies for the people of their unit. The
leaders read the reports.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from fangkong.access.models import Pass, PassType
from fangkong.core.roles import Role


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def is_office(user) -> bool:
    return _active(user) and user.has_role(Role.OFFICE)


def require_office(user) -> None:
    if not is_office(user):
        raise PermissionDenied(_("Only the prevention & control office does this."))


def can_guard(user) -> bool:
    return _active(user) and user.has_role(Role.GUARD, Role.OFFICE)


def require_guard(user) -> None:
    if not can_guard(user):
        raise PermissionDenied(_("Only gate guards and the office work the gates."))


def sees_reports(user) -> bool:
    return _active(user) and user.has_role(Role.OFFICE, Role.LEADER, Role.GUARD)


def require_report_reader(user) -> None:
    if not sees_reports(user):
        raise PermissionDenied(_("Only the office, the leaders and the guards see gate reports."))


def can_apply_for(user, holder) -> bool:
    if not _active(user) or holder is None:
        return False
    if user.has_role(Role.OFFICE):
        return True
    if user.person_id and user.person_id == holder.pk:
        return True
    return bool(user.has_role(Role.OFFICER) and user.unit_id and user.unit_id == holder.unit_id)


def require_applicant(user, holder) -> None:
    if not can_apply_for(user, holder):
        raise PermissionDenied(
            _("You may apply for your own pass, or as an officer for your unit's people.")
        )


def can_decide(user, pass_type) -> bool:
    if not _active(user):
        return False
    return user.has_role(Role.OFFICE) or (
        pass_type is not None and pass_type.approver_id == user.pk
    )


def require_decider(user, pass_type) -> None:
    if not can_decide(user, pass_type):
        raise PermissionDenied(_("Only the office or this pass type's approver decides."))


def sees_passes(user) -> bool:
    """The pass pages at all: anyone on the books, the office, officers, leaders, guards,
    and a pass type's approver."""
    return bool(
        user.person_id
        or user.has_role(Role.OFFICE, Role.OFFICER, Role.LEADER, Role.GUARD)
        or PassType.objects.filter(approver=user).exists()
    )


def require_pass_user(user) -> None:
    if not sees_passes(user):
        raise PermissionDenied(_("Your role has nothing to do with passes."))


def chooses_holder(user) -> bool:
    """The office applies for anyone, an officer for their unit's people: both name the
    holder; a member applies for themself."""
    return user.has_role(Role.OFFICE) or (user.has_role(Role.OFFICER) and bool(user.unit_id))


def can_apply(user) -> bool:
    return bool(user.person_id) or chooses_holder(user)


def require_pass_application(user) -> None:
    if not can_apply(user):
        raise PermissionDenied(
            _("You may apply for your own pass, or as an officer for your unit's people.")
        )


def may_show_code(user, gate_pass) -> bool:
    """The QR page and the card: the holder, the office and the guards."""
    if user.person_id and user.person_id == gate_pass.holder_id:
        return True
    return user.has_role(Role.OFFICE, Role.GUARD)


def require_code_viewer(user, gate_pass) -> None:
    if not may_show_code(user, gate_pass):
        raise PermissionDenied(_("Only the holder, the office and the guards see a pass's code."))


def passes_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Pass.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if user.has_role(Role.OFFICE, Role.LEADER, Role.GUARD):
        return queryset
    condition = Q(pk__in=[])
    if user.person_id:
        condition |= Q(holder_id=user.person_id)
    condition |= Q(applied_by=user)
    if user.has_role(Role.OFFICER) and user.unit_id:
        condition |= Q(holder__unit_id=user.unit_id)
    condition |= Q(pass_type__approver=user)
    return queryset.filter(condition)
