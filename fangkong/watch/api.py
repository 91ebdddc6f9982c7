"""The key-person ledger over HTTP: /api/v1/watch/… — same scoping, services and selectors
as the pages."""

import datetime
import functools
from decimal import Decimal
from enum import StrEnum

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from fangkong.apischema import FilterSchema, Id, InSchema, Pagination, id_path
from fangkong.core import scoping as core_scoping
from fangkong.core.models import Person, User
from fangkong.watch import scoping, selectors, services
from fangkong.watch.models import (
    MAX_FOLLOW_UP_EVERY,
    FollowUp,
    FollowUpKind,
    KeyPerson,
    RegionOfConcern,
)

router = Router(tags=["watch"])
ERRORS = frozenset({400, 401, 403, 404, 422})


def _error_responses(ok):
    from fangkong.api import ErrorOut

    return {200: ok, **{status: ErrorOut for status in ERRORS}}


def _api_enum(name: str, choices) -> type[StrEnum]:
    """The model's choices as an enum with a name of its own in the OpenAPI document."""
    return StrEnum(name, {member.name: member.value for member in choices})


KeyPersonCategory = _api_enum("KeyPersonCategory", KeyPerson.Category)
KeyPersonStatus = _api_enum("KeyPersonStatus", KeyPerson.Status)
FollowUpKindEnum = _api_enum("FollowUpKind", FollowUpKind)
FollowUpOutcome = _api_enum("FollowUpOutcome", FollowUp.Outcome)


# ---- schemas ------------------------------------------------------------------------------


class RegionOut(Schema):
    id: int
    name: str
    from_date: datetime.date
    until_date: datetime.date | None
    note: str


class RegionIn(InSchema):
    name: str = Field(min_length=1, max_length=100)
    from_date: datetime.date
    until_date: datetime.date | None = None
    note: str = Field("", max_length=200)


class RegionPatch(InSchema):
    name: str | None = Field(None, min_length=1, max_length=100)
    from_date: datetime.date | None = None
    until_date: datetime.date | None = None
    note: str | None = Field(None, max_length=200)
    reason: str = Field("", max_length=200)


class RegionEndIn(InSchema):
    until_date: datetime.date | None = None
    reason: str = Field("", max_length=200)


class RegionFilter(FilterSchema):
    on: datetime.date | None = Field(None, description="Only the regions of concern that day")


class KeyPersonOut(Schema):
    id: int
    person_id: int
    person_number: str = Field(alias="person.person_number")
    person_name: str = Field(alias="person.name")
    unit_id: int = Field(alias="person.unit_id")
    phone_masked: str = Field(alias="person.phone_masked")
    category: KeyPersonCategory
    region_id: int | None
    reason: str
    listed_on: datetime.date
    monitoring_until: datetime.date | None
    responsible_id: int
    follow_up_every: int
    follow_up_kind: FollowUpKindEnum
    status: KeyPersonStatus
    listed_by_id: int
    verified_by_id: int | None
    verified_at: datetime.datetime | None
    cleared_on: datetime.date | None
    cleared_by_id: int | None
    cleared_at: datetime.datetime | None
    clear_reason: str


class KeyPersonIn(InSchema):
    person_id: Id
    category: KeyPersonCategory
    reason: str = Field(min_length=1, max_length=200)
    region_id: Id | None = None
    listed_on: datetime.date | None = None
    monitoring_until: datetime.date | None = None
    responsible_id: Id | None = None
    follow_up_every: int = Field(1, ge=0, le=MAX_FOLLOW_UP_EVERY)
    follow_up_kind: FollowUpKindEnum = FollowUpKindEnum.PHONE_CALL


class KeyPersonPatch(InSchema):
    category: KeyPersonCategory | None = None
    reason: str | None = Field(None, min_length=1, max_length=200)
    region_id: Id | None = None
    listed_on: datetime.date | None = None
    monitoring_until: datetime.date | None = None
    responsible_id: Id | None = None
    follow_up_every: int | None = Field(None, ge=0, le=MAX_FOLLOW_UP_EVERY)
    follow_up_kind: FollowUpKindEnum | None = None
    change_reason: str = Field("", max_length=200)


class ClearIn(InSchema):
    reason: str = Field(min_length=1, max_length=200)
    cleared_on: datetime.date | None = None


class LedgerFilter(FilterSchema):
    q: str = Field("", max_length=60)
    category: KeyPersonCategory | None = None
    status: KeyPersonStatus | None = KeyPersonStatus.UNDER_WATCH
    verified: bool | None = None
    unit: Id | None = None
    region: Id | None = None
    person: Id | None = None


class CountOut(Schema):
    category: KeyPersonCategory
    label: str
    staff: int
    students: int
    others: int
    total: int


class FollowUpOut(Schema):
    id: int
    key_person_id: int
    kind: FollowUpKindEnum
    outcome: FollowUpOutcome
    temperature: Decimal | None
    note: str
    by_id: int
    at: datetime.datetime
    due_on: datetime.date
    supersedes_id: int | None
    correction_reason: str
    recorded_at: datetime.datetime


class FollowUpIn(InSchema):
    key_person_id: Id
    kind: FollowUpKindEnum
    outcome: FollowUpOutcome
    temperature: Decimal | None = Field(None, max_digits=3, decimal_places=1)
    note: str = Field("", max_length=300)
    at: datetime.datetime | None = Field(None, description="When; now if left out")
    due_on: datetime.date | None = Field(None, description="For the day; the day of `at`")


class CorrectionIn(InSchema):
    reason: str = Field(min_length=1, max_length=200)
    kind: FollowUpKindEnum | None = None
    outcome: FollowUpOutcome | None = None
    temperature: Decimal | None = Field(None, max_digits=3, decimal_places=1)
    note: str | None = Field(None, max_length=300)
    at: datetime.datetime | None = None
    due_on: datetime.date | None = None


class FollowUpFilter(FilterSchema):
    key_person: Id | None = None
    day: datetime.date | None = None
    current_only: bool = False


class DueOut(Schema):
    person_id: int
    person_name: str
    unit_id: int
    key_person_id: int
    key_person_ids: list[int]
    kinds: list[FollowUpKindEnum]
    drawn: bool
    followed_up: bool
    follow_up_ids: list[int]


class DayFilter(FilterSchema):
    day: datetime.date | None = Field(None, description="Today if left out")


class DrawIn(InSchema):
    size: int = Field(ge=1, le=100_000)
    day: datetime.date | None = None
    category: KeyPersonCategory | None = None


class DrawOut(Schema):
    id: int
    day: datetime.date
    size: int
    seed: str
    category: str
    population: list[int]
    drawn: list[int]
    drawn_by_id: int
    drawn_at: datetime.datetime


class RedoOut(Schema):
    drawn: list[int]
    same: bool


class ComplianceFilter(FilterSchema):
    start: datetime.date | None = None
    end: datetime.date | None = None


class CellOut(Schema):
    due: int
    followed_up: int
    rate: float | None


class UnitComplianceOut(Schema):
    unit_id: int
    unit_name: str
    days: list[CellOut]
    total: CellOut


class ComplianceOut(Schema):
    days: list[datetime.date]
    units: list[UnitComplianceOut]
    school: list[CellOut]
    total: CellOut


# ---- helpers ------------------------------------------------------------------------------

API_FIELD_NAMES = {
    "person": "person_id",
    "region": "region_id",
    "responsible": "responsible_id",
    "key_person": "key_person_id",
}


def _errors_name_api_fields(view):
    """Report a service's field errors under the names the request used."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                raise
            renamed = {API_FIELD_NAMES.get(f, f): errors for f, errors in exc.error_dict.items()}
            raise ValidationError(renamed) from exc

    return wrapper


def _related(queryset, pk, field: str):
    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: _("No such record: %(id)s.") % {"id": pk}})
    return found


def _require_ledger(user) -> None:
    if not scoping.sees_ledger(user):
        raise PermissionDenied(_("Your role does not give access to the key-person ledger."))


def _entry(request, key_person_id: int) -> KeyPerson:
    return core_scoping.get_visible_or_404(
        scoping.key_persons_visible_to(request.user).select_related("person"), pk=key_person_id
    )


def _entry_data(request, data: dict) -> dict:
    if "region_id" in data:
        data["region"] = _related(RegionOfConcern.objects, data.pop("region_id"), "region_id")
    if "responsible_id" in data:
        responsible = data.pop("responsible_id")
        if responsible is not None:
            data["responsible"] = _related(User.objects, responsible, "responsible_id")
    for key in ("category", "follow_up_kind"):
        if data.get(key) is not None:
            data[key] = str(data[key])
        elif key in data:
            data.pop(key)
    for key in ("reason", "listed_on", "follow_up_every"):
        if key in data and data[key] is None:
            data.pop(key)
    return data


def _cell(cell) -> dict:
    return {
        "due": cell.due,
        "followed_up": cell.followed_up,
        "rate": float(cell.rate) if cell.rate is not None else None,
    }


# ---- regions ------------------------------------------------------------------------------


@router.get("/regions", response=_error_responses(list[RegionOut]))
def list_regions(request, filters: Query[RegionFilter]):
    return selectors.regions(on=filters.on)


@router.post("/regions", response=_error_responses(RegionOut))
def create_region(request, payload: RegionIn):
    return services.create_region(request.user, **payload.dict())


@router.patch("/regions/{region_id}", response=_error_responses(RegionOut))
def update_region(request, payload: RegionPatch, region_id: int = id_path()):
    if not scoping.can_keep_regions(request.user):
        raise PermissionDenied(_("Only the prevention & control office keeps the regions."))
    region = core_scoping.get_visible_or_404(RegionOfConcern.objects.all(), pk=region_id)
    data = payload.dict(exclude_unset=True)
    reason = data.pop("reason", "")
    data = {key: value for key, value in data.items() if value is not None or key == "until_date"}
    return services.update_region(request.user, region, reason=reason, **data)


@router.post("/regions/{region_id}/end", response=_error_responses(RegionOut))
def end_region(request, payload: RegionEndIn, region_id: int = id_path()):
    if not scoping.can_keep_regions(request.user):
        raise PermissionDenied(_("Only the prevention & control office keeps the regions."))
    region = core_scoping.get_visible_or_404(RegionOfConcern.objects.all(), pk=region_id)
    return services.end_region(request.user, region, payload.until_date, payload.reason)


# ---- the ledger ---------------------------------------------------------------------------


def _ledger_filters(filters: LedgerFilter) -> dict:
    data = filters.dict()
    data["category"] = str(data["category"]) if data["category"] else ""
    data["status"] = str(data["status"]) if data["status"] else None
    return data


@router.get("/key-persons", response=_error_responses(list[KeyPersonOut]))
@paginate(Pagination)
def list_key_persons(request, filters: Query[LedgerFilter]):
    _require_ledger(request.user)
    return selectors.key_persons_for(request.user, **_ledger_filters(filters))


@router.get("/key-persons/counts", response=_error_responses(list[CountOut]))
def key_person_counts(request, filters: Query[LedgerFilter]):
    """Persons per category, staff and students apart, for the filtered ledger."""
    _require_ledger(request.user)
    return selectors.ledger_counts(
        selectors.key_persons_for(request.user, **_ledger_filters(filters))
    )


@router.get("/key-persons/{key_person_id}", response=_error_responses(KeyPersonOut))
def get_key_person(request, key_person_id: int = id_path()):
    return _entry(request, key_person_id)


@router.post("/key-persons", response=_error_responses(KeyPersonOut))
@_errors_name_api_fields
def create_key_person(request, payload: KeyPersonIn):
    data = payload.dict()
    people = core_scoping.people_visible_to(request.user, Person.objects.all())
    data["person"] = _related(people, data.pop("person_id"), "person_id")
    return services.list_key_person(request.user, **_entry_data(request, data))


@router.patch("/key-persons/{key_person_id}", response=_error_responses(KeyPersonOut))
@_errors_name_api_fields
def update_key_person(request, payload: KeyPersonPatch, key_person_id: int = id_path()):
    entry = _entry(request, key_person_id)
    data = payload.dict(exclude_unset=True)
    change_reason = data.pop("change_reason", "")
    return services.update_key_person(
        request.user, entry, change_reason=change_reason, **_entry_data(request, data)
    )


@router.post("/key-persons/{key_person_id}/verify", response=_error_responses(KeyPersonOut))
def verify_key_person(request, key_person_id: int = id_path()):
    return services.verify_key_person(request.user, _entry(request, key_person_id))


@router.post("/key-persons/{key_person_id}/clear", response=_error_responses(KeyPersonOut))
def clear_key_person(request, payload: ClearIn, key_person_id: int = id_path()):
    entry = _entry(request, key_person_id)
    return services.clear_key_person(request.user, entry, payload.reason, payload.cleared_on)


# ---- follow-ups ---------------------------------------------------------------------------


@router.get("/follow-ups", response=_error_responses(list[FollowUpOut]))
@paginate(Pagination)
def list_follow_ups(request, filters: Query[FollowUpFilter]):
    _require_ledger(request.user)
    return selectors.follow_ups_for(request.user, **filters.dict())


@router.post("/follow-ups", response=_error_responses(FollowUpOut))
@_errors_name_api_fields
def create_follow_up(request, payload: FollowUpIn):
    data = payload.dict()
    entries = scoping.key_persons_visible_to(request.user).select_related("person")
    entry = _related(entries, data.pop("key_person_id"), "key_person_id")
    data["kind"], data["outcome"] = str(data["kind"]), str(data["outcome"])
    return services.record_follow_up(request.user, entry, **data)


@router.post("/follow-ups/{follow_up_id}/supersede", response=_error_responses(FollowUpOut))
def supersede_follow_up(request, payload: CorrectionIn, follow_up_id: int = id_path()):
    """Correct a follow-up: a new record replaces it in the counts; the old one is kept."""
    follow_up = core_scoping.get_visible_or_404(
        scoping.follow_ups_visible_to(request.user), pk=follow_up_id
    )
    data = payload.dict(exclude_unset=True)
    reason = data.pop("reason")
    for key in ("kind", "outcome"):
        if data.get(key) is not None:
            data[key] = str(data[key])
    data = {key: value for key, value in data.items() if value is not None or key == "temperature"}
    return services.supersede_follow_up(request.user, follow_up, reason=reason, **data)


@router.get("/due", response=_error_responses(list[DueOut]))
def due_list(request, filters: Query[DayFilter]):
    """The day's follow-up list: persons due by their plans or drawn for a phone check."""
    _require_ledger(request.user)
    day = filters.day or timezone.localdate()
    return [
        {
            "person_id": row.person.pk,
            "person_name": row.person.name,
            "unit_id": row.person.unit_id,
            "key_person_id": row.entry.pk,
            "key_person_ids": [entry.pk for entry in row.entries],
            "kinds": row.kinds,
            "drawn": row.drawn,
            "followed_up": row.followed_up,
            "follow_up_ids": [follow_up.pk for follow_up in row.follow_ups],
        }
        for row in selectors.due_list(request.user, day)
    ]


# ---- random phone checks ------------------------------------------------------------------


@router.post("/draws", response=_error_responses(DrawOut))
def create_draw(request, payload: DrawIn):
    return services.draw_random_check(
        request.user,
        day=payload.day,
        size=payload.size,
        category=str(payload.category) if payload.category else "",
    )


@router.get("/draws/{draw_id}", response=_error_responses(DrawOut))
def get_draw(request, draw_id: int = id_path()):
    return core_scoping.get_visible_or_404(selectors.draws_for(request.user), pk=draw_id)


@router.post("/draws/{draw_id}/redo", response=_error_responses(RedoOut))
def redo_draw(request, draw_id: int = id_path()):
    """The draw run again from its stored seed and population, and whether it matches."""
    draw = core_scoping.get_visible_or_404(selectors.draws_for(request.user), pk=draw_id)
    drawn = services.redo_draw(draw)
    return {"drawn": drawn, "same": drawn == draw.drawn}


# ---- compliance ---------------------------------------------------------------------------


@router.get("/compliance", response=_error_responses(ComplianceOut))
def compliance(request, filters: Query[ComplianceFilter]):
    """Followed up ÷ due, per unit and day and school-wide (at most 92 days)."""
    _require_ledger(request.user)
    start, end = selectors.compliance_range(filters.start, filters.end)
    table = selectors.compliance(request.user, start, end)
    return {
        "days": table.days,
        "units": [
            {
                "unit_id": unit.pk,
                "unit_name": unit.display_name,
                "days": [_cell(cell) for cell in cells],
                "total": _cell(total),
            }
            for unit, cells, total in table.rows()
        ],
        "school": [_cell(cell) for cell in table.school],
        "total": _cell(table.total),
    }
