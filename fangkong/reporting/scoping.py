"""Who may see and write which check-ins, built on the registry's rules (core.scoping).

A check-in is seen by whoever may see its person: the office, the leader (read only) and
the school hospital see everyone's; an officer their own unit's; anyone their own. It is
written by its person, by an officer for a person of their unit, or by the office.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from fangkong.core.roles import Role
from fangkong.core.scoping import SEES_ALL_PEOPLE
from fangkong.reporting.models import HealthCheckin, UnitReport

# Roles that read every unit's day page and the flagged list; only the office writes there.
SEES_ALL_CHECKINS = SEES_ALL_PEOPLE


def checkins_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = HealthCheckin.objects.all() if queryset is None else queryset
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    if user.has_role(*SEES_ALL_CHECKINS):
        return queryset
    # The same rule as core.scoping.people_visible_to, on the check-in's person.
    condition = Q(pk__in=[])
    if user.has_role(Role.OFFICER) and user.unit_id:
        condition |= Q(person__unit_id=user.unit_id)
    if user.person_id:
        condition |= Q(person_id=user.person_id)
    return queryset.filter(condition)


def can_write_checkin_for(user, person) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.person_id is not None and user.person_id == person.pk:
        return True
    if user.has_role(Role.OFFICE):
        return True
    return (
        user.has_role(Role.OFFICER) and user.unit_id is not None and user.unit_id == person.unit_id
    )


def require_checkin_writer(user, person) -> None:
    if not can_write_checkin_for(user, person):
        raise PermissionDenied(
            _("You may only enter check-ins for yourself or for people of your own unit.")
        )


def can_see_unit_days(user) -> bool:
    """The unit day page: who has checked in, who has not, the flagged list."""
    return user.has_role(*SEES_ALL_CHECKINS) or (user.has_role(Role.OFFICER) and bool(user.unit_id))


def require_unit_days_reader(user) -> None:
    if not can_see_unit_days(user):
        raise PermissionDenied(_("Your role does not show units' check-ins."))


def can_enter_for_others(user) -> bool:
    """Enter or import check-ins for other people (within the units the user may touch)."""
    return user.has_role(Role.OFFICE) or (user.has_role(Role.OFFICER) and bool(user.unit_id))


def require_checkin_enterer(user) -> None:
    if not can_enter_for_others(user):
        raise PermissionDenied(_("Your role does not allow entering check-ins for others."))


def require_checkin_importer(user) -> None:
    if not can_enter_for_others(user):
        raise PermissionDenied(_("Your role does not allow importing check-ins."))


def can_edit_policy(user) -> bool:
    return user.has_role(Role.OFFICE)


def require_policy_editor(user) -> None:
    if not can_edit_policy(user):
        raise PermissionDenied(_("Only the prevention & control office changes the policy."))


# ---- unit daily reports -------------------------------------------------------------------


def reports_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """The office, the leader and the medic see every unit's reports; an officer their own
    unit's; nobody else any."""
    queryset = UnitReport.objects.all() if queryset is None else queryset
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    if user.has_role(*SEES_ALL_CHECKINS):
        return queryset
    if user.has_role(Role.OFFICER) and user.unit_id:
        return queryset.filter(unit_id=user.unit_id)
    return queryset.none()


def sees_reports(user) -> bool:
    return can_see_unit_days(user)


def require_reports_reader(user) -> None:
    if not sees_reports(user):
        raise PermissionDenied(_("Your role does not show units' daily reports."))


def sees_all_reports(user) -> bool:
    return user.has_role(*SEES_ALL_CHECKINS)


def can_fill_report_for(user, unit_id: int | None) -> bool:
    """An officer fills their own unit's report; the office may fill any unit's."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or unit_id is None:
        return False
    if user.has_role(Role.OFFICE):
        return True
    return user.has_role(Role.OFFICER) and user.unit_id == unit_id


def require_report_filler(user, unit_id: int | None) -> None:
    if not can_fill_report_for(user, unit_id):
        raise PermissionDenied(_("You may only fill in the daily report of your own unit."))


def can_review_reports(user) -> bool:
    """Return, correct and approve units' reports: the office (its statistics group)."""
    return user.has_role(Role.OFFICE) and user.is_active


def require_reviewer(user) -> None:
    if not can_review_reports(user):
        raise PermissionDenied(_("Only the prevention & control office reviews reports."))


def can_keep_report_fields(user) -> bool:
    return user.has_role(Role.OFFICE) and user.is_active


def require_field_keeper(user) -> None:
    if not can_keep_report_fields(user):
        raise PermissionDenied(_("Only the prevention & control office defines the report."))
