"""Reads of the ledger: lists, counts, the day's follow-up list, compliance.

The follow-up list is computed, not stored: a day's due persons follow from the ledger's
plans (every N days from listing, while under watch) and that day's random draws, so a
change to an entry or a clearing shows at once, and asking twice gives the same list.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.core import filtering
from fangkong.core import scoping as core_scoping
from fangkong.core.filtering import Filtered
from fangkong.core.models import Person, Unit
from fangkong.core.selectors import history_of  # noqa: F401  (the watch pages use it too)
from fangkong.reporting import selectors as reporting_selectors
from fangkong.watch import scoping
from fangkong.watch.filtersets import (
    FollowUpFilterSet,
    IncidentFilterSet,
    IsolationCaseFilterSet,
    IsolationCheckFilterSet,
    KeyPersonFilterSet,
)
from fangkong.watch.models import (
    CheckSlot,
    FollowUp,
    FollowUpKind,
    Incident,
    IncidentAction,
    IsolationCase,
    IsolationCheck,
    IsolationPolicy,
    IsolationRoom,
    KeyPerson,
    RandomDraw,
    RegionOfConcern,
)

STUDENTS = (
    Person.Category.UNDERGRADUATE,
    Person.Category.POSTGRADUATE,
    Person.Category.INTERNATIONAL,
)
# The longest range the compliance table covers in one go.
MAX_COMPLIANCE_DAYS = 92


# ---- regions ------------------------------------------------------------------------------


def regions(*, on: datetime.date | None = None) -> QuerySet[RegionOfConcern]:
    """Every region of concern, or those of concern on the day `on`."""
    queryset = RegionOfConcern.objects.order_by("-from_date", "name")
    if on is not None:
        queryset = queryset.filter(from_date__lte=on).filter(
            Q(until_date__isnull=True) | Q(until_date__gte=on)
        )
    return queryset


def regions_of_concern_on(day: datetime.date) -> QuerySet[RegionOfConcern]:
    return regions(on=day)


# ---- the ledger ---------------------------------------------------------------------------


def key_persons_for(user, data=None) -> Filtered:
    """The ledger entries `user` may see, by unit and person number, filtered by `data`
    (the page's query string or the API's query values) through KeyPersonFilterSet:
    those under watch unless a status is asked for."""
    entries = (
        scoping.key_persons_visible_to(user)
        .select_related("person__unit", "region", "responsible", "verified_by")
        .order_by("person__unit__code", "person__person_number", "category", "pk")
    )
    return filtering.apply(KeyPersonFilterSet, data, entries, user=user)


def ledger_counts(entries: QuerySet[KeyPerson]) -> list[dict]:
    """Persons per category, staff and students apart: the table the office reports.

    Counts persons, not entries: someone cleared and listed again counts once.
    """
    rows = (
        entries.order_by()
        .values("category")
        .annotate(
            staff=Count("person", filter=Q(person__category=Person.Category.STAFF), distinct=True),
            students=Count("person", filter=Q(person__category__in=STUDENTS), distinct=True),
            total=Count("person", distinct=True),
        )
    )
    found = {row["category"]: row for row in rows}
    table = []
    for value, label in KeyPerson.Category.choices:
        row = found.get(value, {"staff": 0, "students": 0, "total": 0})
        table.append(
            {
                "category": value,
                "label": str(label),
                "staff": row["staff"],
                "students": row["students"],
                "others": row["total"] - row["staff"] - row["students"],
                "total": row["total"],
            }
        )
    return table


def follow_ups_for(user, data=None) -> Filtered:
    """The follow-ups `user` may see, the latest first, filtered by `data` (an entry's, a
    day's, the current records only) through FollowUpFilterSet."""
    follow_ups = (
        scoping.follow_ups_visible_to(user)
        .select_related("key_person__person", "by", "supersedes", "superseded_by")
        .order_by("-at", "-pk")
    )
    return filtering.apply(FollowUpFilterSet, data, follow_ups)


def draws_for(user, *, day: datetime.date | None = None) -> QuerySet[RandomDraw]:
    draws = scoping.draws_visible_to(user).select_related("drawn_by")
    if day:
        draws = draws.filter(day=day)
    return draws.order_by("-day", "-pk")


# ---- who is due, on which day -------------------------------------------------------------


@dataclass
class Due:
    """A person due for a follow-up on a day, and why."""

    person: Person
    entry: KeyPerson  # the entry a follow-up is recorded against by default
    entries: list[KeyPerson]
    kinds: list[str]  # FollowUpKind values due
    drawn: bool = False
    follow_ups: list[FollowUp] = field(default_factory=list)

    @property
    def followed_up(self) -> bool:
        return any(f.at_local_day == f.due_on for f in self.follow_ups)

    @property
    def kind_labels(self) -> list[str]:
        return [FollowUpKind(kind).label for kind in self.kinds]


def _entries_open_between(user, start: datetime.date, end: datetime.date) -> QuerySet:
    return (
        scoping.key_persons_visible_to(user)
        .filter(listed_on__lte=end)
        .filter(
            Q(cleared_on__isnull=True) | Q(cleared_on__gt=start),
            Q(monitoring_until__isnull=True) | Q(monitoring_until__gte=start),
        )
    )


def _drawn_by_day(start: datetime.date, end: datetime.date) -> dict[datetime.date, set[int]]:
    drawn: dict[datetime.date, set[int]] = defaultdict(set)
    for day, ids in RandomDraw.objects.filter(day__range=(start, end)).values_list("day", "drawn"):
        drawn[day].update(ids)
    return drawn


def _due_on(entries: list[KeyPerson], drawn: set[int], day: datetime.date) -> dict[int, Due]:
    """The persons due on `day` among `entries`, by person id. One rule for the list and
    for compliance, so that the two always agree."""
    open_by_person: dict[int, list[KeyPerson]] = defaultdict(list)
    for entry in entries:
        if (
            entry.listed_on <= day
            and (entry.cleared_on is None or day < entry.cleared_on)
            and (entry.monitoring_until is None or day <= entry.monitoring_until)
        ):
            open_by_person[entry.person_id].append(entry)
    due: dict[int, Due] = {}
    for person_id, open_entries in open_by_person.items():
        scheduled = [entry for entry in open_entries if entry.is_due_on(day)]
        is_drawn = person_id in drawn
        if not scheduled and not is_drawn:
            continue
        kinds = list(dict.fromkeys(entry.follow_up_kind for entry in scheduled))
        if is_drawn and FollowUpKind.PHONE_CALL not in kinds:
            kinds.append(FollowUpKind.PHONE_CALL)
        due[person_id] = Due(
            person=open_entries[0].person,
            entry=(scheduled or open_entries)[0],
            entries=open_entries,
            kinds=kinds,
            drawn=is_drawn,
        )
    return due


def _with_local_day(follow_up: FollowUp) -> FollowUp:
    follow_up.at_local_day = timezone.localdate(follow_up.at)
    return follow_up


def due_list(user, day: datetime.date) -> list[Due]:
    """The day's follow-up list: who is due, for what, and what was done (a fixed number
    of queries whatever the ledger's size)."""
    entries = list(
        _entries_open_between(user, day, day)
        .select_related("person__unit", "responsible")
        .order_by("person__unit__code", "person__person_number", "listed_on", "pk")
    )
    due = _due_on(entries, _drawn_by_day(day, day).get(day, set()), day)
    follow_ups = follow_ups_for(user, {"day": day, "current_only": True}).rows.filter(
        key_person__person_id__in=list(due)
    )
    for follow_up in follow_ups:
        due[follow_up.key_person.person_id].follow_ups.append(_with_local_day(follow_up))
    return list(due.values())


# ---- compliance (Go.Data: followed up ÷ due) ----------------------------------------------


@dataclass
class Cell:
    due: int = 0
    followed_up: int = 0

    @property
    def rate(self) -> Decimal | None:
        """Followed up ÷ due, as a percentage to one decimal; None when nobody was due."""
        if not self.due:
            return None
        return (Decimal(100) * self.followed_up / self.due).quantize(Decimal("0.1"))

    def add(self, other: "Cell") -> None:
        self.due += other.due
        self.followed_up += other.followed_up


@dataclass
class ComplianceTable:
    days: list[datetime.date]
    units: list[Unit]
    cells: dict[int, list[Cell]]  # unit id -> a cell per day
    school: list[Cell]  # a cell per day, all units
    unit_totals: dict[int, Cell]
    total: Cell

    def rows(self):
        """(unit, [cells], total) for each unit, in the units' order."""
        for unit in self.units:
            yield unit, self.cells[unit.pk], self.unit_totals[unit.pk]


def days_between(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    return [start + datetime.timedelta(days=n) for n in range((end - start).days + 1)]


def compliance_range(
    start: datetime.date | None, end: datetime.date | None
) -> tuple[datetime.date, datetime.date]:
    """The range asked for (the seven days up to `end`, today by default), or the field
    errors of one that is upside down or too long."""
    end = end or timezone.localdate()
    if start is None:
        try:
            start = end - datetime.timedelta(days=6)
        except OverflowError:
            start = datetime.date.min
    if start > end:
        raise ValidationError({"start": _("The range starts after it ends.")})
    if (end - start).days >= MAX_COMPLIANCE_DAYS:
        raise ValidationError(
            {"start": _("Show at most %(days)d days at a time.") % {"days": MAX_COMPLIANCE_DAYS}}
        )
    return start, end


def compliance(user, start: datetime.date, end: datetime.date) -> ComplianceTable:
    """Per unit and day, and school-wide: persons due that day, and those of them with at
    least one follow-up for that day made that day (any outcome: a call that did not
    reach the person was still made). A fixed number of queries for any range."""
    days = days_between(start, end)
    entries = list(
        _entries_open_between(user, start, end)
        .select_related("person")
        .only(
            "person_id",
            "person__unit_id",
            "listed_on",
            "cleared_on",
            "monitoring_until",
            "follow_up_every",
            "follow_up_kind",
        )
        .order_by("listed_on", "pk")
    )
    drawn = _drawn_by_day(start, end)
    done: set[tuple[int, datetime.date]] = set()
    follow_ups = (
        scoping.follow_ups_visible_to(user)
        .filter(due_on__range=(start, end), superseded_by__isnull=True)
        .values_list("key_person__person_id", "due_on", "at")
    )
    for person_id, due_on, at in follow_ups:
        if timezone.localdate(at) == due_on:
            done.add((person_id, due_on))
    units = list(core_scoping.units_visible_to(user).order_by("code"))
    cells = {unit.pk: [Cell() for _day in days] for unit in units}
    school = [Cell() for _day in days]
    for index, day in enumerate(days):
        for person_id, row in _due_on(entries, drawn.get(day, set()), day).items():
            unit_cells = cells.get(row.person.unit_id)
            if unit_cells is None:  # a unit the user does not see (cannot happen for a scoped
                continue  # ledger, but a person may have moved to an inactive unit)
            hit = (person_id, day) in done
            for cell in (unit_cells[index], school[index]):
                cell.due += 1
                cell.followed_up += hit
    unit_totals = {}
    for unit in units:
        total = Cell()
        for cell in cells[unit.pk]:
            total.add(cell)
        unit_totals[unit.pk] = total
    total = Cell()
    for cell in school:
        total.add(cell)
    return ComplianceTable(days, units, cells, school, unit_totals, total)


# ---- medical isolation --------------------------------------------------------------------
# Counted in person-times (人次): a case is one person-time, however long it lasts, and a
# person isolated twice counts twice.


def isolation_counts_by_unit(day: datetime.date) -> dict[int, int]:
    """For each unit id, how many of its people were under isolation on `day` (started by
    then, not ended by then), in one query. School-wide: callers scope it themselves."""
    rows = (
        IsolationCase.objects.open_on(day)
        .order_by()
        .values("person__unit_id")
        .annotate(people=Count("person", distinct=True))
        .values_list("person__unit_id", "people")
    )
    return dict(rows)


def is_under_isolation(person_id: int, day: datetime.date | None = None) -> bool:
    """Whether the person is under isolation on `day` (today by default)."""
    day = day or timezone.localdate()
    return IsolationCase.objects.open_on(day).filter(person_id=person_id).exists()


def health_flags(person_id: int, day: datetime.date) -> tuple[bool, bool]:
    """(under medical isolation on `day`, an open fever flag): an open fever incident about
    the person, or their check-in of `day` at or above the fever threshold (reporting's).
    The gate asks it for every person who passes: one statement, written out by hand, as
    the ORM took longer to build it than the database to answer it."""
    fever_checkin, params = reporting_selectors.fever_checkin_sql()
    people = Incident.people.through._meta.db_table
    sql = f"""
        SELECT
          EXISTS (SELECT 1 FROM {IsolationCase._meta.db_table} c
                  WHERE c.person_id = %(person)s AND c.start_date <= %(day)s
                    AND (c.end_date IS NULL OR c.end_date > %(day)s)),
          EXISTS (SELECT 1 FROM {Incident._meta.db_table} i
                  JOIN {people} ip ON ip.incident_id = i.id
                  WHERE ip.person_id = %(person)s AND i.kind = %(fever)s
                    AND i.status <> %(closed)s),
          {fever_checkin}
    """
    params = {
        **params,
        "person": person_id,
        "day": day,
        "fever": Incident.Kind.FEVER.value,
        "closed": Incident.Status.CLOSED.value,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        isolated, fever_incident, fever_checkin = cursor.fetchone()
    return bool(isolated), bool(fever_incident or fever_checkin)


def isolation_policies() -> QuerySet[IsolationPolicy]:
    return IsolationPolicy.objects.select_related("created_by").order_by("-effective_from")


def isolation_rooms(*, active_only: bool = False) -> QuerySet[IsolationRoom]:
    """The rooms, each with `occupancy` (open cases in it now)."""
    rooms = IsolationRoom.objects.select_related("building").with_occupancy()
    if active_only:
        rooms = rooms.filter(is_active=True)
    return rooms.order_by("building__name", "name")


def visible_cases(user) -> QuerySet[IsolationCase]:
    """The cases `user` may see, newest start first."""
    return (
        scoping.isolation_cases_visible_to(user)
        .select_related(
            "person__unit", "household__building", "room__building", "policy", "ended_by"
        )
        .order_by("-start_date", "-pk")
    )


def isolation_cases_for(user, data=None) -> Filtered:
    """The cases `user` may see, newest start first, filtered by `data` (the page's query
    string or the API's query values) through IsolationCaseFilterSet."""
    return filtering.apply(IsolationCaseFilterSet, data, visible_cases(user), user=user)


def cases_started_between(user, start: datetime.date, end: datetime.date) -> QuerySet:
    """The cases started from `start` to `end` (both included): their count is the
    period's person-times of isolation."""
    return visible_cases(user).filter(start_date__gte=start, start_date__lte=end)


def cases_open_on(user, day: datetime.date) -> QuerySet:
    return visible_cases(user).open_on(day)


def person_times_by_place(cases: QuerySet[IsolationCase]) -> list[dict]:
    """Person-times per place kind (every kind, zeros included) and in all, in one query."""
    found = dict(
        cases.order_by().values("place_kind").annotate(n=Count("pk")).values_list("place_kind", "n")
    )
    rows = [
        {"place_kind": value, "label": str(label), "count": found.get(value, 0)}
        for value, label in IsolationCase.PlaceKind.choices
    ]
    return rows


def person_times_by_unit(cases: QuerySet[IsolationCase]) -> list[dict]:
    """Person-times per unit (units with any), in the units' order, in one query."""
    rows = (
        cases.order_by()
        .values(
            "person__unit_id", "person__unit__code", "person__unit__name", "person__unit__name_en"
        )
        .annotate(n=Count("pk"))
        .order_by("person__unit__code")
    )
    result = []
    for row in rows:
        unit = Unit(name=row["person__unit__name"], name_en=row["person__unit__name_en"])
        result.append(
            {"unit_id": row["person__unit_id"], "unit": unit.display_name, "count": row["n"]}
        )
    return result


@dataclass
class IsolationSummary:
    day: datetime.date
    start: datetime.date
    end: datetime.date
    open_by_place: list[dict]
    started_by_place: list[dict]
    open_by_unit: list[dict]
    started_by_unit: list[dict]

    @property
    def open_total(self) -> int:
        return sum(row["count"] for row in self.open_by_place)

    @property
    def started_total(self) -> int:
        return sum(row["count"] for row in self.started_by_place)


def isolation_summary(
    user, day: datetime.date, start: datetime.date, end: datetime.date
) -> IsolationSummary:
    """Under isolation on `day`, and person-times started from `start` to `end`, by place
    kind and by unit, within the user's scope."""
    open_cases = cases_open_on(user, day)
    started = cases_started_between(user, start, end)
    return IsolationSummary(
        day=day,
        start=start,
        end=end,
        open_by_place=person_times_by_place(open_cases),
        started_by_place=person_times_by_place(started),
        open_by_unit=person_times_by_unit(open_cases),
        started_by_unit=person_times_by_unit(started),
    )


def isolation_checks_for(user, data=None) -> Filtered:
    """The temperature checks `user` may see, the latest day first (afternoon before
    morning), filtered by `data` (a case's, a day's, current or fevers only) through
    IsolationCheckFilterSet."""
    checks = (
        scoping.isolation_checks_visible_to(user)
        .select_related("case__person__unit", "by", "supersedes", "superseded_by")
        .order_by("-date", "slot", "-pk")
    )
    return filtering.apply(IsolationCheckFilterSet, data, checks)


@dataclass
class CheckRow:
    """A case open on a day, with its current morning and afternoon checks of that day."""

    case: IsolationCase
    morning: IsolationCheck | None = None
    afternoon: IsolationCheck | None = None

    def check_for(self, slot: str) -> IsolationCheck | None:
        return self.morning if slot == CheckSlot.MORNING else self.afternoon

    @property
    def missing(self) -> list[str]:
        return [slot for slot in CheckSlot.values if self.check_for(slot) is None]

    @property
    def fever(self) -> bool:
        return any(check is not None and check.is_fever for check in (self.morning, self.afternoon))


def check_sheet(user, day: datetime.date) -> list[CheckRow]:
    """Every case open on `day` in the user's scope, with that day's current checks: the
    twice-daily temperature sheet. Two queries whatever the number of cases."""
    cases = cases_open_on(user, day).order_by("person__unit__code", "person__person_number")
    rows = {case.pk: CheckRow(case) for case in cases}
    checks = IsolationCheck.objects.current().filter(date=day, case_id__in=list(rows))
    for check in checks.select_related("by"):
        row = rows[check.case_id]
        if check.slot == CheckSlot.MORNING:
            row.morning = check
        else:
            row.afternoon = check
    return list(rows.values())


def checks_due(user, day: datetime.date, slot: str) -> list[CheckRow]:
    """The cases open on `day` still missing their check for `slot`."""
    return [row for row in check_sheet(user, day) if row.check_for(slot) is None]


# ---- incidents ----------------------------------------------------------------------------


def visible_incidents(user) -> QuerySet[Incident]:
    """The incidents `user` may see, the latest first."""
    return (
        scoping.incidents_visible_to(user)
        .select_related("area", "reported_by", "cdc_notified_by", "closed_by")
        .order_by("-occurred_at", "-pk")
    )


def incidents_for(user, data=None) -> Filtered:
    """The incidents `user` may see, the latest first, filtered by `data` (the page's query
    string or the API's query values) through IncidentFilterSet."""
    return filtering.apply(IncidentFilterSet, data, visible_incidents(user))


def incident_counts(incidents: QuerySet[Incident]) -> list[dict]:
    """Incidents per kind, with how many are closed, in one query."""
    found = {
        row["kind"]: row
        for row in incidents.order_by()
        .values("kind")
        .annotate(
            total=Count("pk", distinct=True),
            closed=Count("pk", filter=Q(status=Incident.Status.CLOSED), distinct=True),
        )
    }
    return [
        {
            "kind": value,
            "label": str(label),
            "total": found.get(value, {}).get("total", 0),
            "closed": found.get(value, {}).get("closed", 0),
        }
        for value, label in Incident.Kind.choices
    ]


def incident_timeline(incident: Incident) -> QuerySet[IncidentAction]:
    return incident.actions.select_related("by").order_by("at", "pk")
