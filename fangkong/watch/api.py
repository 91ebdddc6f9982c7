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
from fangkong.core.models import Area, Building, Household, Person, User
from fangkong.watch import filtersets, scoping, selectors, services
from fangkong.watch.models import (
    MAX_FOLLOW_UP_EVERY,
    MAX_ISOLATION_DAYS,
    CheckSlot,
    FollowUp,
    FollowUpKind,
    Incident,
    IncidentAction,
    IsolationCase,
    IsolationPolicy,
    IsolationRoom,
    KeyPerson,
    RegionOfConcern,
)

router = Router(tags=["watch"])


KeyPersonCategory = api_enum("KeyPersonCategory", KeyPerson.Category)
KeyPersonStatus = api_enum("KeyPersonStatus", KeyPerson.Status)
FollowUpKindEnum = api_enum("FollowUpKind", FollowUpKind)
FollowUpOutcome = api_enum("FollowUpOutcome", FollowUp.Outcome)
LedgerStatus = StrEnum(
    "LedgerStatus", {**{m.name: m.value for m in KeyPerson.Status}, "ALL": filtersets.ALL}
)


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
    """The ledger page's filters (watch/filtersets.py, KeyPersonFilterSet)."""

    q: str = Field("", max_length=60)
    category: KeyPersonCategory | None = None
    status: LedgerStatus | None = Field(
        None, description="Those under watch if left out; `all` for every entry"
    )
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


class FollowUpCorrectionIn(InSchema):
    reason: str = Field(min_length=1, max_length=200)
    kind: FollowUpKindEnum | None = None
    outcome: FollowUpOutcome | None = None
    temperature: Decimal | None = Field(None, max_digits=3, decimal_places=1)
    note: str | None = Field(None, max_length=300)
    at: datetime.datetime | None = None
    due_on: datetime.date | None = None


class FollowUpFilter(FilterSchema):
    """An entry's page's follow-ups (watch/filtersets.py, FollowUpFilterSet)."""

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
    "household": "household_id",
    "room": "room_id",
    "building": "building_id",
    "area": "area_id",
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


@router.get("/regions", response=error_responses(list[RegionOut]))
def list_regions(request, filters: Query[RegionFilter]):
    return selectors.regions(on=filters.on)


@router.post("/regions", response=error_responses(RegionOut))
def create_region(request, payload: RegionIn):
    return services.create_region(request.user, **payload.dict())


@router.patch("/regions/{region_id}", response=error_responses(RegionOut))
def update_region(request, payload: RegionPatch, region_id: int = id_path()):
    if not scoping.can_keep_regions(request.user):
        raise PermissionDenied(_("Only the prevention & control office keeps the regions."))
    region = core_scoping.get_visible_or_404(RegionOfConcern.objects.all(), pk=region_id)
    data = payload.dict(exclude_unset=True)
    reason = data.pop("reason", "")
    data = {key: value for key, value in data.items() if value is not None or key == "until_date"}
    return services.update_region(request.user, region, reason=reason, **data)


@router.post("/regions/{region_id}/end", response=error_responses(RegionOut))
def end_region(request, payload: RegionEndIn, region_id: int = id_path()):
    if not scoping.can_keep_regions(request.user):
        raise PermissionDenied(_("Only the prevention & control office keeps the regions."))
    region = core_scoping.get_visible_or_404(RegionOfConcern.objects.all(), pk=region_id)
    return services.end_region(request.user, region, payload.until_date, payload.reason)


# ---- the ledger ---------------------------------------------------------------------------


@router.get("/key-persons", response=error_responses(list[KeyPersonOut]))
@paginate(Pagination)
def list_key_persons(request, filters: Query[LedgerFilter]):
    _require_ledger(request.user)
    return filtering.raise_errors(selectors.key_persons_for(request.user, filters.dict()))


@router.get("/key-persons/counts", response=error_responses(list[CountOut]))
def key_person_counts(request, filters: Query[LedgerFilter]):
    """Persons per category, staff and students apart, for the filtered ledger."""
    _require_ledger(request.user)
    entries = filtering.raise_errors(selectors.key_persons_for(request.user, filters.dict()))
    return selectors.ledger_counts(entries)


@router.get("/key-persons/{key_person_id}", response=error_responses(KeyPersonOut))
def get_key_person(request, key_person_id: int = id_path()):
    return _entry(request, key_person_id)


@router.post("/key-persons", response=error_responses(KeyPersonOut))
@_errors_name_api_fields
def create_key_person(request, payload: KeyPersonIn):
    data = payload.dict()
    people = core_scoping.people_visible_to(request.user, Person.objects.all())
    data["person"] = _related(people, data.pop("person_id"), "person_id")
    return services.list_key_person(request.user, **_entry_data(request, data))


@router.patch("/key-persons/{key_person_id}", response=error_responses(KeyPersonOut))
@_errors_name_api_fields
def update_key_person(request, payload: KeyPersonPatch, key_person_id: int = id_path()):
    entry = _entry(request, key_person_id)
    data = payload.dict(exclude_unset=True)
    change_reason = data.pop("change_reason", "")
    return services.update_key_person(
        request.user, entry, change_reason=change_reason, **_entry_data(request, data)
    )


@router.post("/key-persons/{key_person_id}/verify", response=error_responses(KeyPersonOut))
def verify_key_person(request, key_person_id: int = id_path()):
    return services.verify_key_person(request.user, _entry(request, key_person_id))


@router.post("/key-persons/{key_person_id}/clear", response=error_responses(KeyPersonOut))
def clear_key_person(request, payload: ClearIn, key_person_id: int = id_path()):
    entry = _entry(request, key_person_id)
    return services.clear_key_person(request.user, entry, payload.reason, payload.cleared_on)


# ---- follow-ups ---------------------------------------------------------------------------


@router.get("/follow-ups", response=error_responses(list[FollowUpOut]))
@paginate(Pagination)
def list_follow_ups(request, filters: Query[FollowUpFilter]):
    _require_ledger(request.user)
    return filtering.raise_errors(selectors.follow_ups_for(request.user, filters.dict()))


@router.post("/follow-ups", response=error_responses(FollowUpOut))
@_errors_name_api_fields
def create_follow_up(request, payload: FollowUpIn):
    data = payload.dict()
    entries = scoping.key_persons_visible_to(request.user).select_related("person")
    entry = _related(entries, data.pop("key_person_id"), "key_person_id")
    data["kind"], data["outcome"] = str(data["kind"]), str(data["outcome"])
    return services.record_follow_up(request.user, entry, **data)


@router.post("/follow-ups/{follow_up_id}/supersede", response=error_responses(FollowUpOut))
def supersede_follow_up(request, payload: FollowUpCorrectionIn, follow_up_id: int = id_path()):
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


@router.get("/due", response=error_responses(list[DueOut]))
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


@router.post("/draws", response=error_responses(DrawOut))
def create_draw(request, payload: DrawIn):
    return services.draw_random_check(
        request.user,
        day=payload.day,
        size=payload.size,
        category=str(payload.category) if payload.category else "",
    )


@router.get("/draws/{draw_id}", response=error_responses(DrawOut))
def get_draw(request, draw_id: int = id_path()):
    return core_scoping.get_visible_or_404(selectors.draws_for(request.user), pk=draw_id)


@router.post("/draws/{draw_id}/redo", response=error_responses(RedoOut))
def redo_draw(request, draw_id: int = id_path()):
    """The draw run again from its stored seed and population, and whether it matches."""
    draw = core_scoping.get_visible_or_404(selectors.draws_for(request.user), pk=draw_id)
    drawn = services.redo_draw(draw)
    return {"drawn": drawn, "same": drawn == draw.drawn}


# ---- compliance ---------------------------------------------------------------------------


@router.get("/compliance", response=error_responses(ComplianceOut))
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


# ---- medical isolation --------------------------------------------------------------------

PlaceKind = api_enum("IsolationPlaceKind", IsolationCase.PlaceKind)
OrderedBy = api_enum("IsolationOrderedBy", IsolationCase.OrderedBy)
IsolationStatus = api_enum("IsolationStatus", IsolationCase.Status)
Slot = api_enum("IsolationCheckSlot", CheckSlot)
IncidentKind = api_enum("IncidentKind", Incident.Kind)
IncidentSeverity = api_enum("IncidentSeverity", Incident.Severity)
IncidentStatus = api_enum("IncidentStatus", Incident.Status)
IncidentActionKind = api_enum("IncidentActionKind", IncidentAction.Kind)
IncidentActionEvent = api_enum("IncidentActionEvent", IncidentAction.Event)


class IsolationPolicyOut(Schema):
    id: int
    effective_from: datetime.date
    days: int
    note: str
    created_by_id: int


class PolicyIn(InSchema):
    effective_from: datetime.date
    days: int = Field(ge=1, le=MAX_ISOLATION_DAYS)
    note: str = Field("", max_length=200)


class PolicyPatch(InSchema):
    effective_from: datetime.date | None = None
    days: int | None = Field(None, ge=1, le=MAX_ISOLATION_DAYS)
    note: str | None = Field(None, max_length=200)
    reason: str = Field("", max_length=200)


class RoomOut(Schema):
    id: int
    building_id: int | None
    name: str
    capacity: int
    occupancy: int
    is_active: bool
    note: str


class RoomIn(InSchema):
    name: str = Field(min_length=1, max_length=40)
    capacity: int = Field(1, ge=1, le=10_000)
    building_id: Id | None = None
    note: str = Field("", max_length=200)
    is_active: bool = True


class RoomPatch(InSchema):
    name: str | None = Field(None, min_length=1, max_length=40)
    capacity: int | None = Field(None, ge=1, le=10_000)
    note: str | None = Field(None, max_length=200)
    is_active: bool | None = None
    reason: str = Field("", max_length=200)


class CaseOut(Schema):
    id: int
    person_id: int
    person_number: str = Field(alias="person.person_number")
    person_name: str = Field(alias="person.name")
    unit_id: int = Field(alias="person.unit_id")
    place_kind: PlaceKind
    household_id: int | None
    room_id: int | None
    hospital: str
    place: str = Field(alias="place_label")
    reason: str
    ordered_by: OrderedBy
    cdc_reference: str
    start_date: datetime.date
    policy_id: int
    planned_end: datetime.date
    status: IsolationStatus
    end_date: datetime.date | None
    transferred_to: str
    end_note: str
    ended_by_id: int | None
    ended_at: datetime.datetime | None
    opened_by_id: int


class CaseIn(InSchema):
    person_id: Id
    place_kind: PlaceKind
    reason: str = Field(min_length=1, max_length=200)
    ordered_by: OrderedBy = OrderedBy.SCHOOL
    cdc_reference: str = Field("", max_length=60)
    start_date: datetime.date | None = Field(None, description="Today if left out")
    household_id: Id | None = Field(
        None, description="Home isolation: the person's own if left out"
    )
    room_id: Id | None = None
    hospital: str = Field("", max_length=100)


class ReleaseIn(InSchema):
    note: str = Field(min_length=1, max_length=300)
    end_date: datetime.date | None = None


class TransferIn(ReleaseIn):
    hospital: str = Field(min_length=1, max_length=100)


class CaseFilter(FilterSchema):
    """The isolation page's filters (watch/filtersets.py, IsolationCaseFilterSet)."""

    q: str = Field("", max_length=60)
    status: IsolationStatus | None = None
    place_kind: PlaceKind | None = None
    ordered_by: OrderedBy | None = None
    unit: Id | None = None
    person: Id | None = None
    started_from: datetime.date | None = None
    started_until: datetime.date | None = None
    open_on: datetime.date | None = None


class CheckOut(Schema):
    id: int
    case_id: int
    date: datetime.date
    slot: Slot
    temperature: Decimal
    symptoms: str
    note: str
    is_fever: bool
    by_id: int
    at: datetime.datetime
    supersedes_id: int | None
    correction_reason: str
    superseded_at: datetime.datetime | None
    superseded_by_id: int | None


class CheckIn(InSchema):
    case_id: Id
    temperature: Decimal = Field(max_digits=3, decimal_places=1)
    slot: Slot | None = Field(None, description="By the time of `at` if left out")
    date: datetime.date | None = Field(None, description="The day of `at` if left out")
    symptoms: str = Field("", max_length=200)
    note: str = Field("", max_length=200)
    at: datetime.datetime | None = Field(None, description="When; now if left out")


class CheckCorrectionIn(InSchema):
    reason: str = Field(min_length=1, max_length=200)
    temperature: Decimal | None = Field(None, max_digits=3, decimal_places=1)
    symptoms: str | None = Field(None, max_length=200)
    note: str | None = Field(None, max_length=200)
    at: datetime.datetime | None = None


class CheckFilter(FilterSchema):
    """A case's page's checks (watch/filtersets.py, IsolationCheckFilterSet)."""

    case: Id | None = None
    day: datetime.date | None = None
    current_only: bool = False
    fever_only: bool = False


class DueCheckFilter(FilterSchema):
    day: datetime.date | None = Field(None, description="Today if left out")
    slot: Slot | None = Field(None, description="The current half-day if left out")


class DueCheckOut(Schema):
    case_id: int
    person_id: int
    person_name: str
    unit_id: int
    place: str
    morning_check_id: int | None
    afternoon_check_id: int | None


class CountsFilter(FilterSchema):
    day: datetime.date | None = Field(None, description="Under isolation that day; today")
    start: datetime.date | None = Field(None, description="Person-times started from; the 1st")
    end: datetime.date | None = Field(None, description="…until; the day")


class PlaceCountOut(Schema):
    place_kind: PlaceKind
    label: str
    count: int


class UnitCountOut(Schema):
    unit_id: int
    unit: str
    count: int


class CountsOut(Schema):
    day: datetime.date
    start: datetime.date
    end: datetime.date
    open_total: int
    open_by_place: list[PlaceCountOut]
    open_by_unit: list[UnitCountOut]
    started_total: int
    started_by_place: list[PlaceCountOut]
    started_by_unit: list[UnitCountOut]


def _case(request, case_id: int) -> IsolationCase:
    return core_scoping.get_visible_or_404(
        scoping.isolation_cases_visible_to(request.user).select_related(
            "person", "household__building", "room__building"
        ),
        pk=case_id,
    )


@router.get("/isolation/policies", response=error_responses(list[IsolationPolicyOut]))
def list_isolation_policies(request):
    scoping.require_isolation_reader(request.user)
    return selectors.isolation_policies()


@router.post("/isolation/policies", response=error_responses(IsolationPolicyOut))
def create_isolation_policy(request, payload: PolicyIn):
    return services.create_isolation_policy(request.user, **payload.dict())


@router.patch("/isolation/policies/{policy_id}", response=error_responses(IsolationPolicyOut))
def update_isolation_policy(request, payload: PolicyPatch, policy_id: int = id_path()):
    scoping.require_isolation_reader(request.user)
    policy = core_scoping.get_visible_or_404(IsolationPolicy.objects.all(), pk=policy_id)
    data = payload.dict(exclude_unset=True)
    reason = data.pop("reason", "")
    return services.update_isolation_policy(request.user, policy, reason=reason, **data)


@router.get("/isolation/rooms", response=error_responses(list[RoomOut]))
def list_isolation_rooms(request):
    scoping.require_all_isolation_reader(request.user)
    return selectors.isolation_rooms()


def _room_out(room: IsolationRoom) -> IsolationRoom:
    return selectors.isolation_rooms().get(pk=room.pk)


@router.post("/isolation/rooms", response=error_responses(RoomOut))
@_errors_name_api_fields
def create_isolation_room(request, payload: RoomIn):
    data = payload.dict()
    data["building"] = _related(Building.objects, data.pop("building_id"), "building_id")
    return _room_out(services.create_isolation_room(request.user, **data))


@router.patch("/isolation/rooms/{room_id}", response=error_responses(RoomOut))
def update_isolation_room(request, payload: RoomPatch, room_id: int = id_path()):
    scoping.require_all_isolation_reader(request.user)
    room = core_scoping.get_visible_or_404(IsolationRoom.objects.all(), pk=room_id)
    data = payload.dict(exclude_unset=True)
    reason = data.pop("reason", "")
    return _room_out(services.update_isolation_room(request.user, room, reason=reason, **data))


@router.get("/isolation/cases", response=error_responses(list[CaseOut]))
@paginate(Pagination)
def list_isolation_cases(request, filters: Query[CaseFilter]):
    scoping.require_isolation_reader(request.user)
    return filtering.raise_errors(selectors.isolation_cases_for(request.user, filters.dict()))


@router.get("/isolation/cases/{case_id}", response=error_responses(CaseOut))
def get_isolation_case(request, case_id: int = id_path()):
    return _case(request, case_id)


@router.post("/isolation/cases", response=error_responses(CaseOut))
@_errors_name_api_fields
def start_isolation(request, payload: CaseIn):
    """Start a case: the policy in force on the start date sets its planned end."""
    scoping.require_isolation_writer(request.user)
    data = payload.dict()
    data["person"] = _related(Person.objects, data.pop("person_id"), "person_id")
    data["household"] = _related(
        Household.objects.select_related("area"), data.pop("household_id"), "household_id"
    )
    data["room"] = _related(IsolationRoom.objects, data.pop("room_id"), "room_id")
    for key in ("place_kind", "ordered_by"):
        data[key] = str(data[key])
    return services.start_isolation(request.user, **data)


@router.post("/isolation/cases/{case_id}/release", response=error_responses(CaseOut))
def release_isolation(request, payload: ReleaseIn, case_id: int = id_path()):
    case = _case(request, case_id)
    return services.release_isolation(
        request.user, case, note=payload.note, end_date=payload.end_date
    )


@router.post("/isolation/cases/{case_id}/transfer", response=error_responses(CaseOut))
def transfer_to_hospital(request, payload: TransferIn, case_id: int = id_path()):
    case = _case(request, case_id)
    return services.transfer_to_hospital(
        request.user, case, hospital=payload.hospital, note=payload.note, end_date=payload.end_date
    )


@router.get("/isolation/checks", response=error_responses(list[CheckOut]))
@paginate(Pagination)
def list_isolation_checks(request, filters: Query[CheckFilter]):
    scoping.require_isolation_reader(request.user)
    return filtering.raise_errors(selectors.isolation_checks_for(request.user, filters.dict()))


@router.post("/isolation/checks", response=error_responses(CheckOut))
@_errors_name_api_fields
def record_isolation_check(request, payload: CheckIn):
    """A temperature check; at or above the reporting policy's fever threshold it is flagged."""
    data = payload.dict()
    cases = scoping.isolation_cases_visible_to(request.user)
    case = _related(cases, data.pop("case_id"), "case_id")
    data["slot"] = str(data["slot"]) if data["slot"] else ""
    return services.record_isolation_check(request.user, case, **data)


@router.post("/isolation/checks/{check_id}/supersede", response=error_responses(CheckOut))
def correct_isolation_check(request, payload: CheckCorrectionIn, check_id: int = id_path()):
    """Correct a check: a new one replaces it; the old one is kept, marked superseded."""
    check = core_scoping.get_visible_or_404(
        scoping.isolation_checks_visible_to(request.user), pk=check_id
    )
    data = payload.dict(exclude_unset=True)
    reason = data.pop("reason")
    data = {key: value for key, value in data.items() if value is not None}
    return services.correct_isolation_check(request.user, check, reason=reason, **data)


@router.get("/isolation/checks/due", response=error_responses(list[DueCheckOut]))
def isolation_checks_due(request, filters: Query[DueCheckFilter]):
    """The cases open on the day still missing their check for the slot."""
    scoping.require_isolation_reader(request.user)
    day = filters.day or timezone.localdate()
    slot = str(filters.slot) if filters.slot else services.current_slot()
    return [
        {
            "case_id": row.case.pk,
            "person_id": row.case.person_id,
            "person_name": row.case.person.name,
            "unit_id": row.case.person.unit_id,
            "place": row.case.place_label,
            "morning_check_id": row.morning.pk if row.morning else None,
            "afternoon_check_id": row.afternoon.pk if row.afternoon else None,
        }
        for row in selectors.checks_due(request.user, day, slot)
    ]


@router.get("/isolation/counts", response=error_responses(CountsOut))
def isolation_counts(request, filters: Query[CountsFilter]):
    """Person-times (人次): under isolation on `day`, and started from `start` to `end`, by
    place kind and by unit, within your scope."""
    scoping.require_isolation_reader(request.user)
    day = filters.day or timezone.localdate()
    end = filters.end or day
    start = filters.start or end.replace(day=1)
    if start > end:
        raise ValidationError({"start": _("The range starts after it ends.")})
    summary = selectors.isolation_summary(request.user, day, start, end)
    return {
        "day": day,
        "start": start,
        "end": end,
        "open_total": summary.open_total,
        "open_by_place": summary.open_by_place,
        "open_by_unit": summary.open_by_unit,
        "started_total": summary.started_total,
        "started_by_place": summary.started_by_place,
        "started_by_unit": summary.started_by_unit,
    }


# ---- incidents ----------------------------------------------------------------------------


class ActionOut(Schema):
    id: int
    kind: IncidentActionKind
    event: IncidentActionEvent
    params: dict = Field(description="The event's particulars: codes, names, dates")
    at: datetime.datetime
    by_id: int
    note: str = Field(alias="text", description="What the person typed, as typed")
    text: str = Field(alias="describe", description="The row in the request's language")


class IncidentOut(Schema):
    id: int
    occurred_at: datetime.datetime
    place: str
    area_id: int | None
    kind: IncidentKind
    severity: IncidentSeverity
    description: str
    person_ids: list[int]
    isolation_case_ids: list[int]
    cdc_notified_at: datetime.datetime | None
    cdc_notified_by_id: int | None
    status: IncidentStatus
    closing_summary: str
    closed_at: datetime.datetime | None
    closed_by_id: int | None
    reported_by_id: int

    @staticmethod
    def resolve_person_ids(incident, context):
        user = context["request"].user
        return list(
            incident.people.filter(
                pk__in=core_scoping.people_visible_to(user).values("pk")
            ).values_list("pk", flat=True)
        )

    @staticmethod
    def resolve_isolation_case_ids(incident, context):
        user = context["request"].user
        cases = scoping.isolation_cases_visible_to(user, incident.isolation_cases.all())
        return list(cases.values_list("pk", flat=True))


class IncidentIn(InSchema):
    occurred_at: datetime.datetime
    kind: IncidentKind
    severity: IncidentSeverity = IncidentSeverity.MEDIUM
    description: str = Field(min_length=1, max_length=2000)
    place: str = Field("", max_length=200)
    area_id: Id | None = None
    person_ids: list[Id] = Field([], max_length=200)
    isolation_case_ids: list[Id] = Field([], max_length=200)


class IncidentPatch(InSchema):
    occurred_at: datetime.datetime | None = None
    kind: IncidentKind | None = None
    severity: IncidentSeverity | None = None
    description: str | None = Field(None, min_length=1, max_length=2000)
    place: str | None = Field(None, max_length=200)
    reason: str = Field("", max_length=200)


class IncidentFilter(FilterSchema):
    """The incidents page's filters (watch/filtersets.py, IncidentFilterSet)."""

    q: str = Field("", max_length=60)
    status: IncidentStatus | None = None
    kind: IncidentKind | None = None
    severity: IncidentSeverity | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None
    person: Id | None = None


class ActionIn(InSchema):
    text: str = Field(min_length=1, max_length=500)
    at: datetime.datetime | None = Field(None, description="When; now if left out")


class StepIn(InSchema):
    note: str = Field("", max_length=300)
    at: datetime.datetime | None = Field(None, description="When; now if left out")


class CloseIn(InSchema):
    summary: str = Field(min_length=1, max_length=2000)
    at: datetime.datetime | None = Field(None, description="When; now if left out")


class LinkIn(InSchema):
    person_ids: list[Id] = Field([], max_length=200)
    isolation_case_ids: list[Id] = Field([], max_length=200)


class IncidentCountOut(Schema):
    kind: IncidentKind
    label: str
    total: int
    closed: int


def _incident(request, incident_id: int) -> Incident:
    return core_scoping.get_visible_or_404(
        selectors.visible_incidents(request.user), pk=incident_id
    )


def _many(queryset, ids: list[int], field: str) -> list:
    found = {record.pk: record for record in queryset.filter(pk__in=ids)}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise ValidationError(
            {field: _("No such record: %(id)s.") % {"id": ", ".join(map(str, missing))}}
        )
    return [found[pk] for pk in dict.fromkeys(ids)]


@router.get("/incidents", response=error_responses(list[IncidentOut]))
@paginate(Pagination)
def list_incidents(request, filters: Query[IncidentFilter]):
    scoping.require_incident_reader(request.user)
    return filtering.raise_errors(selectors.incidents_for(request.user, filters.dict()))


@router.get("/incidents/counts", response=error_responses(list[IncidentCountOut]))
def incident_counts(request, filters: Query[IncidentFilter]):
    scoping.require_incident_reader(request.user)
    found = filtering.raise_errors(selectors.incidents_for(request.user, filters.dict()))
    return selectors.incident_counts(found)


@router.get("/incidents/{incident_id}", response=error_responses(IncidentOut))
def get_incident(request, incident_id: int = id_path()):
    return _incident(request, incident_id)


@router.post("/incidents", response=error_responses(IncidentOut))
@_errors_name_api_fields
def open_incident(request, payload: IncidentIn):
    data = payload.dict()
    people = core_scoping.people_visible_to(request.user)
    data["people"] = _many(people, data.pop("person_ids"), "person_ids")
    cases = scoping.isolation_cases_visible_to(request.user)
    data["isolation_cases"] = _many(cases, data.pop("isolation_case_ids"), "isolation_case_ids")
    data["area"] = _related(Area.objects, data.pop("area_id"), "area_id")
    data["kind"], data["severity"] = str(data["kind"]), str(data["severity"])
    return services.open_incident(request.user, **data)


@router.patch("/incidents/{incident_id}", response=error_responses(IncidentOut))
def update_incident(request, payload: IncidentPatch, incident_id: int = id_path()):
    incident = _incident(request, incident_id)
    data = payload.dict(exclude_unset=True)
    reason = data.pop("reason", "")
    data = {
        key: str(value) if key in ("kind", "severity") else value for key, value in data.items()
    }
    data = {key: value for key, value in data.items() if value is not None}
    return services.update_incident(request.user, incident, reason=reason, **data)


@router.get("/incidents/{incident_id}/actions", response=error_responses(list[ActionOut]))
def incident_timeline(request, incident_id: int = id_path()):
    return selectors.incident_timeline(_incident(request, incident_id))


@router.post("/incidents/{incident_id}/actions", response=error_responses(ActionOut))
def add_incident_action(request, payload: ActionIn, incident_id: int = id_path()):
    incident = _incident(request, incident_id)
    return services.add_incident_action(request.user, incident, text=payload.text, at=payload.at)


@router.post("/incidents/{incident_id}/handle", response=error_responses(IncidentOut))
def start_handling_incident(request, payload: StepIn, incident_id: int = id_path()):
    incident = _incident(request, incident_id)
    return services.start_handling_incident(
        request.user, incident, note=payload.note, at=payload.at
    )


@router.post("/incidents/{incident_id}/notify-cdc", response=error_responses(IncidentOut))
def notify_cdc(request, payload: StepIn, incident_id: int = id_path()):
    incident = _incident(request, incident_id)
    return services.notify_cdc(request.user, incident, note=payload.note, at=payload.at)


@router.post("/incidents/{incident_id}/close", response=error_responses(IncidentOut))
def close_incident(request, payload: CloseIn, incident_id: int = id_path()):
    """Close with a summary. Closed is final."""
    incident = _incident(request, incident_id)
    return services.close_incident(request.user, incident, summary=payload.summary, at=payload.at)


@router.post("/incidents/{incident_id}/link", response=error_responses(IncidentOut))
def link_incident(request, payload: LinkIn, incident_id: int = id_path()):
    incident = _incident(request, incident_id)
    people = _many(core_scoping.people_visible_to(request.user), payload.person_ids, "person_ids")
    cases = _many(
        scoping.isolation_cases_visible_to(request.user),
        payload.isolation_case_ids,
        "isolation_case_ids",
    )
    return services.link_incident(request.user, incident, people=people, isolation_cases=cases)
