"""Check-ins over HTTP: /api/v1/reporting/… — same scoping, services and validation as the pages."""

import datetime
from decimal import Decimal
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from fangkong.apischema import FilterSchema, Id, InSchema, Pagination, id_path
from fangkong.core import scoping as core_scoping
from fangkong.reporting import scoping, selectors, services
from fangkong.reporting.models import HealthCheckin, ReportingPolicy, Symptom

router = Router(tags=["reporting"])
ERRORS = frozenset({400, 401, 403, 404, 422})


def _error_responses(ok):
    from fangkong.api import ErrorOut

    return {200: ok, **{status: ErrorOut for status in ERRORS}}


# Named for the API: OpenAPI names an enum's schema after its class (see core.api._api_enum).
CheckinSymptom = StrEnum("CheckinSymptom", {m.name: m.value for m in Symptom})
CheckinChannel = StrEnum("CheckinChannel", {m.name: m.value for m in HealthCheckin.Channel})

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


class CorrectionIn(Answers):
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


class PolicyOut(Schema):
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


def _detail(checkin: HealthCheckin) -> dict:
    checkin = HealthCheckin.objects.select_related("person", "entered_by").get(pk=checkin.pk)
    versions = HealthCheckin.objects.filter(person_id=checkin.person_id, date=checkin.date)
    checkin.versions = list(versions.select_related("person", "entered_by").order_by("entered_at"))
    return checkin


@router.get("/checkins", response=_error_responses(list[CheckinOut]))
@paginate(Pagination)
def list_checkins(request, filters: Query[CheckinFilter]):
    """The check-ins of a day (today by default) the caller may see."""
    data = filters.dict()
    day = data.pop("date") or timezone.localdate()
    return selectors.checkins_for_day(request.user, day, **data)


@router.post("/checkins", response=_error_responses(CheckinDetailOut))
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
    return _detail(checkin)


@router.get("/checkins/{checkin_id}", response=_error_responses(CheckinDetailOut))
def get_checkin(request, checkin_id: int = id_path()):
    """One check-in, with every version of its person's day (superseded ones included)."""
    return _detail(_visible(request, checkin_id))


@router.post("/checkins/{checkin_id}/correct", response=_error_responses(CheckinDetailOut))
def correct_checkin(request, payload: CorrectionIn, checkin_id: int = id_path()):
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


@router.get("/flagged", response=_error_responses(FlaggedOut))
def flagged_today(request, unit: Id | None = None):
    """Today's flagged check-ins in the caller's scope, and how many."""
    today = timezone.localdate()
    items = list(selectors.flagged_checkins(request.user, today, unit=unit))
    return {"date": today, "count": len(items), "items": items}


@router.get("/policy", response=_error_responses(PolicyOut))
def get_policy(request):
    """The office's reporting rules: deadline, days a day stays open, fever threshold."""
    return ReportingPolicy.current()
