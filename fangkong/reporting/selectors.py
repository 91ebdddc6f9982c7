"""Reads of the check-ins and the unit daily reports, shared by the pages, the API, the
exports and the briefings."""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fangkong.core import filtering, periods
from fangkong.core import scoping as core_scoping
from fangkong.core.filtering import Filtered
from fangkong.core.models import Person, Unit
from fangkong.core.temperature import DEFAULT_FEVER_THRESHOLD
from fangkong.reporting import figures, scoping
from fangkong.reporting.filtersets import (
    CheckinFilterSet,
    ReportFieldFilterSet,
    UnitReportFilterSet,
    ValidationRuleFilterSet,
)
from fangkong.reporting.models import (
    HealthCheckin,
    ReportEvent,
    ReportField,
    ReportingPolicy,
    ReportValue,
    UnitReport,
    ValidationRule,
)
from fangkong.reporting.services import active_rules, check_rules, current_values

CHECKIN_ORDER = ("person__unit__code", "person__person_number", "entered_at")


def checkins_for(user, data=None) -> Filtered:
    """The check-ins `user` may see of one day (today unless `data` chooses another),
    current ones only unless every version is asked for, by unit and person number,
    filtered by `data` (the day page's query string or the API's query values) through
    CheckinFilterSet. Its filterset tells the day and the unit shown."""
    checkins = (
        scoping.checkins_visible_to(user)
        .select_related("person__unit", "entered_by")
        .order_by(*CHECKIN_ORDER)
    )
    return filtering.apply(CheckinFilterSet, data, checkins, user=user)


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
    return checkins.select_related("person__unit", "entered_by").order_by(*CHECKIN_ORDER)


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


# ---- unit daily reports -------------------------------------------------------------------

# The longest period a completeness table covers (a term and a half).
MAX_COMPLETENESS_DAYS = 200


def reports_for(user, data=None) -> Filtered:
    """The units' daily reports `user` may see (the office, the leader and the medic:
    every unit's; an officer: their own unit's), newest day first, filtered by `data` (the
    API's query values, or the workbook's period) through UnitReportFilterSet."""
    reports = (
        scoping.reports_visible_to(user)
        .select_related("unit", "submitted_by", "approved_by")
        .order_by("-date", "unit__code")
    )
    return filtering.apply(UnitReportFilterSet, data, reports)


def report_fields_for(user, data=None) -> Filtered:
    """The report's figures for anyone who sees the reports, those in use first, in the
    form's order, filtered by `data` (the definition page's query string or the API's
    query values) through ReportFieldFilterSet."""
    scoping.require_reports_reader(user)
    fields = ReportField.objects.order_by("-is_active", "order", "code")
    return filtering.apply(ReportFieldFilterSet, data, fields)


def validation_rules_for(user, data=None) -> Filtered:
    """The rules between the figures for anyone who sees the reports, those in use first,
    by their left figure's order, filtered by `data` through ValidationRuleFilterSet."""
    scoping.require_reports_reader(user)
    rules = ValidationRule.objects.select_related("left", "right").order_by(
        "-is_active", "left__order", "pk"
    )
    return filtering.apply(ValidationRuleFilterSet, data, rules)


def expected_units(user) -> QuerySet[Unit]:
    """The units `user` may see that are expected to report every day."""
    units = Unit.objects.filter(is_active=True, reports_daily=True).order_by("code")
    if scoping.sees_all_reports(user):
        return units
    if user.has_role("officer") and user.unit_id:
        return units.filter(pk=user.unit_id)
    return units.none()


def latest_report_day(user, before: datetime.date) -> datetime.date | None:
    """The last day before `before` with a submitted or approved report of a unit `user`
    sees: where to send a reader whose period has none."""
    return (
        UnitReport.objects.filter(
            unit__in=expected_units(user),
            date__lt=before,
            status__in=[UnitReport.Status.SUBMITTED, UnitReport.Status.APPROVED],
        )
        .order_by()
        .aggregate(last=Max("date"))["last"]
    )


def units_not_reported(user, day: datetime.date) -> list[Unit]:
    """Expected units with no submitted or approved report for `day` (a draft or a
    returned report is not reported yet)."""
    reported = UnitReport.objects.filter(
        unit=OuterRef("pk"),
        date=day,
        status__in=[UnitReport.Status.SUBMITTED, UnitReport.Status.APPROVED],
    )
    return list(expected_units(user).exclude(Exists(reported)))


def rate(part: int, whole: int) -> Decimal | None:
    """A percentage to one decimal place, as DHIS2 shows it; None when nothing is expected."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class Tally:
    """DHIS2's reporting rates: actual ÷ expected and on time ÷ expected."""

    expected: int = 0
    reported: int = 0
    on_time: int = 0
    approved: int = 0

    @property
    def reporting_rate(self) -> Decimal | None:
        return rate(self.reported, self.expected)

    @property
    def timely_rate(self) -> Decimal | None:
        return rate(self.on_time, self.expected)

    @property
    def approval_rate(self) -> Decimal | None:
        return rate(self.approved, self.expected)

    def count(self, cell: "CompletenessCell") -> None:
        self.expected += 1
        self.reported += cell.reported
        self.on_time += cell.on_time
        self.approved += cell.approved


@dataclass
class CompletenessCell:
    status: str = ""
    on_time: bool = False
    checked_in: int = 0
    headcount: int = 0

    @property
    def reported(self) -> bool:
        return self.status in (UnitReport.Status.SUBMITTED, UnitReport.Status.APPROVED)

    @property
    def approved(self) -> bool:
        return self.status == UnitReport.Status.APPROVED

    @property
    def checkin_rate(self) -> Decimal | None:
        return rate(self.checked_in, self.headcount)

    @property
    def status_label(self) -> str:
        if not self.status:
            return ""
        return str(UnitReport.Status(self.status).label)


@dataclass
class CompletenessRow:
    unit: Unit
    cells: list[CompletenessCell]
    tally: Tally


@dataclass
class CompletenessTable:
    start: datetime.date
    end: datetime.date
    days: list[datetime.date]
    rows: list[CompletenessRow]
    day_tallies: list[Tally]
    total: Tally


def period_problem(start, end) -> str | None:
    """Why (start, end) is not a period the completeness table can cover, or None."""
    return periods.period_problem(start, end, MAX_COMPLETENESS_DAYS)


def completeness(user, start: datetime.date, end: datetime.date) -> CompletenessTable:
    """Units × days: the report's state and timeliness, and the share of the unit's people
    who checked in. Four queries, whatever the period (the caller bounds it)."""
    days = [start + datetime.timedelta(days=n) for n in range((end - start).days + 1)]
    units = list(expected_units(user))
    unit_ids = [unit.pk for unit in units]
    reports = {
        (unit_id, day): (status, bool(on_time))
        for unit_id, day, status, on_time in UnitReport.objects.filter(
            unit_id__in=unit_ids, date__gte=start, date__lte=end
        ).values_list("unit_id", "date", "status", "on_time")
    }
    heads = figures.headcounts(unit_ids)
    checkins = figures.checkin_figures(start, end, unit_ids)
    rows = []
    day_tallies = [Tally() for _day in days]
    total = Tally()
    for unit in units:
        tally = Tally()
        cells = []
        for index, day in enumerate(days):
            status, on_time = reports.get((unit.pk, day), ("", False))
            cell = CompletenessCell(
                status=status,
                on_time=on_time and status in (UnitReport.Status.SUBMITTED, "approved"),
                checked_in=checkins.get((unit.pk, day), {}).get(ReportField.Source.CHECKED_IN, 0),
                headcount=heads.get(unit.pk, 0),
            )
            cells.append(cell)
            tally.count(cell)
            day_tallies[index].count(cell)
            total.count(cell)
        rows.append(CompletenessRow(unit, cells, tally))
    return CompletenessTable(start, end, days, rows, day_tallies, total)


def fever_threshold() -> Decimal:
    """The temperature at or above which the office counts a fever (the reporting
    policy's), for the apps that measure temperatures too."""
    return ReportingPolicy.current().fever_threshold


def fever_checkin_sql() -> tuple[str, dict]:
    """(an SQL condition, its parameters): whether person %(person)s has a current
    check-in on %(day)s at or above the office's fever threshold (read in the statement, the
    default where the policy row is missing). For a caller asking it inside a statement of
    its own, which supplies `person` and `day`: the gate's health question, asked for every
    person who passes, in one query (see watch.selectors.health_flags)."""
    sql = f"""EXISTS (SELECT 1 FROM {HealthCheckin._meta.db_table} h
                  WHERE h.person_id = %(person)s AND h.date = %(day)s
                    AND h.superseded_at IS NULL
                    AND h.temperature >= COALESCE(
                      (SELECT p.fever_threshold FROM {ReportingPolicy._meta.db_table} p
                       WHERE p.id = %(reporting_policy)s), %(reporting_default_fever)s))"""
    return sql, {
        "reporting_policy": ReportingPolicy.SINGLETON_PK,
        "reporting_default_fever": DEFAULT_FEVER_THRESHOLD,
    }


# ---- one report: its figures beside the ledgers, and its history ---------------------------


@dataclass
class ReconciledFigure:
    """A reported figure beside what the records say for the unit and day."""

    field: ReportField
    value: ReportValue | None
    ledger: int | None
    versions: list[ReportValue] = field(default_factory=list)

    @property
    def difference(self) -> int | None:
        if self.value is None or self.ledger is None:
            return None
        return self.value.value - self.ledger

    @property
    def differs(self) -> bool:
        return bool(self.difference)


def reconciliation(report: UnitReport) -> list[ReconciledFigure]:
    """Every active figure of `report`: the current value, every earlier version (who gave
    it, the office's corrections with their reasons) and, for a figure computed from the
    records, what they say now."""
    ledger = figures.unit_figures(report.unit_id, report.date)
    versions: dict[int, list[ReportValue]] = {}
    for value in report.values.select_related("given_by").order_by("given_at", "pk"):
        versions.setdefault(value.field_id, []).append(value)
    rows = []
    for report_field in ReportField.objects.filter(is_active=True).order_by("order", "code"):
        history = versions.get(report_field.pk, [])
        current = next((item for item in history if item.superseded_at is None), None)
        rows.append(
            ReconciledFigure(
                field=report_field,
                value=current,
                ledger=ledger.get(report_field.source) if report_field.is_computed else None,
                versions=history,
            )
        )
    return rows


def report_rule_results(report: UnitReport):
    values = {field_id: item.value for field_id, item in current_values(report).items()}
    return check_rules(values)


def report_events(report: UnitReport) -> QuerySet[ReportEvent]:
    return report.events.select_related("by").order_by("at", "pk")


# ---- the consolidated daily table (汇总表) --------------------------------------------------


@dataclass
class ConsolidatedRow:
    number: int
    unit: Unit
    report: UnitReport | None
    values: list[int | None]
    checked_in: int
    headcount: int
    flagged: int
    problems: list[str]

    @property
    def abnormal(self) -> bool:
        return bool(self.problems)


@dataclass
class ConsolidatedTable:
    day: datetime.date
    fields: list[ReportField]
    rows: list[ConsolidatedRow]
    totals: list[int]
    checked_in: int
    headcount: int
    flagged: int
    tally: Tally


def consolidated(user, day: datetime.date) -> ConsolidatedTable:
    """The school's table for `day`: one row per expected unit, its current figures, the
    day's check-ins and what needs the office's eye (no report, late, a failing rule, a
    figure that differs from the records, flagged check-ins). A fixed number of queries."""
    units = list(expected_units(user))
    unit_ids = [unit.pk for unit in units]
    report_fields = list(ReportField.objects.filter(is_active=True).order_by("order", "code"))
    rules = active_rules()
    reports = {
        report.unit_id: report
        for report in UnitReport.objects.filter(unit_id__in=unit_ids, date=day)
    }
    values: dict[int, dict[int, int]] = {}
    for report_id, field_id, value in ReportValue.objects.filter(
        report__in=list(reports.values()), superseded_at__isnull=True
    ).values_list("report_id", "field_id", "value"):
        values.setdefault(report_id, {})[field_id] = value
    ledger = figures.ledger_figures(day, unit_ids)
    rows = []
    totals = [0] * len(report_fields)
    tally = Tally()
    for number, unit in enumerate(units, start=1):
        report = reports.get(unit.pk)
        given = values.get(report.pk, {}) if report else {}
        unit_ledger = ledger.get(unit.pk, {})
        problems = []
        if report is None or not report.is_reported:
            problems.append(_("not reported"))
        elif not report.on_time:
            problems.append(_("late"))
        for result in check_rules(given, rules) if given else []:
            if result.fails:
                problems.append(result.rule.display_message)
        row_values = []
        for index, report_field in enumerate(report_fields):
            value = given.get(report_field.pk)
            row_values.append(value)
            if value is not None:
                totals[index] += value
                if report_field.is_computed and value != unit_ledger.get(report_field.source, 0):
                    problems.append(
                        _("%(field)s differs from the records")
                        % {"field": report_field.display_label}
                    )
        flagged = unit_ledger.get(ReportField.Source.FLAGGED, 0)
        if flagged:
            problems.append(
                ngettext("%(count)d flagged check-in", "%(count)d flagged check-ins", flagged)
                % {"count": flagged}
            )
        cell = CompletenessCell(
            status=report.status if report else "",
            on_time=bool(report and report.on_time and report.is_reported),
        )
        tally.count(cell)
        rows.append(
            ConsolidatedRow(
                number=number,
                unit=unit,
                report=report,
                values=row_values,
                checked_in=unit_ledger.get(ReportField.Source.CHECKED_IN, 0),
                headcount=unit_ledger.get(ReportField.Source.HEADCOUNT, 0),
                flagged=flagged,
                problems=problems,
            )
        )
    return ConsolidatedTable(
        day=day,
        fields=report_fields,
        rows=rows,
        totals=totals,
        checked_in=sum(row.checked_in for row in rows),
        headcount=sum(row.headcount for row in rows),
        flagged=sum(row.flagged for row in rows),
        tally=tally,
    )
