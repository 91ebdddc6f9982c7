"""Who may see and touch the key-person ledger, its follow-ups and the random checks.

Built on fangkong.core.scoping: the same roles, the same "out of scope is missing (404)"
rule. A member sees nothing of the ledger, not even their own entry: the ledger records
where people have been and why they are watched, which is the office's business.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from fangkong.core.roles import Role
from fangkong.watch.models import (
    FollowUp,
    Incident,
    IsolationCase,
    IsolationCheck,
    KeyPerson,
    RandomDraw,
)

# Roles that read the whole ledger. The leader only reads; the hospital records follow-ups.
SEES_WHOLE_LEDGER = (Role.OFFICE, Role.LEADER, Role.MEDIC)
# Roles that record follow-ups of any key person (an officer: of their own unit's).
FOLLOWS_UP_ANYONE = (Role.OFFICE, Role.MEDIC)


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(user.roles)


def sees_ledger(user) -> bool:
    """Whether the user may open the ledger's pages at all (a member may not)."""
    if not _active(user):
        return False
    return user.has_role(*SEES_WHOLE_LEDGER) or (user.has_role(Role.OFFICER) and bool(user.unit_id))


def sees_whole_ledger(user) -> bool:
    return _active(user) and user.has_role(*SEES_WHOLE_LEDGER)


def key_persons_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = KeyPerson.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if user.has_role(*SEES_WHOLE_LEDGER):
        return queryset
    if user.has_role(Role.OFFICER) and user.unit_id:
        return queryset.filter(person__unit_id=user.unit_id)
    return queryset.none()


def follow_ups_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = FollowUp.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if user.has_role(*SEES_WHOLE_LEDGER):
        return queryset
    if user.has_role(Role.OFFICER) and user.unit_id:
        return queryset.filter(key_person__person__unit_id=user.unit_id)
    return queryset.none()


def draws_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """A draw keeps the whole school's population: only school-wide roles see it. An
    officer sees the drawn persons of their unit on the follow-up list instead."""
    queryset = RandomDraw.objects.all() if queryset is None else queryset
    return queryset if sees_whole_ledger(user) else queryset.none()


def person_condition_for(user) -> Q:
    """The people whose ledger entries `user` may see, as a filter on Person."""
    if sees_whole_ledger(user):
        return Q()
    if _active(user) and user.has_role(Role.OFFICER) and user.unit_id:
        return Q(unit_id=user.unit_id)
    return Q(pk__in=[])


# ---- permissions for writes, checked by the services ----------------------------------


def require_ledger_reader(user) -> None:
    if not sees_ledger(user):
        raise PermissionDenied(_("Your role does not give access to the key-person ledger."))


def can_keep_regions(user) -> bool:
    return _active(user) and user.has_role(Role.OFFICE)


def require_region_keeper(user) -> None:
    if not can_keep_regions(user):
        raise PermissionDenied(_("Only the prevention & control office keeps the regions."))


def can_list_key_persons(user) -> bool:
    return _active(user) and (
        user.has_role(Role.OFFICE) or (user.has_role(Role.OFFICER) and bool(user.unit_id))
    )


def require_key_person_lister(user) -> None:
    if not can_list_key_persons(user):
        raise PermissionDenied(_("Your role does not allow listing key persons."))


def can_write_ledger_in_unit(user, unit_id: int | None) -> bool:
    """List, edit, verify and clear entries of people of `unit_id`."""
    if not _active(user):
        return False
    if user.has_role(Role.OFFICE):
        return True
    return user.has_role(Role.OFFICER) and unit_id is not None and user.unit_id == unit_id


def require_ledger_unit(user, unit_id: int | None) -> None:
    if not can_write_ledger_in_unit(user, unit_id):
        raise PermissionDenied(_("You may only change the key persons of your own unit."))


def can_verify(user, entry) -> bool:
    """The office or the person's unit officer, and never the one who listed the entry:
    verifying one by one means a second pair of eyes."""
    return can_write_ledger_in_unit(user, entry.person.unit_id) and entry.listed_by_id != user.pk


def can_record_follow_up(user, unit_id: int | None) -> bool:
    if not _active(user):
        return False
    if user.has_role(*FOLLOWS_UP_ANYONE):
        return True
    return user.has_role(Role.OFFICER) and unit_id is not None and user.unit_id == unit_id


def require_follow_up_unit(user, unit_id: int | None) -> None:
    if not can_record_follow_up(user, unit_id):
        raise PermissionDenied(_("You may only follow up the key persons of your own unit."))


def can_draw(user) -> bool:
    return _active(user) and user.has_role(Role.OFFICE)


def require_drawer(user) -> None:
    if not can_draw(user):
        raise PermissionDenied(_("Only the prevention & control office draws random checks."))


# ---- medical isolation ------------------------------------------------------------------
# The office and the school hospital run isolation; the leader reads it; an officer reads
# the cases of their own unit's people (to know who of theirs is isolated); a member, a
# guard and the others see nothing of it.

SEES_ALL_ISOLATION = (Role.OFFICE, Role.LEADER, Role.MEDIC)
WRITES_ISOLATION = (Role.OFFICE, Role.MEDIC)


def sees_isolation(user) -> bool:
    if not _active(user):
        return False
    return user.has_role(*SEES_ALL_ISOLATION) or (
        user.has_role(Role.OFFICER) and bool(user.unit_id)
    )


def sees_all_isolation(user) -> bool:
    """The rooms, the checks due and the counts of every unit: school-wide roles only."""
    return _active(user) and user.has_role(*SEES_ALL_ISOLATION)


def isolation_cases_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = IsolationCase.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if user.has_role(*SEES_ALL_ISOLATION):
        return queryset
    if user.has_role(Role.OFFICER) and user.unit_id:
        return queryset.filter(person__unit_id=user.unit_id)
    return queryset.none()


def isolation_checks_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = IsolationCheck.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if user.has_role(*SEES_ALL_ISOLATION):
        return queryset
    if user.has_role(Role.OFFICER) and user.unit_id:
        return queryset.filter(case__person__unit_id=user.unit_id)
    return queryset.none()


def can_write_isolation(user) -> bool:
    """Start, check, release and transfer cases; keep the rooms."""
    return _active(user) and user.has_role(*WRITES_ISOLATION)


def require_isolation_writer(user) -> None:
    if not can_write_isolation(user):
        raise PermissionDenied(
            _("Only the prevention & control office and the school hospital record isolation.")
        )


def can_keep_isolation_policy(user) -> bool:
    return _active(user) and user.has_role(Role.OFFICE)


def require_isolation_policy_keeper(user) -> None:
    if not can_keep_isolation_policy(user):
        raise PermissionDenied(_("Only the prevention & control office sets isolation policy."))


def require_isolation_reader(user) -> None:
    if not sees_isolation(user):
        raise PermissionDenied(_("Your role does not give access to medical isolation."))


def require_all_isolation_reader(user) -> None:
    if not sees_all_isolation(user):
        raise PermissionDenied(_("Your role does not give access to medical isolation."))


# ---- incidents ----------------------------------------------------------------------------
# The same readers and writers as isolation; an officer reads the incidents that involve
# people of their unit. A guard may open a fever incident (the gate records a fever), but
# reads none.


def sees_incidents(user) -> bool:
    return sees_isolation(user)


def incidents_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Incident.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if user.has_role(*SEES_ALL_ISOLATION):
        return queryset
    if user.has_role(Role.OFFICER) and user.unit_id:
        involved = Incident.people.through.objects.filter(person__unit_id=user.unit_id)
        return queryset.filter(pk__in=involved.values("incident_id"))
    return queryset.none()


def can_write_incidents(user) -> bool:
    return _active(user) and user.has_role(*WRITES_ISOLATION)


def can_open_incident(user, kind: str) -> bool:
    if can_write_incidents(user):
        return True
    return _active(user) and user.has_role(Role.GUARD) and kind == Incident.Kind.FEVER


def require_incident_writer(user) -> None:
    if not can_write_incidents(user):
        raise PermissionDenied(
            _("Only the prevention & control office and the school hospital handle incidents.")
        )


def require_incident_reader(user) -> None:
    if not sees_incidents(user):
        raise PermissionDenied(_("Your role does not give access to incidents."))
