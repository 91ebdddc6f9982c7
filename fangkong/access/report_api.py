"""The gate reports over HTTP: mounted under /api/v1/access/reports/ by access/api.py. The
same selectors (and the same check of who may read them) as the report pages."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from fangkong.access import selectors
from fangkong.apischema import FilterSchema, error_responses
from fangkong.core import periods

router = Router(tags=["access"])
DEFAULT_PERIOD_DAYS = 30


class PeriodFilter(FilterSchema):
    start: datetime.date | None = Field(None, description="29 days before `end` if left out")
    end: datetime.date | None = Field(None, description="Today if left out")


class DayFilter(FilterSchema):
    day: datetime.date | None = Field(None, description="Today if left out")


def _period(filters: PeriodFilter) -> tuple[datetime.date, datetime.date]:
    end = filters.end or timezone.localdate()
    start = filters.start or periods.days_before(end, DEFAULT_PERIOD_DAYS - 1)
    problem = periods.period_problem(start, end)
    if problem:
        raise ValidationError({"end" if start > end else "start": problem})
    return start, end


class NamedRefOut(Schema):
    id: int
    code: str
    name: str = Field(alias="display_name")


class AreaRefOut(Schema):
    id: int
    name: str = Field(alias="display_name")


class PersonRefOut(Schema):
    id: int
    person_number: str
    name: str


class HouseholdRefOut(Schema):
    id: int
    address: str = Field(description="Building and address")

    @staticmethod
    def resolve_address(household) -> str:
        return str(household)


class PassTypeCountOut(Schema):
    pass_type: NamedRefOut
    issued: int
    at_desk: int = Field(description="Of which issued at the pass desk")


class PassesReportOut(Schema):
    start: datetime.date
    end: datetime.date
    rows: list[PassTypeCountOut]
    total: int
    at_desk: int


class HourCellOut(Schema):
    hour: int
    allowed: int
    refused: int


class GateHoursOut(Schema):
    gate: NamedRefOut
    area_id: int
    hours: list[HourCellOut]
    allowed: int
    refused: int


class CrossingsReportOut(Schema):
    day: datetime.date
    gates: list[GateHoursOut]
    hours: list[HourCellOut] = Field(description="All gates, each hour")
    allowed: int
    refused: int


class ReasonCountOut(Schema):
    reason: str
    label: str
    count: int


class RefusalsReportOut(Schema):
    start: datetime.date
    end: datetime.date
    rows: list[ReasonCountOut]
    total: int


class OutPersonOut(Schema):
    person: PersonRefOut
    household: HouseholdRefOut
    since: datetime.datetime
    gate: NamedRefOut
    back_by: datetime.datetime | None
    overdue: bool


class OutAreaOut(Schema):
    area: AreaRefOut
    policy: str
    people: list[OutPersonOut]


class OutNowOut(Schema):
    at: datetime.datetime
    areas: list[OutAreaOut]


class QuotaExitOut(Schema):
    person: PersonRefOut | None
    at: datetime.datetime
    gate: NamedRefOut


class QuotaHouseholdOut(Schema):
    household: HouseholdRefOut
    area: AreaRefOut
    exits: list[QuotaExitOut]


class QuotaReportOut(Schema):
    day: datetime.date
    households: list[QuotaHouseholdOut]
    exits: int


def _hours(cells) -> list[dict]:
    return [
        {"hour": hour, "allowed": cell.allowed, "refused": cell.refused}
        for hour, cell in enumerate(cells)
    ]


@router.get("/passes-by-type", response=error_responses(PassesReportOut))
def passes_by_type(request, filters: Query[PeriodFilter]):
    """Passes issued (approved, revoked since or not) by the local day of approval, by type."""
    return selectors.passes_by_type(request.user, *_period(filters))


@router.get("/crossings-by-hour", response=error_responses(CrossingsReportOut))
def crossings_by_hour(request, filters: Query[DayFilter]):
    """Crossings on a day, by gate and hour (0–23), let through and refused."""
    report = selectors.crossings_by_hour(request.user, filters.day or timezone.localdate())
    return {
        "day": report.day,
        "gates": [
            {
                "gate": row.gate,
                "area_id": row.gate.area_id,
                "hours": _hours(row.hours),
                "allowed": row.total.allowed,
                "refused": row.total.refused,
            }
            for row in report.rows
        ],
        "hours": _hours(report.hours),
        "allowed": report.total.allowed,
        "refused": report.total.refused,
    }


@router.get("/refusals-by-reason", response=error_responses(RefusalsReportOut))
def refusals_by_reason(request, filters: Query[PeriodFilter]):
    """Crossings refused in a period, by reason, the most frequent first."""
    return selectors.refusals_by_reason(request.user, *_period(filters))


@router.get("/out-now", response=error_responses(OutNowOut))
def out_now(request):
    """Residents of each household-quota area whose last crossing let through was an exit."""
    at = timezone.now()
    areas = selectors.out_now(request.user, at)
    return {
        "at": at,
        "areas": [
            {"area": entry.area, "policy": entry.policy.summary, "people": entry.people}
            for entry in areas
        ],
    }


@router.get("/quota-used", response=error_responses(QuotaReportOut))
def quota_used(request, filters: Query[DayFilter]):
    """Households whose members went out on their quota on a day: who, when, where."""
    report = selectors.quota_used(request.user, filters.day or timezone.localdate())
    return {"day": report.day, "households": report.households, "exits": report.exits}
