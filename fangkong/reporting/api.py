"""Check-ins over HTTP: /api/v1/reporting/… — same scoping, services and validation as the pages."""

import datetime
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import WithJsonSchema, field_validator

from fangkong.apischema import (
    FilterSchema,
    Id,
    InSchema,
    Pagination,
    api_enum,
    error_responses,
    id_path,
)
from fangkong.core import filtering
from fangkong.core import scoping as core_scoping
from fangkong.core.models import Unit
from fangkong.reporting import scoping, selectors, services
from fangkong.reporting.models import (
    HealthCheckin,
    ReportEvent,
    ReportField,
    ReportingPolicy,
    ReportValue,
    RulePriority,
    Symptom,
    UnitReport,
    ValidationRule,
)

router = Router(tags=["reporting"])


CheckinSymptom = api_enum("CheckinSymptom", Symptom)
CheckinChannel = api_enum("CheckinChannel", HealthCheckin.Channel)

# Wide enough for any reading, narrow enough for the database: the service says what is
# wrong with a temperature outside 34–43 °C, in the user's language.
Temperature = Field(
    ..., ge=Decimal("-999.9"), le=Decimal("999.9"), allow_inf_nan=False, examples=["36.6"]
)


class CheckinOut(Schema):
    id: int
    person_id: int
    person_number: str = Field(alias="person.person_number")
    person_name: str = Field(alias="person.name")
    unit_id: int = Field(alias="person.unit_id")
    date: datetime.date
    temperature: Decimal
    symptoms: list[CheckinSymptom]
    current_province: str
    current_city: str
    on_campus: bool
    contact_with_region_of_concern: bool
    note: str
    is_abnormal: bool
    is_current: bool
    channel: CheckinChannel
    entered_by: str = Field(alias="entered_by.username")
    entered_at: datetime.datetime
    supersedes_id: int | None
    correction_reason: str
    superseded_at: datetime.datetime | None


class CheckinDetailOut(CheckinOut):
    versions: list[CheckinOut]


class Answers(InSchema):
    temperature: Decimal = Temperature
    symptoms: list[CheckinSymptom] = Field(default_factory=list, max_length=len(Symptom))
    current_province: str = Field(max_length=30)
    current_city: str = Field(max_length=60)
    on_campus: bool
    contact_with_region_of_concern: bool
    note: str = Field("", max_length=200)


class CheckinIn(Answers):
    person_id: Id
    date: datetime.date | None = Field(
        None, description="The local calendar day; today if left out"
    )


class CheckinCorrectionIn(Answers):
    reason: str = Field(min_length=1, max_length=200)


class CheckinFilter(FilterSchema):
    date: datetime.date | None = Field(
        None, description="The local calendar day; today if left out"
    )
    unit: Id | None = None
    abnormal: bool | None = None
    q: str = Field("", max_length=60)
    include_superseded: bool = False


class FlaggedOut(Schema):
    date: datetime.date
    count: int
    items: list[CheckinOut]


class ReportingPolicyOut(Schema):
    # "HH:MM" local time: OpenAPI's "time" format would demand a UTC offset.
    deadline: str = Field(pattern=r"^[0-2][0-9]:[0-5][0-9]$", examples=["10:00"])
    days_open: int
    fever_threshold: Decimal

    @staticmethod
    def resolve_deadline(policy) -> str:
        return policy.deadline.strftime("%H:%M")


def _answers(payload: Answers) -> dict:
    data = payload.dict(include=set(Answers.model_fields))
    data["symptoms"] = [str(symptom) for symptom in data["symptoms"]]
    return data


def _visible(request, checkin_id: int) -> HealthCheckin:
    return core_scoping.get_visible_or_404(
        scoping.checkins_visible_to(request.user).select_related("person", "entered_by"),
        pk=checkin_id,
    )


def _detail(checkin: HealthCheckin, *, first: bool = False) -> HealthCheckin:
    """The check-in with its versions. A day's first check-in, just written, is its only
    version: it is answered from memory rather than read back."""
    if first:
        checkin.versions = [checkin]
        return checkin
    checkin = HealthCheckin.objects.select_related("person", "entered_by").get(pk=checkin.pk)
    versions = HealthCheckin.objects.filter(person_id=checkin.person_id, date=checkin.date)
    checkin.versions = list(versions.select_related("person", "entered_by").order_by("entered_at"))
    return checkin


@router.get("/checkins", response=error_responses(list[CheckinOut]))
@paginate(Pagination)
def list_checkins(request, filters: Query[CheckinFilter]):
    """The check-ins of a day (today by default) the caller may see. The day page's
    filters, through the same selector; an officer's are their own unit's (`unit` is for
    those who see every unit)."""
    return filtering.raise_errors(selectors.checkins_for(request.user, filters.dict()))


@router.post("/checkins", response=error_responses(CheckinDetailOut))
def submit_checkin(request, payload: CheckinIn):
    """A day's check-in. A second one for the same person and day is refused: correct it."""
    person = core_scoping.people_visible_to(request.user).filter(pk=payload.person_id).first()
    if person is None:
        raise ValidationError({"person_id": _("No such person, or not one of yours.")})
    checkin = services.submit_checkin(
        request.user,
        person,
        date=payload.date,
        channel=HealthCheckin.Channel.API,
        **_answers(payload),
    )
    return _detail(checkin, first=True)


@router.get("/checkins/{checkin_id}", response=error_responses(CheckinDetailOut))
def get_checkin(request, checkin_id: int = id_path()):
    """One check-in, with every version of its person's day (superseded ones included)."""
    return _detail(_visible(request, checkin_id))


@router.post("/checkins/{checkin_id}/correct", response=error_responses(CheckinDetailOut))
def correct_checkin(request, payload: CheckinCorrectionIn, checkin_id: int = id_path()):
    """A new version of the check-in that supersedes it; the earlier one is kept."""
    checkin = _visible(request, checkin_id)
    correction = services.correct_checkin(
        request.user,
        checkin,
        reason=payload.reason,
        channel=HealthCheckin.Channel.API,
        **_answers(payload),
    )
    return _detail(correction)


@router.get("/flagged", response=error_responses(FlaggedOut))
def flagged_today(request, unit: Id | None = None):
    """Today's flagged check-ins in the caller's scope, and how many."""
    today = timezone.localdate()
    items = list(selectors.flagged_checkins(request.user, today, unit=unit))
    return {"date": today, "count": len(items), "items": items}


@router.get("/policy", response=error_responses(ReportingPolicyOut))
def get_policy(request):
    """The office's reporting rules: deadline, days a day stays open, fever threshold."""
    return ReportingPolicy.current()


# ---- unit daily reports (单位日报) ----------------------------------------------------------
#
# The same services and selectors as the pages: the API never passes a service its `now`
# (a client cannot choose when it submitted), and a report is fetched only through the
# caller's scope, so an officer asking for another unit's report is told there is none.


ReportFieldSource = api_enum("ReportFieldSource", ReportField.Source)
RuleOperator = api_enum("RuleOperator", ValidationRule.Operator)
RulePriorityEnum = api_enum("RulePriority", RulePriority)
ReportStatus = api_enum("ReportStatus", UnitReport.Status)
ReportValueKind = api_enum("ReportValueKind", ReportValue.Kind)
ReportEventAction = api_enum("ReportEventAction", ReportEvent.Action)

FIELD_CODE_PATTERN = r"^[-a-zA-Z0-9_]{1,30}$"
MAX_FIGURE = 10_000_000
MAX_RULE_CONSTANT = 2**31 - 1  # the database's PositiveIntegerField
# A figure as JSON gives it: the service says what is wrong with anything but a whole
# number of 0 or more, naming the figure's code (pydantic would name "values.<code>").
FigureInput = Annotated[
    Any, WithJsonSchema({"type": "integer", "minimum": 0, "maximum": MAX_FIGURE})
]


def _storable(text: str) -> str:
    if "\x00" in text:
        raise ValueError(str(_("Text may not contain NUL characters.")))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(str(_("Text is not valid Unicode."))) from None
    return text


def _storable_mapping(mapping: dict | None, limit: int = 200) -> dict | None:
    """The keys and text values of a {code: …} body field, checked as InSchema checks text."""
    if mapping is None:
        return None
    if len(mapping) > limit:
        raise ValueError(str(_("Too many figures.")))
    for key, value in mapping.items():
        _storable(key)
        if isinstance(value, str):
            _storable(value)
    return mapping


class ReportFieldOut(Schema):
    id: int
    code: str
    label: str
    label_en: str
    display_label: str
    order: int
    source: ReportFieldSource
    is_computed: bool
    is_active: bool


class ReportFieldIn(InSchema):
    code: str = Field(pattern=FIELD_CODE_PATTERN, examples=["in_region_staff"])
    label: str = Field(min_length=1, max_length=60, description="Chinese label")
    label_en: str = Field(min_length=1, max_length=80, description="English label")
    order: int = Field(0, ge=0, le=32767)
    source: ReportFieldSource = ReportFieldSource.MANUAL
    is_active: bool = True


class ReportFieldPatch(InSchema):
    label: str | None = Field(None, min_length=1, max_length=60)
    label_en: str | None = Field(None, min_length=1, max_length=80)
    order: int | None = Field(None, ge=0, le=32767)
    source: ReportFieldSource | None = None
    is_active: bool | None = None
    reason: str = Field("", max_length=200)


class ReportFieldFilter(FilterSchema):
    active: bool | None = Field(None, description="Only active (true) or inactive (false)")


class RuleOut(Schema):
    id: int
    left: str = Field(alias="left.code")
    left_id: int
    operator: RuleOperator
    right: str | None
    right_id: int | None
    right_constant: int | None
    priority: RulePriorityEnum
    message: str
    message_en: str
    display_message: str
    description: str
    is_active: bool

    @staticmethod
    def resolve_right(rule) -> str | None:
        return rule.right.code if rule.right_id else None

    @staticmethod
    def resolve_description(rule) -> str:
        return rule.describe()


class RuleIn(InSchema):
    left: str = Field(pattern=FIELD_CODE_PATTERN, description="The code of the figure")
    operator: RuleOperator
    right: str | None = Field(
        None, pattern=FIELD_CODE_PATTERN, description="The code of the other figure"
    )
    right_constant: int | None = Field(None, ge=0, le=MAX_RULE_CONSTANT, description="Or a number")
    priority: RulePriorityEnum = RulePriorityEnum.HIGH
    message: str = Field("", max_length=120, description="Chinese message")
    message_en: str = Field("", max_length=160, description="English message")
    is_active: bool = True


class RulePatch(InSchema):
    left: str | None = Field(None, pattern=FIELD_CODE_PATTERN)
    operator: RuleOperator | None = None
    right: str | None = Field(None, pattern=FIELD_CODE_PATTERN)
    right_constant: int | None = Field(None, ge=0, le=MAX_RULE_CONSTANT)
    priority: RulePriorityEnum | None = None
    message: str | None = Field(None, max_length=120)
    message_en: str | None = Field(None, max_length=160)
    is_active: bool | None = None
    reason: str = Field("", max_length=200)


class RuleFilter(FilterSchema):
    active: bool | None = None


class ReportOut(Schema):
    id: int
    unit_id: int
    unit_code: str = Field(alias="unit.code")
    unit_name: str = Field(alias="unit.display_name")
    date: datetime.date
    status: ReportStatus
    is_nil: bool
    note: str
    created_at: datetime.datetime
    created_by_id: int
    first_submitted_at: datetime.datetime | None
    on_time: bool | None
    submitted_at: datetime.datetime | None
    submitted_by: str | None
    approved_at: datetime.datetime | None
    approved_by: str | None

    @staticmethod
    def resolve_submitted_by(report) -> str | None:
        return report.submitted_by.username if report.submitted_by_id else None

    @staticmethod
    def resolve_approved_by(report) -> str | None:
        return report.approved_by.username if report.approved_by_id else None


class ReportValueOut(Schema):
    id: int
    value: int
    kind: ReportValueKind
    given_by: str = Field(alias="given_by.username")
    given_by_id: int
    given_at: datetime.datetime
    computed: int | None
    differs_from_computed: bool
    reason: str
    superseded_at: datetime.datetime | None


class ReportFigureOut(Schema):
    field_id: int
    code: str
    label: str
    source: ReportFieldSource
    is_computed: bool
    current: ReportValueOut | None
    ledger: int | None = Field(description="What Fangkong's records say now (computed figures)")
    difference: int | None = Field(description="The current figure minus the ledger's")
    versions: list[ReportValueOut]


class ReportEventOut(Schema):
    action: ReportEventAction
    comment: str
    by: str = Field(alias="by.username")
    by_id: int
    at: datetime.datetime


class RuleResultOut(Schema):
    rule_id: int
    priority: RulePriorityEnum
    description: str
    message: str
    left: int | None
    right: int | None
    holds: bool | None = Field(description="None while a figure is missing")
    blocks: bool = Field(description="A failing high rule: the report cannot be submitted")


class ReportDetailOut(ReportOut):
    # Read from attributes _report_detail sets (`events` is the model's related manager).
    figures: list[ReportFigureOut] = Field(alias="api_figures")
    events: list[ReportEventOut] = Field(alias="api_events")
    rules: list[RuleResultOut] = Field(alias="api_rules")


class ReportFilter(FilterSchema):
    day: datetime.date | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None
    unit: Id | None = None
    status: ReportStatus | None = None


class ReportIn(InSchema):
    unit: Id
    date: datetime.date | None = Field(
        None, description="The local calendar day; today if left out"
    )
    values: dict[str, FigureInput] = Field(
        default_factory=dict, description="{field code: a whole number, 0 or more}"
    )
    reasons: dict[str, str] = Field(
        default_factory=dict,
        description="{field code: why a figure differs from the records}",
    )
    note: str = Field("", max_length=300)
    submit: bool = False

    @field_validator("values", "reasons")
    @classmethod
    def storable_figures(cls, value):
        return _storable_mapping(value)


class ReportPatch(InSchema):
    values: dict[str, FigureInput] = Field(default_factory=dict)
    reasons: dict[str, str] = Field(default_factory=dict)
    note: str | None = Field(None, max_length=300, description="Unchanged if left out")
    submit: bool = False

    @field_validator("values", "reasons")
    @classmethod
    def storable_figures(cls, value):
        return _storable_mapping(value)


class NilReportIn(InSchema):
    unit: Id
    date: datetime.date | None = Field(None, description="Today if left out")


class ReturnIn(InSchema):
    comment: str = Field(max_length=300)


class FigureCorrectionIn(InSchema):
    field: str = Field(max_length=30, description="The code of the figure")
    value: FigureInput
    reason: str = Field(max_length=200)


class ApproveIn(InSchema):
    comment: str = Field("", max_length=300)


class ReportDayFilter(FilterSchema):
    day: datetime.date | None = Field(None, description="Today if left out")


class PeriodFilter(FilterSchema):
    start: datetime.date | None = Field(None, description="Six days before `end` if left out")
    end: datetime.date | None = Field(None, description="Today if left out")


class UnitRefOut(Schema):
    id: int
    code: str
    name: str = Field(alias="display_name")


class TallyOut(Schema):
    expected: int
    reported: int
    on_time: int
    approved: int
    reporting_rate: float | None = Field(description="Reported ÷ expected, in %")
    timely_rate: float | None = Field(description="On time ÷ expected, in %")


class CompletenessCellOut(Schema):
    status: ReportStatus | None = Field(description="None: no report at all")
    on_time: bool
    checked_in: int
    headcount: int


class CompletenessUnitOut(Schema):
    unit: UnitRefOut
    cells: list[CompletenessCellOut]
    tally: TallyOut


class CompletenessOut(Schema):
    start: datetime.date
    end: datetime.date
    days: list[datetime.date]
    units: list[CompletenessUnitOut]
    day_tallies: list[TallyOut]
    total: TallyOut


class ConsolidatedFieldOut(Schema):
    id: int
    code: str
    label: str


class ConsolidatedRowOut(Schema):
    number: int
    unit: UnitRefOut
    report_id: int | None
    status: ReportStatus | None
    values: dict[str, int | None]
    checked_in: int
    headcount: int
    flagged: int
    problems: list[str]
    abnormal: bool


class ConsolidatedOut(Schema):
    day: datetime.date
    fields: list[ConsolidatedFieldOut]
    rows: list[ConsolidatedRowOut]
    totals: dict[str, int]
    checked_in: int
    headcount: int
    flagged: int
    tally: TallyOut


# ---- helpers ------------------------------------------------------------------------------


def _require_reports(user) -> None:
    if not scoping.sees_reports(user):
        raise PermissionDenied(_("Your role does not give access to the units' daily reports."))


def _report_field(code, name: str) -> ReportField | None:
    if code is None:
        return None
    found = ReportField.objects.filter(code=code).first()
    if found is None:
        raise ValidationError(
            {name: _("There is no figure “%(code)s” in the report.") % {"code": code}}
        )
    return found


def _unit(unit_id: int) -> Unit:
    # Any unit may be named: the service refuses another unit's report with a 403 that
    # says why, rather than pretending the unit does not exist.
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise ValidationError({"unit": _("No such unit: %(id)s.") % {"id": unit_id}})
    return unit


def _visible_report(request, report_id: int) -> UnitReport:
    return core_scoping.get_visible_or_404(
        scoping.reports_visible_to(request.user).select_related("unit"), pk=report_id
    )


def _rate(value) -> float | None:
    return float(value) if value is not None else None


def _tally(tally: selectors.Tally) -> dict:
    return {
        "expected": tally.expected,
        "reported": tally.reported,
        "on_time": tally.on_time,
        "approved": tally.approved,
        "reporting_rate": _rate(tally.reporting_rate),
        "timely_rate": _rate(tally.timely_rate),
    }


def _report_detail(report: UnitReport) -> UnitReport:
    report = UnitReport.objects.select_related(
        "unit", "submitted_by", "approved_by", "created_by"
    ).get(pk=report.pk)
    report.api_figures = [
        {
            "field_id": row.field.pk,
            "code": row.field.code,
            "label": row.field.display_label,
            "source": row.field.source,
            "is_computed": row.field.is_computed,
            "current": row.value,
            "ledger": row.ledger,
            "difference": row.difference,
            "versions": row.versions,
        }
        for row in selectors.reconciliation(report)
    ]
    report.api_events = list(selectors.report_events(report))
    report.api_rules = [
        {
            "rule_id": result.rule.pk,
            "priority": result.rule.priority,
            "description": result.rule.describe(),
            "message": result.rule.display_message,
            "left": result.left,
            "right": result.right,
            "holds": result.holds,
            "blocks": result.fails and result.rule.priority == RulePriority.HIGH,
        }
        for result in selectors.report_rule_results(report)
    ]
    return report


def _day_or_today(day: datetime.date | None) -> datetime.date:
    return day or timezone.localdate()


# ---- report fields and validation rules -----------------------------------------------------


@router.get("/report-fields", response=error_responses(list[ReportFieldOut]))
def list_report_fields(request, filters: Query[ReportFieldFilter]):
    """The figures of the unit daily report, those in use first, in the form's order. The
    definition page's filter, through the same selector."""
    _require_reports(request.user)
    return filtering.raise_errors(selectors.report_fields_for(request.user, filters.dict()))


@router.post("/report-fields", response=error_responses(ReportFieldOut))
def create_report_field(request, payload: ReportFieldIn):
    data = payload.dict()
    data["source"] = str(data["source"])
    return services.create_report_field(request.user, **data)


@router.patch("/report-fields/{field_id}", response=error_responses(ReportFieldOut))
def update_report_field(request, payload: ReportFieldPatch, field_id: int = id_path()):
    """Labels, order, source, whether it is asked; the code never changes."""
    scoping.require_field_keeper(request.user)
    field = core_scoping.get_visible_or_404(ReportField.objects.all(), pk=field_id)
    data = {
        key: value for key, value in payload.dict(exclude_unset=True).items() if value is not None
    }
    reason = data.pop("reason", "")
    if "source" in data:
        data["source"] = str(data["source"])
    return services.update_report_field(request.user, field, reason=reason, **data)


def _rules():
    return ValidationRule.objects.select_related("left", "right").order_by("left__order", "pk")


@router.get("/validation-rules", response=error_responses(list[RuleOut]))
def list_validation_rules(request, filters: Query[RuleFilter]):
    """The rules between the report's figures, those in use first; a failing high one
    blocks submission. The definition page's filter, through the same selector."""
    _require_reports(request.user)
    return filtering.raise_errors(selectors.validation_rules_for(request.user, filters.dict()))


def _rule_data(data: dict) -> dict:
    if "left" in data:
        data["left"] = _report_field(data["left"], "left")
    if "right" in data:
        data["right"] = _report_field(data["right"], "right")
    for key in ("operator", "priority"):
        if data.get(key) is not None:
            data[key] = str(data[key])
    return data


@router.post("/validation-rules", response=error_responses(RuleOut))
def create_validation_rule(request, payload: RuleIn):
    scoping.require_field_keeper(request.user)
    rule = services.create_validation_rule(request.user, **_rule_data(payload.dict()))
    return _rules().get(pk=rule.pk)


@router.patch("/validation-rules/{rule_id}", response=error_responses(RuleOut))
def update_validation_rule(request, payload: RulePatch, rule_id: int = id_path()):
    """Send `right: null` with a `right_constant` to compare with a number instead."""
    scoping.require_field_keeper(request.user)
    rule = core_scoping.get_visible_or_404(_rules(), pk=rule_id)
    data = payload.dict(exclude_unset=True)
    reason = data.pop("reason", "")
    # right and right_constant may be cleared (null) to switch sides; the rest may not.
    data = {
        key: value
        for key, value in data.items()
        if value is not None or key in ("right", "right_constant")
    }
    rule = services.update_validation_rule(request.user, rule, reason=reason, **_rule_data(data))
    return _rules().get(pk=rule.pk)


# ---- reports --------------------------------------------------------------------------------
# The fixed paths come before /reports/{report_id}, which would otherwise take them.


@router.get("/reports", response=error_responses(list[ReportOut]))
@paginate(Pagination)
def list_reports(request, filters: Query[ReportFilter]):
    """The units' daily reports the caller may see, newest day first."""
    _require_reports(request.user)
    return filtering.raise_errors(selectors.reports_for(request.user, filters.dict()))


@router.get("/reports/completeness", response=error_responses(CompletenessOut))
def report_completeness(request, filters: Query[PeriodFilter]):
    """Units × days: each report's state and timeliness, the unit's check-ins, and the
    reporting and timely rates per unit, per day and overall."""
    _require_reports(request.user)
    end = _day_or_today(filters.end)
    start = filters.start
    if start is None:
        week = datetime.timedelta(days=6)
        start = end - week if end > datetime.date.min + week else datetime.date.min
    problem = selectors.period_problem(start, end)
    if problem:
        raise ValidationError({"end" if start > end else "start": problem})
    table = selectors.completeness(request.user, start, end)
    return {
        "start": table.start,
        "end": table.end,
        "days": table.days,
        "units": [
            {
                "unit": row.unit,
                "cells": [
                    {
                        "status": cell.status or None,
                        "on_time": cell.on_time,
                        "checked_in": cell.checked_in,
                        "headcount": cell.headcount,
                    }
                    for cell in row.cells
                ],
                "tally": _tally(row.tally),
            }
            for row in table.rows
        ],
        "day_tallies": [_tally(tally) for tally in table.day_tallies],
        "total": _tally(table.total),
    }


@router.get("/reports/not-reported", response=error_responses(list[UnitRefOut]))
def units_not_reported(request, filters: Query[ReportDayFilter]):
    """The units expected to report that have no submitted or approved report that day."""
    _require_reports(request.user)
    return selectors.units_not_reported(request.user, _day_or_today(filters.day))


@router.get("/reports/consolidated", response=error_responses(ConsolidatedOut))
def consolidated_table(request, filters: Query[ReportDayFilter]):
    """The school's table of the day (汇总表): a row per unit, its figures, check-ins and
    what needs the office's eye; the totals."""
    _require_reports(request.user)
    table = selectors.consolidated(request.user, _day_or_today(filters.day))
    codes = [field.code for field in table.fields]
    return {
        "day": table.day,
        "fields": [
            {"id": field.pk, "code": field.code, "label": field.display_label}
            for field in table.fields
        ],
        "rows": [
            {
                "number": row.number,
                "unit": row.unit,
                "report_id": row.report.pk if row.report else None,
                "status": row.report.status if row.report else None,
                "values": dict(zip(codes, row.values, strict=True)),
                "checked_in": row.checked_in,
                "headcount": row.headcount,
                "flagged": row.flagged,
                "problems": [str(problem) for problem in row.problems],
                "abnormal": row.abnormal,
            }
            for row in table.rows
        ],
        "totals": dict(zip(codes, table.totals, strict=True)),
        "checked_in": table.checked_in,
        "headcount": table.headcount,
        "flagged": table.flagged,
        "tally": _tally(table.tally),
    }


@router.post("/reports/nil", response=error_responses(ReportDetailOut))
def submit_nil_report(request, payload: NilReportIn):
    """ "Nothing to report" in one call: the officer's figures 0, the computed ones as the
    records say; submitted at once."""
    report = services.submit_nil_report(
        request.user, _unit(payload.unit), _day_or_today(payload.date)
    )
    return _report_detail(report)


@router.post("/reports", response=error_responses(ReportDetailOut))
def create_report(request, payload: ReportIn):
    """A unit's report for a day, saved as a draft or submitted (`submit`). A second report
    for the same unit and day is refused: update the first."""
    report = services.create_report(
        request.user,
        _unit(payload.unit),
        _day_or_today(payload.date),
        values=payload.values,
        reasons=payload.reasons,
        note=payload.note,
        submit=payload.submit,
    )
    return _report_detail(report)


@router.get("/reports/{report_id}", response=error_responses(ReportDetailOut))
def get_report(request, report_id: int = id_path()):
    """One report: each figure with who gave it and every earlier version, beside what the
    records say; its steps; the rules' results."""
    return _report_detail(_visible_report(request, report_id))


@router.patch("/reports/{report_id}", response=error_responses(ReportDetailOut))
def update_report(request, payload: ReportPatch, report_id: int = id_path()):
    """Change a draft or a returned report, and submit it if asked. Figures left out keep
    their current value."""
    report = _visible_report(request, report_id)
    report = services.update_report(
        request.user,
        report,
        values=payload.values,
        reasons=payload.reasons,
        note=report.note if payload.note is None else payload.note,
        submit=payload.submit,
    )
    return _report_detail(report)


@router.post("/reports/{report_id}/return", response=error_responses(ReportDetailOut))
def return_report(request, payload: ReturnIn, report_id: int = id_path()):
    """The office sends a submitted report back to the unit, saying why."""
    report = services.return_report(
        request.user, _visible_report(request, report_id), payload.comment
    )
    return _report_detail(report)


@router.post("/reports/{report_id}/correct", response=error_responses(ReportDetailOut))
def correct_report_value(request, payload: FigureCorrectionIn, report_id: int = id_path()):
    """The office corrects one figure of a submitted report, with a reason; the officer's
    figure is kept, superseded."""
    report = _visible_report(request, report_id)
    scoping.require_reviewer(request.user)
    field = _report_field(payload.field, "field")
    services.correct_report_value(request.user, report, field, payload.value, payload.reason)
    return _report_detail(report)


@router.post("/reports/{report_id}/approve", response=error_responses(ReportDetailOut))
def approve_report(request, payload: ApproveIn, report_id: int = id_path()):
    """The office approves a submitted report whose figures pass every high rule."""
    report = services.approve_report(
        request.user, _visible_report(request, report_id), comment=payload.comment
    )
    return _report_detail(report)
