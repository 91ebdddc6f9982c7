"""Reads of the check-ins, shared by the pages, the API, exports and later reports."""

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from fangkong.core import scoping as core_scoping
from fangkong.core.models import Person
from fangkong.reporting import scoping
from fangkong.reporting.models import HealthCheckin


def checkins_for_day(
    user,
    day: datetime.date,
    *,
    unit: int | None = None,
    abnormal: bool | None = None,
    q: str = "",
    include_superseded: bool = False,
) -> QuerySet[HealthCheckin]:
    """The day's check-ins `user` may see: current ones only unless asked for all versions."""
    checkins = scoping.checkins_visible_to(user).filter(date=day)
    if not include_superseded:
        checkins = checkins.current()
    if unit:
        checkins = checkins.filter(person__unit_id=unit)
    if abnormal is not None:
        checkins = checkins.filter(is_abnormal=abnormal)
    q = (q or "").strip()
    if q:
        checkins = checkins.filter(Q(person__name__icontains=q) | Q(person__person_number=q))
    return checkins.select_related("person__unit", "entered_by").order_by(
        "person__unit__code", "person__person_number", "entered_at"
    )


def flagged_checkins(user, day: datetime.date | None = None, unit: int | None = None):
    """The abnormal current check-ins of the day (today by default) in `user`'s scope: what
    the unit and the office must see at once."""
    return checkins_for_day(user, day or timezone.localdate(), unit=unit, abnormal=True)


def flagged_count(user, day: datetime.date | None = None) -> int:
    return (
        scoping.checkins_visible_to(user)
        .current()
        .filter(date=day or timezone.localdate(), is_abnormal=True)
        .count()
    )


def people_without_checkin(user, day: datetime.date, unit: int | None = None) -> QuerySet[Person]:
    """The active people `user` may see (of `unit`, if given) with no current check-in on
    `day`: whom the officer still has to chase."""
    checked_in = HealthCheckin.objects.filter(
        person_id=OuterRef("pk"), date=day, superseded_at__isnull=True
    )
    people = core_scoping.people_visible_to(user).filter(is_active=True)
    if unit:
        people = people.filter(unit_id=unit)
    return (
        people.filter(~Exists(checked_in))
        .select_related("unit")
        .order_by("unit__code", "person_number")
    )


def day_summary(user, day: datetime.date, unit: int | None = None) -> dict:
    """Counts for the day page's heading: people expected, checked in, flagged, missing."""
    people = core_scoping.people_visible_to(user).filter(is_active=True)
    checkins = scoping.checkins_visible_to(user).current().filter(date=day)
    if unit:
        people = people.filter(unit_id=unit)
        checkins = checkins.filter(person__unit_id=unit)
    expected = people.count()
    checked_in = checkins.filter(person__is_active=True).count()
    return {
        "expected": expected,
        "checked_in": checked_in,
        "flagged": checkins.filter(is_abnormal=True).count(),
        "missing": max(expected - checked_in, 0),
    }


def todays_checkin(person_id: int | None, day: datetime.date | None = None):
    """The current check-in of a person for the day (today by default), or None."""
    if person_id is None:
        return None
    return (
        HealthCheckin.objects.current()
        .filter(person_id=person_id, date=day or timezone.localdate())
        .first()
    )


def checkin_history(user, person: Person) -> QuerySet[HealthCheckin]:
    """Every check-in of `person` that `user` may see, superseded versions included, newest
    day first and each day's versions in the order they were given."""
    return (
        scoping.checkins_visible_to(user)
        .filter(person=person)
        .select_related("entered_by", "superseded_by")
        .order_by("-date", "entered_at", "pk")
    )


def versions_of(checkin: HealthCheckin) -> list[HealthCheckin]:
    """Every version of a check-in's person and day, the first given first."""
    return list(
        HealthCheckin.objects.filter(person_id=checkin.person_id, date=checkin.date)
        .select_related("entered_by", "superseded_by")
        .order_by("entered_at", "pk")
    )
