"""Reads of gate access for the pages, the API and the reports: the policies and their
history, and the five reports of the office (passes issued by type, crossings per gate per
hour, refusals by reason, who is out of a family area now, households that used their
quota). Each report is one or two set-based queries, whatever the number of rows."""

import dataclasses
import datetime
from collections import defaultdict

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import ExtractHour
from django.utils import timezone

from fangkong.access import scoping
from fangkong.access.filtersets import PassFilterSet
from fangkong.access.models import AccessPolicy, Crossing, Gate, Pass, PassType
from fangkong.core import filtering
from fangkong.core.filtering import Filtered
from fangkong.core.models import Area

HOURS = range(24)


def passes_for(user, data=None) -> Filtered:
    """The passes the user may see (the office, guards and leaders: all; an officer: their
    unit's people's; a member: their own), newest application first, filtered by `data`
    (the page's query string or the API's query values) through PassFilterSet."""
    passes = (
        scoping.passes_visible_to(user)
        .select_related("holder__unit", "pass_type")
        .prefetch_related("areas")
        .order_by("-applied_at", "-pk")
    )
    return filtering.apply(PassFilterSet, data, passes)


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def local_span(start: datetime.date, end: datetime.date) -> tuple:
    """[first moment, moment after) of the local days start..end."""
    try:
        after = end + datetime.timedelta(days=1)
    except OverflowError:
        after = end
    return _day_start(start), _day_start(after)


# ---- policies ----------------------------------------------------------------------------


@dataclasses.dataclass
class AreaPolicies:
    area: Area
    in_force: AccessPolicy | None
    history: list  # every policy of the area, newest first
    gates: list


def area_policies(user, at: datetime.datetime | None = None) -> list[AreaPolicies]:
    """Each area with its policy in force at `at`, its whole dated history and its gates —
    three queries whatever the number of areas."""
    scoping.require_office(user)
    at = at or timezone.now()
    history = defaultdict(list)
    for policy in AccessPolicy.objects.select_related("created_by").order_by(
        "area_id", "-effective_from"
    ):
        history[policy.area_id].append(policy)
    gates = defaultdict(list)
    for gate in Gate.objects.order_by("code"):
        gates[gate.area_id].append(gate)
    rows = []
    for area in Area.objects.select_related("campus").order_by("campus__code", "name"):
        policies = history[area.pk]
        in_force = next((p for p in policies if p.effective_from <= at), None)
        rows.append(AreaPolicies(area, in_force, policies, gates[area.pk]))
    return rows


# ---- passes issued by type ---------------------------------------------------------------

ISSUED = (Pass.Status.APPROVED, Pass.Status.REVOKED)


@dataclasses.dataclass
class PassTypeCount:
    pass_type: PassType
    issued: int
    at_desk: int


@dataclasses.dataclass
class PassesReport:
    start: datetime.date
    end: datetime.date
    rows: list[PassTypeCount]
    total: int
    at_desk: int


def passes_by_type(user, start: datetime.date, end: datetime.date) -> PassesReport:
    """Passes issued (approved — revoked later or not) by the local day of the decision in
    start..end, by pass type; types with none are listed too."""
    scoping.require_report_reader(user)
    first, after = local_span(start, end)
    counts = {
        row["pass_type_id"]: row
        for row in Pass.objects.filter(
            decided_at__gte=first, decided_at__lt=after, status__in=ISSUED
        )
        .values("pass_type_id")
        .annotate(issued=Count("pk"), at_desk=Count("pk", filter=Q(issued_at_desk=True)))
        .order_by()
    }
    rows = []
    for pass_type in PassType.objects.order_by("order", "code"):
        row = counts.get(pass_type.pk, {})
        if row or pass_type.is_active:
            rows.append(PassTypeCount(pass_type, row.get("issued", 0), row.get("at_desk", 0)))
    return PassesReport(
        start=start,
        end=end,
        rows=rows,
        total=sum(r.issued for r in rows),
        at_desk=sum(r.at_desk for r in rows),
    )


# ---- crossings per gate per hour ---------------------------------------------------------


@dataclasses.dataclass
class HourCell:
    allowed: int = 0
    refused: int = 0

    @property
    def total(self) -> int:
        return self.allowed + self.refused


@dataclasses.dataclass
class GateHours:
    gate: Gate
    hours: list[HourCell]
    total: HourCell


@dataclasses.dataclass
class CrossingsReport:
    day: datetime.date
    rows: list[GateHours]
    hours: list[HourCell]  # all gates, each hour
    total: HourCell


def crossings_by_hour(user, day: datetime.date) -> CrossingsReport:
    """Crossings on a local day, gate × hour (0–23), let through and refused. Gates with no
    crossing that day are listed if they are active."""
    scoping.require_report_reader(user)
    first, after = local_span(day, day)
    gates = list(Gate.objects.select_related("area__campus").order_by("area__campus__code", "code"))
    found = (
        # Naming the gates lets the (gate, at) index serve the range.
        Crossing.objects.filter(gate_id__in=[g.pk for g in gates], at__gte=first, at__lt=after)
        .annotate(hour=ExtractHour("at", tzinfo=timezone.get_current_timezone()))
        .values("gate_id", "hour", "allowed")
        .annotate(n=Count("pk"))
        .order_by()
    )
    cells: dict[int, list[HourCell]] = {}
    for row in found:
        hours = cells.setdefault(row["gate_id"], [HourCell() for _ in HOURS])
        cell = hours[row["hour"]]
        if row["allowed"]:
            cell.allowed += row["n"]
        else:
            cell.refused += row["n"]
    rows = []
    all_hours = [HourCell() for _ in HOURS]
    for gate in gates:
        if gate.pk not in cells and not gate.is_active:
            continue
        hours = cells.get(gate.pk) or [HourCell() for _ in HOURS]
        total = HourCell(sum(c.allowed for c in hours), sum(c.refused for c in hours))
        for hour, cell in zip(all_hours, hours, strict=True):
            hour.allowed += cell.allowed
            hour.refused += cell.refused
        rows.append(GateHours(gate, hours, total))
    grand = HourCell(sum(c.allowed for c in all_hours), sum(c.refused for c in all_hours))
    return CrossingsReport(day=day, rows=rows, hours=all_hours, total=grand)


# ---- refusals by reason ------------------------------------------------------------------


@dataclasses.dataclass
class ReasonCount:
    reason: str
    label: str
    count: int


@dataclasses.dataclass
class RefusalsReport:
    start: datetime.date
    end: datetime.date
    rows: list[ReasonCount]
    total: int


def refusals_by_reason(user, start: datetime.date, end: datetime.date) -> RefusalsReport:
    """Crossings refused in start..end (local days), by reason, the most frequent first."""
    scoping.require_report_reader(user)
    first, after = local_span(start, end)
    gate_ids = list(Gate.objects.values_list("pk", flat=True))
    found = (
        Crossing.objects.filter(gate_id__in=gate_ids, at__gte=first, at__lt=after, allowed=False)
        .values("reason")
        .annotate(n=Count("pk"))
        .order_by()
    )
    rows = [
        ReasonCount(row["reason"], str(Crossing.Reason(row["reason"]).label), row["n"])
        for row in found
    ]
    rows.sort(key=lambda r: (-r.count, r.reason))
    return RefusalsReport(start=start, end=end, rows=rows, total=sum(r.count for r in rows))


# ---- who is out of a family area now -----------------------------------------------------


@dataclasses.dataclass
class OutPerson:
    person: object
    household: object
    since: datetime.datetime
    gate: Gate
    back_by: datetime.datetime | None
    overdue: bool


@dataclasses.dataclass
class OutArea:
    area: Area
    policy: AccessPolicy
    people: list[OutPerson]


def back_by(policy: AccessPolicy, since: datetime.datetime) -> datetime.datetime | None:
    """The first moment at the policy's back-by time after `since`, or None without one."""
    if policy.return_by is None:
        return None
    local = timezone.localtime(since)
    deadline = timezone.make_aware(datetime.datetime.combine(local.date(), policy.return_by))
    if deadline <= since:
        deadline = timezone.make_aware(
            datetime.datetime.combine(local.date() + datetime.timedelta(days=1), policy.return_by)
        )
    return deadline


def quota_areas(at: datetime.datetime) -> list[tuple[Area, AccessPolicy]]:
    """The areas under a household quota at `at`, with that policy (one query)."""
    latest = (
        AccessPolicy.objects.filter(area_id=OuterRef("area_id"), effective_from__lte=at)
        .order_by("-effective_from")
        .values("pk")[:1]
    )
    policies = (
        AccessPolicy.objects.filter(pk=Subquery(latest), kind=AccessPolicy.Kind.QUOTA)
        .select_related("area__campus")
        .order_by("area__campus__code", "area__name")
    )
    return [(policy.area, policy) for policy in policies]


def out_now(user, at: datetime.datetime | None = None) -> list[OutArea]:
    """For each area under a household quota: its residents whose last crossing let through
    at the area's gates (up to `at`) is an exit — since when, from which household, and
    overdue when the policy has a back-by time that has passed. One query for the areas,
    one for the people."""
    scoping.require_report_reader(user)
    at = at or timezone.now()
    areas = quota_areas(at)
    if not areas:
        return []
    last = (
        Crossing.objects.filter(
            person_id=OuterRef("person_id"),
            allowed=True,
            gate__area_id=OuterRef("gate__area_id"),
            at__lte=at,
        )
        .order_by("-at", "-pk")
        .values("pk")[:1]
    )
    exits = (
        Crossing.objects.filter(
            gate__area_id__in=[area.pk for area, _policy in areas],
            allowed=True,
            direction=Crossing.Direction.OUT,
            at__lte=at,
            person__isnull=False,
            person__household__area_id=F("gate__area_id"),
        )
        .filter(pk=Subquery(last))
        .select_related("person__household__building", "gate")
        .order_by("at", "pk")
    )
    by_area = defaultdict(list)
    policies = {area.pk: policy for area, policy in areas}
    for crossing in exits:
        policy = policies[crossing.gate.area_id]
        deadline = back_by(policy, crossing.at)
        by_area[crossing.gate.area_id].append(
            OutPerson(
                person=crossing.person,
                household=crossing.person.household,
                since=crossing.at,
                gate=crossing.gate,
                back_by=deadline,
                overdue=deadline is not None and deadline < at,
            )
        )
    return [OutArea(area, policy, by_area[area.pk]) for area, policy in areas]


# ---- households that used their quota on a day -------------------------------------------


@dataclasses.dataclass
class QuotaExit:
    person: object
    at: datetime.datetime
    gate: Gate


@dataclasses.dataclass
class QuotaHousehold:
    household: object
    area: Area
    exits: list[QuotaExit]


@dataclasses.dataclass
class QuotaReport:
    day: datetime.date
    households: list[QuotaHousehold]

    @property
    def exits(self) -> int:
        return sum(len(h.exits) for h in self.households)


def quota_used(user, day: datetime.date) -> QuotaReport:
    """Households whose members went out on their quota on a local day: who went out, when
    and where. One query."""
    scoping.require_report_reader(user)
    first, after = local_span(day, day)
    gate_ids = list(Gate.objects.values_list("pk", flat=True))
    crossings = (
        Crossing.objects.filter(
            gate_id__in=gate_ids, counts_quota=True, at__gte=first, at__lt=after
        )
        .select_related("household__building", "household__area", "person", "gate")
        .order_by("household__area_id", "household_id", "at", "pk")
    )
    households: dict[int, QuotaHousehold] = {}
    for crossing in crossings:
        entry = households.get(crossing.household_id)
        if entry is None:
            entry = households[crossing.household_id] = QuotaHousehold(
                crossing.household, crossing.household.area, []
            )
        entry.exits.append(QuotaExit(crossing.person, crossing.at, crossing.gate))
    rows = sorted(households.values(), key=lambda h: (h.exits[0].at, h.household.pk))
    return QuotaReport(day=day, households=rows)
