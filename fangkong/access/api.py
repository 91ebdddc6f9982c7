"""Gate access over HTTP: /api/v1/access/… — the gate's decisions, offline batches of
crossings, the public keys and the revocation list a gate device keeps, and the passes,
gates, pass types and policies, through the same services and scoping as the pages.

A gate device sends `Authorization: Bearer <token>` made for a guard's account; a browser
its session. `GET /keys` needs neither: a device fetches the public halves of the signing
keys before it has any other credential, and they are public by design.
"""

import datetime
from typing import Annotated, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import WithJsonSchema

from fangkong.access import scoping, selectors, services
from fangkong.access.models import AccessPolicy, Crossing, Gate, Pass, PassType
from fangkong.access.report_api import router as report_router
from fangkong.apischema import (
    FilterSchema,
    Id,
    InSchema,
    Pagination,
    api_enum,
    error_responses,
    id_path,
    record,
)
from fangkong.core import filtering
from fangkong.core import scoping as core_scoping
from fangkong.core.models import Area, Person
from fangkong.core.roles import Role

router = Router(tags=["access"])
router.add_router("/reports/", report_router)

MAX_BATCH = 5000


GateDirection = api_enum("GateDirection", Crossing.Direction)
GateReason = api_enum("GateReason", Crossing.Reason)
PassStatus = api_enum("PassStatus", Pass.Status)
AccessPolicyKind = api_enum("AccessPolicyKind", AccessPolicy.Kind)
AccessPolicyWindow = api_enum("AccessPolicyWindow", AccessPolicy.Window)

# A temperature as a number or a string ("36.5"): the service says what is wrong with it.
TemperatureInput = Annotated[
    Any,
    WithJsonSchema(
        {
            "anyOf": [{"type": "number"}, {"type": "string", "maxLength": 10}, {"type": "null"}],
            "examples": ["36.5"],
        }
    ),
]


# ---- the gate -----------------------------------------------------------------------------


class GatePersonOut(Schema):
    number: str
    name: str
    unit: str


class GatePassBriefOut(Schema):
    number: str
    pass_type: str
    status: PassStatus
    valid_from: datetime.date
    valid_until: datetime.date
    uses_left: int | None


class GateHouseholdOutRow(Schema):
    person: GatePersonOut
    since: datetime.datetime


class GateDecisionOut(Schema):
    allowed: bool
    reason: GateReason
    reason_label: str
    detail: str
    person: GatePersonOut | None
    gate_pass: GatePassBriefOut | None = Field(None, alias="pass")
    next_exit_at: datetime.datetime | None
    household_out: list[GateHouseholdOutRow]
    crossing_id: int


class GateDecideIn(InSchema):
    gate: str = Field(max_length=30, description="The gate's code")
    direction: GateDirection
    code: str = Field("", max_length=400, description="What the scanner read: a pass token")
    pass_number: str = Field("", max_length=40, description="A pass number typed by the guard")
    person_number: str = Field("", max_length=40, description="A resident without a pass")
    temperature: TemperatureInput = Field(None, description="°C, if measured")


def _person_out(person: Person) -> dict:
    return {"number": person.person_number, "name": person.name, "unit": person.unit.display_name}


def _decision_out(decision: services.Decision) -> dict:
    gate_pass = decision.gate_pass
    return {
        "allowed": decision.allowed,
        "reason": decision.reason,
        "reason_label": decision.reason_label,
        "detail": decision.detail,
        "person": _person_out(decision.person) if decision.person else None,
        "pass": {
            "number": gate_pass.number,
            "pass_type": gate_pass.pass_type.display_name,
            "status": gate_pass.shown_status(),
            "valid_from": gate_pass.valid_from,
            "valid_until": gate_pass.valid_until,
            "uses_left": gate_pass.uses_left,
        }
        if gate_pass
        else None,
        "next_exit_at": decision.next_exit_at,
        "household_out": [
            {"person": _person_out(row["person"]), "since": row["since"]}
            for row in decision.household_out
        ],
        "crossing_id": decision.crossing.pk,
    }


@router.post("/gate/decide", response=error_responses(GateDecisionOut), by_alias=True)
def gate_decide(request, payload: GateDecideIn):
    """Decide one person at a gate and record the crossing: let through or refused, and why.

    Send what the scanner read in `code`, or a typed `pass_number`, or a resident's
    `person_number`. A refusal is still a 200 (`allowed: false`, with its `reason`); a 422
    is a request the gate cannot decide at all (no such gate, a bad temperature)."""
    scoping.require_guard(request.user)
    gate = Gate.objects.select_related("area").filter(code=payload.gate).first()
    if gate is None:
        raise ValidationError({"gate": _("No such gate: %(code)s.") % {"code": payload.gate}})
    decision = services.decide_at_gate(
        request.user,
        gate=gate,
        direction=str(payload.direction),
        presented=payload.code or payload.pass_number,
        person_number=payload.person_number,
        temperature=payload.temperature,
    )
    return _decision_out(decision)


class GateCrossingsIn(InSchema):
    crossings: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=MAX_BATCH,
        description=(
            "Each crossing an offline device decided: {id (a UUID the device made), at (ISO "
            "date and time with its zone), gate (code), direction (in|out), reason (one of "
            "the gate's reasons), pass_number or person_number, temperature, detail}"
        ),
    )


class GateCrossingsOut(Schema):
    recorded: int = Field(description="Crossings written now")
    already: int = Field(description="Crossings sent before and already recorded")


def _storable(value) -> bool:
    if isinstance(value, str):
        if "\x00" in value:
            return False
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
    return not isinstance(value, dict | list)


@router.post("/gate/crossings", response=error_responses(GateCrossingsOut))
def gate_crossings(request, payload: GateCrossingsIn):
    """Record a batch of crossings an offline gate device decided, all or nothing: a bad row
    refuses the batch, naming it (`crossings[3]`); a batch sent twice is recorded once."""
    scoping.require_guard(request.user)
    errors = {}
    for index, row in enumerate(payload.crossings):
        if not all(_storable(value) for value in row.values()):
            errors[f"crossings[{index}]"] = _("A value is not plain text or a number.")
    if errors:
        raise ValidationError(errors)
    result = services.record_offline_crossings(request.user, payload.crossings)
    return {"recorded": result.recorded, "already": result.already}


# ---- what a gate device keeps: the public keys and the revocation list ----------------------


class AccessKeyOut(Schema):
    kid: int
    alg: str
    public_key: str = Field(description="The raw 32-byte Ed25519 public key, base64url")
    status: str = Field(description="active or retired")


class AccessKeysOut(Schema):
    alg: str
    token_prefix: str
    keys: list[AccessKeyOut]


@router.get("/keys", response=error_responses(AccessKeysOut), auth=None)
def public_keys(request):
    """The public halves of the pass-signing keys, by key id (no login needed). A device
    keeps this document and checks tokens offline with it; see docs/pass-token.md."""
    return services.public_keys_document()


class AccessRevokedOut(Schema):
    number: str
    revoked_at: datetime.datetime


class AccessRevocationsOut(Schema):
    generated_at: datetime.datetime = Field(description="Send it as `since` on the next poll")
    since: datetime.datetime | None
    revoked: list[AccessRevokedOut]


class AccessRevocationsFilter(FilterSchema):
    since: datetime.datetime | None = Field(
        None, description="Only passes revoked after this moment"
    )


@router.get("/revocations", response=error_responses(AccessRevocationsOut))
def revocations(request, filters: Query[AccessRevocationsFilter]):
    """Revoked passes still inside their dates, oldest revocation first; with `since`, only
    those revoked after it (a device's incremental poll)."""
    scoping.require_guard(request.user)
    since = filters.since
    if since is not None and timezone.is_naive(since):
        raise ValidationError({"since": _("Give the time with its time zone.")})
    generated_at = timezone.now()
    return {
        "generated_at": generated_at,
        "since": since,
        "revoked": services.revocation_list(since),
    }


# ---- gates, pass types, policies -------------------------------------------------------------


class GateOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    display_name: str
    area_id: int
    area: str = Field(alias="area.display_name")
    is_active: bool


class PassTypeOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    display_name: str
    default_days: int
    multiple_use: bool
    uses: int | None
    area_ids: list[int]
    is_active: bool

    @staticmethod
    def resolve_area_ids(pass_type) -> list[int]:
        return sorted(area.pk for area in pass_type.areas.all())


class AccessPolicyOut(Schema):
    id: int
    area_id: int
    area: str = Field(alias="area.display_name")
    kind: AccessPolicyKind
    summary: str
    effective_from: datetime.datetime
    quota_exits: int | None
    quota_days: int | None
    quota_window: AccessPolicyWindow
    return_by: datetime.time | None
    reason: str
    created_at: datetime.datetime


class AccessPolicyIn(InSchema):
    area: Id
    kind: AccessPolicyKind
    effective_from: datetime.datetime | None = Field(None, description="Now if left out")
    quota_exits: int | None = Field(None, ge=1, le=99)
    quota_days: int | None = Field(None, ge=1, le=60)
    quota_window: AccessPolicyWindow | None = None
    return_by: datetime.time | None = None
    reason: str = Field("", max_length=200)


class AccessPolicyFilter(FilterSchema):
    area: Id | None = None


def _require_gate_reader(user) -> None:
    if not (scoping.can_guard(user) or scoping.sees_reports(user)):
        raise PermissionDenied(_("Only gate guards, the office and the leaders see the gates."))


@router.get("/gates", response=error_responses(list[GateOut]))
def list_gates(request):
    """The gates, active ones first, each with the area it serves."""
    _require_gate_reader(request.user)
    return Gate.objects.select_related("area").order_by("-is_active", "code")


@router.get("/pass-types", response=error_responses(list[PassTypeOut]))
def list_pass_types(request):
    """The kinds of pass one may apply for (the office sees the retired ones too)."""
    if not getattr(request.user, "is_active", False):
        raise PermissionDenied(_("Not allowed."))
    types = PassType.objects.prefetch_related("areas").order_by("order", "code")
    if not scoping.is_office(request.user):
        types = types.filter(is_active=True)
    return types


CODE = r"^[-a-zA-Z0-9_]{1,30}$"


class GateIn(InSchema):
    code: str = Field(pattern=CODE, description="What a device sends as `gate`")
    name: str = Field(min_length=1, max_length=100)
    name_en: str = Field("", max_length=100)
    area: Id = Field(description="The area the gate serves")
    is_active: bool = True


class GatePatch(InSchema):
    code: str | None = Field(None, pattern=CODE)
    name: str | None = Field(None, min_length=1, max_length=100)
    name_en: str | None = Field(None, max_length=100)
    area: Id | None = None
    is_active: bool | None = None


class PassTypeIn(InSchema):
    code: str = Field(pattern=CODE)
    name: str = Field(min_length=1, max_length=100)
    name_en: str = Field("", max_length=100)
    default_days: int = Field(14, ge=1, le=366, description="A new pass's validity")
    areas: list[Id] = Field([], max_length=50, description="A new pass's areas")
    multiple_use: bool = True
    uses: int | None = Field(None, ge=1, le=999, description="Entries a pass allows; none: any")
    approver: Id | None = Field(None, description="A user who decides besides the office")
    order: int = Field(0, ge=0, le=32767)
    is_active: bool = True


class PassTypePatch(InSchema):
    code: str | None = Field(None, pattern=CODE)
    name: str | None = Field(None, min_length=1, max_length=100)
    name_en: str | None = Field(None, max_length=100)
    default_days: int | None = Field(None, ge=1, le=366)
    areas: list[Id] | None = Field(None, max_length=50)
    multiple_use: bool | None = None
    uses: int | None = Field(None, ge=1, le=999)
    approver: Id | None = None
    order: int | None = Field(None, ge=0, le=32767)
    is_active: bool | None = None


# Fields a PATCH may set to null (to clear them); any other null is refused, naming the field.
NULLABLE = frozenset({"uses", "approver"})


def _not_null(data: dict) -> dict:
    nulls = {key: _("This field may not be null.") for key, value in data.items() if value is None}
    nulls = {key: message for key, message in nulls.items() if key not in NULLABLE}
    if nulls:
        raise ValidationError(nulls)
    return data


def _areas(ids: list[int]) -> list[Area]:
    found = Area.objects.in_bulk(set(ids))
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise ValidationError(
            {"areas": _("No such area: %(ids)s.") % {"ids": ", ".join(str(pk) for pk in missing)}}
        )
    return list(found.values())


def _gate_data(data: dict) -> dict:
    if "area" in data:
        data["area"] = record(Area, data["area"], "area")
    return data


def _pass_type_data(data: dict) -> dict:
    """The areas and the approver the ids name; every id that names nothing is reported."""
    errors = {}
    if "areas" in data:
        try:
            data["areas"] = _areas(data["areas"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if "approver" in data:
        active = get_user_model().objects.filter(is_active=True)
        try:
            data["approver"] = record(get_user_model(), data["approver"], "approver", active)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return data


def _gate_out(gate: Gate) -> Gate:
    return Gate.objects.select_related("area").get(pk=gate.pk)


def _pass_type_out(pass_type: PassType) -> PassType:
    return PassType.objects.prefetch_related("areas").get(pk=pass_type.pk)


@router.post("/gates", response=error_responses(GateOut))
def create_gate(request, payload: GateIn):
    """A new gate (the office); guards and devices name it by `code`."""
    scoping.require_office(request.user)
    return _gate_out(services.save_gate(request.user, None, **_gate_data(payload.dict())))


@router.patch("/gates/{gate_id}", response=error_responses(GateOut))
def update_gate(request, payload: GatePatch, gate_id: int = id_path()):
    """Change a gate, or switch it off with `is_active: false` (the office)."""
    scoping.require_office(request.user)
    gate = core_scoping.get_visible_or_404(Gate.objects.all(), pk=gate_id)
    data = _gate_data(_not_null(payload.dict(exclude_unset=True)))
    return _gate_out(services.save_gate(request.user, gate, **data))


@router.post("/pass-types", response=error_responses(PassTypeOut))
def create_pass_type(request, payload: PassTypeIn):
    """A new kind of pass with the defaults a new pass takes (the office)."""
    scoping.require_office(request.user)
    data = _pass_type_data(payload.dict())
    return _pass_type_out(services.save_pass_type(request.user, None, **data))


@router.patch("/pass-types/{pass_type_id}", response=error_responses(PassTypeOut))
def update_pass_type(request, payload: PassTypePatch, pass_type_id: int = id_path()):
    """Change a pass type (the office); `areas` replaces its areas. Passes already issued
    keep what they were issued with."""
    scoping.require_office(request.user)
    pass_type = core_scoping.get_visible_or_404(PassType.objects.all(), pk=pass_type_id)
    data = _pass_type_data(_not_null(payload.dict(exclude_unset=True)))
    return _pass_type_out(services.save_pass_type(request.user, pass_type, **data))


@router.get("/policies", response=error_responses(list[AccessPolicyOut]))
def list_policies(request, filters: Query[AccessPolicyFilter]):
    """Every area's policies, newest first: the history of who could go where."""
    _require_gate_reader(request.user)
    policies = AccessPolicy.objects.select_related("area").order_by("area_id", "-effective_from")
    if filters.area:
        policies = policies.filter(area_id=filters.area)
    return policies


@router.post("/policies", response=error_responses(AccessPolicyOut))
def set_policy(request, payload: AccessPolicyIn):
    """A new policy for an area from a moment on (the office); earlier ones stay as history."""
    scoping.require_office(request.user)
    effective_from = payload.effective_from
    if effective_from is not None and timezone.is_naive(effective_from):
        raise ValidationError({"effective_from": _("Give the time with its time zone.")})
    quota = {}
    if payload.kind == AccessPolicyKind.QUOTA:
        quota = {
            "quota_exits": payload.quota_exits,
            "quota_days": payload.quota_days,
            "quota_window": str(payload.quota_window or AccessPolicy.Window.ROLLING),
            "return_by": payload.return_by,
        }
    return services.set_policy(
        request.user,
        area=record(Area, payload.area, "area"),
        kind=str(payload.kind),
        effective_from=effective_from,
        reason=payload.reason,
        **quota,
    )


# ---- passes ----------------------------------------------------------------------------------


class PassAreaOut(Schema):
    id: int
    name: str = Field(alias="display_name")


class PassOut(Schema):
    id: int
    number: str
    holder: GatePersonOut
    pass_type_id: int
    pass_type: str = Field(alias="pass_type.display_name")
    reason: str
    valid_from: datetime.date
    valid_until: datetime.date
    areas: list[PassAreaOut]
    uses_total: int | None
    uses_left: int | None
    status: PassStatus
    status_label: str
    issued_at_desk: bool
    applied_at: datetime.datetime
    decided_at: datetime.datetime | None
    decision_note: str
    revoked_at: datetime.datetime | None
    revoke_reason: str

    @staticmethod
    def resolve_holder(gate_pass) -> dict:
        return _person_out(gate_pass.holder)

    @staticmethod
    def resolve_areas(gate_pass) -> list:
        return list(gate_pass.areas.all())

    @staticmethod
    def resolve_status(gate_pass) -> str:
        return gate_pass.shown_status()

    @staticmethod
    def resolve_status_label(gate_pass) -> str:
        return gate_pass.get_shown_status_display()


class PassApplyIn(InSchema):
    holder: Id = Field(description="The person the pass is for (id)")
    pass_type: Id
    reason: str = Field(max_length=200)
    valid_from: datetime.date | None = Field(None, description="Today if left out")
    valid_until: datetime.date | None = Field(None, description="From the pass type if left out")
    areas: list[Id] | None = Field(None, max_length=50, description="The pass type's if left out")


class PassDecideIn(InSchema):
    approve: bool
    note: str = Field("", max_length=200, description="Why it is rejected")


class PassRevokeIn(InSchema):
    reason: str = Field(max_length=200)


class PassTokenOut(Schema):
    number: str
    token: str
    kid: int
    valid_from: datetime.date
    valid_until: datetime.date


class PassListFilter(FilterSchema):
    q: str | None = Field(None, max_length=60, description="Pass number, name or person number")
    status: PassStatus | None = None
    holder: Id | None = None
    pass_type: Id | None = None


def _passes():
    return Pass.objects.select_related("holder__unit", "pass_type").prefetch_related("areas")


def _visible_pass(request, pass_id: int) -> Pass:
    return core_scoping.get_visible_or_404(
        scoping.passes_visible_to(request.user, _passes()), pk=pass_id
    )


def _pass_detail(gate_pass: Pass) -> Pass:
    return _passes().get(pk=gate_pass.pk)


def _application(request, payload: PassApplyIn) -> dict:
    errors = {}
    holder = Person.objects.filter(pk=payload.holder).first()
    if holder is None:
        errors["holder"] = _("No such person: %(id)s.") % {"id": payload.holder}
    pass_type = PassType.objects.filter(pk=payload.pass_type).first()
    if pass_type is None:
        errors["pass_type"] = _("No such pass type: %(id)s.") % {"id": payload.pass_type}
    areas = None
    if payload.areas is not None:
        found = Area.objects.in_bulk(set(payload.areas))
        missing = [pk for pk in payload.areas if pk not in found]
        if missing:
            errors["areas"] = _("No such area: %(ids)s.") % {
                "ids": ", ".join(str(pk) for pk in missing)
            }
        areas = list(found.values())
    if errors:
        raise ValidationError(errors)
    return {
        "holder": holder,
        "pass_type": pass_type,
        "reason": payload.reason,
        "valid_from": payload.valid_from,
        "valid_until": payload.valid_until,
        "areas": areas,
    }


@router.get("/passes", response=error_responses(list[PassOut]))
@paginate(Pagination)
def list_passes(request, filters: Query[PassListFilter]):
    """The passes the caller may see (a member: their own), newest application first.
    `status=expired` gives approved passes past their last day. The pass list page's
    filters, through the same selector."""
    return filtering.raise_errors(selectors.passes_for(request.user, filters.dict()))


@router.post("/passes", response=error_responses(PassOut))
def apply_for_pass(request, payload: PassApplyIn):
    """Apply for a pass (pending until the office or the type's approver decides): a member
    for themselves, an officer for their unit's people, the office for anyone."""
    gate_pass = services.apply_for_pass(request.user, **_application(request, payload))
    return _pass_detail(gate_pass)


@router.post("/passes/desk", response=error_responses(PassOut))
def issue_at_desk(request, payload: PassApplyIn):
    """The pass desk: apply and approve in one step (the office)."""
    scoping.require_office(request.user)
    gate_pass = services.issue_at_desk(request.user, **_application(request, payload))
    return _pass_detail(gate_pass)


@router.get("/passes/{pass_id}", response=error_responses(PassOut))
def get_pass(request, pass_id: int = id_path()):
    return _visible_pass(request, pass_id)


@router.post("/passes/{pass_id}/decide", response=error_responses(PassOut))
def decide_pass(request, payload: PassDecideIn, pass_id: int = id_path()):
    """Approve (issue) or reject a pending application, saying why when rejecting."""
    gate_pass = _visible_pass(request, pass_id)
    gate_pass = services.decide_pass(
        request.user, gate_pass, approve=payload.approve, note=payload.note
    )
    return _pass_detail(gate_pass)


@router.post("/passes/{pass_id}/revoke", response=error_responses(PassOut))
def revoke_pass(request, payload: PassRevokeIn, pass_id: int = id_path()):
    """Revoke an issued pass, with the reason (the office). Devices learn of it from
    /revocations."""
    gate_pass = _visible_pass(request, pass_id)
    gate_pass = services.revoke_pass(request.user, gate_pass, reason=payload.reason)
    return _pass_detail(gate_pass)


def _may_show_token(user, gate_pass: Pass) -> bool:
    """The code is the holder's to show: the holder, who applied for it, their unit's
    officer and the office — not every reader of the pass list (guards, leaders)."""
    if scoping.is_office(user):
        return True
    if user.person_id and user.person_id == gate_pass.holder_id:
        return True
    if gate_pass.applied_by_id == user.pk:
        return True
    return bool(
        user.has_role(Role.OFFICER) and user.unit_id and user.unit_id == gate_pass.holder.unit_id
    )


@router.get("/passes/{pass_id}/token", response=error_responses(PassTokenOut))
def pass_token(request, pass_id: int = id_path()):
    """The signed token an approved pass's QR code carries (see docs/pass-token.md)."""
    gate_pass = _visible_pass(request, pass_id)
    if not _may_show_token(request.user, gate_pass):
        raise PermissionDenied(_("Only the holder, their officer and the office see the code."))
    if gate_pass.shown_status() != Pass.Status.APPROVED:
        raise ValidationError(
            {
                "status": _("Only an approved pass within its dates has a code (this one: %(s)s).")
                % {"s": gate_pass.get_shown_status_display()}
            }
        )
    token = services.pass_token(gate_pass)
    return {
        "number": gate_pass.number,
        "token": token,
        "kid": services.signing_key().kid,
        "valid_from": gate_pass.valid_from,
        "valid_until": gate_pass.valid_until,
    }
